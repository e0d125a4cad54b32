"""The short load test (issue 7, "Load and faults"): bench/load_test.py for about 40 seconds
on PostgreSQL, three gunicorn workers and six clients (API tokens and signed-in browsers),
with one worker killed and the database stopped and started again mid-run.

Afterwards every counter equals a recount, every vote and comment a client saw succeed is in
the database (and none it saw refused), no request answered 500 or hung, and the only errors
were retryable ones inside the fault windows (503 with Retry-After, a connection the killed
worker cut). `make load` runs the long variant; `pytest -m load` only this.
"""

import sys
from pathlib import Path

import pytest

from tests.conftest import BACKENDS

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

import load_test  # noqa: E402  (bench/load_test.py)

pytestmark = [
    pytest.mark.load,
    pytest.mark.postgres_only,
    pytest.mark.skipif(
        "postgresql" not in BACKENDS, reason="PostgreSQL is not among the test databases"
    ),
    pytest.mark.skipif(
        not Path(sys.executable).with_name("gunicorn").exists(), reason="no gunicorn"
    ),
    pytest.mark.timeout(240),
]


def test_load_with_a_worker_killed_and_the_database_restarted():
    args = load_test.parse_args(
        ["--database", "postgresql", "--duration", "40", "--workers", "3", "--clients", "6",
         "--ideas", "400", "--comments", "1200", "--users", "200", "--writable", "60",
         "--down", "4", "--faults"]
    )  # fmt: skip
    result = load_test.run(args)
    print(result["text"])
    failed = [f"{name}: {detail}" for name, ok, detail in result["checks"] if not ok]
    assert not failed, "\n".join(failed) + "\n\n" + result["text"]
    # The faults were felt, and only as retryable errors.
    labels = result["labels"]
    assert labels.get("503", 0) > 0, "nobody met the database restart"
    assert sum(n for label, n in labels.items() if label.startswith("2")) > 500
    assert result["writes"].get("comments ok", 0) > 20
    assert result["writes"].get("votes as seen", 0) > 100
