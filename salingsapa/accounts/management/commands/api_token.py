from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from salingsapa.accounts.models import ApiToken, User
from salingsapa.accounts.tokens import api_token_create
from salingsapa.core.audit import audit_log


class Command(BaseCommand):
    help = "API tokens for partner systems: 'create USERNAME --name NAME' prints a token once; 'revoke ID'; 'list'."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("action", choices=["create", "revoke", "list"])
        parser.add_argument("target", nargs="?", default="")
        parser.add_argument("--name", default="sistem mitra")

    def handle(self, *args: Any, **options: Any) -> None:
        action, target = options["action"], options["target"]
        if action == "list":
            for t in ApiToken.objects.select_related("user").order_by("pk"):
                state = "dicabut" if t.revoked_at else "aktif"
                self.stdout.write(f"{t.pk}\t{t.user.username}\t{t.name}\t{state}\t{t.last_used_at or '-'}")
            return
        if action == "create":
            user = User.objects.filter(username=target, is_active=True).first()
            if user is None:
                raise CommandError(f"pengguna tidak ditemukan: {target!r}")
            self.stdout.write(api_token_create(actor="system:cli", user=user, name=options["name"]))
            return
        updated = ApiToken.objects.filter(pk=int(target or 0), revoked_at__isnull=True).update(revoked_at=timezone.now())
        if not updated:
            raise CommandError("token tidak ditemukan atau sudah dicabut")
        audit_log(actor="system:cli", action="update", object_type="api_token", object_id=target, detail={"revoked": True})
        self.stdout.write("dicabut")
