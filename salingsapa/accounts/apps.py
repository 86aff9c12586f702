from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "salingsapa.accounts"
    label = "accounts"
    verbose_name = _("Akun dan organisasi")


class AdminConfig(admin_apps.AdminConfig):
    """Django's admin, with :class:`salingsapa.accounts.adminsite.StaffDoorAdminSite` as ``admin.site``."""

    default = False  # the accounts app itself is AccountsConfig
    default_site = "salingsapa.accounts.adminsite.StaffDoorAdminSite"
