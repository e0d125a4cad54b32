"""The portal's application factory."""

import logging
import os
import warnings

from flask import Flask
from werkzeug.exceptions import NotFound
from werkzeug.routing import IntegerConverter

from config import INSTANCE_DIR, config_for_env

# Whoosh's regexes trigger SyntaxWarnings on Python 3.11+; harmless, and they hide real ones.
warnings.filterwarnings("ignore", category=SyntaxWarning, module="whoosh")


class IdConverter(IntegerConverter):
    """`int` in routes: an id, 1 to 2**31 - 1 (the id columns' range on every database).

    Anything else is a plain 404: Werkzeug's own min/max would make it a 405 instead.
    """

    def to_python(self, value: str) -> int:
        number = super().to_python(value)
        if not 0 < number < 2**31:
            raise NotFound()
        return number


def create_app(config_class=None, **overrides) -> Flask:
    """Build the app: settings, extensions, blueprints, CLI, error handlers."""
    # templates/ and static/ sit beside the package, at the repository root; the instance
    # folder too, unless PORTAL_INSTANCE_DIR puts it elsewhere.
    app = Flask(
        __name__,
        template_folder="../templates",
        static_folder="../static",
        instance_path=str(INSTANCE_DIR),
    )
    config_class = config_class or config_for_env()
    app.config.from_object(config_class)
    app.config.update(overrides)
    config_class.init_app(app)
    # Every <int:...> in a route is a database id: a number no id column holds is a 404.
    app.url_map.converters["int"] = IdConverter
    os.makedirs(app.instance_path, exist_ok=True)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)

    register_request_log(app)
    register_upload_limits(app)
    register_extensions(app)
    register_single_sign_on(app)
    register_models()
    register_page_cache(app)
    register_search(app)
    register_outbox(app)
    register_live(app)
    register_blueprints(app)
    register_unit_of_work(app)
    register_templating(app)
    register_errors(app)
    register_cli(app)
    register_middleware(app)
    return app


def register_middleware(app: Flask) -> None:
    """WSGI layers around Flask, the outermost last."""
    from portal.live.shortcut import LiveShortcut

    # An open page's "anything new?" is answered before Flask when nothing is.
    app.wsgi_app = LiveShortcut(app, app.wsgi_app)
    if app.config.get("TRUSTED_PROXIES"):
        # The client's address and scheme as the proxies saw them (rate limits per address).
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)


def register_request_log(app: Flask) -> None:
    """First, so its before_request starts the clock before any other hook runs."""
    from portal.request_log import init_request_log

    init_request_log(app)


def register_upload_limits(app: Flask) -> None:
    """Before the CSRF check reads a form: more room for the bodies of routes taking files."""
    from portal.files.content import check_settings
    from portal.files.limits import init_upload_limits
    from portal.files.storage import init_storage

    check_settings(app.config)
    init_upload_limits(app)
    init_storage(app)


def register_extensions(app: Flask) -> None:
    from portal.accounts.kept import KeptAccounts
    from portal.accounts.service import load_session_user
    from portal.database import include_in_autogenerate  # also installs the SQLite hooks
    from portal.extensions import csrf, db, htmx, limiter, login_manager, mail, migrate

    db.init_app(app)
    # Batch mode lets Alembic alter tables on SQLite too (it copies and swaps the table).
    migrate.init_app(
        app,
        db,
        directory=os.path.join(app.root_path, "..", "migrations"),
        render_as_batch=True,
        include_object=include_in_autogenerate,
    )
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = "Please sign in to continue."
    login_manager.user_loader(load_session_user)
    app.extensions["kept_accounts"] = KeptAccounts(
        app.config["ACCOUNT_KEPT_ENTRIES"], app.config["ACCOUNT_KEPT_SECONDS"]
    )
    csrf.init_app(app)
    limiter.init_app(app)
    htmx.init_app(app)
    mail.init_app(app)


def register_single_sign_on(app: Flask) -> None:
    """An Authlib client per provider of OIDC_PROVIDERS (checked by the settings)."""
    from portal.accounts.oidc import init_oidc

    init_oidc(app)


def register_models() -> None:
    """Import every model module so the metadata (and Alembic) knows all tables."""
    from portal.accounts import models as _accounts  # noqa: F401
    from portal.admin import models as _admin  # noqa: F401
    from portal.files import models as _files  # noqa: F401
    from portal.ideas import models as _ideas  # noqa: F401
    from portal.intake import models as _intake  # noqa: F401
    from portal.live import models as _live  # noqa: F401
    from portal.moderation import models as _moderation  # noqa: F401
    from portal.notify import models as _notify  # noqa: F401
    from portal.replies import models as _replies  # noqa: F401
    from portal.routing import models as _routing  # noqa: F401
    from portal.search import models as _search  # noqa: F401
    from portal.tracking import models as _tracking  # noqa: F401


def register_page_cache(app: Flask) -> None:
    from portal.lru import ExpiringLRU

    app.extensions["page_cache"] = ExpiringLRU()
    from portal.fragments import init_fragments

    init_fragments(app)


def register_search(app: Flask) -> None:
    from portal.search.setup import init_search

    init_search(app)


def register_outbox(app: Flask) -> None:
    from portal.notify.delivery import outbox_worker

    worker = outbox_worker(app, os.path.join(app.instance_path, "outbox.lock"))
    app.extensions["outbox_worker"] = worker

    @app.before_request
    def _start_outbox_sender():
        worker.ensure_running()

    if app.config.get("INTAKE_IMAP_URL"):
        from portal.intake.poller import imap_worker

        poller = imap_worker(app, os.path.join(app.instance_path, "intake-imap.lock"))
        app.extensions["intake_imap_worker"] = poller

        @app.before_request
        def _start_imap_poller():
            poller.ensure_running()


def register_live(app: Flask) -> None:
    """Every commit writes what it changed (live_change rows); a thread prunes old rows."""
    from portal.live import changes as _changes  # noqa: F401  (listens to every session)
    from portal.live.service import prune
    from portal.worker import QueueWorker

    # Pruning is idempotent: one pruner per host (the lock file), any number of hosts.
    pruner = QueueWorker(app, "live-pruner", os.path.join(app.instance_path, "live-prune.lock"),
                         prune, poll_seconds=600.0)  # fmt: skip
    app.extensions["live_pruner"] = pruner

    @app.before_request
    def _start_live_pruner():
        pruner.ensure_running()


def register_blueprints(app: Flask) -> None:
    from portal.accounts.views import bp as accounts_bp
    from portal.admin.user_views import bp as users_bp
    from portal.admin.views import bp as admin_bp
    from portal.api.views import bp as api_bp
    from portal.extensions import csrf
    from portal.feeds.views import bp as feeds_bp
    from portal.files.views import bp as files_bp
    from portal.ideas.note_views import bp as notes_bp
    from portal.ideas.people_views import bp as people_bp
    from portal.ideas.views import bp as ideas_bp
    from portal.intake.views import bp as intake_bp
    from portal.intake.widget import bp as widget_bp
    from portal.live.views import bp as live_bp
    from portal.main import bp as main_bp
    from portal.moderation.views import bp as moderation_bp
    from portal.notify.views import bp as notify_bp
    from portal.replies.views import bp as replies_bp
    from portal.routing.views import bp as routing_bp
    from portal.search.views import bp as search_bp
    from portal.tracking.staff_views import bp as staff_bp
    from portal.tracking.views import bp as tracking_bp

    app.register_blueprint(main_bp)
    app.register_blueprint(accounts_bp)
    app.register_blueprint(ideas_bp)
    app.register_blueprint(people_bp)
    app.register_blueprint(notes_bp)
    app.register_blueprint(replies_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(users_bp)
    app.register_blueprint(search_bp)
    app.register_blueprint(moderation_bp)
    app.register_blueprint(tracking_bp)
    app.register_blueprint(staff_bp)
    app.register_blueprint(notify_bp)
    app.register_blueprint(intake_bp)
    app.register_blueprint(routing_bp)
    app.register_blueprint(widget_bp)
    app.register_blueprint(live_bp)
    app.register_blueprint(feeds_bp)
    app.register_blueprint(files_bp)
    # The widget is framed by other sites, without the session a CSRF token needs: its
    # posts are checked by Origin instead (portal/intake/widget.py).
    csrf.exempt(widget_bp)
    # The signed token is the proof; mail clients post one-click unsubscribes without a form.
    csrf.exempt("portal.notify.views.unsubscribe")
    # The API authenticates with bearer tokens and ignores cookies: CSRF has nothing to protect.
    csrf.exempt(api_bp)
    app.register_blueprint(api_bp)


def register_unit_of_work(app: Flask) -> None:
    """After the blueprints: every view commits when it returns, or rolls back."""
    from portal.guards import init_unit_of_work

    init_unit_of_work(app)


def register_templating(app: Flask) -> None:
    from portal.i18n import init_i18n
    from portal.templating import init_templating

    init_i18n(app)
    init_templating(app)


def register_errors(app: Flask) -> None:
    from portal.error_pages import init_error_handlers
    from portal.security_headers import init_security_headers

    init_error_handlers(app)
    init_security_headers(app)


def register_cli(app: Flask) -> None:
    from portal.cli import init_cli

    init_cli(app)
