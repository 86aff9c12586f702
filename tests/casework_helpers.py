"""Helpers for the case-management tests: reports, signed-in (2FA-verified) clients, TOTP codes."""

from __future__ import annotations

import datetime as dt
import itertools

from django.test import Client
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp

from salingsapa.accounts.models import AuthenticatorDevice
from salingsapa.core.events import Event, publish
from salingsapa.core.identifiers import identifier_index, normalise_identifier
from salingsapa.core.models import Region
from salingsapa.intake.models import Report, ReportIdentifier

_seq = itertools.count(1)


def kelurahan(code: str = "36.73.01.1001") -> Region:
    region = Region.objects.filter(code=code).first()
    return region or Region.objects.filter(code__startswith="36.73.", level=4).order_by("code").first()


def make_report(*, received_at: dt.datetime | None = None, channel: str = "web", identifiers=(), **fields) -> Report:
    phone = fields.pop("contact_phone", "")
    phone_index = ""
    if phone:
        kind, phone = normalise_identifier("phone", phone)
        phone_index = identifier_index(kind, phone)
    values = {
        "reference": f"T-{next(_seq):06d}",
        "channel": channel,
        "received_at": received_at or timezone.now(),
        "reporter_role": "victim",
        "narrative": "Kronologi uji: korban dipukul di rumah.",
        "violence_forms": ["fisik"],
        "victim_sex": "female",
        "victim_age_group": "25-44",
        "contact_phone": phone,
        "contact_phone_index": phone_index,
    }
    values.update(fields)
    report = Report.objects.create(**values)
    for kind, value in identifiers:
        kind, value = normalise_identifier(kind, value)
        ReportIdentifier.objects.create(report=report, kind=kind, value=value, value_index=identifier_index(kind, value))
    publish(Event.REPORT_RECEIVED, report=report)  # what intake.services.report_create announces
    return report


def totp_device(user) -> AuthenticatorDevice:
    return AuthenticatorDevice.objects.get_or_create(user=user, confirmed=True, defaults={"name": "uji"})[0]


def totp_code(device: AuthenticatorDevice, drift: int = 0) -> str:
    device.refresh_from_db()
    token = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=device.drift + drift)
    return f"{token:0{device.digits}d}"


def verified_client(user) -> Client:
    """A client signed in as ``user`` with a verified second factor (as after the real 2FA login)."""
    client = Client()
    device = totp_device(user)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client
