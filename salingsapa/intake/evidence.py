"""Evidence files: type checked by content, metadata stripped from images, sealed before storage.

Accepted: images (JPEG, PNG, WebP), PDF and audio (MP3, M4A, OGG/Opus, WAV, AMR, AAC, FLAC), each
at most ``settings.EVIDENCE_MAX_BYTES``. The file name and the name's extension are never trusted:
the type comes from the bytes (``filetype``), and images are decoded and re-encoded with Pillow so
that EXIF (GPS position, camera serial, time) and other metadata chunks are dropped; their size is read
from the header and checked before any pixel is decoded (``MAX_IMAGE_PIXELS``). PDFs are rewritten with
pikepdf (qpdf) without the document information dictionary, XMP ``/Metadata`` streams, or any active
content (JavaScript, /OpenAction, /AA, /Launch and other actions, embedded files); encrypted or
unreadable PDFs are refused. Audio loses its tags: ID3/APE, Vorbis comments and MP4 ``ilst``/``udta``
atoms through mutagen; WAV keeps only its ``fmt``/``fact``/``data`` chunks; AMR and ADTS-AAC keep only
their audio frames. A file that cannot be cleaned is refused, never stored with its metadata.
"""

from __future__ import annotations

import hashlib
import io
import logging
import warnings
from dataclasses import asdict, dataclass
from typing import Any

import filetype
import mutagen
import mutagen.apev2
import pikepdf
from django.conf import settings
from django.db.models import Sum
from django.utils.translation import gettext as _
from mutagen.mp4._atom import Atoms
from PIL import Image, ImageOps, UnidentifiedImageError

from salingsapa.core.files import read_sealed_file, store_sealed_file
from salingsapa.intake import ratelimit
from salingsapa.intake.models import PendingUpload

EVIDENCE_PURPOSE = "evidence"
security_log = logging.getLogger("salingsapa.security")  # which budget refused; no address, no file name

IMAGE_TYPES = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP"}
AUDIO_TYPES = {"audio/mpeg", "audio/mp4", "audio/ogg", "audio/x-wav", "audio/amr", "audio/aac", "audio/x-flac"}
PDF_TYPE = "application/pdf"
# Images: the header is read first (Image.open decodes nothing) and the size checked before any decode.
# A decoded image costs 4 bytes per pixel in Pillow, so MAX_IMAGE_PIXELS bounds one decode to ~64 MiB.
# JPEG photos above it (48-200 MP phone modes) are decoded at 1/2, 1/4 or 1/8 scale by the JPEG decoder
# itself (``draft``), never at full size; PNG and WebP above it are refused. Headers declaring more than
# MAX_DECLARED_PIXELS are refused outright (and Pillow itself refuses twice that on open).
MAX_IMAGE_PIXELS = 16_000_000
MAX_DECLARED_PIXELS = 200_000_000
Image.MAX_IMAGE_PIXELS = MAX_DECLARED_PIXELS


class EvidenceRejected(ValueError):
    """The file cannot be accepted. ``message`` is for the person; ``status`` 413 when too large."""

    def __init__(self, message: str, *, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


@dataclass(frozen=True)
class SealedFile:
    """A cleaned file sealed at rest: what a row needs to find it again and check it."""

    storage_name: str
    content_type: str
    size: int
    sha256: str


def seal_cleaned(data: bytes, *, content_type: str, purpose: str) -> SealedFile:
    """Seal bytes that are already cleaned (metadata stripped) under ``purpose``; nothing else is kept."""
    return SealedFile(store_sealed_file(data, purpose=purpose), content_type, len(data),
                      hashlib.sha256(data).hexdigest())


@dataclass(frozen=True)
class StoredEvidence(SealedFile):
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


def _too_many_pixels() -> EvidenceRejected:
    return EvidenceRejected(
        _("Gambar terlalu besar (resolusi). Kirim gambar yang lebih kecil (paling besar %(mp)d megapiksel).")
        % {"mp": MAX_IMAGE_PIXELS // 1_000_000}
    )


def strip_image_metadata(data: bytes, mime: str) -> bytes:
    """Decode and re-encode the image without EXIF/XMP/ICC text chunks; orientation is applied first.

    Memory: one decoded copy of at most MAX_IMAGE_PIXELS pixels (plus a transient one when the photo
    must be rotated); the size comes from the header before anything is decoded.
    """
    fmt = IMAGE_TYPES[mime]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as img:  # reads the header only
                if img.format != fmt:
                    raise EvidenceRejected(_("Isi berkas gambar tidak sesuai jenisnya."))
                width, height = img.size
                if width * height > MAX_DECLARED_PIXELS:
                    raise _too_many_pixels()
                if width * height > MAX_IMAGE_PIXELS:
                    if fmt != "JPEG":
                        raise _too_many_pixels()
                    scale = 2
                    while scale <= 8 and (width // scale) * (height // scale) > MAX_IMAGE_PIXELS:
                        scale *= 2
                    if scale > 8:
                        raise _too_many_pixels()
                    img.draft("RGB" if img.mode not in {"L", "CMYK"} else img.mode, (width // scale, height // scale))
                    if img.size[0] * img.size[1] > MAX_IMAGE_PIXELS:
                        raise _too_many_pixels()
                img.load()
                if getattr(img, "n_frames", 1) > 1:  # animated WebP/PNG: only the first frame is kept
                    img.seek(0)
                clean = ImageOps.exif_transpose(img) or img
                if fmt == "JPEG" and clean.mode not in {"RGB", "L", "CMYK"}:
                    clean = clean.convert("RGB")
                # Only the pixels are written: no info dict (EXIF, XMP, ICC, comments, text chunks).
                clean.info = {}
                out = io.BytesIO()
                options: dict[str, object] = {"quality": 90} if fmt in {"JPEG", "WEBP"} else {}
                clean.save(out, format=fmt, exif=b"", **options)
                return out.getvalue()
    except EvidenceRejected:
        raise
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombWarning,
            Image.DecompressionBombError):
        raise EvidenceRejected(_("Gambar rusak atau tidak dapat dibaca.")) from None


# What a PDF may not keep (pikepdf, i.e. qpdf). Metadata: the document information dictionary, XMP
# streams anywhere, /PieceInfo, comment authors. Active content: /OpenAction, additional actions (/AA)
# on the document, pages, annotations and form fields, the /JavaScript and /EmbeddedFiles name trees,
# XFA forms, any action except an internal /GoTo or a /URI link (so /JavaScript, /Launch, /SubmitForm,
# /ImportData, /GoToR, /GoToE, /Rendition, ... go), and annotations that carry files or media.
PDF_DROP_KEYS = {"/OpenAction", "/AA", "/JavaScript", "/JS", "/EmbeddedFiles", "/EmbeddedFile", "/EF", "/XFA",
                 "/Metadata", "/PieceInfo", "/RichMediaContent", "/RichMediaSettings"}
PDF_SAFE_ACTIONS = {"/GoTo", "/URI"}
PDF_DROP_ANNOTATIONS = {"/FileAttachment", "/RichMedia", "/Movie", "/Sound", "/Screen", "/3D"}


def _pdf_clean_dict(obj: Any) -> None:
    for key in list(obj.keys()):
        if key in PDF_DROP_KEYS:
            del obj[key]
    action = obj.get("/A")
    if action is not None and (not isinstance(action, pikepdf.Dictionary) or action.get("/S") not in PDF_SAFE_ACTIONS):
        del obj["/A"]
    elif action is not None and "/Next" in action:
        del action["/Next"]  # a chain of further actions after a harmless one


def _pdf_walk(root: Any, visit: Any) -> None:
    """Every dictionary reachable from ``root`` (each indirect object once)."""
    seen: set[tuple[int, int]] = set()
    stack = [root]
    while stack:
        obj = stack.pop()
        if not isinstance(obj, pikepdf.Object):  # numbers and booleans come back as Python values
            continue
        if obj.is_indirect:
            if obj.objgen in seen:
                continue
            seen.add(obj.objgen)
        if isinstance(obj, pikepdf.Stream):
            visit(obj.stream_dict)
            stack.extend(obj.stream_dict.values())
        elif isinstance(obj, pikepdf.Dictionary):
            visit(obj)
            stack.extend(obj.values())
        elif isinstance(obj, pikepdf.Array):
            stack.extend(obj)


def _pdf_active_left(pdf: Any) -> bool:
    found: list[str] = []

    def check(obj: Any) -> None:
        found.extend(k for k in obj.keys() if k in PDF_DROP_KEYS)  # noqa: SIM118  (pikepdf objects)
        action = obj.get("/A")
        if isinstance(action, pikepdf.Dictionary) and action.get("/S") not in PDF_SAFE_ACTIONS:
            found.append("/A")
        if obj.get("/S") == "/JavaScript" or obj.get("/Subtype") in PDF_DROP_ANNOTATIONS:
            found.append("action")

    _pdf_walk(pdf.trailer, check)
    return bool(found)


def strip_pdf_metadata(data: bytes) -> bytes:
    """Clean a PDF with pikepdf: no metadata, no active content; a file that stays unclean is refused."""
    refused = _("PDF terkunci/rusak; kirim tanpa kata sandi.")
    try:
        with pikepdf.open(io.BytesIO(data)) as pdf:
            if pdf.is_encrypted or not len(pdf.pages):
                raise EvidenceRejected(refused)
            for page in pdf.pages:
                annots = page.obj.get("/Annots")
                if isinstance(annots, pikepdf.Array):
                    keep = [a for a in annots if not (isinstance(a, pikepdf.Dictionary)
                                                      and a.get("/Subtype") in PDF_DROP_ANNOTATIONS)]
                    for annot in keep:
                        if isinstance(annot, pikepdf.Dictionary) and annot.get("/Subtype") != "/Widget" and "/T" in annot:
                            del annot["/T"]  # a comment's author (account name); form fields keep their names
                    page.obj["/Annots"] = pikepdf.Array(keep)
            _pdf_walk(pdf.trailer, _pdf_clean_dict)
            if "/Info" in pdf.trailer:
                del pdf.trailer["/Info"]
            out = io.BytesIO()
            pdf.save(out, fix_metadata_version=False, preserve_pdfa=False, deterministic_id=True)
        with pikepdf.open(io.BytesIO(out.getvalue())) as again:  # refuse rather than store anything missed
            if "/Info" in again.trailer or _pdf_active_left(again):
                raise EvidenceRejected(refused)
        return out.getvalue()
    except EvidenceRejected:
        raise
    except Exception:  # qpdf raises many kinds on broken input; the person gets the message, never a 500
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


# --- upload budgets (issue 9 item 4) -----------------------------------------------------------------
# Per client address: bytes per hour, counted from the announced body size before the body is read,
# and files per hour. Per draft (its random token) or per report at follow-up: files and bytes per day,
# however often files are removed and added again. All drafts together: the sealed bytes waiting in
# unsent drafts (purged after 24 h by ``evidence-cleanup``). A refusal never loses the report itself:
# it can be sent without the files, which can follow later.


def _over_budget(budget: str) -> EvidenceRejected:
    security_log.warning("evidence upload refused: %s budget used up", budget)
    return EvidenceRejected(_("Terlalu banyak berkas dikirim. Coba lagi nanti; laporan Anda tetap bisa dikirim "
                              "tanpa berkas."), status=429)


def upload_request_allowed(*, client: str, content_length: int) -> None:
    """Before the body is read: the client address's bytes per hour. Raises EvidenceRejected (429)."""
    if ratelimit.add(client, purpose="upload-bytes", amount=content_length,
                     limit=settings.EVIDENCE_BYTES_PER_HOUR, window=3600):
        raise _over_budget("per-address bytes")


def upload_files_allowed(*, client: str, scope: str, sizes: list[int], pending: bool) -> None:
    """After the body is parsed, before any file is decoded: files per address, files and bytes per
    draft or report (``scope``), and, for drafts, the cap on all pending uploads. Raises EvidenceRejected."""
    count, total = len(sizes), sum(sizes)
    if ratelimit.add(client, purpose="upload-files", amount=count, limit=settings.EVIDENCE_FILES_PER_HOUR,
                     window=3600):
        raise _over_budget("per-address files")
    over_files = ratelimit.add(scope, purpose="upload-scope-files", amount=count,
                               limit=settings.EVIDENCE_SCOPE_MAX_FILES, window=86400)
    over_bytes = ratelimit.add(scope, purpose="upload-scope-bytes", amount=total,
                               limit=settings.EVIDENCE_SCOPE_MAX_BYTES, window=86400)
    if over_files or over_bytes:
        raise _over_budget("per-draft files" if over_files else "per-draft bytes")
    if pending:
        waiting = PendingUpload.objects.aggregate(total=Sum("size"))["total"] or 0
        if waiting + total > settings.EVIDENCE_PENDING_MAX_BYTES:
            security_log.warning("evidence upload refused: pending uploads at %d of %d bytes",
                                 waiting, settings.EVIDENCE_PENDING_MAX_BYTES)
            raise EvidenceRejected(_("Tempat penyimpanan berkas sementara sedang penuh. Kirim laporan tanpa berkas "
                                     "sekarang, lalu tambahkan berkas lewat halaman cek laporan nanti."), status=503)


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
    sealed = seal_cleaned(data, content_type=mime, purpose=EVIDENCE_PURPOSE)
    return StoredEvidence(**asdict(sealed), original_name=(filename or "")[-120:])


def evidence_read(evidence: Any) -> bytes:
    """The cleaned bytes of an ``Evidence`` row fetched with ``network.access.access_evidence``."""
    return read_sealed_file(evidence.storage_name, purpose=EVIDENCE_PURPOSE)
