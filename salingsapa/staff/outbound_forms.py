"""Forms of the outbound-message pages (``outbound_views.py``)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _


class DoNotContactForm(forms.Form):
    reason = forms.CharField(label=_("Alasan"), max_length=500, required=False)
    allow = forms.BooleanField(required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("allow") and not (data.get("reason") or "").strip():
            raise forms.ValidationError(_("Tulis alasannya."))
        return data


class PreferenceForm(forms.Form):
    notify_by = forms.ChoiceField(
        label=_("Kirim peringatan"), widget=forms.RadioSelect,
        choices=[("app", _("Hanya di aplikasi")), ("email", _("Aplikasi + email")), ("whatsapp", _("Aplikasi + WhatsApp"))],
    )
    phone = forms.CharField(label=_("Nomor WhatsApp"), max_length=30, required=False,
                            help_text=_("Hanya untuk pilihan WhatsApp. Pesan hanya berisi jenis peringatan dan nomor kasus/pengaduan."))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("notify_by") == "whatsapp" and not (data.get("phone") or "").strip():
            self.add_error("phone", _("Tulis nomor WhatsApp Anda."))
        return data
