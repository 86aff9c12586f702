from __future__ import annotations

import calendar
import datetime as dt
from typing import Any

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from salingsapa.cases.models import Case
from salingsapa.core import codelists
from salingsapa.core.models import Region
from salingsapa.stats.engine import FilterError, StatsFilter


def area_choices() -> list[tuple[str, str]]:
    home = settings.HOME_REGION_CODE
    out: list[tuple[str, str]] = [("", str(_("Seluruh kota")))]
    for region in Region.objects.filter(code__startswith=home + ".").order_by("code"):
        if region.level == Region.Level.DISTRICT:
            out.append((region.code, f"Kec. {region.name.title()}"))
        elif region.level == Region.Level.VILLAGE:
            out.append((region.code, f"— {region.name.title()}"))
    return out


def default_period(today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """This year to date; when no case was reported this year yet, the year of the latest case up to
    the end of that case's month (so the dashboard opens on the newest figures, e.g. Jan–Oct 2025)."""


    today = today or timezone.localdate()
    start = dt.date(today.year, 1, 1)
    latest = Case.objects.filter(reported_at__date__lte=today).order_by("-reported_at").values_list(
        "reported_at", flat=True).first()
    if latest is None:
        return start, today
    latest_day = timezone.localtime(latest).date()
    if latest_day >= start:
        return start, today
    last = calendar.monthrange(latest_day.year, latest_day.month)[1]
    return dt.date(latest_day.year, 1, 1), dt.date(latest_day.year, latest_day.month, last)


class FilterForm(forms.Form):
    start = forms.DateField(label=_("Dari tanggal"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                            error_messages={"invalid": _("Tanggal tidak valid (contoh: 2025-01-31).")})
    end = forms.DateField(label=_("Sampai tanggal"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                          error_messages={"invalid": _("Tanggal tidak valid (contoh: 2025-10-31).")})
    area = forms.ChoiceField(label=_("Wilayah"), required=False, choices=())
    form = forms.ChoiceField(label=_("Bentuk kekerasan"), required=False, choices=())
    age_group = forms.ChoiceField(label=_("Kelompok umur korban"), required=False, choices=())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["area"].choices = area_choices()  # type: ignore[attr-defined]
        self.fields["form"].choices = [("", _("Semua bentuk"))] + codelists.choices("violence_form")  # type: ignore[attr-defined]
        self.fields["age_group"].choices = [("", _("Semua umur"))] + codelists.choices("age_group")  # type: ignore[attr-defined]
        for f in ("area", "form", "age_group"):
            self.fields[f].error_messages["invalid_choice"] = _("Pilihan tidak dikenal.")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = default_period()
        data["start"] = data.get("start") or start
        data["end"] = data.get("end") or end
        if data["end"] < data["start"]:
            self.add_error("end", _("Tanggal akhir harus sesudah tanggal awal."))
        elif (data["end"] - data["start"]).days > 366 * 5:
            self.add_error("end", _("Periode paling panjang 5 tahun."))
        return data

    def to_filter(self) -> StatsFilter:
        d = self.cleaned_data
        try:
            return StatsFilter(start=d["start"], end=d["end"], area=d.get("area") or "", form=d.get("form") or "",
                               age_group=d.get("age_group") or "")
        except FilterError as exc:  # pragma: no cover - the form validates first
            raise forms.ValidationError(str(exc)) from None


class SnapshotForm(forms.Form):
    year = forms.IntegerField(label=_("Tahun"), min_value=2000, max_value=2100)
    month = forms.IntegerField(label=_("Bulan (kosongkan untuk satu tahun penuh)"), min_value=1, max_value=12,
                               required=False)


class ReportForm(forms.Form):
    period = forms.RegexField(
        label=_("Periode"), regex=r"^\d{4}(-(0[1-9]|1[0-2]))?$",
        error_messages={"invalid": _("Tulis tahun (2025) atau bulan (2025-10).")},
    )


class ExportForm(forms.Form):
    KINDS = [
        ("simfoni", _("SIMFONI-PPA (data pribadi, terenkripsi)")),
        ("research", _("Riset (tanpa identitas)")),
    ]
    FORMATS = [("xlsx", "XLSX"), ("csv", "CSV")]
    kind = forms.ChoiceField(label=_("Jenis ekspor"), choices=KINDS)
    fmt = forms.ChoiceField(label=_("Format"), choices=FORMATS)
    start = forms.DateField(label=_("Dari tanggal"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    end = forms.DateField(label=_("Sampai tanggal"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            self.add_error("end", _("Tanggal akhir harus sesudah tanggal awal."))
        return data
