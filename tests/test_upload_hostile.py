"""Hostile evidence files (issue 9 item 4): pixel bombs refused from the header, active PDF content removed."""

from __future__ import annotations

import io
import resource

import pikepdf
import pytest
from PIL import Image

from salingsapa.intake import evidence
from salingsapa.intake.evidence import EvidenceRejected, strip_image_metadata, strip_pdf_metadata


def png_declaring(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("L", (width, height), 7).save(out, format="PNG", optimize=True)
    return out.getvalue()


def test_a_small_png_declaring_39_megapixels_is_refused_without_decoding(monkeypatch):
    data = png_declaring(6245, 6245)  # 39 MP in ~40 KB
    assert len(data) < 200_000
    decoded = []
    monkeypatch.setattr(Image.Image, "load", lambda self, *a: decoded.append(self) or None)
    with pytest.raises(EvidenceRejected, match="resolusi"):
        strip_image_metadata(data, "image/png")
    assert not decoded


def test_a_png_just_under_the_limit_is_accepted():
    side = int(evidence.MAX_IMAGE_PIXELS ** 0.5) - 1
    out = strip_image_metadata(png_declaring(side, side), "image/png")
    assert Image.open(io.BytesIO(out)).size == (side, side)


def test_a_50_megapixel_phone_jpeg_is_decoded_at_reduced_scale_within_the_budget():
    buf = io.BytesIO()
    Image.new("RGB", (8160, 6120), (120, 60, 30)).save(buf, format="JPEG", quality=70)
    data = buf.getvalue()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    out = strip_image_metadata(data, "image/jpeg")
    size = Image.open(io.BytesIO(out)).size
    assert size == (4080, 3060) and size[0] * size[1] <= evidence.MAX_IMAGE_PIXELS
    # a full-size decode would need ~200 MB; the peak may not have grown by more than the budget allows
    assert (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) * 1024 < 120 * 1024 * 1024


def test_a_header_declaring_absurd_dimensions_is_refused():
    buf = io.BytesIO()
    Image.new("RGB", (64, 64)).save(buf, format="JPEG")
    data = bytearray(buf.getvalue())
    sof = data.index(b"\xff\xc0")
    data[sof + 5:sof + 9] = (60000).to_bytes(2, "big") + (60000).to_bytes(2, "big")  # 3.6 gigapixels
    with pytest.raises(EvidenceRejected):
        strip_image_metadata(bytes(data), "image/jpeg")


def hostile_pdf() -> bytes:
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(200, 300))
    page = pdf.pages[0]
    js = pdf.make_indirect(pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert('owned')")))
    pdf.Root.OpenAction = js
    pdf.Root.AA = pikepdf.Dictionary(WC=pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String("closejs()")))
    page.obj.AA = pikepdf.Dictionary(O=pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String("pageopenjs()")))
    launch = pikepdf.Dictionary(Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Link, Rect=[0, 0, 50, 50],
                                A=pikepdf.Dictionary(S=pikepdf.Name.Launch, F=pikepdf.String("cmd.exe")))
    jslink = pikepdf.Dictionary(Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Link, Rect=[50, 0, 100, 50],
                                A=pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String("linkjs()")))
    weblink = pikepdf.Dictionary(Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Link, Rect=[100, 0, 150, 50],
                                 A=pikepdf.Dictionary(S=pikepdf.Name.URI, URI=pikepdf.String("https://example.org/"),
                                                      Next=pikepdf.Dictionary(S=pikepdf.Name.JavaScript,
                                                                              JS=pikepdf.String("nextjs()"))))
    attached = pdf.make_stream(b"MZ-not-a-real-exe")
    attachment = pikepdf.Dictionary(Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.FileAttachment, Rect=[0, 60, 20, 80],
                                    FS=pikepdf.Dictionary(Type=pikepdf.Name.Filespec, F=pikepdf.String("x.exe"),
                                                          EF=pikepdf.Dictionary(F=attached)))
    page.obj.Annots = pdf.make_indirect(pikepdf.Array([pdf.make_indirect(a) for a in (launch, jslink, weblink, attachment)]))
    embedded = pdf.make_stream(b"secret-embedded-payload")
    pdf.Root.Names = pikepdf.Dictionary(
        JavaScript=pikepdf.Dictionary(Names=[pikepdf.String("init"), pikepdf.Dictionary(
            S=pikepdf.Name.JavaScript, JS=pikepdf.String("namedjs()"))]),
        EmbeddedFiles=pikepdf.Dictionary(Names=[pikepdf.String("payload.exe"), pikepdf.Dictionary(
            Type=pikepdf.Name.Filespec, F=pikepdf.String("payload.exe"), EF=pikepdf.Dictionary(F=embedded))]),
    )
    pdf.Root.AcroForm = pikepdf.Dictionary(Fields=[], XFA=pdf.make_stream(b"<xdp>xfajs</xdp>"))
    pdf.docinfo["/Author"] = "Siti Korban"
    out = io.BytesIO()
    pdf.save(out, compress_streams=False)
    return out.getvalue()


MARKERS = [b"owned", b"closejs", b"pageopenjs", b"cmd.exe", b"linkjs", b"nextjs", b"MZ-not-a-real-exe",
           b"secret-embedded-payload", b"namedjs", b"xfajs", b"Siti Korban", b"/JavaScript", b"/Launch",
           b"/OpenAction", b"/EmbeddedFiles", b"/FileAttachment"]


def test_pdf_active_content_is_removed_and_the_page_and_web_link_kept():
    data = hostile_pdf()
    assert all(m in data for m in MARKERS)  # the fixture really carries all of it
    clean = strip_pdf_metadata(data)
    raw = clean + b"".join(
        bytes(obj.read_bytes()) for obj in pikepdf.open(io.BytesIO(clean)).objects if isinstance(obj, pikepdf.Stream))
    left = [m for m in MARKERS if m in raw]
    assert not left, left
    with pikepdf.open(io.BytesIO(clean)) as pdf:
        assert len(pdf.pages) == 1
        annots = pdf.pages[0].obj.Annots
        assert [a.get("/A", {}).get("/S") for a in annots] == [None, None, "/URI"]
        assert "/AA" not in pdf.pages[0].obj and "/OpenAction" not in pdf.Root and "/Info" not in pdf.trailer
