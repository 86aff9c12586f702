"""Evidence files: type checked by content, metadata stripped from images, sealed before storage.

Accepted: images (JPEG, PNG, WebP), PDF and audio (MP3, M4A, OGG/Opus, WAV, AMR, AAC, FLAC), each
at most ``settings.EVIDENCE_MAX_BYTES``. The file name and the name's extension are never trusted:
the type comes from the bytes (``filetype``), and images are decoded and re-encoded with Pillow so
that EXIF (GPS position, camera serial, time) and other metadata chunks are dropped.
"""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass
from typing import Any

import filetype
from django.conf import settings
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from salingsapa.core.files import read_sealed_file, store_sealed_file

EVIDENCE_PURPOSE = "evidence"

IMAGE_TYPES = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP"}
AUDIO_TYPES = {"audio/mpeg", "audio/mp4", "audio/ogg", "audio/x-wav", "audio/amr", "audio/aac", "audio/x-flac"}
PDF_TYPE = "application/pdf"
MAX_IMAGE_PIXELS = 40_000_000  # a 40-megapixel photo; larger is refused (decompression bombs)


class EvidenceRejected(ValueError):
    """The file cannot be accepted. ``message`` is for the person; ``status`` 413 when too large."""

    def __init__(self, message: str, *, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


@dataclass(frozen=True)
class StoredEvidence:
    storage_name: str
    content_type: str
    size: int
    sha256: str
    original_name: str

    def as_dict(self) -> dict[str, object]:
        return {
            "storage_name": self.storage_name,
            "content_type": self.content_type,
            "size": self.size,
            "sha256": self.sha256,
            "original_name": self.original_name,
        }

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> StoredEvidence:
        return cls(
            storage_name=str(data["storage_name"]),
            content_type=str(data["content_type"]),
            size=int(data["size"]),  # type: ignore[call-overload]
            sha256=str(data["sha256"]),
            original_name=str(data.get("original_name", "")),
        )


def detect_type(data: bytes) -> str:
    kind = filetype.guess(data[:8192])
    return kind.mime if kind is not None else ""


def strip_image_metadata(data: bytes, mime: str) -> bytes:
    """Decode and re-encode the image without EXIF/XMP/ICC text chunks; orientation is applied first."""
    fmt = IMAGE_TYPES[mime]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as img:
                if img.format != fmt:
                    raise EvidenceRejected(_("Isi berkas gambar tidak sesuai jenisnya."))
                if img.width * img.height > MAX_IMAGE_PIXELS:
                    raise EvidenceRejected(_("Gambar terlalu besar (resolusi). Kirim gambar yang lebih kecil."))
                img.load()
                clean = ImageOps.exif_transpose(img) or img
                if fmt == "JPEG" and clean.mode not in {"RGB", "L", "CMYK"}:
                    clean = clean.convert("RGB")
                # A new image holding only the pixels: no info dict, no EXIF, no XMP, no comments.
                bare = Image.frombytes(clean.mode, clean.size, clean.tobytes())
                if clean.mode == "P":
                    bare.putpalette(clean.getpalette() or [])
                out = io.BytesIO()
                options: dict[str, object] = {"quality": 90} if fmt in {"JPEG", "WEBP"} else {}
                bare.save(out, format=fmt, **options)
                return out.getvalue()
    except EvidenceRejected:
        raise
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombWarning,
            Image.DecompressionBombError):
        raise EvidenceRejected(_("Gambar rusak atau tidak dapat dibaca.")) from None


def evidence_prepare(*, data: bytes, filename: str = "") -> StoredEvidence:
    """Check, clean and seal one file; returns what the ``Evidence`` row needs."""
    limit = settings.EVIDENCE_MAX_BYTES
    if len(data) > limit:
        raise EvidenceRejected(
            _("Berkas terlalu besar. Ukuran maksimal %(mb)d MB.") % {"mb": limit // (1024 * 1024)}, status=413
        )
    if not data:
        raise EvidenceRejected(_("Berkas kosong."))
    mime = detect_type(data)
    if mime in IMAGE_TYPES:
        data = strip_image_metadata(data, mime)
    elif mime == PDF_TYPE or mime in AUDIO_TYPES:
        pass
    else:
        raise EvidenceRejected(
            _("Jenis berkas tidak diterima. Kirim foto (JPG, PNG, WebP), PDF, atau rekaman suara.")
        )
    storage_name = store_sealed_file(data, purpose=EVIDENCE_PURPOSE)
    return StoredEvidence(
        storage_name=storage_name,
        content_type=mime,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        original_name=(filename or "")[-120:],
    )


def evidence_read(evidence: Any) -> bytes:
    """The cleaned bytes of an ``Evidence`` row fetched with ``core.access.access_evidence``."""
    return read_sealed_file(evidence.storage_name, purpose=EVIDENCE_PURPOSE)
