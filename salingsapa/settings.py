"""The one settings module. Everything comes from environment variables (see README).

``SALINGSAPA_ENV=production`` makes every secret mandatory and refuses insecure values;
otherwise development/demo keys are generated once into ``SALINGSAPA_DATA_DIR``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import dj_database_url

from salingsapa.config import (
    ConfigError,
    check_distinct_keys,
    check_key_strength,
    check_secret_key,
    decode_key,
    demo_keys,
    env_bool,
    env_int,
    env_list,
    env_networks,
    env_str,
    private_dir,
)

BASE_DIR = Path(__file__).resolve().parent

ENVIRONMENT = env_str("SALINGSAPA_ENV", "development")
if ENVIRONMENT not in {"development", "production", "test"}:
    raise ConfigError(f"SALINGSAPA_ENV: expected development, test or production, got {ENVIRONMENT!r}")
PRODUCTION = ENVIRONMENT == "production"

DATA_DIR = private_dir(Path(env_str("SALINGSAPA_DATA_DIR", "./var") or "./var").resolve())  # 0700
MEDIA_ROOT = DATA_DIR / "files"
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700

_demo = {} if PRODUCTION else demo_keys(DATA_DIR)


def _secret(name: str) -> str:
    value = env_str(name) or _demo.get(name)
    if not value:
        raise ConfigError(f"{name}: required in production (set it or {name}_FILE)")
    return value


SECRET_KEY = _secret("SALINGSAPA_SECRET_KEY")
if PRODUCTION:
    check_secret_key("SALINGSAPA_SECRET_KEY", SECRET_KEY)

# Encryption keys for personal and sensitive data: newest first; older keys only decrypt.
ENCRYPTION_KEYS = [
    decode_key("SALINGSAPA_ENCRYPTION_KEYS", k)
    for k in _secret("SALINGSAPA_ENCRYPTION_KEYS").split(",")
    if k.strip()
]
# Key for the blind index and the audit-log chain. Never rotated casually: see docs/operations.md.
INDEX_KEY = decode_key("SALINGSAPA_INDEX_KEY", _secret("SALINGSAPA_INDEX_KEY"))
if PRODUCTION:  # weak keys are refused with one line naming the variable
    for _key in ENCRYPTION_KEYS:
        check_key_strength("SALINGSAPA_ENCRYPTION_KEYS", _key)
    check_key_strength("SALINGSAPA_INDEX_KEY", INDEX_KEY)
    check_distinct_keys(ENCRYPTION_KEYS, INDEX_KEY)

DEBUG = env_bool("SALINGSAPA_DEBUG", False)
if PRODUCTION and DEBUG:
    raise ConfigError("SALINGSAPA_DEBUG: must be off in production")

ALLOWED_HOSTS = env_list("SALINGSAPA_ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "testserver"])
if PRODUCTION and (not ALLOWED_HOSTS or "*" in ALLOWED_HOSTS):
    raise ConfigError("SALINGSAPA_ALLOWED_HOSTS: list the host names the service answers to (no '*')")
# Forms are posted from https://<an allowed host>; a leading-dot host (".example.org") admits its subdomains.
CSRF_TRUSTED_ORIGINS = [
    f"https://*{host}" if host.startswith(".") else f"https://{host}" for host in ALLOWED_HOSTS if host != "*"
] + env_list("SALINGSAPA_CSRF_TRUSTED_ORIGINS")

# Reverse proxies whose X-Forwarded-For / X-Forwarded-Proto are believed (core/edge.py). Production
# defaults to a proxy on the same machine; any other peer's forwarded headers are dropped.
if env_str("SALINGSAPA_BEHIND_PROXY") is not None:
    raise ConfigError("SALINGSAPA_BEHIND_PROXY: replaced by SALINGSAPA_TRUSTED_PROXIES (the proxy's addresses or networks)")
TRUSTED_PROXIES = env_networks("SALINGSAPA_TRUSTED_PROXIES", ["127.0.0.1", "::1"] if PRODUCTION else [])

INSTALLED_APPS = [
    "salingsapa.accounts.apps.AdminConfig",  # Django's admin behind the staff sign-in (second factor, audit)
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_otp",  # the devices are accounts.AuthenticatorDevice / RecoveryCodeDevice (secrets sealed/hashed)
    "salingsapa.core",
    "salingsapa.accounts",
    "salingsapa.intake",
    "salingsapa.cases",
    "salingsapa.network",
    "salingsapa.staff",
    "salingsapa.stats",
    "salingsapa.awareness",  # issue 13: awareness events (sosialisasi) and education content
    "salingsapa.outreach",  # issue 13: mobile-counselling visits, slots, bookings
    "salingsapa.fieldwork",  # issue 13: field sessions recorded offline during visits
    "salingsapa.channels",  # issue 12: WhatsApp conversation (webhook, state)
]

MIDDLEWARE = [
    "salingsapa.core.edge.BodyLimitMiddleware",
    "salingsapa.core.edge.TrustedProxyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "salingsapa.core.middleware.SecurityHeadersMiddleware",
    "salingsapa.public.middleware.ReplaceHistoryMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "salingsapa.public.middleware.ForbiddenCharactersMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "salingsapa.staff.middleware.SessionLimitsMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "salingsapa.urls"
WSGI_APPLICATION = "salingsapa.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
            ],
        },
    },
]

# --- database -------------------------------------------------------------------------
_database_url = env_str("DATABASE_URL")
if _database_url:
    try:
        _db = dj_database_url.parse(_database_url, conn_max_age=env_int("SALINGSAPA_DB_CONN_MAX_AGE", 60))
    except Exception as exc:  # dj_database_url raises several types for a bad URL
        raise ConfigError(f"DATABASE_URL: cannot parse ({exc})") from None
    if not _db.get("ENGINE"):
        raise ConfigError("DATABASE_URL: unknown database scheme")
    _db.setdefault("TEST", {})
    DATABASES = {"default": _db}
else:
    if PRODUCTION and not env_bool("SALINGSAPA_ALLOW_SQLITE", False):
        raise ConfigError("DATABASE_URL: required in production (PostgreSQL), or set SALINGSAPA_ALLOW_SQLITE=true")
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(DATA_DIR / "salingsapa.sqlite3"),
            "OPTIONS": {
                "timeout": 20,  # busy timeout, seconds
                "transaction_mode": "IMMEDIATE",
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
            },
            "TEST": {"NAME": str(DATA_DIR / "test.sqlite3")},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- auth -----------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
FAST_HASHING = env_bool("SALINGSAPA_FAST_HASHING", False)
if PRODUCTION and FAST_HASHING:
    raise ConfigError("SALINGSAPA_FAST_HASHING: only for tests, never in production")
PASSWORD_HASHERS = (
    ["django.contrib.auth.hashers.MD5PasswordHasher"] if FAST_HASHING else []
) + [
    # Argon2id at 64 MiB instead of Django's 100 MiB: the memory a web worker needs to sign someone in
    # (accounts/hashers.py, docs/security.md); Django's Argon2 hashes verify with it and are upgraded.
    "salingsapa.accounts.hashers.StaffArgon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "/staf/masuk/"
LOGIN_REDIRECT_URL = "/staf/"

# Codenames for anonymous follow-up are hashed with Argon2id at OWASP's floor (19 MiB, t=2, p=1): a
# 7-word codename carries >= 77 bits, so the hash only has to make an offline search of a stolen
# database pointless, not stretch a weak secret (docs/security.md); tests use cheap parameters.
# Hashes made with earlier parameters still verify (they carry their own).
CODENAME_ARGON2 = (
    {"time_cost": 1, "memory_cost": 1024, "parallelism": 1}
    if FAST_HASHING
    else {"time_cost": 2, "memory_cost": 19456, "parallelism": 1}
)

# --- sessions, cookies, headers ------------------------------------------------------------
SECURE = env_bool("SALINGSAPA_SECURE_COOKIES", PRODUCTION)
if PRODUCTION and not SECURE:
    raise ConfigError("SALINGSAPA_SECURE_COOKIES: must be on in production (HTTPS only)")
SESSION_COOKIE_SECURE = SECURE
CSRF_COOKIE_SECURE = SECURE
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Strict"
CSRF_COOKIE_SAMESITE = "Strict"
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_NAME = "ss_session"
CSRF_COOKIE_NAME = "ss_csrf"
SESSION_COOKIE_AGE = env_int("SALINGSAPA_SESSION_MAX_SECONDS", 8 * 3600, minimum=300)  # absolute limit
SESSION_IDLE_SECONDS = env_int("SALINGSAPA_SESSION_IDLE_SECONDS", 30 * 60, minimum=60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SECURE_SSL_REDIRECT = env_bool("SALINGSAPA_SSL_REDIRECT", PRODUCTION)
# The scheme comes from a trusted proxy only (core/edge.py sets it), never from Django's own header check.
SECURE_PROXY_SSL_HEADER = None
# Monitors probe /healthz directly over http (it says only "ok"); the API and webhooks answer 403 on plain
# http instead of a redirect (core/edge.py), as machine clients should fail loudly.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^api/", r"^webhooks/"]
SECURE_HSTS_SECONDS = env_int("SALINGSAPA_HSTS_SECONDS", 31536000 if PRODUCTION else 0, minimum=0)
if PRODUCTION and SECURE_HSTS_SECONDS < 86400:
    raise ConfigError("SALINGSAPA_HSTS_SECONDS: at least 86400 (one day) in production")
SECURE_HSTS_INCLUDE_SUBDOMAINS = PRODUCTION
SECURE_CONTENT_TYPE_NOSNIFF = True
# "same-origin": nothing is sent to other sites; "no-referrer" would make Chromium send `Origin: null`
# on form posts, which Django's CSRF check rightly refuses.
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SILENCED_SYSTEM_CHECKS = [] if PRODUCTION else ["security.W004", "security.W008", "security.W012", "security.W016"]

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'none'"],
        "object-src": ["'none'"],
    }
}

# Request bodies: the API answers 413 above this; evidence files have their own limit.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
EVIDENCE_MAX_BYTES = 10 * 1024 * 1024

# --- i18n -----------------------------------------------------------------------------
LANGUAGE_CODE = "id"
LANGUAGES = [("id", "Bahasa Indonesia"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Jakarta"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STORAGES: dict[str, dict[str, Any]] = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = not PRODUCTION

# --- domain settings ----------------------------------------------------------------------
CASE_NUMBER_PREFIX = env_str("SALINGSAPA_CASE_PREFIX", "SRG") or "SRG"
HOME_REGION_CODE = env_str("SALINGSAPA_REGION", "36.73") or "36.73"  # Kota Serang

CACHES: dict[str, dict[str, Any]] = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
_redis = env_str("SALINGSAPA_REDIS_URL")
if _redis:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": _redis}}

# Logs never carry personal data: request paths hold no identifiers, bodies are never logged.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("SALINGSAPA_LOG_LEVEL", "INFO")},
    "loggers": {"django.request": {"level": "ERROR"}, "pikepdf": {"level": "WARNING"}},
}

# --- public reporting, JSON API, notifications (issue 3) --------------------------------------
INSTALLED_APPS += ["salingsapa.public", "salingsapa.api", "salingsapa.notify", "salingsapa.demo"]
NOTIFY_TRANSPORT = env_str("SALINGSAPA_NOTIFY_TRANSPORT", "console") or "console"
if NOTIFY_TRANSPORT not in {"console", "file", "cloud", "none"}:
    raise ConfigError(f"SALINGSAPA_NOTIFY_TRANSPORT: expected console, file, cloud or none, got {NOTIFY_TRANSPORT!r}")
NOTIFY_FILE = env_str("SALINGSAPA_NOTIFY_FILE") or str(DATA_DIR / "notifications.jsonl")
# Where the quick-exit button and Esc Esc send a person: a neutral site (only navigated to).
QUICK_EXIT_URL = env_str("SALINGSAPA_QUICK_EXIT_URL", "https://www.bmkg.go.id/") or "https://www.bmkg.go.id/"
if not QUICK_EXIT_URL.startswith("https://"):
    raise ConfigError("SALINGSAPA_QUICK_EXIT_URL: must be an https:// address")
# Rate limits (attempts per window, per keyed hash of the client IP).
REPORT_RATE_LIMIT = env_int("SALINGSAPA_REPORT_RATE_LIMIT", 10, minimum=1)  # reports per hour
REPORT_RATE_WINDOW = 3600
CODENAME_RATE_LIMIT = env_int("SALINGSAPA_CODENAME_RATE_LIMIT", 5, minimum=1)  # wrong codenames per 15 min
CODENAME_RATE_WINDOW = 900
FOLLOWUP_RATE_LIMIT = env_int("SALINGSAPA_FOLLOWUP_RATE_LIMIT", 30, minimum=1)  # messages/files per hour
EVIDENCE_MAX_FILES = 5  # per upload step
CSRF_FAILURE_VIEW = "salingsapa.public.views.csrf_failure"  # plain words on public pages; Django's page elsewhere

# --- case management: SLA clocks and risk thresholds (cases app) ---------------------------
# First contact after a report, by risk level: high/medium in minutes, low in working days
# (weekends and Indonesian public holidays excluded, from lokal-id). Reports not yet triaged
# run on SLA_UNTRIAGED_RISK's clock; emergencies always run on the high clock.
SLA_FIRST_CONTACT_HIGH_MINUTES = env_int("SALINGSAPA_SLA_HIGH_MINUTES", 60, minimum=1)
SLA_FIRST_CONTACT_MEDIUM_MINUTES = env_int("SALINGSAPA_SLA_MEDIUM_MINUTES", 6 * 60, minimum=1)
SLA_FIRST_CONTACT_LOW_WORKING_DAYS = env_int("SALINGSAPA_SLA_LOW_WORKING_DAYS", 3, minimum=1)
SLA_UNTRIAGED_RISK = env_str("SALINGSAPA_SLA_UNTRIAGED_RISK", "medium") or "medium"
if SLA_UNTRIAGED_RISK not in {"high", "medium", "low"}:
    raise ConfigError("SALINGSAPA_SLA_UNTRIAGED_RISK: expected high, medium or low")
SLA_COUNT_CUTI_BERSAMA = env_bool("SALINGSAPA_SLA_COUNT_CUTI_BERSAMA", True)  # cuti bersama is not a working day
# UU TPKS Pasal 41: pass a sexual-violence report to the police within 3 x 24 hours of the victim's report.
SLA_TPKS_POLICE_HOURS = env_int("SALINGSAPA_SLA_TPKS_HOURS", 72, minimum=1)
SLA_TPKS_REQUIRES_CONSENT = env_bool("SALINGSAPA_SLA_TPKS_REQUIRES_CONSENT", True)
# Risk checklist: any red-flag item means high; otherwise these many "yes" answers.
RISK_HIGH_SCORE = env_int("SALINGSAPA_RISK_HIGH_SCORE", 7, minimum=1)
RISK_MEDIUM_SCORE = env_int("SALINGSAPA_RISK_MEDIUM_SCORE", 3, minimum=1)
OTP_TOTP_ISSUER = "Saling Sapa"  # the name staff see in their authenticator app
STAFF_PAGE_SIZE = env_int("SALINGSAPA_STAFF_PAGE_SIZE", 25, minimum=5)
# Staff dashboard cache: figures are recomputed at once after a service write (core/events.py);
# this bounds how long a write that bypassed the services stays unseen (0 turns the cache off).
STATS_CACHE_SECONDS = env_int("SALINGSAPA_STATS_CACHE_SECONDS", 300, minimum=0)
CASE_DOCUMENT_MAX_BYTES = env_int("SALINGSAPA_CASE_DOCUMENT_MAX_BYTES", 10 * 1024 * 1024, minimum=1024)

# --- the edge: request bodies, uploads (issue 9 item 4) ----------------------------------------
# Any request announcing a larger body gets a 413 before the body is read (core/edge.py); the
# largest legitimate one is an evidence step with EVIDENCE_MAX_FILES full-size files.
# Evidence upload budgets (intake/evidence.py): per client address per hour, per draft or report per
# day, and all unsent drafts together.
EVIDENCE_FILES_PER_HOUR = env_int("SALINGSAPA_EVIDENCE_FILES_PER_HOUR", 30, minimum=1)
EVIDENCE_BYTES_PER_HOUR = env_int("SALINGSAPA_EVIDENCE_BYTES_PER_HOUR", 200 * 1024 * 1024, minimum=1024 * 1024)
EVIDENCE_SCOPE_MAX_FILES = env_int("SALINGSAPA_EVIDENCE_DRAFT_MAX_FILES", 3 * EVIDENCE_MAX_FILES, minimum=1)
EVIDENCE_SCOPE_MAX_BYTES = env_int("SALINGSAPA_EVIDENCE_DRAFT_MAX_BYTES", 100 * 1024 * 1024, minimum=1024 * 1024)
EVIDENCE_PENDING_MAX_BYTES = env_int("SALINGSAPA_EVIDENCE_PENDING_MAX_BYTES", 2 * 1024**3, minimum=1024 * 1024)
REQUEST_MAX_BYTES = max(EVIDENCE_MAX_BYTES * EVIDENCE_MAX_FILES, CASE_DOCUMENT_MAX_BYTES) + 1024 * 1024

# --- records: audit anchor, backups, retention, background jobs (issues 9 and 12) ------------
# The audit chain's head is appended here by 'salingsapa audit anchor' (a periodic job). Keep it
# outside the database's reach: ideally on another disk or a file shipped off-site.
AUDIT_ANCHOR_FILE = env_str("SALINGSAPA_AUDIT_ANCHOR_FILE") or str(DATA_DIR / "audit-anchor.jsonl")
# Key that seals backups ('salingsapa backup'); optional at start-up, required by backup/restore.
_backup_key = env_str("SALINGSAPA_BACKUP_KEY") or _demo.get("SALINGSAPA_BACKUP_KEY")
BACKUP_KEY = decode_key("SALINGSAPA_BACKUP_KEY", _backup_key) if _backup_key else None
if BACKUP_KEY is not None and (BACKUP_KEY == INDEX_KEY or BACKUP_KEY in ENCRYPTION_KEYS):
    raise ConfigError("SALINGSAPA_BACKUP_KEY: must differ from the encryption and index keys")

# Background jobs: django-tasks with its database backend (works on SQLite and PostgreSQL); run
# them with `salingsapa worker`. A task row is written in the same transaction as its record.
INSTALLED_APPS += ["django_tasks", "django_tasks_db"]
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
# A worker that has not beaten for this long is presumed dead; its running tasks run again.
WORKER_STALE_SECONDS = env_int("SALINGSAPA_WORKER_STALE_SECONDS", 60, minimum=1)
# Periodic jobs the worker enqueues: name -> (task, every N seconds).
PERIODIC_JOBS = {
    "sla-escalate": ("salingsapa.cases.tasks.sla_escalate_job", 300),
    "referrals-remind": ("salingsapa.network.tasks.referrals_remind_job", 3600),
    "evidence-cleanup": ("salingsapa.intake.tasks.evidence_cleanup_job", 3600),
    "audit-anchor": ("salingsapa.core.tasks.audit_anchor_job", env_int("SALINGSAPA_AUDIT_ANCHOR_SECONDS", 300, minimum=10)),
}
# Retention rules (cases/retention.py; docs/operations.md), applied daily by the worker.
RETENTION_NOT_VIOLENCE_DAYS = env_int("SALINGSAPA_RETENTION_NOT_VIOLENCE_DAYS", 365, minimum=30)
RETENTION_CLOSED_CASE_YEARS = env_int("SALINGSAPA_RETENTION_CLOSED_CASE_YEARS", 10, minimum=1)
RETENTION_PENDING_UPLOAD_HOURS = env_int("SALINGSAPA_RETENTION_PENDING_UPLOAD_HOURS", 24, minimum=1)
PERIODIC_JOBS["retention"] = ("salingsapa.cases.tasks.retention_job", 24 * 3600)

# --- WhatsApp channel and outbound messages (issue 12: notify/ outbound, channels/ inbound) ------
# (outbound: transports, retries, templates, do-not-contact — notify/)
# SALINGSAPA_NOTIFY_TRANSPORT (above) also picks the WhatsApp sender: console (a masked log line),
# file (one JSON line per message: exactly the body POSTed to /{phone-number-id}/messages) or cloud.
OUTBOX_FILE = env_str("SALINGSAPA_OUTBOX_FILE") or str(DATA_DIR / "outbox.jsonl")
WHATSAPP_TOKEN = env_str("SALINGSAPA_WHATSAPP_TOKEN") or ""  # a system user's permanent token (or _FILE)
WHATSAPP_PHONE_NUMBER_ID = env_str("SALINGSAPA_WHATSAPP_PHONE_NUMBER_ID") or ""
WHATSAPP_API_BASE = (env_str("SALINGSAPA_WHATSAPP_API_BASE") or "https://graph.facebook.com/v23.0").rstrip("/")
if not WHATSAPP_API_BASE.startswith(("https://", "http://127.0.0.1", "http://localhost")):
    raise ConfigError("SALINGSAPA_WHATSAPP_API_BASE: must be an https:// address (http only on this machine)")
if NOTIFY_TRANSPORT == "cloud" and not (WHATSAPP_TOKEN and WHATSAPP_PHONE_NUMBER_ID):
    raise ConfigError("SALINGSAPA_NOTIFY_TRANSPORT=cloud needs SALINGSAPA_WHATSAPP_TOKEN and SALINGSAPA_WHATSAPP_PHONE_NUMBER_ID")
# The approved template sent outside the 24-hour customer-service window (its text: content.NEUTRAL_NOTICE).
WHATSAPP_TEMPLATE = env_str("SALINGSAPA_WHATSAPP_TEMPLATE") or "saling_sapa_pesan_baru"
WHATSAPP_TEMPLATE_LANGUAGE = env_str("SALINGSAPA_WHATSAPP_TEMPLATE_LANGUAGE") or "id"
# Sending: attempts per message and the first retry delay (doubling each time, at most one hour).
NOTIFY_MAX_ATTEMPTS = env_int("SALINGSAPA_NOTIFY_MAX_ATTEMPTS", 8, minimum=1)
NOTIFY_RETRY_SECONDS = env_int("SALINGSAPA_NOTIFY_RETRY_SECONDS", 30, minimum=1)
# Finished outbound messages keep their (sealed) address and content this long, then only the status row.
RETENTION_OUTBOUND_DAYS = env_int("SALINGSAPA_RETENTION_OUTBOUND_DAYS", 30, minimum=1)
PERIODIC_JOBS["outbound-prune"] = ("salingsapa.notify.tasks.outbound_prune_job", 24 * 3600)
# SMS gateway: console, file (one JSON line per message to SALINGSAPA_SMS_OUTBOX_FILE) or http (POST
# {"to", "message"} with a bearer token to SALINGSAPA_SMS_GATEWAY_URL).
SMS_GATEWAY = env_str("SALINGSAPA_SMS_GATEWAY") or "console"
if SMS_GATEWAY not in {"console", "file", "http"}:
    raise ConfigError(f"SALINGSAPA_SMS_GATEWAY: expected console, file or http, got {SMS_GATEWAY!r}")
SMS_OUTBOX_FILE = env_str("SALINGSAPA_SMS_OUTBOX_FILE") or str(DATA_DIR / "sms-outbox.jsonl")
SMS_GATEWAY_URL = env_str("SALINGSAPA_SMS_GATEWAY_URL") or ""
SMS_GATEWAY_TOKEN = env_str("SALINGSAPA_SMS_GATEWAY_TOKEN") or ""
if SMS_GATEWAY == "http" and not SMS_GATEWAY_URL.startswith("https://"):
    raise ConfigError("SALINGSAPA_SMS_GATEWAY=http needs an https:// SALINGSAPA_SMS_GATEWAY_URL")
# Email (staff notifications by preference, reporters who chose email): SMTP when a host is set,
# else the console backend.
EMAIL_HOST = env_str("SALINGSAPA_EMAIL_HOST") or ""
EMAIL_PORT = env_int("SALINGSAPA_EMAIL_PORT", 587, minimum=1)
EMAIL_HOST_USER = env_str("SALINGSAPA_EMAIL_USER") or ""
EMAIL_HOST_PASSWORD = env_str("SALINGSAPA_EMAIL_PASSWORD") or ""
EMAIL_USE_SSL = EMAIL_PORT == 465
EMAIL_USE_TLS = EMAIL_PORT == 587  # STARTTLS on the submission port; 465 is TLS from the start
EMAIL_TIMEOUT = 20
DEFAULT_FROM_EMAIL = env_str("SALINGSAPA_EMAIL_FROM") or "Saling Sapa <no-reply@localhost>"
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend" if EMAIL_HOST else "django.core.mail.backends.console.EmailBackend"
)

# (inbound: webhook verify token, app secret, conversation — channels/)
# The webhook /webhooks/whatsapp answers only when the channel is on. Meta signs every POST with the
# app secret (X-Hub-Signature-256); the verify token answers Meta's GET handshake once.
WHATSAPP_ENABLED = env_bool("SALINGSAPA_WHATSAPP_ENABLED", False)
WHATSAPP_VERIFY_TOKEN = env_str("SALINGSAPA_WHATSAPP_VERIFY_TOKEN") or ""
WHATSAPP_APP_SECRET = env_str("SALINGSAPA_WHATSAPP_APP_SECRET") or ""
if PRODUCTION and WHATSAPP_ENABLED:
    if len(WHATSAPP_APP_SECRET) < 16:
        raise ConfigError("SALINGSAPA_WHATSAPP_APP_SECRET: required when the WhatsApp channel is on (the Meta app secret)")
    if len(WHATSAPP_VERIFY_TOKEN) < 16:
        raise ConfigError("SALINGSAPA_WHATSAPP_VERIFY_TOKEN: required when the WhatsApp channel is on (16+ random characters)")
# A webhook body larger than this is refused (413) before it is read; Meta's deliveries are a few KB.
WHATSAPP_WEBHOOK_MAX_BYTES = env_int("SALINGSAPA_WHATSAPP_WEBHOOK_MAX_BYTES", 512 * 1024, minimum=16 * 1024)
# A conversation silent this long starts again at the menu (its draft and checked report dropped).
WHATSAPP_CONVERSATION_HOURS = env_int("SALINGSAPA_WHATSAPP_CONVERSATION_HOURS", 24, minimum=1)
# Raw deliveries (sealed) are kept this many days after they were processed, then deleted.
WHATSAPP_DELIVERY_KEEP_DAYS = env_int("SALINGSAPA_WHATSAPP_DELIVERY_KEEP_DAYS", 7, minimum=1)
PERIODIC_JOBS["whatsapp-cleanup"] = ("salingsapa.channels.tasks.whatsapp_cleanup_job", 3600)

# --- mobile counselling, field sessions, awareness (issue 13) ------------------------------------
# Mobile counselling (outreach/): a booking with a contact is reminded this many hours before its slot
# (periodic job "visit-reminders"); public bookings per client address per hour (web form and API).
OUTREACH_REMINDER_HOURS = env_int("SALINGSAPA_OUTREACH_REMINDER_HOURS", 24, minimum=1)
BOOKING_RATE_LIMIT = env_int("SALINGSAPA_BOOKING_RATE_LIMIT", 10, minimum=1)
BOOKING_RATE_WINDOW = 3600
PERIODIC_JOBS["visit-reminders"] = ("salingsapa.outreach.tasks.visit_reminders_job", 900)
# Statistics rollups (stats/rollup.py): the writes queued since the last read are folded in every minute,
# so a quiet dashboard's first read does not pay for them (reads still flush first: no lag either way).
PERIODIC_JOBS["stats-rollup-flush"] = ("salingsapa.stats.jobs.rollup_flush_job", 60)

# --- scale: replica, shared cache, object storage (issue 14) -------------------------------------
# Read-only work (statistics, exports, the PDF report) goes to a read replica when one is set
# (core/dbrouter.py); everything else, and every read inside a transaction, stays on the primary.
_replica_url = env_str("DATABASE_REPLICA_URL")
REPLICA_DATABASE: str | None = None
if _replica_url:
    if "default" not in DATABASES or not _database_url:
        raise ConfigError("DATABASE_REPLICA_URL: needs DATABASE_URL (the primary) too")
    try:
        _replica = dj_database_url.parse(_replica_url, conn_max_age=env_int("SALINGSAPA_DB_CONN_MAX_AGE", 60))
    except Exception as exc:
        raise ConfigError(f"DATABASE_REPLICA_URL: cannot parse ({exc})") from None
    if not _replica.get("ENGINE"):
        raise ConfigError("DATABASE_REPLICA_URL: unknown database scheme")
    _replica["TEST"] = {"MIRROR": "default"}  # the test suite reads the primary's test database through it
    DATABASES["replica"] = _replica
    REPLICA_DATABASE = "replica"
DATABASE_ROUTERS = ["salingsapa.core.dbrouter.ReplicaRouter"]

# Redis is the cache shared by every process on every app server (statistics figures). Rate limits
# do not need it: they are atomic counter rows in the database (intake/ratelimit.py), shared anyway.
if _redis:
    CACHES["default"]["OPTIONS"] = {"socket_connect_timeout": 2, "socket_timeout": 2}

# Sealed files (evidence, case documents, exports waiting for their one download) go through Django's
# storage API (core/files.py): on disk under the data folder, or in S3-compatible object storage.
# They are sealed with AES-256-GCM before they leave the process, so the store only ever sees ciphertext.
FILE_STORAGE = env_str("SALINGSAPA_FILE_STORAGE", "disk") or "disk"
if FILE_STORAGE == "disk":
    _file_options = {"file_permissions_mode": 0o600, "directory_permissions_mode": 0o700}
    # no location: <MEDIA_ROOT>/sealed, following MEDIA_ROOT (the test suite gives each test its own)
    STORAGES["sealed"] = {"BACKEND": "salingsapa.core.files.DurableFileSystemStorage",
                          "OPTIONS": {"subdir": "sealed", **_file_options}}
    STORAGES["exports"] = {"BACKEND": "salingsapa.core.files.DurableFileSystemStorage",
                           "OPTIONS": {"location": str(DATA_DIR / "exports"), **_file_options}}
elif FILE_STORAGE == "s3":
    _s3 = {
        "bucket_name": env_str("SALINGSAPA_S3_BUCKET") or "",
        "endpoint_url": env_str("SALINGSAPA_S3_ENDPOINT_URL"),
        "region_name": env_str("SALINGSAPA_S3_REGION"),
        "access_key": env_str("SALINGSAPA_S3_ACCESS_KEY_ID"),
        "secret_key": env_str("SALINGSAPA_S3_SECRET_ACCESS_KEY"),
        "default_acl": "private",
        "querystring_auth": True,  # never a public URL; files are only handed out by the app anyway
        "file_overwrite": True,  # names are 128-bit random: no existence check (one round trip less)
    }
    if not _s3["bucket_name"]:
        raise ConfigError("SALINGSAPA_S3_BUCKET: required with SALINGSAPA_FILE_STORAGE=s3")
    STORAGES["sealed"] = {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": {**_s3, "location": "sealed"}}
    STORAGES["exports"] = {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": {**_s3, "location": "exports"}}
else:
    raise ConfigError(f"SALINGSAPA_FILE_STORAGE: expected disk or s3, got {FILE_STORAGE!r}")
