"""Settings classes; PORTAL_ENV picks one and environment variables override."""

import json
import os
import re
from pathlib import Path
from urllib.parse import urlsplit

BASE_DIR = Path(__file__).resolve().parent
# This host's own files (SQLite database, Whoosh index, queue lock files); see README.
INSTANCE_DIR = Path(os.environ.get("PORTAL_INSTANCE_DIR") or BASE_DIR / "instance").resolve()


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def _env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


class Config:
    """Defaults shared by every environment, read from the environment at class creation."""

    ENV_NAME = "production"
    SECRET_KEY = os.environ.get("SECRET_KEY")
    SQLALCHEMY_DATABASE_URI = os.environ.get(
        "DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'portal.db'}"
    )
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    SQLALCHEMY_RECORD_QUERIES = False

    # Bodies over 1 MiB answer 413 (SPEC section 8); so does a multipart form field over
    # 256 KiB (the longest any form takes is a 20,000-character body: at most 80 kB of UTF-8)
    # and a multipart body of more than 1,000 parts.
    MAX_CONTENT_LENGTH = 1024 * 1024
    MAX_FORM_MEMORY_SIZE = 256 * 1024
    MAX_FORM_PARTS = 1000

    # Names people read in the header, page titles and footer: the same in every language.
    PORTAL_NAME = os.environ.get("PORTAL_NAME", "Northwind Portal")
    COMPANY_NAME = os.environ.get("COMPANY_NAME", "Northwind Appliances")

    SEARCH_BACKEND = os.environ.get("SEARCH_BACKEND", "whoosh")
    SEARCH_INDEX_DIR = os.environ.get("SEARCH_INDEX_DIR", str(INSTANCE_DIR / "search-index"))

    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    # While that storage (Redis) is unreachable, count in each process's memory rather than
    # fail requests; Flask-Limiter goes back to it once it answers again.
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = _env_bool("RATELIMIT_IN_MEMORY_FALLBACK_ENABLED", True)
    RATELIMIT_HEADERS_ENABLED = True
    RATELIMIT_ENABLED = _env_bool("RATELIMIT_ENABLED", True)
    LOGIN_LIMIT_PER_ADDRESS = os.environ.get("LOGIN_LIMIT_PER_ADDRESS", "20 per 10 minutes")
    LOGIN_LIMIT_PER_ACCOUNT = os.environ.get("LOGIN_LIMIT_PER_ACCOUNT", "10 per 10 minutes")
    # Registrations and "forgot your password" requests per client address (SPEC section 4).
    REGISTER_LIMIT_PER_ADDRESS = os.environ.get("REGISTER_LIMIT_PER_ADDRESS", "10 per hour")
    PASSWORD_RESET_LIMIT_PER_ADDRESS = os.environ.get(
        "PASSWORD_RESET_LIMIT_PER_ADDRESS", "10 per hour"
    )
    # E-mails about an account (confirmation links, reset links, "someone tried to register
    # with your address") to one address: nobody's inbox can be flooded through the portal.
    ACCOUNT_EMAIL_LIMIT = os.environ.get("ACCOUNT_EMAIL_LIMIT", "5 per hour")
    # How long the signed links in those e-mails work.
    VERIFY_LINK_HOURS = _env_int("VERIFY_LINK_HOURS", 48)
    PASSWORD_RESET_LINK_HOURS = _env_int("PASSWORD_RESET_LINK_HOURS", 2)

    # Accounts younger than this many days are rate limited per account (SPEC section 4).
    NEW_ACCOUNT_DAYS = _env_int("NEW_ACCOUNT_DAYS", 7)
    NEW_ACCOUNT_LIMITS = {
        "ideas": os.environ.get("NEW_ACCOUNT_IDEAS_LIMIT", "10 per hour"),
        "comments": os.environ.get("NEW_ACCOUNT_COMMENTS_LIMIT", "60 per hour"),
        "votes": os.environ.get("NEW_ACCOUNT_VOTES_LIMIT", "300 per hour"),
        "flags": os.environ.get("NEW_ACCOUNT_FLAGS_LIMIT", "30 per hour"),
        "files": os.environ.get("NEW_ACCOUNT_FILES_LIMIT", "60 per hour"),
    }

    # Pictures and files on ideas and comments (SPEC 16; README "Pictures and files"): the
    # largest upload, the types accepted (decided from the bytes), the most pixels a picture
    # may have before it is decoded and its longest side once stored, how many files one form
    # post may carry, how long an upload waits for a post to use it (and how many may wait),
    # and where bytes live
    # ("database", or `package.module:Class`, see portal/files/storage.py).
    FILES_MAX_BYTES = _env_int("FILES_MAX_BYTES", 5_000_000)
    FILES_ALLOWED_TYPES = tuple(
        os.environ.get(
            "FILES_ALLOWED_TYPES",
            "image/png image/jpeg image/gif image/webp application/pdf text/plain",
        )
        .replace(",", " ")
        .split()
    )
    FILES_MAX_IMAGE_PIXELS = _env_int("FILES_MAX_IMAGE_PIXELS", 50_000_000)
    FILES_MAX_IMAGE_SIDE = _env_int("FILES_MAX_IMAGE_SIDE", 2560)
    FILES_MAX_PER_POST = _env_int("FILES_MAX_PER_POST", 10)
    FILES_UNATTACHED_HOURS = _env_int("FILES_UNATTACHED_HOURS", 24)
    # Uploads one person may have waiting for a post at once (each up to FILES_MAX_BYTES, kept
    # FILES_UNATTACHED_HOURS): only new accounts are rate-limited, so this bounds what any one
    # account can store without posting.
    FILES_MAX_PENDING = _env_int("FILES_MAX_PENDING", 30)
    FILES_STORAGE = os.environ.get("FILES_STORAGE", "database")

    PROMISING_VOTES = _env_int("PROMISING_VOTES", 10)
    FLAGS_TO_HIDE = _env_int("FLAGS_TO_HIDE", 3)
    # How long after posting a comment's author may still edit it.
    COMMENT_EDIT_HOURS = _env_int("COMMENT_EDIT_HOURS", 24)

    # Intake (SPEC 12). A mailbox the portal polls (imaps://user:pass@host/INBOX), how often;
    # the reply address of notification e-mails (reply+<token>@ is made from it); mail to
    # <INTAKE_CATEGORY_LOCAL_PART>+<slug>@ is routed as that category.
    INTAKE_IMAP_URL = os.environ.get("INTAKE_IMAP_URL") or None
    INTAKE_IMAP_POLL_SECONDS = _env_int("INTAKE_IMAP_POLL_SECONDS", 60)
    INTAKE_REPLY_ADDRESS = os.environ.get("INTAKE_REPLY_ADDRESS") or None
    INTAKE_CATEGORY_LOCAL_PART = os.environ.get("INTAKE_CATEGORY_LOCAL_PART", "feedback")
    # E-mails (and widget messages) one sender address may send in, like registration.
    INTAKE_LIMIT_PER_SENDER = os.environ.get("INTAKE_LIMIT_PER_SENDER", "20 per hour")
    INTAKE_MAIL_MAX_BYTES = _env_int("INTAKE_MAIL_MAX_BYTES", 10 * 1024 * 1024)
    # Who vouches for an e-mail's From (SPEC 12): only a verified sender's vote is added and
    # only a verified sender becomes an idea's author. The authserv-id of the mail server
    # whose Authentication-Results (DMARC, DKIM) are believed; or trust every From, when the
    # mail server already refuses forged senders.
    INTAKE_AUTHSERV_ID = os.environ.get("INTAKE_AUTHSERV_ID") or None
    INTAKE_TRUST_MAIL_SENDERS = _env_bool("INTAKE_TRUST_MAIL_SENDERS", False)
    # The sites allowed to frame the feedback widget (space-separated origins).
    WIDGET_ORIGINS = os.environ.get("WIDGET_ORIGINS", "")

    MAIL_SERVER = os.environ.get("MAIL_SERVER", "localhost")
    MAIL_PORT = _env_int("MAIL_PORT", 25)
    MAIL_USE_TLS = _env_bool("MAIL_USE_TLS")
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "portal@localhost")
    # "smtp" sends through MAIL_SERVER; "log" writes each e-mail to the log (development).
    MAIL_BACKEND = os.environ.get("MAIL_BACKEND", "smtp")
    # Webhooks to loopback or private addresses are refused unless this is set.
    WEBHOOK_ALLOW_PRIVATE = _env_bool("WEBHOOK_ALLOW_PRIVATE")

    PREFERRED_URL_SCHEME = os.environ.get("PREFERRED_URL_SCHEME", "http")
    # Reverse proxies (load balancers) in front of the app whose X-Forwarded-For/-Proto to
    # trust; 0 when clients connect directly. Behind one, per-address limits need it.
    TRUSTED_PROXIES = _env_int("TRUSTED_PROXIES", 0)
    # The portal's public address, for links in e-mails and webhooks.
    PORTAL_URL = os.environ.get("PORTAL_URL", "http://127.0.0.1:5000")
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    WTF_CSRF_TIME_LIMIT = None

    IDEAS_PER_PAGE = 20
    # One JSON line per request on standard error (portal/request_log.py).
    REQUEST_LOG = _env_bool("REQUEST_LOG", True)
    PASSWORD_HASH_FAST = False
    # Drain the queues (search index, outbox) right after each commit instead of in
    # background threads: for tests and one-off scripts.
    QUEUES_SYNC = _env_bool("QUEUES_SYNC", False)
    # How often a process checks whether another one changed the index (seconds).
    SEARCH_REFRESH_SECONDS = 1.0
    # SQLite: writers of this host queue on a lock file beside the database before BEGIN
    # IMMEDIATE, so the next is let in the moment the last commits (portal/database.py).
    SQLITE_WRITERS_QUEUE = _env_bool("SQLITE_WRITERS_QUEUE", True)
    # How long the background indexer, woken by a commit, waits for the commits behind it
    # before writing them all in one batch, and how far apart its batches start under a
    # steady stream of commits (seconds; the SPEC allows 5 from commit to found).
    SEARCH_INDEX_SETTLE_SECONDS = float(os.environ.get("SEARCH_INDEX_SETTLE_SECONDS", "0.5"))
    SEARCH_INDEX_PACE_SECONDS = float(os.environ.get("SEARCH_INDEX_PACE_SECONDS", "1.5"))
    # Search counts its matches exactly up to this many and says "more than" beyond, as the
    # idea list does (portal/ideas/service.py COUNT_LIMIT); results are paged up to it. The
    # PostgreSQL backend reads at most this many + 1 matches per search, and counts its
    # facets within them.
    SEARCH_COUNT_BOUND = _env_int("SEARCH_COUNT_BOUND", 1000)
    # How long a worker may serve anonymous visitors a page it rendered for another (the
    # lists, idea pages, roadmap, changelog, search); 0 turns it off. portal/page_cache.py.
    PAGE_CACHE_SECONDS = float(os.environ.get("PAGE_CACHE_SECONDS", "2"))
    # Fragments of pages rendered once per worker and reused for every reader, keyed by every
    # value they show (an idea card's title line); the seconds are a safety net, 0 turns it
    # off. portal/fragments.py.
    FRAGMENT_CACHE_SECONDS = float(os.environ.get("FRAGMENT_CACHE_SECONDS", "600"))
    FRAGMENT_CACHE_ENTRIES = _env_int("FRAGMENT_CACHE_ENTRIES", 4096)
    # And at most about this much text per worker (a page of the idea list is ~40 KB).
    FRAGMENT_CACHE_MEGABYTES = float(os.environ.get("FRAGMENT_CACHE_MEGABYTES", "32"))
    # Signed-in accounts read at one change version, reused by the worker while the version
    # holds (every write to an account moves it); the seconds bound rows edited where no
    # change row is written (by hand, by a migration); 0 turns it off. portal/accounts/kept.py.
    ACCOUNT_KEPT_SECONDS = float(os.environ.get("ACCOUNT_KEPT_SECONDS", "5"))
    ACCOUNT_KEPT_ENTRIES = _env_int("ACCOUNT_KEPT_ENTRIES", 10000)
    # Live (SPEC 14): how often an open page asks /live what changed while its tab is
    # visible, and while it is hidden (seconds; 0 turns live updates off); how long the
    # change rows are kept (a page asleep longer is sent everything it watches again).
    LIVE_POLL_SECONDS = float(os.environ.get("LIVE_POLL_SECONDS", "3.5"))
    LIVE_HIDDEN_POLL_SECONDS = float(os.environ.get("LIVE_HIDDEN_POLL_SECONDS", "60"))
    LIVE_KEEP_HOURS = _env_int("LIVE_KEEP_HOURS", 24)

    # Single sign-on (SPEC 15): a JSON list of OpenID Connect providers, each
    # {name, issuer, client_id, client_secret, kind: customer|supplier, organization?,
    # domains?}; checked at start (a bad value refuses to start, naming the problem) into
    # OIDC_PROVIDER_LIST. How long the portal waits for a provider's answer (seconds).
    OIDC_PROVIDERS = os.environ.get("OIDC_PROVIDERS", "")
    OIDC_TIMEOUT_SECONDS = float(os.environ.get("OIDC_TIMEOUT_SECONDS", "5"))

    @classmethod
    def init_app(cls, app) -> None:
        """Derive settings that depend on others; refuse unsafe production starts."""
        secure = app.config["PREFERRED_URL_SCHEME"] == "https"
        app.config["SESSION_COOKIE_SECURE"] = secure
        app.config["REMEMBER_COOKIE_SECURE"] = secure
        app.config["OIDC_PROVIDER_LIST"] = parse_oidc_providers(app.config.get("OIDC_PROVIDERS"))


PROVIDER_KINDS = ("customer", "supplier")
_PROVIDER_KEYS = {"name", "issuer", "client_id", "client_secret", "kind", "organization", "domains"}
_DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$")


def provider_slug(name: str) -> str:
    """The URL-safe name of a provider in its addresses (/login/sso/<slug>)."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def _provider(entry, number: int, seen: set[str]) -> dict:
    """One provider's settings, checked; RuntimeError naming the problem otherwise."""
    # Imported here: the portal package imports this module at its start.
    from portal.validation import is_loopback_host

    where = f"OIDC_PROVIDERS[{number}]"
    if not isinstance(entry, dict):
        raise RuntimeError(f"{where} must be an object {{name, issuer, client_id, ...}}.")
    unknown = sorted(set(entry) - _PROVIDER_KEYS)
    if unknown:
        raise RuntimeError(
            f"{where} has unknown keys {', '.join(unknown)}; the keys are "
            f"{', '.join(sorted(_PROVIDER_KEYS))}."
        )
    for key in ("name", "issuer", "client_id", "client_secret", "kind"):
        value = entry.get(key)
        if not isinstance(value, str) or not value.strip():
            raise RuntimeError(f"{where} needs {key!r}, a non-empty string.")
    name = entry["name"].strip()
    where = f"OIDC_PROVIDERS[{number}] ({name!r})"
    slug = provider_slug(name)
    if not slug or len(name) > 80:
        raise RuntimeError(f"{where}: the name must have letters or digits, at most 80 characters.")
    if slug in seen:
        raise RuntimeError(f"{where}: another provider has the same name ({slug!r}).")
    seen.add(slug)
    issuer = entry["issuer"].strip().rstrip("/")
    parts = urlsplit(issuer)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        raise RuntimeError(f"{where}: issuer {issuer!r} is not an https:// address.")
    if parts.scheme == "http" and not is_loopback_host(parts.hostname):
        raise RuntimeError(
            f"{where}: issuer {issuer!r} must use https:// (plain http only on this machine)."
        )
    kind = entry["kind"].strip()
    if kind not in PROVIDER_KINDS:
        kinds = " or ".join(PROVIDER_KINDS)
        raise RuntimeError(f"{where}: kind must be {kinds}, not {kind!r}.")
    organization = entry.get("organization")
    domains = entry.get("domains")
    if kind != "supplier" and (organization is not None or domains is not None):
        raise RuntimeError(f"{where}: only a supplier provider names an organization or domains.")
    if organization is not None:
        if not isinstance(organization, str) or not 2 <= len(organization.strip()) <= 120:
            raise RuntimeError(f"{where}: organization must be a name of 2 to 120 characters.")
        organization = organization.strip()
    if domains is not None:
        if not isinstance(domains, dict) or not domains:
            raise RuntimeError(
                f"{where}: domains must be an object mapping e-mail domains to organizations, "
                'such as {"acme.example": "Acme"}.'
            )
        checked = {}
        for domain, org in domains.items():
            key = domain.strip().lower() if isinstance(domain, str) else ""
            if not _DOMAIN.match(key):
                raise RuntimeError(f"{where}: {domain!r} in domains is not an e-mail domain.")
            if not isinstance(org, str) or not 2 <= len(org.strip()) <= 120:
                raise RuntimeError(
                    f"{where}: the organization for {domain!r} must be a name of 2 to 120 "
                    "characters."
                )
            checked[key] = org.strip()
        domains = checked
    if kind == "supplier" and organization is None and domains is None:
        raise RuntimeError(
            f"{where}: a supplier provider needs an organization or domains (which "
            "organization its people belong to)."
        )
    return {
        "name": name,
        "slug": slug,
        "issuer": issuer,
        "client_id": entry["client_id"].strip(),
        "client_secret": entry["client_secret"],
        "kind": kind,
        "organization": organization,
        "domains": domains or {},
    }


def parse_oidc_providers(value) -> list[dict]:
    """OIDC_PROVIDERS (JSON text, or the list itself) checked; RuntimeError naming the problem."""
    if value in (None, ""):
        return []
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError as error:
            raise RuntimeError(f"OIDC_PROVIDERS is not valid JSON: {error}.") from None
    if not isinstance(value, list):
        raise RuntimeError("OIDC_PROVIDERS must be a JSON list of providers: [{...}, ...].")
    seen: set[str] = set()
    return [_provider(entry, number, seen) for number, entry in enumerate(value)]


class ProductionConfig(Config):
    ENV_NAME = "production"

    @classmethod
    def init_app(cls, app) -> None:
        if not app.config.get("SECRET_KEY"):
            if not _inside_flask_command():
                raise RuntimeError(
                    "SECRET_KEY is not set: a production portal refuses to start without one. "
                    "Set SECRET_KEY in the environment (or PORTAL_ENV=development for local use)."
                )
            # `flask --app wsgi db upgrade`, `users create`, `seed demo` ... must work on a
            # machine without the server's settings: a throwaway key, said out loud. What it
            # signs (unsubscribe links in e-mail the command queues) will not verify later.
            import secrets
            import sys

            app.config["SECRET_KEY"] = secrets.token_hex(32)
            print(
                "warning: SECRET_KEY is not set; this command uses a throwaway one (unsubscribe "
                "links in e-mail it queues will not work). Set the server's SECRET_KEY.",
                file=sys.stderr,
            )
        super().init_app(app)


def _inside_flask_command() -> bool:
    """Whether the app is being made for a `flask` command (not a server: not `flask run`)."""
    import click

    context = click.get_current_context(silent=True)
    return context is not None and context.info_name != "run"


class DevelopmentConfig(Config):
    ENV_NAME = "development"
    SECRET_KEY = os.environ.get("SECRET_KEY", "dev-only-not-secret")
    MAIL_BACKEND = os.environ.get("MAIL_BACKEND", "log")


class TestingConfig(Config):
    ENV_NAME = "testing"
    TESTING = True
    SECRET_KEY = "testing-not-secret"
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL", "sqlite://")
    WTF_CSRF_ENABLED = False
    RATELIMIT_ENABLED = False
    PASSWORD_HASH_FAST = True
    REQUEST_LOG = _env_bool("REQUEST_LOG", False)
    # Index in the committing thread (no background writer), each app in its own folder.
    QUEUES_SYNC = True
    SEARCH_REFRESH_SECONDS = 0.0
    PAGE_CACHE_SECONDS = 0.0  # tests read their own writes as visitors too

    @classmethod
    def init_app(cls, app) -> None:
        super().init_app(app)
        if app.config["SEARCH_INDEX_DIR"] == Config.SEARCH_INDEX_DIR:
            import atexit
            import shutil
            import tempfile

            directory = tempfile.mkdtemp(prefix="portal-index-")
            app.config["SEARCH_INDEX_DIR"] = directory
            # A suite makes a few thousand apps: do not leave their folders behind.
            atexit.register(shutil.rmtree, directory, ignore_errors=True)


CONFIGS = {
    "production": ProductionConfig,
    "development": DevelopmentConfig,
    "testing": TestingConfig,
}


def config_for_env(name: str | None = None) -> type[Config]:
    """The settings class named by PORTAL_ENV (production when unset)."""
    name = (name or os.environ.get("PORTAL_ENV") or "production").strip().lower()
    try:
        return CONFIGS[name]
    except KeyError:
        raise RuntimeError(
            f"PORTAL_ENV={name!r} is not one of {', '.join(sorted(CONFIGS))}"
        ) from None
