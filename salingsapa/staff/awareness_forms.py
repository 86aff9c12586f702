"""Forms of the awareness pages (/staf/edukasi/): events, their filters, articles, images."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from salingsapa.accounts.models import Organisation
from salingsapa.awareness.models import ATTENDANCE_FIELDS, MAX_ATTENDANCE, Audience, Topic
from salingsapa.awareness.services import attendance_problems
from salingsapa.core.models import Region
from salingsapa.staff.forms import BLANK, DateInput, kecamatan_choices, kelurahan_choices


def _region(code: str, level: int) -> Region | None:
    return Region.objects.filter(code=code, level=level).first() if code else None


class EventFilterForm(forms.Form):
    q = forms.CharField(label=_("Cari judul, tempat, atau mitra"), required=False, max_length=100)
    kecamatan = forms.ChoiceField(label=_("Kecamatan"), required=False)
    kelurahan = forms.ChoiceField(label=_("Kelurahan"), required=False)
    topic = forms.ChoiceField(label=_("Topik"), required=False, choices=BLANK + list(Topic.choices))
    date_from = forms.DateField(label=_("Sejak tanggal"), required=False, widget=DateInput())
    date_to = forms.DateField(label=_("Sampai tanggal"), required=False, widget=DateInput())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kecamatan"].choices = kecamatan_choices()  # type: ignore[attr-defined]
        self.fields["kelurahan"].choices = kelurahan_choices()  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("Tanggal akhir sebelum tanggal awal."))
        return data

    def search_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "q": (data.get("q") or "").strip(), "topic": data.get("topic") or "",
            "kelurahan": _region(data.get("kelurahan") or "", Region.Level.VILLAGE),
            "kecamatan": _region(data.get("kecamatan") or "", Region.Level.DISTRICT),
            "date_from": data.get("date_from"), "date_to": data.get("date_to"),
        }


PLANNING_WINDOWS = (30, 90, 180)
PLANNING_DEFAULT_WINDOW = 90


class PlanningFilterForm(forms.Form):
    """The planning page's filters (a GET form: works without JavaScript, the URL can be bookmarked)."""

    hari = forms.TypedChoiceField(
        label=_("Pengaduan dan kasus dalam"), required=False, coerce=int, empty_value=PLANNING_DEFAULT_WINDOW,  # type: ignore[arg-type]
        initial=PLANNING_DEFAULT_WINDOW,
        error_messages={"invalid_choice": _("Pilih jangka waktu 30, 90, atau 180 hari.")})
    kecamatan = forms.ChoiceField(label=_("Kecamatan"), required=False,
                                  error_messages={"invalid_choice": _("Pilih kecamatan dari daftar.")})
    q = forms.CharField(label=_("Cari nama kelurahan"), required=False, max_length=60,
                        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}))
    semua = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["hari"].choices = [(w, _("%(n)s hari") % {"n": w}) for w in PLANNING_WINDOWS]  # type: ignore[attr-defined]
        self.fields["kecamatan"].choices = [("", _("Semua kecamatan")), *kecamatan_choices()[1:]]  # type: ignore[attr-defined]

    def planning_kwargs(self) -> dict[str, Any]:
        """What the page shows: the defaults when the form is unbound or invalid."""
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        return {"window_days": data.get("hari") or PLANNING_DEFAULT_WINDOW, "kecamatan": data.get("kecamatan") or "",
                "query": (data.get("q") or "").strip(), "show_all": bool(data.get("semua"))}


class CountInput(forms.NumberInput):
    def __init__(self) -> None:
        super().__init__(attrs={"min": 0, "max": MAX_ATTENDANCE, "inputmode": "numeric", "class": "count"})


def _count_field(label: Any) -> forms.IntegerField:
    return forms.IntegerField(
        label=label, required=False, initial=0, widget=CountInput(),
        error_messages={"invalid": _("Tulis angka bulat, misalnya 12.")},
    )


class EventForm(forms.Form):
    title = forms.CharField(label=_("Judul kegiatan"), max_length=200)
    topic = forms.ChoiceField(label=_("Topik"), choices=BLANK + list(Topic.choices))
    audiences = forms.MultipleChoiceField(label=_("Sasaran peserta"), choices=Audience.choices,
                                          widget=forms.CheckboxSelectMultiple)
    held_on = forms.DateField(label=_("Tanggal"), widget=DateInput(),
                              error_messages={"invalid": _("Tulis tanggal yang benar.")})
    venue = forms.CharField(label=_("Tempat (nama sekolah, posyandu, balai warga, ...)"), max_length=200)
    kelurahan = forms.ChoiceField(label=_("Kelurahan"))
    partners = forms.ModelMultipleChoiceField(
        label=_("Organisasi mitra"), required=False, queryset=Organisation.objects.filter(active=True),
        widget=forms.CheckboxSelectMultiple,
    )
    female_child = _count_field(_("Perempuan di bawah 18 tahun"))
    male_child = _count_field(_("Laki-laki di bawah 18 tahun"))
    female_adult = _count_field(_("Perempuan 18-59 tahun"))
    male_adult = _count_field(_("Laki-laki 18-59 tahun"))
    female_older = _count_field(_("Perempuan 60 tahun ke atas"))
    male_older = _count_field(_("Laki-laki 60 tahun ke atas"))
    participants_total = forms.IntegerField(
        label=_("Jumlah peserta (dari daftar hadir)"), widget=CountInput(),
        error_messages={"invalid": _("Tulis angka bulat, misalnya 12."), "required": _("Isi jumlah peserta.")},
    )
    notes = forms.CharField(label=_("Catatan kegiatan (tanpa nama peserta atau cerita pribadi)"), required=False,
                            max_length=4000, widget=forms.Textarea(attrs={"rows": 4}))

    field_order = ["title", "topic", "audiences", "held_on", "venue", "kelurahan", "partners",
                   *[f for f, _s, _b in ATTENDANCE_FIELDS], "participants_total", "notes"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kelurahan"].choices = kelurahan_choices()  # type: ignore[attr-defined]
        for name in ("title", "topic", "audiences", "held_on", "venue", "kelurahan"):
            self.fields[name].error_messages["required"] = _("Wajib diisi.")

    def clean_kelurahan(self) -> Region:
        region = _region(self.cleaned_data.get("kelurahan") or "", Region.Level.VILLAGE)
        if region is None:
            raise forms.ValidationError(_("Pilih kelurahan."))
        return region

    def clean_held_on(self) -> dt.date:
        value: dt.date = self.cleaned_data["held_on"]
        if value.year < 2000 or value > dt.date.today() + dt.timedelta(days=366):  # noqa: DTZ011  (a calendar date)
            raise forms.ValidationError(_("Tanggal tidak masuk akal."))
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        counts = {f: data.get(f) or 0 for f, _s, _b in ATTENDANCE_FIELDS if f not in self.errors}
        if any(f in self.errors for f, _s, _b in ATTENDANCE_FIELDS) or "participants_total" in self.errors:
            return data
        for field, message in attendance_problems(counts, data.get("participants_total")).items():
            self.add_error(field, message)
        return data


SLUG = RegexValidator(r"^[a-z0-9]+(?:-[a-z0-9]+)*$", _("Pakai huruf kecil, angka, dan tanda hubung, misalnya hak-korban-tpks."))


class ArticleForm(forms.Form):
    title_id = forms.CharField(label=_("Judul (Bahasa Indonesia)"), max_length=200)
    slug = forms.CharField(label=_("Alamat halaman"), max_length=80, validators=[SLUG],
                           help_text=_("Bagian akhir alamat: /edukasi/alamat-halaman/"))
    summary_id = forms.CharField(label=_("Ringkasan (Bahasa Indonesia)"), max_length=400,
                                 widget=forms.Textarea(attrs={"rows": 2}))
    body_id = forms.CharField(label=_("Isi (Bahasa Indonesia)"), max_length=40000,
                              widget=forms.Textarea(attrs={"rows": 16}),
                              help_text=_("Teks biasa (paragraf dipisah baris kosong) atau HTML sederhana: p, h2, h3, "
                                          "strong, em, ul, ol, li, blockquote, a. Selain itu dibuang."))
    title_en = forms.CharField(label=_("Judul (English, boleh kosong)"), max_length=200, required=False)
    summary_en = forms.CharField(label=_("Ringkasan (English, boleh kosong)"), max_length=400, required=False,
                                 widget=forms.Textarea(attrs={"rows": 2}))
    body_en = forms.CharField(label=_("Isi (English, boleh kosong)"), max_length=40000, required=False,
                              widget=forms.Textarea(attrs={"rows": 10}))
    order = forms.IntegerField(label=_("Urutan di daftar"), min_value=0, max_value=999, initial=10)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("title_id", "slug", "summary_id", "body_id"):
            self.fields[name].error_messages["required"] = _("Wajib diisi.")


class ImageForm(forms.Form):
    image = forms.FileField(label=_("Gambar (JPG, PNG, WebP; data lokasi dan kamera dihapus)"),
                            widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
                            error_messages={"required": _("Pilih gambar.")})
    alt_id = forms.CharField(label=_("Teks alternatif (Bahasa Indonesia)"), max_length=300,
                             error_messages={"required": _("Wajib diisi.")})
    alt_en = forms.CharField(label=_("Teks alternatif (English, boleh kosong)"), max_length=300, required=False)


class ReturnForm(forms.Form):
    note = forms.CharField(label=_("Catatan untuk penulis"), max_length=500, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))
