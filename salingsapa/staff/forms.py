"""Forms of the staff app. Labels and messages in Bahasa Indonesia."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from salingsapa.accounts.models import User
from salingsapa.cases.models import CaseStatus, NoteKind
from salingsapa.cases.risk import ADULT_ITEMS, CHILD_ITEMS
from salingsapa.core import codelists
from salingsapa.core.identifiers import KINDS, InvalidIdentifier, normalise_identifier
from salingsapa.core.models import Region
from salingsapa.intake.models import Channel, RiskLevel
from salingsapa.intake.schema import NARRATIVE_MAX, FieldError, errors_to_form, report_errors

BLANK = [("", "—")]
RISK_CHOICES = BLANK + list(RiskLevel.choices)
STAFF_CHANNEL_CHOICES = [(c, label) for c, label in Channel.choices if c in ("phone", "walk_in", "outreach")]


def _home_regions(level: int) -> list[Region]:
    return list(Region.objects.filter(code__startswith=settings.HOME_REGION_CODE + ".", level=level).order_by("code"))


def kecamatan_choices() -> list[tuple[str, str]]:
    return BLANK + [(r.code, r.name) for r in _home_regions(3)]


def kelurahan_choices() -> list[Any]:
    groups: dict[str, list[tuple[str, str]]] = {}
    names = {r.code: r.name for r in _home_regions(3)}
    for region in _home_regions(4):
        groups.setdefault(names.get(region.parent_id or "", "-"), []).append((region.code, region.name))
    return BLANK + [(f"Kecamatan {name}", items) for name, items in groups.items()]


@lru_cache(maxsize=1)
def _identifier_kinds() -> list[tuple[str, Any]]:
    labels = {"phone": _("Nomor telepon/WhatsApp"), "nik": _("NIK"), "email": _("Email"), "other": _("Lainnya")}
    return [(k, labels.get(k, k.capitalize())) for k in KINDS if k != "whatsapp"]


def _checked_identifier(kind: str, value: str) -> str:
    """The value as typed (stripped), after checking it is a valid identifier of ``kind``."""
    value = (value or "").strip()
    if value:
        try:
            normalise_identifier(kind, value)
        except InvalidIdentifier as exc:
            raise forms.ValidationError(str(exc)) from None
    return value


def perpetrator_link_fields() -> tuple[forms.ChoiceField, forms.ChoiceField, forms.ChoiceField]:
    """New fields, all optional, for how victim and perpetrator are linked (a report's and an incident's):
    the relationship, how they met, and the social-media platform when they met online."""
    return (
        forms.ChoiceField(label=_("Hubungan pelaku dengan korban"), choices=BLANK + codelists.choices("relationship"),
                          required=False),
        forms.ChoiceField(label=_("Cara korban dan pelaku kenal"), choices=BLANK + codelists.choices("met_via"),
                          required=False),
        forms.ChoiceField(label=_("Platform media sosial"), choices=BLANK + codelists.choices("platform"),
                          required=False),
    )


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class ChecksOnTheirOwnLine:
    """Each single checkbox directly before its own label, one per line (``staff/_check.html``), so a box
    can never sit in front of the next item's text. Checkbox and radio groups keep Django's fieldset with a
    legend; their hint and errors are tied to the group with ``aria-describedby``."""

    fields: dict[str, forms.Field]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[call-arg]
        for field in self.fields.values():
            if isinstance(field.widget, forms.CheckboxInput):
                field.template_name = "staff/_check.html"  # type: ignore[attr-defined]  # Django 5 field attribute


class IntakeForm(ChecksOnTheirOwnLine, forms.Form):
    """Staff intake of a phone call, walk-in or mobile-visit disclosure: the fields of the public report."""

    channel = forms.ChoiceField(label=_("Saluran"), choices=STAFF_CHANNEL_CHOICES)
    is_emergency = forms.BooleanField(label=_("Darurat (perlu tindakan segera)"), required=False)
    in_danger_now = forms.BooleanField(label=_("Korban dalam bahaya saat ini"), required=False)
    risk_level = forms.ChoiceField(label=_("Perkiraan tingkat risiko awal"), choices=RISK_CHOICES, required=False)
    # No answer is preselected: an unchanged default would record a wrong reporter, sex or age.
    reporter_role = forms.ChoiceField(label=_("Pelapor"), choices=BLANK + codelists.choices("reporter_role"))
    narrative = forms.CharField(label=_("Kronologi (apa yang terjadi)"),
                                widget=forms.Textarea(attrs={"rows": 6, "maxlength": NARRATIVE_MAX}))
    violence_forms = forms.MultipleChoiceField(label=_("Bentuk kekerasan"), choices=codelists.choices("violence_form"),
                                               widget=forms.CheckboxSelectMultiple,
                                               help_text=_("Pilih semua yang sesuai; minimal satu."))
    tpks_forms = forms.MultipleChoiceField(label=_("Bentuk kekerasan seksual (UU TPKS)"), required=False,
                                           choices=codelists.choices("tpks_form"), widget=forms.CheckboxSelectMultiple,
                                           help_text=_("Isi bila ada kekerasan seksual; boleh lebih dari satu."))
    victim_sex = forms.ChoiceField(label=_("Jenis kelamin korban"), choices=BLANK + codelists.choices("sex"))
    victim_age_group = forms.ChoiceField(label=_("Kelompok umur korban"), choices=BLANK + codelists.choices("age_group"))
    kelurahan = forms.ChoiceField(label=_("Kelurahan kejadian"), required=False)
    incident_date = forms.DateField(label=_("Tanggal kejadian"), required=False, widget=DateInput())
    place = forms.ChoiceField(label=_("Tempat kejadian"), choices=BLANK + codelists.choices("place"), required=False)
    relationship, met_via, met_via_platform = perpetrator_link_fields()
    contact_name = forms.CharField(label=_("Nama pelapor/kontak"), required=False, max_length=200)
    contact_phone = forms.CharField(label=_("Telepon/WhatsApp pelapor"), required=False, max_length=40)
    contact_email = forms.EmailField(label=_("Email pelapor"), required=False, max_length=254)
    preferred_channel = forms.ChoiceField(label=_("Cara aman menghubungi"),
                                          choices=BLANK + codelists.choices("preferred_channel"), required=False)
    safe_time = forms.CharField(label=_("Waktu aman dihubungi"), required=False, max_length=200)
    consent_contact = forms.BooleanField(label=_("Setuju dihubungi petugas"), required=False)
    consent_share = forms.BooleanField(label=_("Setuju data dibagikan ke mitra layanan"), required=False)
    perpetrator_kind_1 = forms.ChoiceField(label=_("Identitas pelaku (jenis)"), choices=[], required=False)
    perpetrator_value_1 = forms.CharField(label=_("Identitas pelaku (nilai)"), required=False, max_length=300)
    perpetrator_kind_2 = forms.ChoiceField(label=_("Identitas pelaku lain (jenis)"), choices=[], required=False)
    perpetrator_value_2 = forms.CharField(label=_("Identitas pelaku lain (nilai)"), required=False, max_length=300)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kelurahan"].choices = kelurahan_choices()  # type: ignore[attr-defined]
        for n in (1, 2):
            self.fields[f"perpetrator_kind_{n}"].choices = _identifier_kinds()  # type: ignore[attr-defined]

    # schema path (or prefix) → field of this form
    REPORT_FIELDS = {
        "reporter_role": "reporter_role", "in_danger_now": "in_danger_now", "narrative": "narrative",
        "violence_forms": "violence_forms", "tpks_forms": "tpks_forms", "victim": "victim_sex",
        "victim.sex": "victim_sex", "victim.age_group": "victim_age_group", "victim.is_child": "victim_age_group",
        "kelurahan_code": "kelurahan", "incident_date": "incident_date", "place": "place",
        "relationship": "relationship", "met_via": "met_via", "met_via_platform": "met_via_platform",
        "perpetrator_identifiers": "perpetrator_value_1", "contact": "contact_phone", "contact.name": "contact_name",
        "contact.phone": "contact_phone", "contact.email": "contact_email", "contact.safe_time": "safe_time",
        "contact.preferred_channel": "preferred_channel", "consent.contact_me": "consent_contact",
        "consent.share_with_partners": "consent_share",
    }

    def clean(self) -> dict[str, Any]:
        """Check the report with intake's one schema; each error goes on its own field."""
        data = super().clean() or {}
        self.add_report_errors(report_errors(self.report_data()))
        return data

    def _identifier_rows(self) -> list[int]:
        return [n for n in (1, 2) if (self.cleaned_data.get(f"perpetrator_value_{n}") or "").strip()]

    def report_data(self) -> dict[str, Any]:
        """The form as a plain dict in the shape of ``intake.schema.ReportInput``."""
        data = self.cleaned_data
        return {
            "reporter_role": data.get("reporter_role", ""), "in_danger_now": bool(data.get("in_danger_now")),
            "narrative": data.get("narrative", ""), "violence_forms": list(data.get("violence_forms") or []),
            "tpks_forms": list(data.get("tpks_forms") or []),
            "victim": {"sex": data.get("victim_sex", ""), "age_group": data.get("victim_age_group", "")},
            "kelurahan_code": data.get("kelurahan") or "", "incident_date": data.get("incident_date"),
            "place": data.get("place", ""), "relationship": data.get("relationship", ""),
            "met_via": data.get("met_via", ""), "met_via_platform": data.get("met_via_platform", ""),
            "perpetrator_identifiers": [
                {"kind": data.get(f"perpetrator_kind_{n}") or "other", "value": data.get(f"perpetrator_value_{n}")}
                for n in self._identifier_rows()
            ],
            "contact": {"name": data.get("contact_name", ""), "phone": data.get("contact_phone", ""),
                        "email": data.get("contact_email") or "",
                        "preferred_channel": data.get("preferred_channel") or None,
                        "safe_time": data.get("safe_time", "")},
            "consent": {"contact_me": bool(data.get("consent_contact")),
                        "share_with_partners": bool(data.get("consent_share"))},
        }

    def add_report_errors(self, errors: list[FieldError]) -> None:
        fields = dict(self.REPORT_FIELDS)
        for index, n in enumerate(self._identifier_rows()):
            fields[f"perpetrator_identifiers.{index}"] = f"perpetrator_value_{n}"
            fields[f"perpetrator_identifiers.{index}.kind"] = f"perpetrator_kind_{n}"
        errors_to_form(errors, fields, self._add_report_error)

    def _add_report_error(self, name: str, message: str) -> None:
        if name and name in self.errors:
            return
        self.add_error(name or None, message)


class ListFilterForm(forms.Form):
    """Filters shared by the queue and the case lists (all optional; exact match on phone/NIK)."""

    number = forms.CharField(label=_("Nomor kasus"), required=False, max_length=24)
    status = forms.ChoiceField(label=_("Status"), required=False,
                               choices=BLANK + [("open", _("Semua yang masih berjalan"))] + list(CaseStatus.choices))
    risk = forms.ChoiceField(label=_("Risiko"), choices=RISK_CHOICES, required=False)
    channel = forms.ChoiceField(label=_("Saluran"), choices=BLANK + list(Channel.choices), required=False)
    violence_form = forms.ChoiceField(label=_("Bentuk kekerasan"), choices=BLANK + codelists.choices("violence_form"),
                                      required=False)
    kecamatan = forms.ChoiceField(label=_("Kecamatan"), required=False)
    kelurahan = forms.ChoiceField(label=_("Kelurahan"), required=False)
    date_from = forms.DateField(label=_("Dilaporkan sejak"), required=False, widget=DateInput())
    date_to = forms.DateField(label=_("Dilaporkan sampai"), required=False, widget=DateInput())
    manager = forms.ChoiceField(label=_("Manajer kasus"), required=False, choices=BLANK)
    identifier_kind = forms.ChoiceField(label=_("Cari identitas"), required=False,
                                        choices=[("phone", _("Nomor telepon")), ("nik", _("NIK"))])
    identifier = forms.CharField(label=_("Nomor telepon / NIK (sama persis)"), required=False, max_length=40)

    def __init__(self, *args: Any, organisation_id: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kecamatan"].choices = kecamatan_choices()  # type: ignore[attr-defined]
        self.fields["kelurahan"].choices = kelurahan_choices()  # type: ignore[attr-defined]
        self.fields["manager"].choices = BLANK + [("none", _("Belum ditetapkan"))] + [  # type: ignore[attr-defined]
            (str(u.pk), u.get_full_name() or u.get_username()) for u in staff_choices(organisation_id)
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        value = (data.get("identifier") or "").strip()
        if value:
            try:
                normalise_identifier(data.get("identifier_kind") or "phone", value)
            except InvalidIdentifier as exc:
                self.add_error("identifier", str(exc))
        return data


class VersionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class TransitionForm(VersionForm):
    to_status = forms.ChoiceField(label=_("Pindahkan ke tahap"), choices=CaseStatus.choices)
    reason = forms.CharField(label=_("Catatan (opsional)"), required=False, max_length=2000)


class ReasonForm(VersionForm):
    reason = forms.CharField(label=_("Alasan"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000)


class ConsentForm(VersionForm):
    # A decision field: nothing preselected, the officer must choose.
    consent = forms.ChoiceField(label=_("Persetujuan korban untuk dilaporkan ke kepolisian"),
                                choices=[("", _("— pilih —")), ("yes", _("Korban setuju")), ("no", _("Korban tidak setuju"))])


def staff_choices(organisation_id: int | None) -> Any:
    if organisation_id is None:
        return User.objects.none()
    return User.objects.filter(organisation_id=organisation_id, is_active=True,
                               role__in=["intake_officer", "case_manager", "supervisor", "counsellor"]).order_by("username")


class StaffChoiceField(forms.ModelChoiceField):
    """A colleague of the user's own organisation; the choices are set by :class:`OrganisationStaffForm`."""

    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.get_full_name() or obj.get_username()} ({obj.get_role_display()})"


class OrganisationStaffForm(forms.Form):
    """A form whose :class:`StaffChoiceField` fields offer the active casework staff of one organisation."""

    def __init__(self, *args: Any, organisation_id: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, StaffChoiceField):
                field.queryset = staff_choices(organisation_id)


class AssignForm(OrganisationStaffForm, VersionForm):
    manager = StaffChoiceField(label=_("Manajer kasus"), queryset=User.objects.none(), required=False,
                               empty_label=_("— belum ditetapkan —"))


class BulkReassignForm(OrganisationStaffForm):
    cases = forms.TypedMultipleChoiceField(label=_("Kasus"), coerce=int, choices=[])
    manager = StaffChoiceField(label=_("Alihkan ke"), queryset=User.objects.none())

    def __init__(self, *args: Any, organisation_id: int | None = None, case_choices: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, organisation_id=organisation_id, **kwargs)
        self.fields["cases"].choices = list(case_choices)  # type: ignore[attr-defined]


class RiskAssessmentForm(ChecksOnTheirOwnLine, VersionForm):
    override_level = forms.ChoiceField(label=_("Penilaian profesional (bila berbeda dari hasil hitungan)"),
                                       choices=[("", _("Ikuti hasil hitungan"))] + list(RiskLevel.choices), required=False)
    override_reason = forms.CharField(label=_("Alasan penilaian profesional"), required=False,
                                      widget=forms.Textarea(attrs={"rows": 3}), max_length=4000)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for item in ADULT_ITEMS + CHILD_ITEMS:
            field = forms.BooleanField(label=item.label, required=False)
            field.template_name = "staff/_check.html"  # type: ignore[attr-defined]
            field.red_flag = item.red_flag  # type: ignore[attr-defined]  # marked ⚠ (staff/_check.html)
            self.fields[item.key] = field

    def adult_fields(self) -> list[Any]:
        return [self[item.key] for item in ADULT_ITEMS]

    def child_fields(self) -> list[Any]:
        return [self[item.key] for item in CHILD_ITEMS]

    def answers(self) -> dict[str, bool]:
        return {item.key: bool(self.cleaned_data.get(item.key)) for item in ADULT_ITEMS + CHILD_ITEMS}


class ServicePlanForm(VersionForm):
    goals = forms.CharField(label=_("Tujuan dan langkah intervensi"), widget=forms.Textarea(attrs={"rows": 6}),
                            max_length=20000)
    services = forms.MultipleChoiceField(label=_("Layanan yang diberikan"), choices=codelists.choices("service"),
                                         widget=forms.CheckboxSelectMultiple,
                                         help_text=_("Pilih minimal satu layanan."))


class DecisionForm(forms.Form):
    # A decision field: nothing preselected, the supervisor must choose.
    decision = forms.ChoiceField(label=_("Keputusan"),
                                 choices=[("", _("— pilih —")), ("approve", _("Setujui")), ("reject", _("Tolak"))])
    note = forms.CharField(label=_("Catatan keputusan (wajib bila menolak)"), required=False,
                           widget=forms.Textarea(attrs={"rows": 2}), max_length=4000)


class NoteForm(forms.Form):
    kind = forms.ChoiceField(label=_("Jenis catatan"), choices=NoteKind.choices)
    occurred_on = forms.DateField(label=_("Tanggal kegiatan"), widget=DateInput())
    body = forms.CharField(label=_("Isi catatan"), widget=forms.Textarea(attrs={"rows": 4}), max_length=20000)


class TaskForm(OrganisationStaffForm):
    title = forms.CharField(label=_("Tugas"), max_length=500)
    assigned_to = StaffChoiceField(label=_("Penanggung jawab"), queryset=User.objects.none())
    due_at = forms.DateTimeField(label=_("Batas waktu"), widget=DateTimeInput(),
                                 input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"])


class DocumentForm(forms.Form):
    file = forms.FileField(label=_("Berkas"))
    description = forms.CharField(label=_("Keterangan"), required=False, max_length=500)


class TriageForm(ChecksOnTheirOwnLine, forms.Form):
    risk_level = forms.ChoiceField(label=_("Tingkat risiko"), choices=RISK_CHOICES, required=False)
    is_emergency = forms.BooleanField(label=_("Darurat"), required=False)


class OpenCaseForm(OrganisationStaffForm):
    case_manager = StaffChoiceField(label=_("Manajer kasus"), queryset=User.objects.none(), required=False,
                                    empty_label=_("— tetapkan nanti —"))


class AttachForm(forms.Form):
    case_number = forms.CharField(label=_("Nomor kasus"), max_length=24)


class NotViolenceForm(forms.Form):
    reason = forms.CharField(label=_("Alasan bukan kasus kekerasan"), widget=forms.Textarea(attrs={"rows": 2}),
                             max_length=4000)


class ReferOutForm(forms.Form):
    destination = forms.CharField(label=_("Dirujuk ke (instansi/wilayah)"), max_length=300)
    reason = forms.CharField(label=_("Keterangan"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
                             max_length=4000)


class ReplyForm(forms.Form):
    body = forms.CharField(label=_("Pesan untuk pelapor"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000)


class IncidentForm(VersionForm):
    occurred_on = forms.DateField(label=_("Tanggal kejadian"), required=False, widget=DateInput())
    kelurahan = forms.ChoiceField(label=_("Kelurahan kejadian"), required=False)
    place = forms.ChoiceField(label=_("Tempat kejadian"), choices=BLANK + codelists.choices("place"), required=False)
    violence_forms = forms.MultipleChoiceField(label=_("Bentuk kekerasan (SIMFONI-PPA)"),
                                               choices=codelists.choices("violence_form"),
                                               widget=forms.CheckboxSelectMultiple)
    tpks_forms = forms.MultipleChoiceField(label=_("Bentuk kekerasan seksual (UU 12/2022 Pasal 4)"), required=False,
                                           choices=codelists.choices("tpks_form"), widget=forms.CheckboxSelectMultiple)
    factors = forms.MultipleChoiceField(label=_("Faktor pendorong"), required=False, choices=codelists.choices("factor"),
                                        widget=forms.CheckboxSelectMultiple)
    relationship, met_via, met_via_platform = perpetrator_link_fields()
    description = forms.CharField(label=_("Uraian kejadian"), required=False, widget=forms.Textarea(attrs={"rows": 6}),
                                  max_length=20000)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kelurahan"].choices = kelurahan_choices()  # type: ignore[attr-defined]


class PersonForm(VersionForm):
    role = forms.ChoiceField(label=_("Peran dalam kasus"), choices=[("victim", _("Korban")), ("perpetrator", _("Pelaku")),
                                                                 ("reporter", _("Pelapor"))])
    full_name = forms.CharField(label=_("Nama lengkap"), required=False, max_length=200)
    alias = forms.CharField(label=_("Nama panggilan"), required=False, max_length=200)
    sex = forms.ChoiceField(label=_("Jenis kelamin"), choices=codelists.choices("sex"))
    age_group = forms.ChoiceField(label=_("Kelompok umur saat kejadian"), choices=BLANK + codelists.choices("age_group"),
                                  required=False)
    birth_date = forms.CharField(label=_("Tanggal lahir"), required=False, max_length=40)
    nik = forms.CharField(label=_("NIK"), required=False, max_length=40)
    phone = forms.CharField(label=_("Telepon/WhatsApp"), required=False, max_length=40)
    address = forms.CharField(label=_("Alamat"), required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=1000)
    kelurahan = forms.ChoiceField(label=_("Kelurahan tempat tinggal"), required=False)
    education = forms.ChoiceField(label=_("Pendidikan"), choices=BLANK + codelists.choices("education"), required=False)
    occupation = forms.ChoiceField(label=_("Pekerjaan"), choices=BLANK + codelists.choices("occupation"), required=False)
    marital_status = forms.ChoiceField(label=_("Status perkawinan"), choices=BLANK + codelists.choices("marital_status"),
                                       required=False)
    disability = forms.ChoiceField(label=_("Disabilitas"), choices=BLANK + codelists.choices("disability"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kelurahan"].choices = kelurahan_choices()  # type: ignore[attr-defined]

    def clean_nik(self) -> str:
        return _checked_identifier("nik", self.cleaned_data.get("nik", ""))

    def clean_phone(self) -> str:
        return _checked_identifier("phone", self.cleaned_data.get("phone", ""))
