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


def _flask(args: list[str], tmp_path) -> subprocess.CompletedProcess:
    """`flask --app wsgi ...` as SPEC section 10 runs it: production, no SECRET_KEY set."""
    clean = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "PORTAL_ENV")}
    flask = os.path.join(os.path.dirname(sys.executable), "flask")
    return subprocess.run(
        [flask, "--app", "wsgi", *args],
        cwd=ROOT,
        env={
            **clean,
            "DATABASE_URL": f"sqlite:///{tmp_path}/portal.db",
            "PORTAL_INSTANCE_DIR": str(tmp_path),
            "SEARCH_INDEX_DIR": str(tmp_path / "index"),
        },
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_commands_work_without_the_servers_secret_but_a_server_refuses(tmp_path):
    listed = _flask(["--help"], tmp_path)
    assert listed.returncode == 0, listed.stderr
    for command in ("db", "seed", "users", "categories", "search", "outbox"):
        assert f"\n  {command} " in listed.stdout, command
    assert _flask(["db", "upgrade"], tmp_path).returncode == 0
    made = _flask(["users", "create", "cli@example.com", "--password", "long-password-1",
                   "--kind", "customer"], tmp_path)  # fmt: skip
    assert made.returncode == 0, made.stderr
    assert "throwaway" in made.stderr
    served = _flask(["run", "--port", "1"], tmp_path)
    assert served.returncode != 0 and "SECRET_KEY is not set" in served.stderr
