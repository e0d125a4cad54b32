"""Settings: PORTAL_ENV picks a class, the environment overrides, production needs a secret."""

import os
import subprocess
import sys

import pytest

from config import CONFIGS, DevelopmentConfig, ProductionConfig, config_for_env

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_portal_env_picks_the_settings_class():
    assert config_for_env("development") is DevelopmentConfig
    assert config_for_env(None) is CONFIGS[os.environ.get("PORTAL_ENV", "production")]
    with pytest.raises(RuntimeError):
        config_for_env("staging")


def _start(env: dict) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "PORTAL_ENV")}
    return subprocess.run(
        [sys.executable, "-c", "import wsgi; print(wsgi.app.config['SECRET_KEY'][:4])"],
        cwd=ROOT,
        env={**clean, "DATABASE_URL": "sqlite://", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_refuses_to_start_without_a_secret_key():
    result = _start({"PORTAL_ENV": "production"})
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr
    assert ProductionConfig.ENV_NAME == "production"


def test_environment_overrides_settings():
    result = _start({"PORTAL_ENV": "production", "SECRET_KEY": "abcd-from-the-environment"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "abcd"


def test_https_turns_on_secure_cookies_and_hsts(database_url):
    from tests.conftest import make_test_app

    app = make_test_app(database_url, PREFERRED_URL_SCHEME="https")
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["REMEMBER_COOKIE_SECURE"]
    response = app.test_client().get("/healthz")
    assert "max-age" in response.headers["Strict-Transport-Security"]
