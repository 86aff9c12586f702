"""Event materials and article images: cleaned like evidence, then sealed at rest.

The cleaning is evidence's own (``intake.evidence``): images are decoded and re-encoded with Pillow, so
EXIF (GPS position, camera serial, time), XMP and ICC text go; PDFs are rewritten with pikepdf without
metadata or active content. A file that cannot be cleaned is refused, never stored as it came.
"""

from __future__ import annotations

import io
from dataclasses import asdict, dataclass

from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _
from PIL import Image

from salingsapa.core.files import delete_sealed_file, read_sealed_file
from salingsapa.intake.evidence import (
    IMAGE_TYPES,
    PDF_TYPE,
    EvidenceRejected,
    SealedFile,
    detect_type,
    seal_cleaned,
    strip_image_metadata,
    strip_pdf_metadata,
)

MATERIAL_PURPOSE = "awareness-material"
IMAGE_PURPOSE = "awareness-image"
MAX_MATERIAL_BYTES = 10 * 1024 * 1024  # within the request cap (settings.REQUEST_MAX_BYTES)
MAX_IMAGE_BYTES = 8 * 1024 * 1024


class FileRejected(EvidenceRejected):
    """``message`` is for the person (Bahasa Indonesia first)."""


@dataclass(frozen=True)
class CleanFile(SealedFile):
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
    return CleanFile(**asdict(seal_cleaned(clean, content_type=mime, purpose=MATERIAL_PURPOSE)))


def image_store(data: bytes) -> CleanFile:
    clean, mime = _clean(data, allow_pdf=False, limit=MAX_IMAGE_BYTES)
    with Image.open(io.BytesIO(clean)) as img:
        width, height = img.size
    sealed = seal_cleaned(clean, content_type=mime, purpose=IMAGE_PURPOSE)
    return CleanFile(**asdict(sealed), width=width, height=height)


def material_read(storage_name: str) -> bytes:
    return read_sealed_file(storage_name, purpose=MATERIAL_PURPOSE)


def image_read(storage_name: str) -> bytes:
    return read_sealed_file(storage_name, purpose=IMAGE_PURPOSE)


def file_delete(storage_name: str) -> None:
    delete_sealed_file(storage_name)


def stored_response(storage_name: str, content_type: str, *, material: bool = False) -> HttpResponse:
    """A stored image (or, with ``material``, an event material) as an HTTP response, 404 when the file is
    gone. For the staff and the public pages alike: the caller has already decided who may see it and adds
    its own cache and download headers."""
    try:
        data = material_read(storage_name) if material else image_read(storage_name)
    except FileNotFoundError:
        raise Http404 from None
    response = HttpResponse(data, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    return response
