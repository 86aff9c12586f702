"""The report form, one question group per page. Labels are plain words, Bahasa Indonesia first.

Each step's cleaned data is kept (sealed) in the session draft as plain JSON values; the final
submission turns the draft into an ``intake.services.ReportInput`` and calls ``report_create``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from salingsapa.core import codelists
from salingsapa.core.identifiers import InvalidIdentifier, normalise_identifier, normalise_phone
from salingsapa.core.models import Region

YES_NO = [("yes", _("Ya")), ("no", _("Tidak"))]
YES_NO_UNKNOWN = [("yes", _("Ya, di bawah 18 tahun")), ("no", _("Tidak, sudah dewasa")), ("unknown", _("Tidak tahu"))]

# Forms of violence in plain words (the official SIMFONI-PPA slug is what is stored).
VIOLENCE_PLAIN = {
    "fisik": _("Kekerasan fisik — dipukul, ditendang, dicekik, atau dilukai"),
    "psikis": _("Kekerasan psikis — diancam, dihina, dikekang, atau ditakut-takuti"),
    "seksual": _("Kekerasan seksual — disentuh atau dipaksa secara seksual, termasuk lewat internet"),
    "eksploitasi": _("Eksploitasi — dipaksa bekerja atau uangnya diambil"),
    "trafficking": _("Perdagangan orang — dibawa, dijual, atau dipekerjakan dengan tipu daya"),
    "penelantaran": _("Penelantaran — tidak diberi makan, perawatan, atau nafkah"),
    "lainnya": _("Lainnya"),
}
REPORTER_PLAIN = {
    "victim": _("Saya sendiri yang mengalami"),
    "family": _("Keluarga korban"),
    "witness": _("Saksi, tetangga, atau teman"),
    "professional": _("Guru, tenaga kesehatan, atau pendamping"),
    "other": _("Lainnya"),
}
IDENTIFIER_KINDS = [
    ("phone", _("Nomor telepon / WhatsApp")),
    ("instagram", "Instagram"),
    ("facebook", "Facebook"),
    ("tiktok", "TikTok"),
    ("x", "X (Twitter)"),
    ("telegram", "Telegram"),
    ("other", _("Akun lain")),
]
IDENTIFIER_ROWS = 2


def _lang() -> str:
    return get_language() or "id"


def code_choices(list_name: str, *, blank: str | None = None) -> list[tuple[str, str]]:
    items = codelists.choices(list_name, _lang())
    return ([("", blank)] if blank is not None else []) + items


def kelurahan_choices() -> list[tuple[str, Any]]:
    """A select with one optgroup per kecamatan: works without JavaScript."""
    prefix = settings.HOME_REGION_CODE + "."
    groups: list[tuple[str, Any]] = [("", str(_("— Pilih kelurahan —")))]
    kecamatan = Region.objects.filter(level=Region.Level.DISTRICT, code__startswith=prefix).order_by("name")
    villages = Region.objects.filter(level=Region.Level.VILLAGE, code__startswith=prefix).order_by("name")
    by_parent: dict[str, list[tuple[str, str]]] = {}
    for v in villages:
        by_parent.setdefault(v.parent_id or "", []).append((v.code, v.name))
    for k in kecamatan:
        groups.append((f"{_('Kecamatan')} {k.name}", by_parent.get(k.code, [])))
    return groups


class StepForm(forms.Form):
    title: Any = ""
    intro: Any = ""
    multipart = False

    def set_choices(self, name: str, choices: Any) -> None:
        field = self.fields[name]
        assert isinstance(field, forms.ChoiceField)
        field.choices = choices

    def draft_data(self) -> dict[str, Any]:
        """Cleaned data as JSON values for the session draft."""
        return {k: v for k, v in self.cleaned_data.items() if k != "website"}


class ReporterForm(StepForm):
    title = _("Siapa yang melapor?")
    intro = _("Anda boleh melapor tanpa menyebut nama.")
    reporter_role = forms.ChoiceField(
        label=_("Saya melapor sebagai"), widget=forms.RadioSelect,
        error_messages={"required": _("Pilih siapa yang melapor.")},
    )
    # Honeypot: hidden from people (CSS and aria-hidden), bots fill it in.
    website = forms.CharField(label=_("Jangan isi kolom ini"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.set_choices("reporter_role", [(s, REPORTER_PLAIN[s]) for s in codelists.slugs("reporter_role")])


class DangerForm(StepForm):
    title = _("Apakah ada orang yang dalam bahaya saat ini?")
    intro = _("Jika ya, segera hubungi 112. Kami akan menandai laporan ini sebagai darurat.")
    in_danger_now = forms.ChoiceField(
        label=_("Apakah korban atau orang lain dalam bahaya sekarang?"), choices=YES_NO, widget=forms.RadioSelect,
        error_messages={"required": _("Jawab apakah ada orang yang dalam bahaya saat ini.")},
    )


class WhatHappenedForm(StepForm):
    title = _("Apa yang terjadi?")
    intro = _("Ceritakan dengan kata-kata Anda sendiri. Tidak perlu lengkap.")
    narrative = forms.CharField(
        label=_("Ceritakan apa yang terjadi"), widget=forms.Textarea(attrs={"rows": 6}), max_length=10_000,
        error_messages={"required": _("Ceritakan secara singkat apa yang terjadi."),
                        "max_length": _("Cerita terlalu panjang (maksimal 10.000 karakter).")},
    )
    violence_forms = forms.MultipleChoiceField(
        label=_("Apa yang dialami korban? (boleh pilih lebih dari satu)"), widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Pilih setidaknya satu bentuk kekerasan.")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.set_choices("violence_forms", [(s, VIOLENCE_PLAIN[s]) for s in codelists.slugs("violence_form")])


class VictimForm(StepForm):
    title = _("Tentang korban")
    intro = _("Tidak perlu menyebut nama korban.")
    victim_sex = forms.ChoiceField(
        label=_("Jenis kelamin korban"), widget=forms.RadioSelect,
        error_messages={"required": _("Pilih jenis kelamin korban.")},
    )
    victim_age_group = forms.ChoiceField(
        label=_("Umur korban"), error_messages={"required": _("Pilih kelompok umur korban.")},
    )
    victim_is_child = forms.ChoiceField(
        label=_("Apakah korban masih anak (di bawah 18 tahun)?"), choices=YES_NO_UNKNOWN, widget=forms.RadioSelect,
        required=False,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.set_choices("victim_sex", code_choices("sex"))
        self.set_choices("victim_age_group", code_choices("age_group", blank=str(_("— Pilih umur —"))))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        age = data.get("victim_age_group")
        child = data.get("victim_is_child")
        if age and child == "no" and age in codelists.CHILD_AGE_GROUPS:
            self.add_error("victim_is_child", _("Kelompok umur ini berarti korban masih anak. Periksa lagi jawaban Anda."))
        if age and child == "yes" and age not in codelists.CHILD_AGE_GROUPS:
            self.add_error("victim_is_child", _("Korban anak berumur di bawah 18 tahun. Periksa kelompok umur."))
        return data


class PlaceForm(StepForm):
    title = _("Di mana kejadiannya?")
    intro = _("Pilih kelurahan di Kota Serang. Alamat lengkap tidak perlu.")
    kelurahan_code = forms.ChoiceField(
        label=_("Kelurahan (dikelompokkan per kecamatan)"),
        error_messages={"required": _("Pilih kelurahan tempat kejadian di Kota Serang."),
                        "invalid_choice": _("Pilih kelurahan tempat kejadian di Kota Serang.")},
    )
    place = forms.ChoiceField(label=_("Jenis tempat (boleh dikosongkan)"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.set_choices("kelurahan_code", kelurahan_choices())
        self.set_choices("place", code_choices("place", blank=str(_("— Tidak tahu / lewati —"))))


class WhenForm(StepForm):
    title = _("Kapan kejadiannya?")
    intro = _("Jika tidak ingat tanggalnya, kosongkan saja.")
    incident_date = forms.DateField(
        label=_("Tanggal kejadian (boleh dikosongkan)"), required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y"],
        error_messages={"invalid": _("Tulis tanggal seperti 31/12/2025.")},
    )

    def clean_incident_date(self) -> dt.date | None:
        value = self.cleaned_data.get("incident_date")
        if value and value > timezone.localdate():
            raise forms.ValidationError(_("Tanggal kejadian tidak boleh di masa depan."))
        if value and value < dt.date(1950, 1, 1):
            raise forms.ValidationError(_("Tanggal kejadian tidak masuk akal."))
        return value

    def draft_data(self) -> dict[str, Any]:
        value = self.cleaned_data.get("incident_date")
        return {"incident_date": value.isoformat() if value else ""}


class PerpetratorForm(StepForm):
    title = _("Tentang pelaku")
    intro = _("Semua pertanyaan di halaman ini boleh dilewati.")
    relationship = forms.ChoiceField(label=_("Hubungan pelaku dengan korban"), required=False)
    met_via = forms.ChoiceField(label=_("Bagaimana korban dan pelaku kenal?"), required=False)
    met_via_platform = forms.ChoiceField(label=_("Jika lewat media sosial atau internet: aplikasi apa?"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        skip = str(_("— Tidak tahu / lewati —"))
        self.set_choices("relationship", code_choices("relationship", blank=skip))
        self.set_choices("met_via", code_choices("met_via", blank=skip))
        self.set_choices("met_via_platform", code_choices("platform", blank=skip))
        for i in range(1, IDENTIFIER_ROWS + 1):
            self.fields[f"ident_kind_{i}"] = forms.ChoiceField(
                label=_("Jenis identitas pelaku %(n)d") % {"n": i}, choices=IDENTIFIER_KINDS, required=False,
            )
            self.fields[f"ident_value_{i}"] = forms.CharField(
                label=_("Nomor, tautan profil, atau nama akun pelaku %(n)d") % {"n": i}, required=False,
                max_length=300,
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for i in range(1, IDENTIFIER_ROWS + 1):
            value = (data.get(f"ident_value_{i}") or "").strip()
            if value:
                try:
                    normalise_identifier(data.get(f"ident_kind_{i}") or "other", value)
                except InvalidIdentifier as exc:
                    self.add_error(f"ident_value_{i}", str(exc))
        return data

    def identifier_rows(self) -> list[tuple[Any, Any]]:
        return [(self[f"ident_kind_{i}"], self[f"ident_value_{i}"]) for i in range(1, IDENTIFIER_ROWS + 1)]


class ContactForm(StepForm):
    title = _("Boleh kami menghubungi Anda?")
    intro = _("Semua boleh dikosongkan. Tanpa kontak, Anda tetap bisa memantau laporan dengan kode rahasia.")
    contact_name = forms.CharField(label=_("Nama atau nama panggilan"), required=False, max_length=200)
    contact_phone = forms.CharField(label=_("Nomor telepon / WhatsApp"), required=False, max_length=40,
                                    widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}))
    contact_email = forms.EmailField(
        label=_("Alamat email (isi jika memilih email)"), required=False, max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "off", "inputmode": "email", "spellcheck": "false"}),
        error_messages={"invalid": _("Tulis alamat email seperti nama@contoh.id.")},
    )
    preferred_channel = forms.ChoiceField(label=_("Cara aman menghubungi Anda"), required=False,
                                          widget=forms.RadioSelect)
    safe_time = forms.CharField(label=_("Kapan aman dihubungi? (misalnya: hari kerja pukul 09-12, jangan telepon)"),
                                required=False, max_length=200)
    consent_contact = forms.BooleanField(label=_("Saya setuju dihubungi petugas UPTD PPA."), required=False)
    consent_share = forms.BooleanField(
        label=_("Saya setuju laporan ini dibagikan ke mitra layanan (psikolog, bantuan hukum, kesehatan) bila perlu."),
        required=False,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.set_choices("preferred_channel", code_choices("preferred_channel"))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        phone = (data.get("contact_phone") or "").strip()
        if phone:
            try:
                normalise_phone(phone)
            except InvalidIdentifier as exc:
                self.add_error("contact_phone", str(exc))
        if data.get("preferred_channel") in {"whatsapp", "phone", "sms"} and not phone:
            self.add_error("contact_phone", _("Isi nomor telepon agar kami dapat menghubungi Anda lewat saluran ini."))
        if data.get("preferred_channel") == "email" and not data.get("contact_email") and "contact_email" not in self.errors:
            self.add_error("contact_email", _("Isi alamat email agar kami dapat menghubungi Anda lewat email."))
        return data


class EvidenceForm(StepForm):
    title = _("Bukti (tidak wajib)")
    intro = _("Foto, tangkapan layar, PDF, atau rekaman suara; paling besar 10 MB per berkas. "
              "Data lokasi di foto kami hapus sebelum disimpan.")
    multipart = True


class FollowupLoginForm(forms.Form):
    reference = forms.CharField(label=_("Nomor pengaduan"), max_length=20,
                                widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
                                error_messages={"required": _("Isi nomor pengaduan.")})
    codename = forms.CharField(label=_("Kode rahasia (7 kata)"), max_length=200,
                               widget=forms.PasswordInput(attrs={"autocomplete": "off"}),
                               error_messages={"required": _("Isi kode rahasia Anda.")})


class FollowupMessageForm(forms.Form):
    body = forms.CharField(label=_("Pesan atau informasi tambahan"), max_length=5000,
                           widget=forms.Textarea(attrs={"rows": 4}),
                           error_messages={"required": _("Tulis pesan Anda."),
                                           "max_length": _("Pesan terlalu panjang (maksimal 5.000 karakter).")})


# The steps, in order: slug in the URL (no personal data), form class, summary title.
STEPS: list[tuple[str, type[StepForm]]] = [
    ("pelapor", ReporterForm),
    ("bahaya", DangerForm),
    ("kejadian", WhatHappenedForm),
    ("korban", VictimForm),
    ("lokasi", PlaceForm),
    ("waktu", WhenForm),
    ("pelaku", PerpetratorForm),
    ("kontak", ContactForm),
    ("bukti", EvidenceForm),
]
STEP_SLUGS = [slug for slug, _form in STEPS]
STEP_FORMS = dict(STEPS)

# Which step holds each field path of the service's validation errors.
FIELD_STEP = {
    "reporter_role": "pelapor",
    "in_danger_now": "bahaya",
    "narrative": "kejadian",
    "violence_forms": "kejadian",
    "victim.sex": "korban",
    "victim.age_group": "korban",
    "victim.is_child": "korban",
    "kelurahan_code": "lokasi",
    "place": "lokasi",
    "incident_date": "waktu",
    "relationship": "pelaku",
    "met_via": "pelaku",
    "met_via_platform": "pelaku",
    "contact.name": "kontak",
    "contact.phone": "kontak",
    "contact.email": "kontak",
    "contact.preferred_channel": "kontak",
    "contact.safe_time": "kontak",
}


def step_for_error(path: str) -> str:
    if path.startswith("perpetrator_identifiers"):
        return "pelaku"
    return FIELD_STEP.get(path, "pelapor")
