"""The portal's application factory."""

import logging
import os
import warnings

from flask import Flask

from config import config_for_env

# Whoosh's regexes trigger SyntaxWarnings on Python 3.11+; harmless, and they hide real ones.
warnings.filterwarnings("ignore", category=SyntaxWarning, module="whoosh")


def create_app(config_class=None, **overrides) -> Flask:
    """Build the app: settings, extensions, blueprints, CLI, error handlers."""
    # templates/ and static/ sit beside the package, at the repository root.
    app = Flask(
        __name__,
        template_folder="../templates",
        static_folder="../static",
        instance_path=os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "instance")),
    )
    config_class = config_class or config_for_env()
    app.config.from_object(config_class)
    app.config.update(overrides)
    config_class.init_app(app)
    os.makedirs(app.instance_path, exist_ok=True)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)

    register_extensions(app)
    register_blueprints(app)
    register_templating(app)
    register_errors(app)
    register_cli(app)
    return app


def register_extensions(app: Flask) -> None:
    from portal import database  # noqa: F401  (installs the SQLite engine hooks)
    from portal.accounts.service import load_session_user
    from portal.extensions import csrf, db, htmx, limiter, login_manager, mail, migrate

    db.init_app(app)
    # Batch mode lets Alembic alter tables on SQLite too (it copies and swaps the table).
    migrate.init_app(
        app, db, directory=os.path.join(app.root_path, "..", "migrations"), render_as_batch=True
    )
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = "Please sign in to continue."
    login_manager.user_loader(load_session_user)
    csrf.init_app(app)
    limiter.init_app(app)
    htmx.init_app(app)
    mail.init_app(app)


def register_blueprints(app: Flask) -> None:
    from portal.accounts.views import bp as accounts_bp
    from portal.admin.views import bp as admin_bp
    from portal.api.views import bp as api_bp
    from portal.extensions import csrf
    from portal.ideas.views import bp as ideas_bp
    from portal.main import bp as main_bp

    app.register_blueprint(main_bp)
    app.register_blueprint(accounts_bp)
    app.register_blueprint(ideas_bp)
    app.register_blueprint(admin_bp)
    # The API authenticates with bearer tokens and ignores cookies: CSRF has nothing to protect.
    csrf.exempt(api_bp)
    app.register_blueprint(api_bp)


def register_templating(app: Flask) -> None:
    from portal.web import init_templating

    init_templating(app)


def register_errors(app: Flask) -> None:
    from portal.web import init_error_handlers

    init_error_handlers(app)


def register_cli(app: Flask) -> None:
    from portal.cli import init_cli

    init_cli(app)
