from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "salingsapa.accounts"
    label = "accounts"
    verbose_name = "Akun dan organisasi"
