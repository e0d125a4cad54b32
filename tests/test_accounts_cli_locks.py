"""CLI commands that write take SQLite's write lock at their start (SPEC 10, ARCHITECTURE).

A deferred transaction that has read cannot be upgraded once another connection has written
(SQLite answers "database is locked" at once, without waiting on the busy timeout): several
commands run at once used to fail that way.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FLASK = os.path.join(os.path.dirname(sys.executable), "flask")


def _env(tmp_path) -> dict:
    clean = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "PORTAL_ENV")}
    return {
        **clean,
        # Development settings: the real (slow) password hash, as on a real machine.
        "PORTAL_ENV": "development",
        "DATABASE_URL": f"sqlite:///{tmp_path}/portal.db",
        "PORTAL_INSTANCE_DIR": str(tmp_path),
        "SEARCH_INDEX_DIR": str(tmp_path / "index"),
        "REQUEST_LOG": "0",
    }


def _start(args: list[str], env: dict) -> subprocess.Popen:
    return subprocess.Popen(
        [FLASK, "--app", "wsgi", *args], cwd=ROOT, env=env, text=True,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip


def _run_together(commands: list[list[str]], env: dict) -> list[tuple[int, str, str]]:
    processes = [_start(args, env) for args in commands]
    results = []
    for process in processes:
        out, err = process.communicate(timeout=120)
        results.append((process.returncode, out, err))
    return results


@pytest.fixture
def cli_env(tmp_path):
    env = _env(tmp_path)
    for args in (["db", "upgrade"], ["users", "create", "owner@example.com", "--password",
                                     "long-password-1", "--kind", "customer"]):  # fmt: skip
        process = _start(args, env)
        _out, err = process.communicate(timeout=120)
        assert process.returncode == 0, err
    return env


def test_writing_commands_run_at_once_on_one_sqlite_file(cli_env):
    commands = [
        ["users", "create", f"person{n}@example.com", "--password", "long-password-1",
         "--kind", "staff", "--team", "Shared team"]
        for n in range(3)
    ] + [["users", "token", "owner@example.com"] for _ in range(3)]  # fmt: skip
    results = _run_together(commands, cli_env)
    for (code, _out, err), args in zip(results, commands, strict=True):
        assert code == 0, f"{args}: {err[-2000:]}"
        assert "database is locked" not in err
    tokens = [out.strip().splitlines()[-1] for _code, out, _err in results[3:]]
    assert len(set(tokens)) == 3 and all(t.startswith("pt_") for t in tokens)
