"""Evidence files: type checked by content, metadata stripped from images, sealed before storage.

Accepted: images (JPEG, PNG, WebP), PDF and audio (MP3, M4A, OGG/Opus, WAV, AMR, AAC, FLAC), each
at most ``settings.EVIDENCE_MAX_BYTES``. The file name and the name's extension are never trusted:
the type comes from the bytes (``filetype``), and images are decoded and re-encoded with Pillow so
that EXIF (GPS position, camera serial, time) and other metadata chunks are dropped. PDFs are rewritten
with pypdf without the document information dictionary or any XMP ``/Metadata`` stream (encrypted or
unreadable PDFs are refused). Audio loses its tags: ID3/APE, Vorbis comments and MP4 ``ilst``/``udta``
atoms through mutagen; WAV keeps only its ``fmt``/``fact``/``data`` chunks; AMR and ADTS-AAC keep only
their audio frames. A file that cannot be cleaned is refused, never stored with its metadata.
"""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass
from typing import Any

import filetype
import mutagen
import mutagen.apev2
from django.conf import settings
from django.utils.translation import gettext as _
from mutagen.mp4._atom import Atoms
from PIL import Image, ImageOps, UnidentifiedImageError
from pypdf import PdfReader, PdfWriter
from pypdf.generic import DictionaryObject, NameObject

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


PDF_METADATA_KEYS = (NameObject("/Metadata"), NameObject("/PieceInfo"))


def strip_pdf_metadata(data: bytes) -> bytes:
    """Rewrite the PDF page by page: no /Info, no XMP (catalog, page, image), no /PieceInfo, no comment authors."""
    refused = _("PDF terkunci/rusak; kirim tanpa kata sandi.")
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise EvidenceRejected(refused)
        writer = PdfWriter()
        for page in reader.pages:
            writer.add_page(page)
        writer.metadata = None  # no document information dictionary at all (not even /Producer)
        for obj in writer._objects:
            if isinstance(obj, DictionaryObject):
                for key in PDF_METADATA_KEYS:
                    obj.pop(key, None)
        for page in writer.pages:
            for ref in page.get("/Annots") or []:
                annot = ref.get_object()
                if isinstance(annot, DictionaryObject) and annot.get("/Subtype") != "/Widget":
                    annot.pop(NameObject("/T"), None)  # a comment's author (account name); form fields keep theirs
        if not len(writer.pages):
            raise EvidenceRejected(refused)
        out = io.BytesIO()
        writer.write(out)
        return out.getvalue()
    except EvidenceRejected:
        raise
    except Exception:  # pypdf raises many kinds on broken input; the person gets the message, never a 500
        raise EvidenceRejected(refused) from None


WAV_KEEP_CHUNKS = {b"fmt ", b"fact", b"data"}
AMR_NB_FRAME = {**dict(enumerate([13, 14, 16, 18, 20, 21, 27, 32, 6])), 15: 1}  # frame type -> bytes
AMR_WB_FRAME = {**dict(enumerate([18, 24, 33, 37, 41, 47, 51, 59, 61, 6])), 14: 1, 15: 1}


def _wav_clean(data: bytes) -> bytes | None:
    """Keep only the chunks that carry sound (``LIST``/``INFO``, ``id3 ``, ``bext`` etc. are dropped)."""
    if len(data) < 12 or data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        return None
    kept, pos, names = [], 12, set()
    while pos + 8 <= len(data):
        name, size = data[pos : pos + 4], int.from_bytes(data[pos + 4 : pos + 8], "little")
        body = data[pos + 8 : pos + 8 + size]
        if len(body) < size and name != b"data":
            return None
        if name in WAV_KEEP_CHUNKS:
            names.add(name)
            kept.append(name + len(body).to_bytes(4, "little") + body + (b"\x00" if len(body) % 2 else b""))
        pos += 8 + size + (size % 2)
    if not {b"fmt ", b"data"} <= names:
        return None
    payload = b"WAVE" + b"".join(kept)
    return b"RIFF" + len(payload).to_bytes(4, "little") + payload


def _amr_clean(data: bytes) -> bytes | None:
    """AMR has no tag format: keep the magic and the whole frames, drop anything after them."""
    for magic, sizes in ((b"#!AMR\n", AMR_NB_FRAME), (b"#!AMR-WB\n", AMR_WB_FRAME)):
        if data.startswith(magic):
            pos = len(magic)
            while pos < len(data) and not data[pos] & 0x83:  # header: padding bits zero
                size = sizes.get(data[pos] >> 3, 0)
                if not size or pos + size > len(data):
                    break
                pos += size
            return data[:pos] if pos > len(magic) else None
    return None


def _adts_clean(data: bytes) -> bytes | None:
    """ADTS AAC: keep the run of frames from the start; ID3/APE tags before or after are dropped."""
    pos = 0
    while pos + 7 <= len(data) and data[pos] == 0xFF and data[pos + 1] & 0xF6 == 0xF0:
        length = ((data[pos + 3] & 0x03) << 11) | (data[pos + 4] << 3) | (data[pos + 5] >> 5)
        if length < 7 or pos + length > len(data):
            break
        pos += length
    return data[:pos] if pos else None


def _blank_mp4_atoms(buf: io.BytesIO) -> None:
    """Turn every ``udta``/``meta``/``uuid`` box (location ``\xa9xyz``, XMP, tool names) into zeroed ``free``
    boxes of the same size, so that no chunk offset moves."""
    buf.seek(0)
    atoms = Atoms(buf)
    targets = [a for a in atoms.atoms if a.name in {b"uuid", b"meta"}]
    for moov in (a for a in atoms.atoms if a.name == b"moov"):
        targets += list(moov.findall(b"udta", recursive=True))
        targets += [a for a in (moov.children or []) if a.name in {b"meta", b"uuid"}]
    for atom in targets:
        buf.seek(atom.offset)
        header = 16 if int.from_bytes(buf.read(4), "big") == 1 else 8  # 64-bit box size follows the type
        buf.write(b"free")
        buf.seek(atom.offset + header)
        buf.write(b"\x00" * (atom.length - header))


def strip_audio_metadata(data: bytes, mime: str) -> bytes:
    """Remove every tag from an accepted audio type, or refuse the file."""
    refused = _("Rekaman suara rusak atau tidak dapat dibersihkan dari data tersembunyi. Kirim ulang dalam MP3, M4A, OGG, WAV, atau FLAC.")
    cleaned: bytes | None
    if mime == "audio/x-wav":
        cleaned = _wav_clean(data)
    elif mime == "audio/amr":
        cleaned = _amr_clean(data)
    elif mime == "audio/aac":
        cleaned = _adts_clean(data)
    else:
        try:
            buf = io.BytesIO(data)
            audio = mutagen.File(buf)
            if audio is None:
                raise EvidenceRejected(refused)
            if mime == "audio/x-flac":
                audio.metadata_blocks = [b for b in audio.metadata_blocks if b.code in (0, 3)]  # STREAMINFO, SEEKTABLE
                audio.cuesheet = None
                audio.tags = None
                buf.seek(0)
                audio.save(buf, deleteid3=True)
            else:
                buf.seek(0)
                audio.delete(buf)
            if mime == "audio/mpeg":
                buf.seek(0)
                mutagen.apev2.delete(buf)
            if mime == "audio/mp4":
                _blank_mp4_atoms(buf)
            buf.seek(0)
            again = mutagen.File(buf)
            if again is None or again.tags:
                raise EvidenceRejected(refused)
            cleaned = buf.getvalue()
        except EvidenceRejected:
            raise
        except Exception:  # mutagen raises many kinds on broken input
            raise EvidenceRejected(refused) from None
    if not cleaned:
        raise EvidenceRejected(refused)
    return cleaned


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
    elif mime == PDF_TYPE:
        data = strip_pdf_metadata(data)
    elif mime in AUDIO_TYPES:
        data = strip_audio_metadata(data, mime)
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
    """The cleaned bytes of an ``Evidence`` row fetched with ``intake.access.access_evidence``."""
    return read_sealed_file(evidence.storage_name, purpose=EVIDENCE_PURPOSE)
