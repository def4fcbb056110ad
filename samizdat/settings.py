"""Samizdat settings: one module, driven by the environment.

Production is the default (DEBUG off, a secret key required). ``SAMIZDAT_ENV=demo`` turns on the demo conveniences
(a throw-away secret key, media served by Django); ``SAMIZDAT_ENV=test`` is set by the test suite.
"""

import ipaddress
import json
import os
import re
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name, default=None):
    return os.environ.get(name, default)


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


SAMIZDAT_ENV = env("SAMIZDAT_ENV", "production")
if SAMIZDAT_ENV not in {"production", "demo", "test"}:
    raise ImproperlyConfigured(f"SAMIZDAT_ENV must be production, demo or test, not {SAMIZDAT_ENV!r}")
IS_PRODUCTION = SAMIZDAT_ENV == "production"

DEBUG = env_bool("DEBUG", False)

SECRET_KEY = env("SECRET_KEY")
if not SECRET_KEY:
    if IS_PRODUCTION:
        raise ImproperlyConfigured("Set SECRET_KEY (or SAMIZDAT_ENV=demo for a local demo).")
    SECRET_KEY = f"insecure-{SAMIZDAT_ENV}-key-never-use-in-production"

# The newsroom's canonical address: used only where nothing is fetched (canonical links, OpenGraph, JSON-LD, feeds,
# sitemaps). Pages never name the host they are served from.
# The demo's mails link back to the demo itself.
CANONICAL_URL = env(
    "CANONICAL_URL", "http://127.0.0.1:8000" if SAMIZDAT_ENV == "demo" else "https://samizdat.example"
).rstrip("/")
# The domain of the addresses made from it (remind@, mirrors@): its host without a port; an IP as an address literal.
_CANONICAL_HOST = urlsplit(CANONICAL_URL).hostname or "localhost"
try:
    MAIL_DOMAIN = f"[{ipaddress.ip_address(_CANONICAL_HOST)}]"
except ValueError:
    MAIL_DOMAIN = _CANONICAL_HOST

# Proxies of the newsroom's own (nginx, a load balancer, a CDN's addresses) whose X-Forwarded-For is believed when
# working out a reader's address for the per-reader limits (core/client_address.py). Empty: the header is ignored.
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "" if IS_PRODUCTION else "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
# The newsroom's onion service (docs/production.md): its bare v3 host, `<56 characters>.onion` (checked by
# `manage.py check`, mirrors.E001). Set, its host is served and trusted for forms, clearnet HTTPS pages offer it in an
# Onion-Location header and exported pages in a meta tag; empty, nothing of it exists.
ONION_ADDRESS = env("ONION_ADDRESS", "").strip().lower()
if ONION_ADDRESS:
    ALLOWED_HOSTS = [*ALLOWED_HOSTS, ONION_ADDRESS]
    CSRF_TRUSTED_ORIGINS = [*CSRF_TRUSTED_ORIGINS, f"http://{ONION_ADDRESS}"]

INSTALLED_APPS = [
    "core",
    "publishing",
    "support",
    "mirrors",
    "newsletters",
    "csp",
    "wagtail.contrib.redirects",
    "wagtail.contrib.routable_page",
    "wagtail.contrib.settings",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    "django_tasks",
    "django_tasks_db",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
]

MIDDLEWARE = [
    # First, so that a cached page is answered before anything else runs.
    "core.middleware.PageCacheMiddleware",
    # Next, so that a malformed request (a Content-Length that is no number, a NUL in the query, a form that cannot be
    # read, a host not allowed) gets a plain 400 or 413 before anything reads it, never a 500 (core/request_guard.py).
    "core.request_guard.RequestGuardMiddleware",
    # Django's SecurityMiddleware, but the onion host is never redirected to HTTPS nor sent HSTS (core/onion.py).
    "core.middleware.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Inside the page cache, so that a cached page keeps the header it was stored with.
    "core.middleware.ContentSecurityPolicyMiddleware",
    "core.middleware.ReadingHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

ROOT_URLCONF = "samizdat.urls"
WSGI_APPLICATION = "samizdat.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "core.context_processors.site",
                "mirrors.context_processors.export_mode",
            ],
        },
    },
]

# --- Database: SQLite is the embedded default; DATABASE_URL selects PostgreSQL.
DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{BASE_DIR / 'var' / 'samizdat.sqlite3'}"),
        conn_max_age=int(env("DATABASE_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            # Reports read the whole ledger: a 64 MB page cache and the file mapped into memory (read only; writes
            # still go through SQLite's journal) keep a large ledger from being read from disk page by page.
            "init_command": "PRAGMA cache_size = -65536; PRAGMA mmap_size = 268435456;",
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache: local memory by default, Redis with CACHE_URL=redis://…  Pages, limits and counters all go through it,
# so several app processes agree once it is shared.
CACHE_URL = env("CACHE_URL", "locmem://")
if CACHE_URL.startswith(("redis://", "rediss://")):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}}
elif CACHE_URL.startswith("locmem://"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": CACHE_URL.removeprefix("locmem://") or "samizdat",
            "OPTIONS": {"MAX_ENTRIES": 5000},
        }
    }
elif CACHE_URL.startswith("dummy://"):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
else:
    raise ImproperlyConfigured("CACHE_URL must start with locmem://, redis://, rediss:// or dummy://")
# Wagtail looks renditions up here on every render; keeping them in each process spares the shared cache eight writes
# per article render. Entries are short-lived, so a deleted image is forgotten everywhere within five minutes.
CACHES["renditions"] = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "samizdat-renditions",
    "TIMEOUT": 300,
    "OPTIONS": {"MAX_ENTRIES": 20000},
}

# Whole reading pages are cached as bytes for this long (they are also invalidated on every publish).
PAGE_CACHE_SECONDS = int(env("PAGE_CACHE_SECONDS", "600"))
PAGE_CACHE_BROTLI_QUALITY = int(env("PAGE_CACHE_BROTLI_QUALITY", "5"))
# Cache hits answered at the WSGI level, before Django's request and middleware (core.fast_path); the same bytes.
PAGE_CACHE_FAST_PATH = env_bool("PAGE_CACHE_FAST_PATH", True)
# With Redis, each app process keeps its own copies of the pages it answered lately, let go of at once when Redis
# announces a publish (core.page_memo), and in any case after PAGE_CACHE_LOCAL_SECONDS. 0 pages turns them off.
PAGE_CACHE_LOCAL_PAGES = int(env("PAGE_CACHE_LOCAL_PAGES", "200"))
PAGE_CACHE_LOCAL_SECONDS = float(env("PAGE_CACHE_LOCAL_SECONDS", "2"))
# Personal or write-only paths the page cache never even looks up (they are never reading pages).
PAGE_CACHE_SKIP_PREFIXES = (
    "/support/pay/",
    "/support/manage/",
    "/support/remind/",
    "/support/events/",
    "/support/webhooks/",
)
# What readers' browsers and shared caches (CDN, mirrors) are told.
READING_MAX_AGE = int(env("READING_MAX_AGE", "60"))
# /support/goal.json: the live figures, cacheable for about a minute.
GOAL_MAX_AGE = int(env("GOAL_MAX_AGE", "60"))
# /support/events/ (support/beacons.py): the reader script's events one client address may send within
# SUPPORT_BEACON_WINDOW seconds; past that its beacons are refused (429) and not counted. A page sends a few.
SUPPORT_BEACON_LIMIT = int(env("SUPPORT_BEACON_LIMIT", "600"))
SUPPORT_BEACON_WINDOW = int(env("SUPPORT_BEACON_WINDOW", "600"))
if SUPPORT_BEACON_LIMIT < 1 or SUPPORT_BEACON_WINDOW < 1:
    raise ImproperlyConfigured("SUPPORT_BEACON_LIMIT and SUPPORT_BEACON_WINDOW must be 1 or more.")

# --- Background tasks (Wagtail enqueues its own: search and reference index).
# Tests run tasks at once, in the same process; everywhere else a worker (`manage.py db_worker`) runs them.
_DEFAULT_TASKS_BACKEND = (
    "django_tasks.backends.immediate.ImmediateBackend" if SAMIZDAT_ENV == "test" else "django_tasks_db.DatabaseBackend"
)
TASKS = {"default": {"BACKEND": env("TASKS_BACKEND", _DEFAULT_TASKS_BACKEND)}}

# --- Search: the database backend by default; SEARCH_URL=opensearch://host:9200 or elasticsearch://… by setting.
SEARCH_URL = env("SEARCH_URL", "")
if SEARCH_URL.startswith(("opensearch", "elasticsearch")):
    _scheme, _, _rest = SEARCH_URL.partition("://")
    WAGTAILSEARCH_BACKENDS = {
        "default": {
            "BACKEND": "wagtail.search.backends.elasticsearch8"
            if _scheme == "elasticsearch"
            else "wagtail.search.backends.opensearch2",
            "URLS": [f"http://{_rest}"],
            "INDEX": env("SEARCH_INDEX", "samizdat"),
        }
    }
else:
    WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}

# --- Internationalisation: the language lives in the content (an article's language), never in a cookie or header.
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("ru", "Русский")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES

# --- Static and media: always root-relative, so the same bytes work on any mirror.
STATIC_URL = "/static/"
STATIC_ROOT = Path(env("STATIC_ROOT", BASE_DIR / "var" / "static"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", BASE_DIR / "var" / ("test-media" if SAMIZDAT_ENV == "test" else "media")))
# The demo has no web server in front, so Django serves media there; production lets nginx do it.
SERVE_MEDIA = env_bool("SERVE_MEDIA", not IS_PRODUCTION)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"
        if IS_PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = not IS_PRODUCTION
if not IS_PRODUCTION:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise looks for it even when it serves from the finders
WHITENOISE_MAX_AGE = 3600

# --- E-mail
EMAIL_HOST = env("EMAIL_HOST", "127.0.0.1")
EMAIL_PORT = int(env("EMAIL_PORT", "25" if IS_PRODUCTION else "8025"))
EMAIL_HOST_USER = env("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "newsroom@samizdat.example")
# The demo's mailbox at /demo/mail/ (core/demo_mailbox.py) reads this Maildir, where the demo's SMTP sink writes.
# Never in production: there the pages do not exist, whatever the environment says.
DEMO_MAILBOX_DIR = (
    "" if IS_PRODUCTION else env("DEMO_MAILBOX_DIR", str(BASE_DIR / "var" / "mail") if SAMIZDAT_ENV == "demo" else "")
)
# `load_demo` also writes two years of ledger history (support/demo_history.py) at this scale; 0: none (the tests').
DEMO_HISTORY = float(env("DEMO_HISTORY", "1" if SAMIZDAT_ENV == "demo" else "0"))

# --- Security headers.
# One Content-Security-Policy for every response but the editors' (django-csp, through
# core.middleware.ContentSecurityPolicyMiddleware): our own files only, no inline script or style (so no nonce, which
# would break identical bytes), no fonts or frames from anywhere else. Only the card step of checkout widens it, with
# Stripe.js's origin (support.views.card.card_step_csp). The static export repeats it in a meta tag
# (core.reading.policy_for_meta).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "media-src": ["'self'"],
        "object-src": ["'none'"],
        "frame-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}
# The editors' side (/admin/, /django-admin/) replaces these directives of the policy above: Wagtail's admin writes
# inline scripts and styles, shows uploads as data: and blob: previews, and frames its own page previews. It still
# loads nothing from another host.
EDITOR_CONTENT_SECURITY_POLICY = {
    "script-src": ["'self'", "'unsafe-inline'"],
    "style-src": ["'self'", "'unsafe-inline'"],
    "img-src": ["'self'", "data:", "blob:"],
    "frame-src": ["'self'"],
    "frame-ancestors": ["'self'"],
}
# Wagtail would show editors' avatars from gravatar.com, telling it who works in the newsroom.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
# The admin keeps same-origin referrers (browsers send "Origin: null" on form posts under no-referrer, which Django's
# CSRF check refuses); reading pages send none at all (core.middleware.ReadingHeadersMiddleware).
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# --- TLS (docs/production.md). nginx terminates TLS (deploy/nginx/samizdat.conf) and tells the app the scheme in
# X-Forwarded-Proto, overwriting whatever a reader sent. The app believes that header only when TRUSTED_PROXIES names
# the proxies in front of it, so it must then listen where only they reach it (deploy/gunicorn.conf.py binds
# 127.0.0.1). Production redirects plain HTTP and sends HSTS for a year, with subdomains and the preload flag (which
# only matters once the host is submitted to the browsers' preload list); nginx sends the same value for the files it
# serves itself (manage.py nginx_site reads these settings).
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", IS_PRODUCTION)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if TRUSTED_PROXIES else None
SECURE_HSTS_SECONDS = int(env("SECURE_HSTS_SECONDS", str(365 * 24 * 3600) if IS_PRODUCTION else "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", IS_PRODUCTION)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", IS_PRODUCTION)
if SECURE_HSTS_SECONDS < 0:
    raise ImproperlyConfigured("SECURE_HSTS_SECONDS is a number of seconds: 0 (off) or more.")
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", IS_PRODUCTION)
# Django looks for its own SecurityMiddleware by name; core.checks runs its deploy checks for ours instead.
SILENCED_SYSTEM_CHECKS = ["security.W001"]
# Old keys still accepted for signed links and sessions while a new SECRET_KEY takes over (docs/production.md).
SECRET_KEY_FALLBACKS = env_list("SECRET_KEY_FALLBACKS")
SESSION_COOKIE_HTTPONLY = True

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# --- Sign-in throttle (core/sign_in/): Django's own users and permissions, with wrong passwords counted per account
# and per client address in the cache. SIGN_IN_FAILURE_LIMIT wrong passwords for one account (or
# SIGN_IN_ADDRESS_FAILURE_LIMIT from one address: a whole newsroom may share one) within SIGN_IN_WINDOW seconds pause
# signing in there for SIGN_IN_LOCK_SECONDS, even with the right password; the pause ends by itself.
AUTHENTICATION_BACKENDS = ["core.sign_in.backend.ThrottledModelBackend"]
SIGN_IN_FAILURE_LIMIT = int(env("SIGN_IN_FAILURE_LIMIT", "5"))
SIGN_IN_ADDRESS_FAILURE_LIMIT = int(env("SIGN_IN_ADDRESS_FAILURE_LIMIT", "30"))
SIGN_IN_WINDOW = int(env("SIGN_IN_WINDOW", str(15 * 60)))
SIGN_IN_LOCK_SECONDS = int(env("SIGN_IN_LOCK_SECONDS", str(15 * 60)))
if min(SIGN_IN_FAILURE_LIMIT, SIGN_IN_ADDRESS_FAILURE_LIMIT, SIGN_IN_WINDOW, SIGN_IN_LOCK_SECONDS) < 1:
    raise ImproperlyConfigured("SIGN_IN_FAILURE_LIMIT, _ADDRESS_FAILURE_LIMIT, _WINDOW, _LOCK_SECONDS: 1 or more.")

# --- Wagtail
WAGTAIL_SITE_NAME = env("SITE_NAME", "Samizdat")
WAGTAILADMIN_BASE_URL = env("ADMIN_BASE_URL", CANONICAL_URL)
WAGTAILIMAGES_IMAGE_MODEL = "publishing.NewsImage"
WAGTAILIMAGES_IMAGE_FORM_BASE = "publishing.forms.NewsImageForm"
WAGTAILDOCS_EXTENSIONS = ["csv", "pdf", "txt", "odt", "docx", "xlsx"]
WAGTAIL_ENABLE_UPDATE_CHECK = False
WAGTAILADMIN_RICH_TEXT_EDITORS = {
    "default": {
        "WIDGET": "wagtail.admin.rich_text.DraftailRichTextArea",
        "OPTIONS": {"features": ["bold", "italic", "link"]},
    }
}
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Every record leaves through the one console handler, whose filter replaces the secrets of links (magic-link
    # tokens, reminder links, pay pages) with "[redacted]" in its message, exception and request
    # (core/log_redaction.py); deploy/gunicorn.conf.py puts the same filter on gunicorn's own handlers.
    "filters": {"redact_secrets": {"()": "core.log_redaction.RedactSecrets"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["redact_secrets"]}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO" if IS_PRODUCTION else "WARNING").upper()},
    "loggers": {
        # The Stripe SDK writes two INFO lines for every API call (every webhook's re-fetch): noise in the journal, and
        # CPU on the hot path. Its warnings and errors still come through; STRIPE_LOG_LEVEL=INFO brings the lines back.
        "stripe": {"level": env("STRIPE_LOG_LEVEL", "WARNING")},
        # Django's own handlers (a console shown with DEBUG on, mail to ADMINS; the development server's request
        # lines) would write records unfiltered: they go to the console above instead.
        "django": {"handlers": [], "propagate": True},
        "django.server": {"handlers": ["console"], "propagate": False},
    },
}

# --- Scheduler: `manage.py run_scheduler` runs these management commands every minute, in this order. A setting
# (not an import) so that core, which owns the scheduler, knows no app: publishing (Wagtail's scheduled pages) and
# support (due reminders, purge of unconfirmed ones, abandoned card attempts), mirrors (the published tree's live
# figures, the signed mirror list's renewal). An entry may carry arguments ("publish_tree --refresh").
SCHEDULED_COMMANDS = env_list(
    "SCHEDULED_COMMANDS",
    "publish_scheduled,send_due_reminders,expire_card_attempts,publish_tree --refresh,sign_mirror_list,"
    "revenue_tallies --compact,send_supporter_notices,apply_retention",
)
# Keeping supporters (support.dunning): the days after a failed renewal on which its reminders go out (the first mail
# goes at once; an empty list sends no reminder), and how many days before an annual contribution renews its notice.
DUNNING_REMINDER_DAYS = [int(day) for day in env_list("DUNNING_REMINDER_DAYS", "1,4,8")]
ANNUAL_NOTICE_DAYS = int(env("ANNUAL_NOTICE_DAYS", "14"))
# Days after a regular contribution ended (cancelled or lapsed) that its supporter gets the one win-back mail; 0: none.
WINBACK_MAIL_DAYS = int(env("WINBACK_MAIL_DAYS", "0"))
# Seconds before a mail server that does not answer is given up: sending a reminder holds its row lock meanwhile.
EMAIL_TIMEOUT = int(env("EMAIL_TIMEOUT", "20"))

# --- Checkout and payment providers (support/checkout.py, support/providers/).
# Currencies readers may choose at checkout (the active campaign's own currency is always offered, first). Minimums and
# the maximum are the campaign's numbers in every currency.
SUPPORT_CURRENCIES = env_list("SUPPORT_CURRENCIES", "EUR,USD,GBP")
# The amount ladder of each currency: "monthly" and "once" choices (annual = monthly × 12). The campaign's own currency
# uses the campaign's choices (editors set them); another currency uses its entry here, or else the campaign's numbers.
# SUPPORT_AMOUNTS (JSON, same shape) replaces the entries it names: {"USD": {"monthly": "5, 10, 25", "once": "…"}}.
SUPPORT_AMOUNTS = {
    "EUR": {"monthly": "5, 10, 20", "once": "10, 25, 50"},
    "USD": {"monthly": "6, 12, 25", "once": "12, 30, 60"},
    "GBP": {"monthly": "4, 8, 16", "once": "8, 20, 40"},
    "CHF": {"monthly": "5, 10, 20", "once": "10, 25, 50"},
    "SEK": {"monthly": "50, 100, 200", "once": "100, 250, 500"},
    "RUB": {"monthly": "300, 500, 1000", "once": "500, 1000, 2500"},
}
if env("SUPPORT_AMOUNTS"):
    try:
        _amounts = json.loads(env("SUPPORT_AMOUNTS"))
    except ValueError as error:
        raise ImproperlyConfigured(f"SUPPORT_AMOUNTS is not valid JSON: {error}") from None
    if not isinstance(_amounts, dict) or not all(isinstance(entry, dict) for entry in _amounts.values()):
        raise ImproperlyConfigured('SUPPORT_AMOUNTS must be a JSON object: {"USD": {"monthly": "5, 10, 25"}, ...}')
    SUPPORT_AMOUNTS = {**SUPPORT_AMOUNTS, **_amounts}
# "Cover the fees" adds this percentage of the amount, rounded to the currency's minor unit (3 % of €10 is €0.30).
SUPPORT_FEE_PERCENT = Decimal(env("SUPPORT_FEE_PERCENT", "3"))
# How long a rendered checkout form may be sent (its one-time token is signed with a timestamp); a double submission
# within this time leads to the first contribution, never a second one.
SUPPORT_CHECKOUT_FORM_MAX_AGE = int(env("SUPPORT_CHECKOUT_FORM_MAX_AGE", str(24 * 3600)))
# /support/qr/<asset>.png: public, cacheable this long (addresses change only with this setting).
SUPPORT_QR_MAX_AGE = int(env("SUPPORT_QR_MAX_AGE", "3600"))
# Payment providers: key → options (support/providers/registry.py). Off unless listed. Production enables nothing until
# PAYMENT_PROVIDERS (JSON) is set; the demo and the tests get details that are clearly fake and that no bank or
# wallet accepts (an IBAN with check digits 00, addresses with hyphens). Card (Stripe) is enabled once the STRIPE_*
# settings below are set, but readers are offered it only when its checkout step exists (see stripe_card.py).
_DEMO_PAYMENT_PROVIDERS = {
    "bank_transfer": {
        "account_holder": "Samizdat Media (DEMO — do not pay)",
        "iban": "XX00 0000 0000 0000 0000 00",
        "bic": "DEMOXXXXXXX",
        "bank_name": "Demo Bank (not a real bank)",
        "currencies": ["EUR", "USD", "GBP"],
    },
    "crypto": {
        "addresses": {
            "BTC": "bc1q-DEMO-not-a-real-address",
            "USDT (TRC-20)": "T-DEMO-not-a-real-address",
            "XMR": "4-DEMO-not-a-real-address",
        },
    },
}
if env("PAYMENT_PROVIDERS"):
    try:
        PAYMENT_PROVIDERS = json.loads(env("PAYMENT_PROVIDERS"))
    except ValueError as error:
        raise ImproperlyConfigured(f"PAYMENT_PROVIDERS is not valid JSON: {error}") from None
    if not isinstance(PAYMENT_PROVIDERS, dict):
        raise ImproperlyConfigured('PAYMENT_PROVIDERS must be a JSON object: {"bank_transfer": {...}, ...}')
else:
    PAYMENT_PROVIDERS = {} if IS_PRODUCTION else _DEMO_PAYMENT_PROVIDERS
    if SAMIZDAT_ENV == "demo":
        # the demo's card payments go to the localstripe that `rundemo` starts (card 4242 4242 4242 4242)
        PAYMENT_PROVIDERS = {"card": {}, **PAYMENT_PROVIDERS}

# --- Card payments (Stripe; support/providers/stripe_card.py). Outside production the API is localstripe on this
# machine with a fake key. The provider registers (key "card") only when the secret key, the publishable key and the
# webhook secret are all set; it is offered to readers only if PAYMENT_PROVIDERS lists "card" as well.
STRIPE_API_BASE = env("STRIPE_API_BASE", "https://api.stripe.com" if IS_PRODUCTION else "http://127.0.0.1:8420")
STRIPE_SECRET_KEY = env("STRIPE_SECRET_KEY", "" if IS_PRODUCTION else "sk_test_demo")
# The demo talks to the localstripe that `rundemo` starts, with keys and a webhook secret of its own.
STRIPE_PUBLISHABLE_KEY = env("STRIPE_PUBLISHABLE_KEY", "pk_test_demo" if SAMIZDAT_ENV == "demo" else "")
STRIPE_JS_URL = env(
    "STRIPE_JS_URL", "https://js.stripe.com/v3/" if IS_PRODUCTION else "http://127.0.0.1:8420/js.stripe.com/v3/"
)
STRIPE_WEBHOOK_SECRET = env("STRIPE_WEBHOOK_SECRET", "whsec_demo" if SAMIZDAT_ENV == "demo" else "")
STRIPE_WEBHOOK_TOLERANCE = int(env("STRIPE_WEBHOOK_TOLERANCE", "300"))
# Seconds a webhook's signature may be dated ahead of this machine's clock (Stripe's and ours are both kept by NTP);
# one dated further ahead is refused, since it would pass the tolerance above for as long as its date lies ahead.
STRIPE_WEBHOOK_FUTURE_SKEW = int(env("STRIPE_WEBHOOK_FUTURE_SKEW", "60"))
if STRIPE_WEBHOOK_FUTURE_SKEW < 0:
    raise ImproperlyConfigured("STRIPE_WEBHOOK_FUTURE_SKEW is a number of seconds, 0 or more.")
# What a supporter's statements say (docs/production.md, "Neutral names on statements"): a supporter whose bank or card
# statements are read by others should find no newsroom's name there. BANK_ACCOUNT_HOLDER, when set, is the account
# holder readers are told to pay (the name the account is really held under: banks check it), instead of
# PAYMENT_PROVIDERS' "account_holder". CARD_STATEMENT_DESCRIPTOR (5–22 Latin letters, digits, spaces and . , -) goes
# on the card subscriptions' products at Stripe and is what readers are told their card statement shows; set the
# Stripe account's own statement descriptor, which one-time card payments carry, to the same name.
BANK_ACCOUNT_HOLDER = env("BANK_ACCOUNT_HOLDER", "").strip()
CARD_STATEMENT_DESCRIPTOR = env("CARD_STATEMENT_DESCRIPTOR", "").strip()
if CARD_STATEMENT_DESCRIPTOR and not re.fullmatch(r"(?=.*[A-Za-z])[A-Za-z0-9 .,\-]{5,22}", CARD_STATEMENT_DESCRIPTOR):
    raise ImproperlyConfigured(
        "CARD_STATEMENT_DESCRIPTOR is 5 to 22 Latin letters, digits, spaces and . , - with at least one letter."
    )

# --- Card-testing defence (support/cards/). Besides the per-source limits (declines per client address,
# contribution and supporter address), a site-wide breaker pauses card payments for CARD_BREAKER_PAUSE_SECONDS when,
# within CARD_BREAKER_WINDOW seconds, at least CARD_BREAKER_MIN_FAILURES card attempts were declined AND declines were
# at least CARD_BREAKER_FAILURE_RATIO of all card attempts (so a busy day with the usual few declines never trips it).
# Staff are alerted once per pause: the users who may resume card payments (the Revenue role) and SUPPORT_ALERT_EMAILS.
CARD_BREAKER_MIN_FAILURES = int(env("CARD_BREAKER_MIN_FAILURES", "20"))
CARD_BREAKER_WINDOW = int(env("CARD_BREAKER_WINDOW", str(10 * 60)))
CARD_BREAKER_FAILURE_RATIO = float(env("CARD_BREAKER_FAILURE_RATIO", "0.5"))
CARD_BREAKER_PAUSE_SECONDS = int(env("CARD_BREAKER_PAUSE_SECONDS", str(60 * 60)))
if CARD_BREAKER_MIN_FAILURES < 1 or CARD_BREAKER_WINDOW < 10 or CARD_BREAKER_PAUSE_SECONDS < 1:
    raise ImproperlyConfigured("CARD_BREAKER_MIN_FAILURES, _WINDOW (≥ 10 s) and _PAUSE_SECONDS must be positive.")
if not 0 < CARD_BREAKER_FAILURE_RATIO <= 1:
    raise ImproperlyConfigured("CARD_BREAKER_FAILURE_RATIO is a share of card attempts: above 0, at most 1.")
SUPPORT_ALERT_EMAILS = env_list("SUPPORT_ALERT_EMAILS")
# Starting card checkouts (support/start_limits.py), counted before anything is stored or created at Stripe: at most
# CARD_STARTS_PER_ADDRESS from one client address (an IPv6 address by its /64) and CARD_STARTS_PER_EMAIL with one email
# address within CARD_STARTS_WINDOW seconds, and CARD_STARTS_SITEWIDE a minute across the site (reaching it is audited
# and mailed to the same staff, at most once an hour). 0 turns a limit off. A reader starts one, or a few.
CARD_STARTS_PER_ADDRESS = int(env("CARD_STARTS_PER_ADDRESS", "10"))
CARD_STARTS_PER_EMAIL = int(env("CARD_STARTS_PER_EMAIL", "5"))
CARD_STARTS_WINDOW = int(env("CARD_STARTS_WINDOW", str(60 * 60)))
CARD_STARTS_SITEWIDE = int(env("CARD_STARTS_SITEWIDE", "120"))
if min(CARD_STARTS_PER_ADDRESS, CARD_STARTS_PER_EMAIL, CARD_STARTS_SITEWIDE) < 0 or CARD_STARTS_WINDOW < 1:
    raise ImproperlyConfigured("CARD_STARTS_PER_ADDRESS, _PER_EMAIL and _SITEWIDE are 0 (off) or more; _WINDOW ≥ 1 s.")
# The same for bank transfer and crypto together (each start is a pending contribution and, with an email, a
# supporter's address kept): OFFLINE_STARTS_PER_ADDRESS and _PER_EMAIL within OFFLINE_STARTS_WINDOW seconds,
# OFFLINE_STARTS_SITEWIDE a minute across the site. 0 turns a limit off.
OFFLINE_STARTS_PER_ADDRESS = int(env("OFFLINE_STARTS_PER_ADDRESS", "10"))
OFFLINE_STARTS_PER_EMAIL = int(env("OFFLINE_STARTS_PER_EMAIL", "5"))
OFFLINE_STARTS_WINDOW = int(env("OFFLINE_STARTS_WINDOW", str(60 * 60)))
OFFLINE_STARTS_SITEWIDE = int(env("OFFLINE_STARTS_SITEWIDE", "120"))
if min(OFFLINE_STARTS_PER_ADDRESS, OFFLINE_STARTS_PER_EMAIL, OFFLINE_STARTS_SITEWIDE) < 0 or OFFLINE_STARTS_WINDOW < 1:
    raise ImproperlyConfigured("OFFLINE_STARTS_PER_ADDRESS, _PER_EMAIL, _SITEWIDE are 0 (off) or more; _WINDOW ≥ 1 s.")
# A card contribution nobody carried on with for this many hours (still pending, or declined and left) ends: `manage.py
# expire_card_attempts` (in SCHEDULED_COMMANDS) checks with Stripe that nothing was paid, deletes the Stripe customer it
# left, and drops the email address that nothing else uses.
CARD_ATTEMPT_EXPIRY_HOURS = int(env("CARD_ATTEMPT_EXPIRY_HOURS", "24"))
if CARD_ATTEMPT_EXPIRY_HOURS < 1:
    raise ImproperlyConfigured("CARD_ATTEMPT_EXPIRY_HOURS must be at least 1.")
# Retention (docs/payments.md, "Retention and erasure"; `manage.py apply_retention` in SCHEDULED_COMMANDS): the email
# address of a checkout never paid is dropped this many days after it started (its contribution stays, anonymous, so a
# late transfer still matches its reference); a "remind me later" nobody confirmed is deleted after its days.
RETENTION_UNPAID_CHECKOUT_DAYS = int(env("RETENTION_UNPAID_CHECKOUT_DAYS", "60"))
RETENTION_UNCONFIRMED_REMINDER_DAYS = int(env("RETENTION_UNCONFIRMED_REMINDER_DAYS", "7"))
if RETENTION_UNPAID_CHECKOUT_DAYS < 1 or RETENTION_UNCONFIRMED_REMINDER_DAYS < 1:
    raise ImproperlyConfigured("RETENTION_UNPAID_CHECKOUT_DAYS and RETENTION_UNCONFIRMED_REMINDER_DAYS are at least 1.")

# --- Mirror export (mirrors/). Exports and mirror lists are signed with this Ed25519 key (minisign format):
# MIRROR_SIGNING_KEY is its base64 32-byte seed, or MIRROR_SIGNING_KEY_FILE names a file holding it. Outside production
# a throw-away key is made in var/ on first use.
MIRROR_SIGNING_KEY = env("MIRROR_SIGNING_KEY", "")
MIRROR_SIGNING_KEY_FILE = env(
    "MIRROR_SIGNING_KEY_FILE", "" if IS_PRODUCTION else str(BASE_DIR / "var" / f"mirror-signing-{SAMIZDAT_ENV}.key")
)
# --- The signed mirror list (/mirrors.json, mirrors/mirror_list.py). Readers refuse a list past its valid_until; it is
# signed again when half of this many days have passed (`sign_mirror_list`, run by the scheduler) and whenever the
# mirrors it names change.
MIRROR_LIST_VALID_DAYS = int(env("MIRROR_LIST_VALID_DAYS", "7"))
if not 1 <= MIRROR_LIST_VALID_DAYS <= 90:
    raise ImproperlyConfigured("MIRROR_LIST_VALID_DAYS is a number of days from 1 to 90.")
# Key rotation: the public key (RW…) of the key that will sign next. Lists signed with the current key announce it
# (next_public_key), so readers trust it once the current key has; then MIRROR_SIGNING_KEY becomes its seed.
MIRROR_NEXT_PUBLIC_KEY = env("MIRROR_NEXT_PUBLIC_KEY", "")
# The directory `export_mirror` publishes into: its current export's tree hash is what every static mirror should
# carry (named in the list, compared by `check_mirrors`). Empty: the list names no tree hash.
MIRROR_EXPORT_DIR = env("MIRROR_EXPORT_DIR", "")

# --- Static mirror export (mirrors/). A page rendered for a static mirror cannot take a form, so where the origin has
# one (checkout, "Remind me later", search) it links to sites that can: these live copies of the site (the canonical
# site, CDN mirrors, the onion), until a signed mirror list exists, and a mailbox that answers reminder requests.
MIRROR_LIVE_URLS = [url.rstrip("/") for url in env_list("MIRROR_LIVE_URLS")] or [CANONICAL_URL]
# Other hosts of our own mirrors, for the revenue dashboard's referrer class "mirror" (onions count by themselves).
REVENUE_MIRROR_HOSTS = env_list("REVENUE_MIRROR_HOSTS")
MIRROR_REMINDER_MAILTO = env("MIRROR_REMINDER_MAILTO", f"remind@{MAIL_DOMAIN}")

# --- The mirrors mailbox (mirrors/autoresponder/, `manage.py run_mirrors_responder`): mail to this address whose
# DKIM signature verifies for its From domain gets the email-pool mirrors and the signed list. Replies per sender per
# UTC day and in all per hour; the senders' counters are keyed by HMAC(address, a daily salt made from
# MIRROR_RESPONDER_SALT_SECRET, or from SECRET_KEY when it is empty).
MIRROR_RESPONDER_ADDRESS = env("MIRROR_RESPONDER_ADDRESS", f"mirrors@{MAIL_DOMAIN}")
MIRROR_RESPONDER_PER_SENDER = int(env("MIRROR_RESPONDER_PER_SENDER", "3"))
MIRROR_RESPONDER_PER_HOUR = int(env("MIRROR_RESPONDER_PER_HOUR", "500"))
if MIRROR_RESPONDER_PER_SENDER < 1 or MIRROR_RESPONDER_PER_HOUR < 1:
    raise ImproperlyConfigured("MIRROR_RESPONDER_PER_SENDER and MIRROR_RESPONDER_PER_HOUR must be at least 1.")
MIRROR_RESPONDER_SALT_SECRET = env("MIRROR_RESPONDER_SALT_SECRET", "")
MIRROR_RESPONDER_DNSFUNC = ""  # dotted path of a dkimpy dnsfunc (tests); empty: DNS through dnspython

# --- The published tree (mirrors/tree/): reading pages as files nginx serves, rewritten after each publish. Empty: off.
PUBLISHED_TREE_DIR = env("PUBLISHED_TREE_DIR", "")
# Pages showing the live figures are rendered again when the figures moved and this long has passed since the last
# time (and every PAGE_CACHE_SECONDS whatever happened); readers with JavaScript get them live from goal.json.
PUBLISHED_FIGURES_SECONDS = int(env("PUBLISHED_FIGURES_SECONDS", "300"))
PUBLISHED_TREE_BROTLI_QUALITY = int(env("PUBLISHED_TREE_BROTLI_QUALITY", "5"))

# --- Newsletters (newsletters/): the lists live in our database; sending goes through Django's mail backends.
# Issues go out through EMAIL_BACKEND (EMAIL_HOST …); when it fails mid-send, the rest goes through this fallback, and
# the per-recipient send log makes sure nobody gets an issue twice. Empty NEWSLETTER_FALLBACK_EMAIL_HOST: no fallback.
NEWSLETTER_EMAIL_BACKEND = None  # None: EMAIL_BACKEND, the one every mail of the site goes through
NEWSLETTER_FALLBACK_EMAIL_BACKEND = env(
    "NEWSLETTER_FALLBACK_EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend"
)
NEWSLETTER_FALLBACK_EMAIL_HOST = env("NEWSLETTER_FALLBACK_EMAIL_HOST", "")
NEWSLETTER_FALLBACK_EMAIL_PORT = int(env("NEWSLETTER_FALLBACK_EMAIL_PORT", "587"))
NEWSLETTER_FALLBACK_EMAIL_HOST_USER = env("NEWSLETTER_FALLBACK_EMAIL_HOST_USER", "")
NEWSLETTER_FALLBACK_EMAIL_HOST_PASSWORD = env("NEWSLETTER_FALLBACK_EMAIL_HOST_PASSWORD", "")
NEWSLETTER_FALLBACK_EMAIL_USE_TLS = env_bool("NEWSLETTER_FALLBACK_EMAIL_USE_TLS", False)
# Messages per sending task; each batch is one task, and the admin shows progress after each.
NEWSLETTER_BATCH_SIZE = int(env("NEWSLETTER_BATCH_SIZE", "200"))
# Subscribe requests one client address may make an hour; one confirmation per address per period (seconds).
NEWSLETTER_SUBSCRIBE_PER_ADDRESS = int(env("NEWSLETTER_SUBSCRIBE_PER_ADDRESS", "10"))
NEWSLETTER_CONFIRMATION_PERIOD = int(env("NEWSLETTER_CONFIRMATION_PERIOD", str(24 * 3600)))
# The SOS digest carries the full text of this many latest stories when the editor picks none.
NEWSLETTER_SOS_ARTICLES = int(env("NEWSLETTER_SOS_ARTICLES", "5"))
if not env("SCHEDULED_COMMANDS"):  # the default list, plus starting scheduled newsletter issues
    SCHEDULED_COMMANDS = [*SCHEDULED_COMMANDS, "send_scheduled_newsletters"]

# A bad TRUSTED_PROXIES entry stops the start, naming it.
from core.client_address import parse_networks  # noqa: E402

parse_networks(TRUSTED_PROXIES)
