"""The report form, one question group per page. Labels are plain words, Bahasa Indonesia first.

Each step's cleaned data is kept (sealed) in the session draft as plain JSON values; the final
submission maps the draft (``form_values_to_report``) into intake's one report schema and calls
``report_create``. Each page checks its own fields with that same schema (``intake.schema``):
the rules and their messages live there, and each error lands on its field by the error's path.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.functional import lazy
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from salingsapa.core import codelists
from salingsapa.core.models import Region
from salingsapa.intake.schema import NARRATIVE_MAX, errors_to_form, field_error, report_check


def _schema_message(path: str, code: str) -> str:
    return field_error(path, code).message


schema_message = lazy(_schema_message, str)

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
    # schema path → form field, for the fields this page asks
    report_fields: dict[str, str] = {}

    def set_choices(self, name: str, choices: Any) -> None:
        field = self.fields[name]
        assert isinstance(field, forms.ChoiceField)
        field.choices = choices

    def draft_data(self) -> dict[str, Any]:
        """Cleaned data as JSON values for the session draft."""
        return {k: v for k, v in self.cleaned_data.items() if k != "website"}

    def field_paths(self, values: dict[str, Any]) -> dict[str, str]:
        return dict(self.report_fields)

    def clean(self) -> dict[str, Any]:
        """Check this page's fields with the one report schema; each error goes on its own field."""
        data = super().clean() or {}
        paths = self.field_paths(data)
        if paths:
            errors = report_check(form_values_to_report(data), fields=list(paths))
            errors_to_form(errors, paths, self._add_schema_error)
        return data

    def _add_schema_error(self, name: str, message: str) -> None:
        if name and name in self.errors:
            return  # the field's own check already said what is wrong
        self.add_error(name or None, message)


class ReporterForm(StepForm):
    title = _("Siapa yang melapor?")
    intro = _("Anda boleh melapor tanpa menyebut nama.")
    report_fields = {"reporter_role": "reporter_role"}
    reporter_role = forms.ChoiceField(
        label=_("Saya melapor sebagai"), widget=forms.RadioSelect,
        error_messages={"required": schema_message("reporter_role", "required")},
    )
    # Honeypot: hidden from people (CSS and aria-hidden), bots fill it in.
    website = forms.CharField(label=_("Jangan isi kolom ini"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.set_choices("reporter_role", [(s, REPORTER_PLAIN[s]) for s in codelists.slugs("reporter_role")])


class DangerForm(StepForm):
    title = _("Apakah ada orang yang dalam bahaya saat ini?")
    intro = _("Jika ya, segera hubungi 112. Kami akan menandai laporan ini sebagai darurat.")
    report_fields = {"in_danger_now": "in_danger_now"}
    in_danger_now = forms.ChoiceField(
        label=_("Apakah korban atau orang lain dalam bahaya sekarang?"), choices=YES_NO, widget=forms.RadioSelect,
        error_messages={"required": schema_message("in_danger_now", "required")},
    )


class WhatHappenedForm(StepForm):
    title = _("Apa yang terjadi?")
    intro = _("Ceritakan dengan kata-kata Anda sendiri. Tidak perlu lengkap.")
    report_fields = {"narrative": "narrative", "violence_forms": "violence_forms"}
    narrative = forms.CharField(
        label=_("Ceritakan apa yang terjadi"), widget=forms.Textarea(attrs={"rows": 6, "maxlength": NARRATIVE_MAX}),
        error_messages={"required": schema_message("narrative", "required")},
    )
    violence_forms = forms.MultipleChoiceField(
        label=_("Apa yang dialami korban? (boleh pilih lebih dari satu)"), widget=forms.CheckboxSelectMultiple,
        error_messages={"required": schema_message("violence_forms", "required")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.set_choices("violence_forms", [(s, VIOLENCE_PLAIN[s]) for s in codelists.slugs("violence_form")])


class VictimForm(StepForm):
    title = _("Tentang korban")
    intro = _("Tidak perlu menyebut nama korban.")
    report_fields = {"victim": "victim_sex", "victim.sex": "victim_sex", "victim.age_group": "victim_age_group",
                     "victim.is_child": "victim_is_child"}
    victim_sex = forms.ChoiceField(
        label=_("Jenis kelamin korban"), widget=forms.RadioSelect,
        error_messages={"required": schema_message("victim.sex", "required")},
    )
    victim_age_group = forms.ChoiceField(
        label=_("Umur korban"), error_messages={"required": schema_message("victim.age_group", "required")},
    )
    victim_is_child = forms.ChoiceField(
        label=_("Apakah korban masih anak (di bawah 18 tahun)?"), choices=YES_NO_UNKNOWN, widget=forms.RadioSelect,
        required=False,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.set_choices("victim_sex", code_choices("sex"))
        self.set_choices("victim_age_group", code_choices("age_group", blank=str(_("— Pilih umur —"))))


class PlaceForm(StepForm):
    title = _("Di mana kejadiannya?")
    intro = _("Pilih kelurahan di Kota Serang. Alamat lengkap tidak perlu.")
    report_fields = {"kelurahan_code": "kelurahan_code", "place": "place"}
    kelurahan_code = forms.ChoiceField(
        label=_("Kelurahan (dikelompokkan per kecamatan)"),
        error_messages={"required": schema_message("kelurahan_code", "required"),
                        "invalid_choice": schema_message("kelurahan_code", "invalid_choice")},
    )
    place = forms.ChoiceField(label=_("Jenis tempat (boleh dikosongkan)"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.set_choices("kelurahan_code", kelurahan_choices())
        self.set_choices("place", code_choices("place", blank=str(_("— Tidak tahu / lewati —"))))


class WhenForm(StepForm):
    title = _("Kapan kejadiannya?")
    intro = _("Jika tidak ingat tanggalnya, kosongkan saja.")
    report_fields = {"incident_date": "incident_date"}
    incident_date = forms.DateField(
        label=_("Tanggal kejadian (boleh dikosongkan)"), required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y"],
        error_messages={"invalid": _("Tulis tanggal seperti 31/12/2025.")},
    )

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

    def field_paths(self, values: dict[str, Any]) -> dict[str, str]:
        paths = {"relationship": "relationship", "met_via": "met_via", "met_via_platform": "met_via_platform",
                 "perpetrator_identifiers": "ident_value_1"}
        for index, row in enumerate(identifier_rows(values)):
            paths[f"perpetrator_identifiers.{index}"] = f"ident_value_{row}"
            paths[f"perpetrator_identifiers.{index}.kind"] = f"ident_kind_{row}"
        return paths

    def identifier_rows(self) -> list[tuple[Any, Any]]:
        return [(self[f"ident_kind_{i}"], self[f"ident_value_{i}"]) for i in range(1, IDENTIFIER_ROWS + 1)]


class ContactForm(StepForm):
    title = _("Boleh kami menghubungi Anda?")
    intro = _("Semua boleh dikosongkan. Tanpa kontak, Anda tetap bisa memantau laporan dengan kode rahasia.")
    report_fields = {"contact.name": "contact_name", "contact.phone": "contact_phone", "contact.email": "contact_email",
                     "contact.preferred_channel": "preferred_channel", "contact.safe_time": "safe_time",
                     "contact": "contact_phone", "consent.contact_me": "consent_contact",
                     "consent.share_with_partners": "consent_share"}
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


class EvidenceForm(StepForm):
    title = _("Bukti (tidak wajib)")
    intro = _("Foto, tangkapan layar, PDF, atau rekaman suara; paling besar 10 MB per berkas. "
              "Data lokasi di foto kami hapus sebelum disimpan.")
    multipart = True


class CodenameLoginForm(forms.Form):
    """Reference + codename (a report's follow-up, a booking's page). The reference's label and its
    "required" message are the subclass's (``reference_label``, ``reference_required``)."""

    reference_label: Any = _("Nomor pengaduan")
    reference_required: Any = _("Isi nomor pengaduan.")
    reference = forms.CharField(max_length=20,
                                widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}))
    codename = forms.CharField(label=_("Kode rahasia (7 kata)"), max_length=200,
                               widget=forms.PasswordInput(attrs={"autocomplete": "off"}),
                               error_messages={"required": _("Isi kode rahasia Anda.")})

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["reference"]
        field.label = self.reference_label
        field.error_messages["required"] = self.reference_required


class FollowupLoginForm(CodenameLoginForm):
    pass


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

# Which step holds each field of the schema (by the first part of the error's path).
FIELD_STEP = {
    "reporter_role": "pelapor",
    "in_danger_now": "bahaya",
    "narrative": "kejadian",
    "violence_forms": "kejadian",
    "victim": "korban",
    "kelurahan_code": "lokasi",
    "place": "lokasi",
    "incident_date": "waktu",
    "relationship": "pelaku",
    "met_via": "pelaku",
    "met_via_platform": "pelaku",
    "perpetrator_identifiers": "pelaku",
    "contact": "kontak",
    "consent": "kontak",
}


def step_for_error(path: str) -> str:
    return FIELD_STEP.get(path.split(".", 1)[0], "pelapor")


def identifier_rows(values: dict[str, Any]) -> list[int]:
    """The form rows (1-based) that hold an identifier, in the order they become list items."""
    return [i for i in range(1, IDENTIFIER_ROWS + 1) if str(values.get(f"ident_value_{i}") or "").strip()]


def form_values_to_report(s: dict[str, Any]) -> dict[str, Any]:
    """Map the report form's field values (any subset of the steps) to intake's schema shape."""
    danger = s.get("in_danger_now")
    child = s.get("victim_is_child")
    report: dict[str, Any] = {
        "reporter_role": s.get("reporter_role", ""),
        "narrative": s.get("narrative", ""),
        "violence_forms": list(s.get("violence_forms") or []),
        "victim": {
            "sex": s.get("victim_sex", ""),
            "age_group": s.get("victim_age_group", ""),
            "is_child": True if child == "yes" else False if child == "no" else None,
        },
        "kelurahan_code": s.get("kelurahan_code", ""),
        "incident_date": s.get("incident_date") or None,
        "place": s.get("place", ""),
        "relationship": s.get("relationship", ""),
        "met_via": s.get("met_via", ""),
        "met_via_platform": s.get("met_via_platform", ""),
        "perpetrator_identifiers": [
            {"kind": s.get(f"ident_kind_{i}") or "other", "value": s.get(f"ident_value_{i}")}
            for i in identifier_rows(s)
        ],
        "contact": {
            "name": s.get("contact_name", ""),
            "phone": s.get("contact_phone", ""),
            "email": s.get("contact_email", ""),
            "preferred_channel": s.get("preferred_channel") or None,
            "safe_time": s.get("safe_time", ""),
        },
        "consent": {"contact_me": bool(s.get("consent_contact")), "share_with_partners": bool(s.get("consent_share"))},
    }
    if danger in {"yes", "no"}:
        report["in_danger_now"] = danger == "yes"
    return report
