"""The form of one field session (``staff/field_views.py``): the same form checks a post from a
phone without JavaScript and every entry the offline app syncs, so both give the same errors on the
same fields."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django import forms
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from salingsapa.core import codelists
from salingsapa.fieldwork.models import FieldSession
from salingsapa.intake.schema import NARRATIVE_MAX, FieldError, errors_to_form, report_errors
from salingsapa.staff.forms import BLANK, ChecksOnTheirOwnLine, kelurahan_choices


class FieldSessionForm(ChecksOnTheirOwnLine, forms.Form):
    client_id = forms.UUIDField(widget=forms.HiddenInput)
    recorded_at = forms.CharField(widget=forms.HiddenInput, required=False, max_length=40)
    kind = forms.ChoiceField(label=_("Jenis sesi"), choices=FieldSession.Kind.choices, widget=forms.RadioSelect)
    # a general consultation: anonymous counts only
    sex = forms.ChoiceField(label=_("Jenis kelamin"), choices=BLANK + codelists.choices("sex"), required=False)
    age_group = forms.ChoiceField(label=_("Kelompok umur"), choices=BLANK + codelists.choices("age_group"),
                                  required=False)
    topic = forms.ChoiceField(label=_("Topik konsultasi"), choices=BLANK + codelists.choices("counselling_topic"),
                              required=False)
    # a disclosure: the fields of a report (intake's one schema)
    reporter_role = forms.ChoiceField(label=_("Pelapor"), choices=BLANK + codelists.choices("reporter_role"),
                                      required=False)
    in_danger_now = forms.BooleanField(label=_("Korban dalam bahaya saat ini"), required=False)
    narrative = forms.CharField(label=_("Kronologi singkat"), required=False,
                                widget=forms.Textarea(attrs={"rows": 4, "maxlength": NARRATIVE_MAX}))
    violence_forms = forms.MultipleChoiceField(label=_("Bentuk kekerasan"), choices=codelists.choices("violence_form"),
                                               widget=forms.CheckboxSelectMultiple, required=False,
                                               help_text=_("Pilih semua yang sesuai; minimal satu."))
    victim_sex = forms.ChoiceField(label=_("Jenis kelamin korban"), choices=BLANK + codelists.choices("sex"),
                                   required=False)
    victim_age_group = forms.ChoiceField(label=_("Kelompok umur korban"),
                                         choices=BLANK + codelists.choices("age_group"), required=False)
    kelurahan = forms.ChoiceField(label=_("Kelurahan kejadian"), required=False)
    contact_phone = forms.CharField(label=_("Telepon/WhatsApp yang aman"), required=False, max_length=40,
                                    widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}))
    preferred_channel = forms.ChoiceField(label=_("Cara aman menghubungi"),
                                          choices=BLANK + codelists.choices("preferred_channel"), required=False)
    safe_time = forms.CharField(label=_("Waktu aman dihubungi"), required=False, max_length=200,
                                widget=forms.TextInput(attrs={"autocomplete": "off"}))
    consent_contact = forms.BooleanField(label=_("Setuju dihubungi petugas"), required=False)
    consent_share = forms.BooleanField(label=_("Setuju data dibagikan ke mitra layanan"), required=False)

    COUNT_FIELDS = ("sex", "age_group", "topic")
    REPORT_FIELDS = {
        "reporter_role": "reporter_role", "in_danger_now": "in_danger_now", "narrative": "narrative",
        "violence_forms": "violence_forms", "victim": "victim_sex", "victim.sex": "victim_sex",
        "victim.age_group": "victim_age_group", "victim.is_child": "victim_age_group",
        "kelurahan_code": "kelurahan", "contact": "contact_phone", "contact.phone": "contact_phone",
        "contact.preferred_channel": "preferred_channel", "contact.safe_time": "safe_time",
        "consent.contact_me": "consent_contact", "consent.share_with_partners": "consent_share",
        "kind": "kind", "sex": "sex", "age_group": "age_group", "topic": "topic",
    }

    def __init__(self, *args: Any, default_kelurahan: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kelurahan"].choices = kelurahan_choices()  # type: ignore[attr-defined]
        if not self.is_bound:
            self.initial.setdefault("client_id", uuid.uuid4())
            self.initial.setdefault("kelurahan", default_kelurahan)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind = data.get("kind")
        if kind == FieldSession.Kind.CONSULTATION:
            messages = {"sex": _("Pilih jenis kelamin."), "age_group": _("Pilih kelompok umur."),
                        "topic": _("Pilih topik konsultasi.")}
            for name in self.COUNT_FIELDS:
                if not data.get(name) and name not in self.errors:
                    self.add_error(name, messages[name])
        elif kind == FieldSession.Kind.DISCLOSURE:
            self.add_report_errors(report_errors(self.report_data()))
        return data

    def recorded_when(self) -> dt.datetime | None:
        text = self.cleaned_data.get("recorded_at") or ""
        try:
            return parse_datetime(text) if text else None
        except ValueError:
            return None

    def report_data(self) -> dict[str, Any]:
        """The disclosure as a plain dict in the shape of ``intake.schema.ReportInput``."""
        d = self.cleaned_data
        return {
            "reporter_role": d.get("reporter_role", ""), "in_danger_now": bool(d.get("in_danger_now")),
            "narrative": d.get("narrative", ""), "violence_forms": list(d.get("violence_forms") or []),
            "victim": {"sex": d.get("victim_sex", ""), "age_group": d.get("victim_age_group", "")},
            "kelurahan_code": d.get("kelurahan") or "",
            "contact": {"phone": d.get("contact_phone", ""), "preferred_channel": d.get("preferred_channel") or None,
                        "safe_time": d.get("safe_time", "")},
            "consent": {"contact_me": bool(d.get("consent_contact")),
                        "share_with_partners": bool(d.get("consent_share"))},
        }

    def add_report_errors(self, errors: list[FieldError]) -> None:
        errors_to_form(errors, self.REPORT_FIELDS, self._add_error_once)

    def _add_error_once(self, name: str, message: str) -> None:
        if name and name in self.errors:
            return
        self.add_error(name or None, message)
