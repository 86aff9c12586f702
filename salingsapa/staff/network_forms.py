"""Forms of the collaboration pages. Labels and messages in Bahasa Indonesia."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from salingsapa.accounts.models import Organisation
from salingsapa.core import codelists
from salingsapa.network.models import DELIVERY_KINDS, Consent, Referral

PARTNER_KINDS = [(k, label) for k, label in Organisation.Kind.choices if k not in ("uptd_ppa", "media")]


def _partner_orgs() -> Any:
    return Organisation.objects.filter(active=True).exclude(kind__in=["uptd_ppa", "media"]).order_by("name")


class _Form(forms.Form):
    def _f(self, name: str) -> Any:
        """A field, typed loosely so choices and querysets can be set at run time."""
        return self.fields[name]


class DirectorySearchForm(_Form):
    q = forms.CharField(label=_("Nama"), required=False, max_length=100)
    service = forms.ChoiceField(label=pgettext_lazy("service", "Layanan"), required=False)
    kelurahan = forms.ChoiceField(label=_("Kelurahan"), required=False)

    def __init__(self, *args: Any, kelurahan_groups: list[Any] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._f("service").choices = [("", _("Semua layanan")), *codelists.choices("service")]
        self._f("kelurahan").choices = [("", _("Semua wilayah")), *(kelurahan_groups or [])]


class ConsentForm(_Form):
    victim = forms.TypedChoiceField(label=_("Korban"), coerce=int)
    given_by = forms.ChoiceField(label=_("Persetujuan diberikan oleh"),
                                 choices=[("", _("— pilih —")), *Consent.GivenBy.choices])
    given_by_name = forms.CharField(label=_("Nama pemberi persetujuan (jika bukan korban)"), required=False, max_length=200)
    recipient_organisation = forms.ModelChoiceField(
        label=_("Organisasi penerima (kosongkan untuk semua mitra sejenis)"), queryset=Organisation.objects.none(), required=False
    )
    recipient_kind = forms.ChoiceField(label=_("Atau jenis mitra"), required=False)
    services = forms.MultipleChoiceField(
        label=_("Untuk layanan"), required=False, widget=forms.CheckboxSelectMultiple,
        help_text=_("Kosongkan bila berlaku untuk semua layanan."),
    )
    purpose = forms.CharField(label=_("Tujuan"), required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)
    child_view = forms.CharField(
        label=_("Pendapat anak (wajib untuk korban anak)"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
    )
    include_evidence = forms.ChoiceField(
        label=_("Berkas bukti (foto, rekaman, dokumen) boleh dibuka mitra?"),
        choices=[("", _("— pilih —")), ("no", _("Tidak, tanpa berkas bukti")),
                 ("yes", _("Ya, untuk layanan hukum dan kepolisian yang disetujui"))],
        help_text=_("Hanya layanan bantuan hukum dan penegakan hukum yang menerima berkas, setelah rujukan diterima."),
    )

    def __init__(self, *args: Any, victims: list[tuple[int, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._f("victim").choices = victims or []
        self._f("recipient_organisation").queryset = _partner_orgs()
        self._f("recipient_kind").choices = [("", "—"), *PARTNER_KINDS]
        self._f("services").choices = codelists.choices("service")


class ReferralForm(_Form):
    organisation = forms.ModelChoiceField(label=_("Mitra tujuan"), queryset=Organisation.objects.none())
    service = forms.ChoiceField(label=pgettext_lazy("service", "Layanan"))
    note_to_partner = forms.CharField(
        label=_("Catatan untuk mitra (tanpa data yang tidak perlu)"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )
    emergency_override_reason = forms.CharField(
        label=_("Darurat tanpa persetujuan — alasan (hanya supervisor)"), required=False,
        widget=forms.Textarea(attrs={"rows": 2}), max_length=2000,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._f("organisation").queryset = _partner_orgs()
        self._f("service").choices = codelists.choices("service")


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Alasan"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)


class DeliveryForm(forms.Form):
    delivered_on = forms.DateField(label=_("Tanggal layanan"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    kind = forms.ChoiceField(label=_("Jenis layanan"), choices=DELIVERY_KINDS)
    summary = forms.CharField(label=_("Ringkasan"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)
    next_steps = forms.CharField(label=_("Langkah berikutnya"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
                                 max_length=2000)

    def clean_delivered_on(self) -> Any:
        value = self.cleaned_data["delivered_on"]
        if value > timezone.localdate():
            raise forms.ValidationError(_("Tanggal layanan tidak boleh di masa depan."))
        return value


class OutcomeForm(forms.Form):
    outcome = forms.CharField(label=_("Hasil layanan"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)


class ReferralFilterForm(_Form):
    q = forms.CharField(label=_("Nomor kasus"), required=False, max_length=30)
    status = forms.ChoiceField(label=_("Status"), required=False)
    service = forms.ChoiceField(label=pgettext_lazy("service", "Layanan"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)

        self._f("status").choices = [("", _("Semua")), *Referral.Status.choices]
        self._f("service").choices = [("", _("Semua")), *codelists.choices("service")]


class ConferenceForm(_Form):
    title = forms.CharField(label=_("Judul"), max_length=200, initial="Rapat koordinasi kasus risiko tinggi")
    scheduled_at = forms.DateTimeField(label=_("Waktu"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
                                       input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"])
    place = forms.CharField(label=_("Tempat"), max_length=200, initial="Rumah Kolaborasi Saling Sapa")
    organisations = forms.ModelMultipleChoiceField(
        label=_("Undang organisasi"), queryset=Organisation.objects.none(), widget=forms.CheckboxSelectMultiple, required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._f("organisations").queryset = _partner_orgs()
