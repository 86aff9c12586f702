"""Event materials and article images: cleaned like evidence, then sealed at rest.

The cleaning is evidence's own (``intake.evidence``): images are decoded and re-encoded with Pillow, so
EXIF (GPS position, camera serial, time), XMP and ICC text go; PDFs are rewritten with pikepdf without
metadata or active content. A file that cannot be cleaned is refused, never stored as it came.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass

from django.utils.translation import gettext as _
from PIL import Image

from salingsapa.core.files import delete_sealed_file, read_sealed_file, store_sealed_file
from salingsapa.intake.evidence import (
    IMAGE_TYPES,
    PDF_TYPE,
    EvidenceRejected,
    detect_type,
    strip_image_metadata,
    strip_pdf_metadata,
)

MATERIAL_PURPOSE = "awareness-material"
IMAGE_PURPOSE = "awareness-image"
MAX_MATERIAL_BYTES = 10 * 1024 * 1024  # within the request cap (settings.REQUEST_MAX_BYTES)
MAX_IMAGE_BYTES = 8 * 1024 * 1024


class FileRejected(ValueError):
    """``message`` is for the person (Bahasa Indonesia first)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class CleanFile:
    storage_name: str
    content_type: str
    size: int
    sha256: str
    width: int = 0
    height: int = 0


def _clean(data: bytes, *, allow_pdf: bool, limit: int) -> tuple[bytes, str]:
    if not data:
        raise FileRejected(_("Berkas kosong."))
    if len(data) > limit:
        raise FileRejected(_("Berkas terlalu besar. Ukuran maksimal %(mb)d MB.") % {"mb": limit // (1024 * 1024)})
    mime = detect_type(data)
    try:
        if mime in IMAGE_TYPES:
            return strip_image_metadata(data, mime), mime
        if allow_pdf and mime == PDF_TYPE:
            return strip_pdf_metadata(data), mime
    except EvidenceRejected as exc:
        raise FileRejected(exc.message) from None
    if allow_pdf:
        raise FileRejected(_("Jenis berkas tidak diterima. Unggah PDF atau gambar (JPG, PNG, WebP)."))
    raise FileRejected(_("Jenis berkas tidak diterima. Unggah gambar JPG, PNG, atau WebP."))


def material_store(data: bytes) -> CleanFile:
    clean, mime = _clean(data, allow_pdf=True, limit=MAX_MATERIAL_BYTES)
    name = store_sealed_file(clean, purpose=MATERIAL_PURPOSE)
    return CleanFile(name, mime, len(clean), hashlib.sha256(clean).hexdigest())


def image_store(data: bytes) -> CleanFile:
    clean, mime = _clean(data, allow_pdf=False, limit=MAX_IMAGE_BYTES)
    with Image.open(io.BytesIO(clean)) as img:
        width, height = img.size
    name = store_sealed_file(clean, purpose=IMAGE_PURPOSE)
    return CleanFile(name, mime, len(clean), hashlib.sha256(clean).hexdigest(), width, height)


def material_read(storage_name: str) -> bytes:
    return read_sealed_file(storage_name, purpose=MATERIAL_PURPOSE)


def image_read(storage_name: str) -> bytes:
    return read_sealed_file(storage_name, purpose=IMAGE_PURPOSE)


def file_delete(storage_name: str) -> None:
    delete_sealed_file(storage_name)
