"""Settings, read from the environment.

Every variable is documented in docs/configuration.md; keep the two in step. The environment is
read here and nowhere else (tests/test_settings.py): Django's own settings first, then one
section per app, named after it; an app reads its settings as ``settings.EGOV_...``.

EGOV_ENV selects the defaults: ``production`` (the default: safe, DEBUG off, a secret key and
allowed hosts required), ``dev`` (what ``egov serve`` uses on a laptop) or ``test``.
"""

from __future__ import annotations

import json
import os
import sys
import warnings
from pathlib import Path

import dj_database_url
from cryptography.utils import CryptographyDeprecationWarning
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

# pyHanko imports cryptography's DSA key type, which cryptography deprecates: the warning came
# once per process (every command, each web worker) about a library egov cannot change. Only that
# warning, only from pyHanko's modules; settings are read before any app (and pyHanko) is loaded.
warnings.filterwarnings(
    "ignore",
    message="DSA is deprecated",
    category=CryptographyDeprecationWarning,
    module=r"pyhanko\.",
)

PACKAGE_DIR = Path(__file__).resolve().parent
# Under pytest the default is "test", so a plain `pytest` never needs production secrets.
ENV = os.environ.get("EGOV_ENV", "test" if "pytest" in sys.modules else "production")
if ENV not in {"production", "dev", "test"}:
    raise ImproperlyConfigured(f"EGOV_ENV must be production, dev or test, not {ENV!r}")
PRODUCTION = ENV == "production"


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


# Runtime state (SQLite file, PKI, mail, uploads) lives under one directory.
VAR_DIR = Path(os.environ.get("EGOV_VAR_DIR", Path.cwd() / "var")).resolve()

SECRET_KEY = os.environ.get("EGOV_SECRET_KEY", "")
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured("EGOV_SECRET_KEY is required when EGOV_ENV=production")
    SECRET_KEY = "insecure-dev-key-" + ENV  # noqa: S105 - never used in production

DEBUG = env_bool("EGOV_DEBUG", ENV == "dev")
ALLOWED_HOSTS = env_list(
    "EGOV_ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost,testserver"
)
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("EGOV_ALLOWED_HOSTS is required when EGOV_ENV=production")
CSRF_TRUSTED_ORIGINS = env_list("EGOV_CSRF_TRUSTED_ORIGINS")
# A refused form gets the site's error page (the API its JSON body), not Django's bare one.
CSRF_FAILURE_VIEW = "egov.core.error_pages.csrf_failure"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "django_tasks",
    "egov.core.task_queue.TaskQueueConfig",  # django_tasks_db, named in Vietnamese
    "django_htmx",
    "egov.core",
    "egov.accounts",
    "egov.catalog",
    "egov.exchange",
    "egov.dossiers",
    "egov.payments",
    "egov.petitions",
    "egov.ratings",
    "egov.sync",
    "egov.serviceindex",
    "egov.assignments",
    "egov.cabinet",
    "egov.reporting",
    "egov.consultation",
    "egov.portal",
    "egov.site",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # The public dossier lookup's plain GETs, answered here (egov.dossiers.api.lookup).
    "egov.dossiers.api.lookup.LeanPathMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "egov.core.middleware.RequestIdMiddleware",
    "egov.core.middleware.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # NUL bytes and lone surrogates refused, text in NFC (query strings, form data).
    "egov.core.inputs.InputMiddleware",
    "egov.accounts.middleware.SessionIdleMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # request.htmx: a page answers an htmx request with the fragment it swaps in.
    "django_htmx.middleware.HtmxMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # An empty 405 (require_POST) filled with the site's error page; inside the CSRF middleware.
    "egov.core.error_pages.ErrorPageMiddleware",
]

ROOT_URLCONF = "egov.urls"
WSGI_APPLICATION = "egov.wsgi.application"
AUTH_USER_MODEL = "accounts.User"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "egov.core.context_processors.instance",
                "egov.accounts.frame.frame",
            ],
        },
    }
]

# --- Database ----------------------------------------------------------------------------------
DATABASE_URL = os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'egov.sqlite3'}"
_db = dj_database_url.parse(DATABASE_URL)
if _db["ENGINE"] == "django.db.backends.sqlite3":
    if _db["NAME"] and _db["NAME"] != ":memory:":
        Path(_db["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # Keep the connection: opening one costs a file open and four PRAGMAs per request.
    _db["CONN_MAX_AGE"] = int(os.environ.get("EGOV_SQLITE_CONN_MAX_AGE", "600"))
    _db["CONN_HEALTH_CHECKS"] = True
    _db["OPTIONS"] = {
        # IMMEDIATE: a writing transaction takes the lock at BEGIN, so two writers queue on the
        # busy timeout instead of failing with "database is locked" when they upgrade.
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
            "PRAGMA busy_timeout=20000; PRAGMA foreign_keys=ON;"
        ),
    }
elif _db["ENGINE"] == "django.db.backends.postgresql":
    # psycopg 3's pool; Django requires CONN_MAX_AGE=0 with it.
    _db["CONN_MAX_AGE"] = 0
    if env_bool("EGOV_DB_POOL", ENV != "test"):
        _db["OPTIONS"] = {
            "pool": {
                "min_size": int(os.environ.get("EGOV_DB_POOL_MIN", "1")),
                "max_size": int(os.environ.get("EGOV_DB_POOL_MAX", "10")),
                "timeout": 10,
            }
        }
    _db.setdefault("TEST", {})["NAME"] = os.environ.get("EGOV_TEST_DB_NAME", "egov_test")
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Tasks -------------------------------------------------------------------------------------
# EGOV_TASKS picks the queue: "db" (the default: rows in the database, nothing else to run) or
# "rq" (Redis at EGOV_TASKS_REDIS_URL, through django-tasks-rq: workers on several hosts, no
# polling of the database). EGOV_TASKS_BACKEND, a backend's dotted path, overrides it.
TASK_BACKENDS = {"db": "django_tasks_db.DatabaseBackend", "rq": "django_tasks_rq.RQBackend"}
EGOV_TASKS = os.environ.get("EGOV_TASKS", "db")
if EGOV_TASKS not in TASK_BACKENDS:
    raise ImproperlyConfigured(f"EGOV_TASKS must be db or rq, not {EGOV_TASKS!r}")
TASKS = {"default": {"BACKEND": os.environ.get("EGOV_TASKS_BACKEND", TASK_BACKENDS[EGOV_TASKS])}}
# The alias the worker and /healthz go by, also when EGOV_TASKS_BACKEND named the backend.
EGOV_TASKS = next((k for k, v in TASK_BACKENDS.items() if v == TASKS["default"]["BACKEND"]), "")
if EGOV_TASKS == "rq":
    INSTALLED_APPS += ["django_rq", "django_tasks_rq"]
    RQ_QUEUES = {
        "default": {
            "URL": os.environ.get("EGOV_TASKS_REDIS_URL", "redis://127.0.0.1:6379/0"),
            # A task (a webhook push, a relay to the parent hub) is cut off after this long.
            "DEFAULT_TIMEOUT": int(os.environ.get("EGOV_TASK_TIMEOUT", "600")),
        }
    }

# --- Language and time -------------------------------------------------------------------------
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Vietnamese")), ("en", _("English"))]
# Each app keeps its own catalogue in <app>/locale/ (run makemessages inside the app).
LOCALE_PATHS: list[Path] = []
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True

# --- Static files and storage ------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("EGOV_STATIC_ROOT", VAR_DIR / "static"))
MEDIA_ROOT = Path(os.environ.get("EGOV_MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "/media/"
STORAGES = {
    "default": {
        "BACKEND": os.environ.get(
            "EGOV_STORAGE_BACKEND", "django.core.files.storage.FileSystemStorage"
        )
    },
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION
# Files browsers ask for at the site's root, whatever the page says: /favicon.ico.
WHITENOISE_ROOT = PACKAGE_DIR / "core" / "root"
if not PRODUCTION:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns when it is missing
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024

# --- Mail --------------------------------------------------------------------------------------
EMAIL_URL = os.environ.get("EGOV_EMAIL_URL", "")
if EMAIL_URL.startswith(("smtp://", "smtps://")):
    from urllib.parse import unquote, urlsplit

    _mail = urlsplit(EMAIL_URL)
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = _mail.hostname or "127.0.0.1"
    EMAIL_PORT = _mail.port or 25
    EMAIL_HOST_USER = unquote(_mail.username or "")
    EMAIL_HOST_PASSWORD = unquote(_mail.password or "")
    EMAIL_USE_SSL = _mail.scheme == "smtps"
    EMAIL_USE_TLS = "starttls" in _mail.query
    # Django's default is no timeout: a server that never answers would hold a worker for good.
    EMAIL_TIMEOUT = int(os.environ.get("EGOV_EMAIL_TIMEOUT", "30"))
else:
    # Default: every message is written as a file under var/mail/ (readable, nothing leaves).
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = VAR_DIR / "mail"
DEFAULT_FROM_EMAIL = os.environ.get("EGOV_DEFAULT_FROM_EMAIL", "egov@localhost")

# --- Security ----------------------------------------------------------------------------------
SESSION_COOKIE_SECURE = env_bool("EGOV_SECURE_COOKIES", PRODUCTION)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = int(os.environ.get("EGOV_SESSION_AGE", str(8 * 3600)))
SECURE_HSTS_SECONDS = int(os.environ.get("EGOV_HSTS_SECONDS", "31536000" if PRODUCTION else "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = PRODUCTION
SECURE_HSTS_PRELOAD = PRODUCTION
SECURE_SSL_REDIRECT = env_bool("EGOV_SSL_REDIRECT", PRODUCTION)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
if env_bool("EGOV_BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if ENV == "test":
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# --- API ---------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "egov.core.api_schema.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "egov.core.api_base.Pagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "egov.core.api_base.exception_handler",
    # Size and depth caps, NUL bytes and lone surrogates refused, text in NFC (egov.core.inputs).
    "DEFAULT_PARSER_CLASSES": [
        "egov.core.inputs.JSONParser",
        "egov.core.inputs.FormParser",
        "egov.core.inputs.MultiPartParser",
    ],
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "egov.accounts.authentication.ClientTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    # Closed by default: an API view that declares no scope for an action refuses it.
    "DEFAULT_PERMISSION_CLASSES": ["egov.accounts.scopes.ScopePermission"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"]
    + (["rest_framework.renderers.BrowsableAPIRenderer"] if DEBUG else []),
    "DEFAULT_THROTTLE_CLASSES": ["rest_framework.throttling.AnonRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "anon": os.environ.get("EGOV_ANON_RATE", "600/min"),
        "token": os.environ.get("EGOV_TOKEN_RATE", "30/min"),
        # The national side's sync calls (egov.sync): machine to machine, up to 500 records a
        # call, many provinces behind few addresses; the anonymous rate refused a province's
        # catch-up after an outage (HTTP 429).
        "sync": os.environ.get("EGOV_SYNC_RATE", "6000/min"),
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "egov API",
    "DESCRIPTION": "The REST API of the egov e-government platform.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    # The operations' texts in the request's language (egov.core.api_texts).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "egov.core.api_texts.translate_schema",
    ],
    # Several models have a field called "status"; give each choice set its own stable name.
    "ENUM_NAME_OVERRIDES": {
        "ProcedureStatusEnum": "egov.catalog.models.procedures.ProcedureStatus",
        "VersionStatusEnum": "egov.catalog.models.procedures.VersionStatus",
        "DossierStatusEnum": "egov.dossiers.models.status.Status",
        "DocumentStatusEnum": "egov.exchange.models.StatusCode",
        "PetitionStatusEnum": "egov.petitions.models.Status",
        "AssignmentStageEnum": "egov.assignments.models.Stage",
        "AssignmentOriginEnum": "egov.assignments.models.Origin",
        "AssignmentSourceTypeEnum": "egov.assignments.models.SourceType",
        "LegalDocumentTypeEnum": "egov.consultation.models.DocType",
        "ConsultationAnswerKindEnum": "egov.consultation.models.AnswerKind",
        "DraftUnitKindEnum": "egov.consultation.models.UnitKind",
        "AssignmentDeadlineKindEnum": "egov.assignments.models.DeadlineKind",
        "ExtensionStateEnum": "egov.assignments.models.ExtensionState",
        "BallotStatusEnum": "egov.cabinet.models.Status",
        "MeetingStatusEnum": "egov.cabinet.models.MeetingStatus",
        "MeetingKindEnum": "egov.cabinet.models.MeetingKind",
        "MeetingMarkEnum": "egov.cabinet.models.Mark",
        "MeetingVoteChoiceEnum": "egov.cabinet.models.VoteChoice",
        "ChoiceEnum": "egov.cabinet.models.Choice",  # the ballot answer's, named before
    },
}

# Rate limits, lockout helpers and replay checks live in the cache: "db" shares it between
# processes through the database (table egov_cache, made by migrate); a redis:// (rediss://,
# unix://) URL shares it through Redis (the `redis` package: extra `redis`); "locmem" is per
# process, so only the tests (one process, cleared per test) have it by default: `egov serve`
# runs several web processes, and refuses it with more than one.
EGOV_CACHE = os.environ.get("EGOV_CACHE", "locmem" if ENV == "test" else "db")
if EGOV_CACHE == "db":
    _cache = {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "egov_cache"}
elif EGOV_CACHE == "locmem":
    _cache = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "egov"}
elif EGOV_CACHE.startswith(("redis://", "rediss://", "unix://")):
    _cache = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": EGOV_CACHE,
        "KEY_PREFIX": "egov",
    }
else:
    raise ImproperlyConfigured(
        f"EGOV_CACHE must be db, locmem or a redis:// URL, not {EGOV_CACHE!r}"
    )
CACHES = {"default": _cache}
# The consultation's draft page remembers its body in the cache until the consultation changes
# (egov.consultation.memo); off, every page is made afresh (the same HTML, slower).
EGOV_CONSULTATION_PAGE_MEMO = env_bool("EGOV_CONSULTATION_PAGE_MEMO", True)

# --- Officials' login, API clients (egov.accounts) ---------------------------------------------
LOGIN_URL = "official-login"
# Officials land on their workspace after login (citizens' login has its own landing).
LOGIN_REDIRECT_URL = "workspace"
# Failed password or code attempts before an account is locked, and for how long.
EGOV_LOCKOUT_ATTEMPTS = int(os.environ.get("EGOV_LOCKOUT_ATTEMPTS", "5"))
EGOV_LOCKOUT_SECONDS = int(os.environ.get("EGOV_LOCKOUT_SECONDS", "900"))
# Login attempts per client address (password and code steps, password reset requests).
EGOV_LOGIN_RATE = os.environ.get("EGOV_LOGIN_RATE", "20/min")
# Public dossier lookups (code + ID number) per client address.
EGOV_LOOKUP_RATE = os.environ.get("EGOV_LOOKUP_RATE", "30/min")
# Refused API access tokens per client address; past it the address gets 429 until the window
# ends, and the audit log keeps counted summaries (egov.accounts.services.refusals).
EGOV_AUTH_FAILURE_RATE = os.environ.get("EGOV_AUTH_FAILURE_RATE", "10/min")
# An official's session ends after this long without a request (and after EGOV_SESSION_AGE).
EGOV_SESSION_IDLE_SECONDS = int(os.environ.get("EGOV_SESSION_IDLE_SECONDS", "1800"))
PASSWORD_RESET_TIMEOUT = int(os.environ.get("EGOV_PASSWORD_RESET_SECONDS", "3600"))
# Key that encrypts TOTP and webhook secrets at rest (default: derived from the secret key).
EGOV_FIELD_KEY = os.environ.get("EGOV_FIELD_KEY", "")
# Lifetime of API access tokens, and extra audiences accepted in client assertions (the token
# endpoint's own URL always is), e.g. the public URL when behind a proxy.
EGOV_API_TOKEN_SECONDS = int(os.environ.get("EGOV_API_TOKEN_SECONDS", "3600"))
EGOV_TOKEN_AUDIENCES = env_list("EGOV_TOKEN_AUDIENCES")

# Benchmarks only: serve the hello-world baseline views (/bench/hello/, egov.site.bench_baseline).
# `egov bench` turns it on for the servers it starts; off by default, in production too.
EGOV_BENCH_BASELINE = env_bool("EGOV_BENCH_BASELINE", False)

# --- Instance, signing, task health (egov.core) ------------------------------------------------
# The organisation that runs this instance (shown in the header; signs by default).
EGOV_INSTANCE_ORG_CODE = os.environ.get("EGOV_INSTANCE_ORG_CODE", "000.00.00.G22")
EGOV_INSTANCE_NAME = os.environ.get("EGOV_INSTANCE_NAME", "")
# PKI: development CA made on first start, or the operator's own files in production.
EGOV_PKI_DIR = Path(os.environ.get("EGOV_PKI_DIR", VAR_DIR / "pki"))
EGOV_PKI_AUTO_CREATE = env_bool("EGOV_PKI_AUTO_CREATE", not PRODUCTION)
# Officials' personal signatures (egov.core.signing.signer): the SigningService implementation, a
# dotted path. The development signer keeps a key per official under EGOV_PKI_DIR/people; a
# remote-signing provider or a USB-token bridge implements the same interface (docs/signing.md).
EGOV_SIGNING_SERVICE = os.environ.get(
    "EGOV_SIGNING_SERVICE", "egov.core.signing.signer.DevelopmentSigner"
)
# Stale ready tasks older than this many seconds make /healthz report the queue as failing.
EGOV_TASK_STALE_SECONDS = int(os.environ.get("EGOV_TASK_STALE_SECONDS", "300"))
# Outbox (egov.core.services.outbox): an attempt may run this long before the sweep takes its
# worker for dead and queues the row again (longer than any handler's timeout); the worker sweeps
# this often. Outbox rows due (or past their lease) for EGOV_TASK_STALE_SECONDS fail /healthz.
EGOV_OUTBOX_LEASE_SECONDS = int(os.environ.get("EGOV_OUTBOX_LEASE_SECONDS", "300"))
EGOV_OUTBOX_SWEEP_SECONDS = int(os.environ.get("EGOV_OUTBOX_SWEEP_SECONDS", "60"))
# Files no row references, older than an hour (egov.core.services.orphans): swept this often.
EGOV_FILE_SWEEP_SECONDS = int(os.environ.get("EGOV_FILE_SWEEP_SECONDS", "3600"))

# --- Document exchange (egov.exchange) ---------------------------------------------------------
EGOV_EXCHANGE_MAX_PACKAGE = int(os.environ.get("EGOV_EXCHANGE_MAX_PACKAGE", 40 * 1024 * 1024))
EGOV_EXCHANGE_MAX_ATTACHMENT = int(os.environ.get("EGOV_EXCHANGE_MAX_ATTACHMENT", 20 * 1024 * 1024))
# national: the hub delivers to every organisation of the registry (today's behaviour);
# provincial: recipients outside the instance organisation's subtree are relayed to the parent hub.
EGOV_EXCHANGE_ROLE = os.environ.get("EGOV_EXCHANGE_ROLE", "national")
if EGOV_EXCHANGE_ROLE not in {"national", "provincial"}:
    raise ImproperlyConfigured("EGOV_EXCHANGE_ROLE must be national or provincial")
EGOV_EXCHANGE_PARENT_URL = os.environ.get("EGOV_EXCHANGE_PARENT_URL", "").rstrip("/")
# This hub's API client at the parent: a secret, or a private key (PEM file) and its key id for
# RFC 7523 client assertions.
EGOV_EXCHANGE_PARENT_CLIENT_ID = os.environ.get("EGOV_EXCHANGE_PARENT_CLIENT_ID", "")
EGOV_EXCHANGE_PARENT_CLIENT_SECRET = os.environ.get("EGOV_EXCHANGE_PARENT_CLIENT_SECRET", "")
EGOV_EXCHANGE_PARENT_KEY_FILE = os.environ.get("EGOV_EXCHANGE_PARENT_KEY_FILE", "")
EGOV_EXCHANGE_PARENT_KEY_ID = os.environ.get("EGOV_EXCHANGE_PARENT_KEY_ID", "")
EGOV_EXCHANGE_PARENT_TIMEOUT = float(os.environ.get("EGOV_EXCHANGE_PARENT_TIMEOUT", "30"))
# After `egov exchange webhook-secret` rotates a mailbox's secret, pushes are signed with the old
# one too for this many hours (0: the old one stops at once).
EGOV_EXCHANGE_WEBHOOK_ROTATION_HOURS = float(
    os.environ.get("EGOV_EXCHANGE_WEBHOOK_ROTATION_HOURS", "24")
)
if EGOV_EXCHANGE_WEBHOOK_ROTATION_HOURS < 0:
    raise ImproperlyConfigured("EGOV_EXCHANGE_WEBHOOK_ROTATION_HOURS must be 0 or more")
# How often `egov serve` (through `egov exchange pull-parent --every`) asks the parent for news.
EGOV_EXCHANGE_PULL_SECONDS = float(os.environ.get("EGOV_EXCHANGE_PULL_SECONDS", "30"))
if EGOV_EXCHANGE_ROLE == "provincial" and not (
    EGOV_EXCHANGE_PARENT_URL
    and EGOV_EXCHANGE_PARENT_CLIENT_ID
    and (EGOV_EXCHANGE_PARENT_CLIENT_SECRET or EGOV_EXCHANGE_PARENT_KEY_FILE)
):
    raise ImproperlyConfigured(
        "EGOV_EXCHANGE_ROLE=provincial needs EGOV_EXCHANGE_PARENT_URL, "
        "EGOV_EXCHANGE_PARENT_CLIENT_ID and a secret or key file"
    )


# --- Petitions between instances (egov.petitions.peers, docs/petitions.md) ------------------------
def _json_setting(name: str) -> dict:
    """A JSON object from the environment ({} when unset); a clear error when it is not one."""
    raw = os.environ.get(name, "").strip()
    try:
        value = json.loads(raw) if raw else {}
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} is not valid JSON: {exc}") from exc
    if not isinstance(value, dict) or not all(
        isinstance(v, dict) and v.get("url") for v in value.values()
    ):
        raise ImproperlyConfigured(f'{name}: {{"<code>": {{"url": ..., "client_id": ...}}}}')
    return {code: {**v, "url": str(v["url"]).rstrip("/")} for code, v in value.items()}


# The national side: the provinces whose own instance handles the petitions forwarded to their
# organisations. JSON, by the province's organisation code:
# {"000.00.00.H26": {"url": "https://...", "client_id": "...", "client_secret": "..."}}
# (this instance's API client there: petitions.inbound and petitions.read on the province with
# its subtree).
EGOV_PETITIONS_PROVINCES = _json_setting("EGOV_PETITIONS_PROVINCES")
EGOV_PETITIONS_TIMEOUT = float(os.environ.get("EGOV_PETITIONS_TIMEOUT", "30"))

# --- Dossiers (egov.dossiers) ------------------------------------------------------------------
# The public address of the site, for links in e-mails to applicants (empty: a path only).
EGOV_PUBLIC_URL = os.environ.get("EGOV_PUBLIC_URL", "").rstrip("/")
# The largest file an applicant or official may attach to a dossier, in bytes.
EGOV_DOSSIER_MAX_FILE_BYTES = int(os.environ.get("EGOV_DOSSIER_MAX_FILE_BYTES", 10 * 1024 * 1024))
# Where the DejaVu Sans fonts of the signed PDF forms are (Debian's fonts-dejavu-core).
EGOV_PDF_FONT_DIR = Path(os.environ.get("EGOV_PDF_FONT_DIR", "/usr/share/fonts/truetype/dejavu"))

# --- Status sync with the national portal (egov.sync) -------------------------------------------
# off: nothing is synced; provincial: every act on a dossier is queued in the outbox and sent to
# EGOV_SYNC_NATIONAL_URL; national: this instance takes the provinces' sync (docs/sync.md).
EGOV_SYNC_ROLE = os.environ.get("EGOV_SYNC_ROLE", "off")
if EGOV_SYNC_ROLE not in {"off", "provincial", "national"}:
    raise ImproperlyConfigured("EGOV_SYNC_ROLE must be off, provincial or national")
EGOV_SYNC_NATIONAL_URL = os.environ.get("EGOV_SYNC_NATIONAL_URL", "").rstrip("/")
# The province's account at the national side (the session call's username and password) and its
# unit code (the "dstcode" header and "madonvi"; default: this instance's organisation).
EGOV_SYNC_USERNAME = os.environ.get("EGOV_SYNC_USERNAME", "")
EGOV_SYNC_PASSWORD = os.environ.get("EGOV_SYNC_PASSWORD", "")
EGOV_SYNC_UNIT_CODE = os.environ.get("EGOV_SYNC_UNIT_CODE", "") or EGOV_INSTANCE_ORG_CODE
EGOV_SYNC_TIMEOUT = float(os.environ.get("EGOV_SYNC_TIMEOUT", "15"))
if EGOV_SYNC_ROLE == "provincial" and not (
    EGOV_SYNC_NATIONAL_URL and EGOV_SYNC_USERNAME and EGOV_SYNC_PASSWORD
):
    raise ImproperlyConfigured(
        "EGOV_SYNC_ROLE=provincial needs EGOV_SYNC_NATIONAL_URL, EGOV_SYNC_USERNAME and "
        "EGOV_SYNC_PASSWORD"
    )

# --- Payments of fees (egov.payments) -----------------------------------------------------------
# VNPay 2.1.0: the merchant's terminal code and hash secret, the payment page and the merchant web
# API (querydr, refund). With EGOV_VNPAY_SANDBOX (default outside production) `egov serve` starts
# the development gateway (sandboxes/vnpay) on loopback and these point at it.
EGOV_VNPAY_SANDBOX = env_bool("EGOV_VNPAY_SANDBOX", not PRODUCTION)
EGOV_VNPAY_SANDBOX_PORT = int(os.environ.get("EGOV_VNPAY_SANDBOX_PORT", "8020"))
_vnpay_sandbox_url = f"http://127.0.0.1:{EGOV_VNPAY_SANDBOX_PORT}"
EGOV_VNPAY_TMN_CODE = os.environ.get("EGOV_VNPAY_TMN_CODE", "EGOVDEV1")
EGOV_VNPAY_HASH_SECRET = os.environ.get("EGOV_VNPAY_HASH_SECRET", "")
if not EGOV_VNPAY_HASH_SECRET and EGOV_VNPAY_SANDBOX:  # both sides derive it from the secret key
    import hashlib
    import hmac

    EGOV_VNPAY_HASH_SECRET = hmac.new(
        SECRET_KEY.encode(), b"egov-vnpay-sandbox", hashlib.sha256
    ).hexdigest()
EGOV_VNPAY_PAY_URL = os.environ.get(
    "EGOV_VNPAY_PAY_URL", f"{_vnpay_sandbox_url}/paymentv2/vpcpay.html"
)
EGOV_VNPAY_API_URL = os.environ.get(
    "EGOV_VNPAY_API_URL", f"{_vnpay_sandbox_url}/merchant_webapi/api/transaction"
)
EGOV_VNPAY_TIMEOUT = float(os.environ.get("EGOV_VNPAY_TIMEOUT", "10"))
# The national payment platform (Cổng DVC quốc gia): partner code, secret (MaXacThuc), bearer
# token, and the INIT, QUERY and GET_BILL addresses. EGOV_DVCQG_PAY_SANDBOX (default outside
# production): `egov serve` starts the development platform (sandboxes/dvcqg) and these point at it.
EGOV_DVCQG_PAY_SANDBOX = env_bool("EGOV_DVCQG_PAY_SANDBOX", not PRODUCTION)
EGOV_DVCQG_PAY_SANDBOX_PORT = int(os.environ.get("EGOV_DVCQG_PAY_SANDBOX_PORT", "8021"))
_dvcqg_sandbox_url = f"http://127.0.0.1:{EGOV_DVCQG_PAY_SANDBOX_PORT}"
EGOV_DVCQG_PAY_PARTNER = os.environ.get("EGOV_DVCQG_PAY_PARTNER", "EGOVDEV")
EGOV_DVCQG_PAY_SECRET = os.environ.get("EGOV_DVCQG_PAY_SECRET", "")
EGOV_DVCQG_PAY_TOKEN = os.environ.get("EGOV_DVCQG_PAY_TOKEN", "")
if EGOV_DVCQG_PAY_SANDBOX:  # both sides derive them from the secret key
    import hashlib
    import hmac

    EGOV_DVCQG_PAY_SECRET = (
        EGOV_DVCQG_PAY_SECRET
        or hmac.new(SECRET_KEY.encode(), b"egov-dvcqg-pay-secret", hashlib.sha256).hexdigest()
    )
    EGOV_DVCQG_PAY_TOKEN = (
        EGOV_DVCQG_PAY_TOKEN
        or hmac.new(SECRET_KEY.encode(), b"egov-dvcqg-pay-token", hashlib.sha256).hexdigest()
    )
EGOV_DVCQG_PAY_INIT_URL = os.environ.get("EGOV_DVCQG_PAY_INIT_URL", f"{_dvcqg_sandbox_url}/init")
EGOV_DVCQG_PAY_QUERY_URL = os.environ.get("EGOV_DVCQG_PAY_QUERY_URL", f"{_dvcqg_sandbox_url}/query")
EGOV_DVCQG_PAY_BILL_URL = os.environ.get("EGOV_DVCQG_PAY_BILL_URL", f"{_dvcqg_sandbox_url}/getbill")
EGOV_DVCQG_PAY_SANDBOX_DIR = Path(
    os.environ.get("EGOV_DVCQG_PAY_SANDBOX_DIR", PACKAGE_DIR.parent.parent / "sandboxes" / "dvcqg")
)
# Reconciliation: a payment without its callback after this many minutes is queried at its
# gateway; `egov serve` runs `egov payments reconcile --every` this many seconds (0: not run).
EGOV_PAYMENTS_PENDING_MINUTES = float(os.environ.get("EGOV_PAYMENTS_PENDING_MINUTES", "15"))
EGOV_PAYMENTS_RECONCILE_SECONDS = float(os.environ.get("EGOV_PAYMENTS_RECONCILE_SECONDS", "60"))
EGOV_VNPAY_SANDBOX_DIR = Path(
    os.environ.get("EGOV_VNPAY_SANDBOX_DIR", PACKAGE_DIR.parent.parent / "sandboxes" / "vnpay")
)
# VietQR (NAPAS 247) on the fee page: the collecting account's bank BIN (6 digits), account
# number and name. Unset in production: no code is shown. Elsewhere a demo account no bank has.
EGOV_VIETQR_BIN = os.environ.get("EGOV_VIETQR_BIN", "" if PRODUCTION else "970415")
EGOV_VIETQR_ACCOUNT = os.environ.get("EGOV_VIETQR_ACCOUNT", "" if PRODUCTION else "EGOVDEMO0001")
EGOV_VIETQR_ACCOUNT_NAME = os.environ.get(
    "EGOV_VIETQR_ACCOUNT_NAME", "" if PRODUCTION else "TAI KHOAN THU PHI (DEMO)"
)
# The bank's name, shown beside its BIN (names, not codes).
EGOV_VIETQR_BANK_NAME = os.environ.get(
    "EGOV_VIETQR_BANK_NAME", "" if PRODUCTION else "VietinBank (demo)"
)

# Search results remembered per web process (egov.catalog.results): entries; 0 turns it off.
EGOV_SEARCH_MEMO = int(os.environ.get("EGOV_SEARCH_MEMO", "2000"))
# Rendered results sections of the portal's search page remembered per web process: entries
# (0.6-14 k characters each); 0 turns it off.
EGOV_SEARCH_PAGE_MEMO = int(os.environ.get("EGOV_SEARCH_PAGE_MEMO", "500"))

# --- e-Cabinet (egov.cabinet) ------------------------------------------------------------------
# Reminders of an opinion ballot to members who have not answered (and their assistants): hours
# before its deadline, one reminder per offset; an overdue alert follows at the deadline.
EGOV_CABINET_REMINDER_HOURS = [float(h) for h in env_list("EGOV_CABINET_REMINDER_HOURS", "48,4")]
# The text-message (SMS) gateway of reminders: a dotted path to a class with send(number, text);
# the default writes them to the log (no gateway yet).
EGOV_CABINET_SMS = os.environ.get("EGOV_CABINET_SMS", "egov.cabinet.services.reminders.LogSms")

# --- Running: egov serve (egov.site) -----------------------------------------------------------
EGOV_HOST = os.environ.get("EGOV_HOST", "127.0.0.1")
EGOV_PORT = int(os.environ.get("EGOV_PORT", "8000"))
EGOV_WEB_WORKERS = int(os.environ.get("EGOV_WEB_WORKERS", "3"))
EGOV_WEB_THREADS = int(os.environ.get("EGOV_WEB_THREADS", "4"))

# --- Citizen login, OpenID Connect (egov.accounts) ---------------------------------------------
# bundled: `egov serve` starts the development provider (oidc-provider/, Node) on loopback;
# external: any OIDC provider (VNeID in production); off: no citizen login.
EGOV_OIDC_ISSUER = os.environ.get("EGOV_OIDC_ISSUER", "").rstrip("/")
EGOV_OIDC_PROVIDER = os.environ.get(
    "EGOV_OIDC_PROVIDER", "external" if EGOV_OIDC_ISSUER else ("off" if PRODUCTION else "bundled")
)
if EGOV_OIDC_PROVIDER not in {"bundled", "external", "off"}:
    raise ImproperlyConfigured("EGOV_OIDC_PROVIDER must be bundled, external or off")
EGOV_OIDC_PROVIDER_PORT = int(os.environ.get("EGOV_OIDC_PROVIDER_PORT", "8010"))
EGOV_OIDC_PROVIDER_DIR = Path(
    os.environ.get("EGOV_OIDC_PROVIDER_DIR", PACKAGE_DIR.parent.parent / "oidc-provider")
)
EGOV_OIDC_CLIENT_ID = os.environ.get("EGOV_OIDC_CLIENT_ID", "egov")
EGOV_OIDC_CLIENT_SECRET = os.environ.get("EGOV_OIDC_CLIENT_SECRET", "")
if EGOV_OIDC_PROVIDER == "bundled":
    EGOV_OIDC_ISSUER = EGOV_OIDC_ISSUER or f"http://127.0.0.1:{EGOV_OIDC_PROVIDER_PORT}"
    if not EGOV_OIDC_CLIENT_SECRET:  # both sides derive it from the secret key
        import hashlib
        import hmac

        EGOV_OIDC_CLIENT_SECRET = hmac.new(
            SECRET_KEY.encode(), b"egov-oidc-client", hashlib.sha256
        ).hexdigest()
elif EGOV_OIDC_PROVIDER == "external" and not (EGOV_OIDC_ISSUER and EGOV_OIDC_CLIENT_SECRET):
    raise ImproperlyConfigured("EGOV_OIDC_ISSUER and EGOV_OIDC_CLIENT_SECRET are required")
EGOV_OIDC_SCOPES = os.environ.get("EGOV_OIDC_SCOPES", "openid profile email phone address citizen")
# The provider's acr values for assurance levels 1, 2, ... in order.
EGOV_OIDC_ACR_VALUES = env_list("EGOV_OIDC_ACR_VALUES", "urn:egov:loa:1,urn:egov:loa:2")
EGOV_OIDC_PID_CLAIM = os.environ.get("EGOV_OIDC_PID_CLAIM", "personal_id_number")
EGOV_OIDC_LEEWAY = int(os.environ.get("EGOV_OIDC_LEEWAY", "60"))
EGOV_OIDC_JWKS_TTL = int(os.environ.get("EGOV_OIDC_JWKS_TTL", "3600"))
EGOV_OIDC_TIMEOUT = float(os.environ.get("EGOV_OIDC_TIMEOUT", "10"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("EGOV_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
