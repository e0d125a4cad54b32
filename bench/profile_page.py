"""Profile one page in-process: where a request's time goes, with pyinstrument.

    .venv/bin/pip install pyinstrument==5.1.3        # ad hoc, not a project dependency
    PYTHONPATH=. .venv/bin/python bench/profile_page.py --database-url sqlite:///FILE \
        [--index DIR] [--requests 50] [--as EMAIL] /ideas ["/ideas?page=50" ...] \
        ["POST:/ideas/7/vote" "POST:/ideas/7/comments?body=Nice"]

Builds the app with production settings on an existing (generated) database, requests each
path once to warm up, then `--requests` times under the profiler, and prints the mean time
per request and pyinstrument's call tree. With `--as`, requests are made signed in as that
user (password `bench-password`, as bench/generate.py writes). `POST:path?field=value` posts
the query's fields as a form, as htmx does (a vote toggled twice per pair of requests keeps
the counts where they were).
"""

import argparse
import sys
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
warnings.filterwarnings("ignore", category=SyntaxWarning)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="+")
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--index", default=str(ROOT / "bench/.data/unused-index"),
                        help="Whoosh index folder (for /search on SQLite)")  # fmt: skip
    parser.add_argument("--backend", default="whoosh")
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--as", dest="email")
    args = parser.parse_args(argv)
    try:
        from pyinstrument import Profiler
    except ImportError:
        raise SystemExit("pip install pyinstrument==5.1.3 first (see the docstring)") from None

    from config import ProductionConfig
    from portal import create_app

    app = create_app(
        ProductionConfig,
        SECRET_KEY="profile-not-secret",
        SQLALCHEMY_DATABASE_URI=args.database_url,
        SEARCH_BACKEND=args.backend,
        SEARCH_INDEX_DIR=args.index,
        QUEUES_SYNC=True,
        REQUEST_LOG=False,
        WTF_CSRF_ENABLED=False,
        RATELIMIT_ENABLED=False,
    )
    client = app.test_client()
    if args.email:
        response = client.post("/login", data={"email": args.email, "password": "bench-password"})
        if response.status_code != 302:
            raise SystemExit(f"could not sign in as {args.email}")
    for path in args.paths:
        request = _request(client, path)
        status = request().status_code
        profiler = Profiler(interval=0.0005)
        started = time.perf_counter()
        profiler.start()
        for _ in range(args.requests):
            request()
        profiler.stop()
        mean = (time.perf_counter() - started) / args.requests * 1000
        print(f"== {path}: {status}, {mean:.1f} ms per request over {args.requests} requests")
        print(profiler.output_text(unicode=False, color=False))
    return 0


def _request(client, spec: str):
    """A callable making the request `spec` names: a path to GET, or POST:path?form."""
    if not spec.startswith("POST:"):
        return lambda: client.get(spec)
    from urllib.parse import parse_qsl, urlsplit

    parts = urlsplit(spec.removeprefix("POST:"))
    form = dict(parse_qsl(parts.query))
    return lambda: client.post(parts.path, data=form, headers={"HX-Request": "true"})


if __name__ == "__main__":
    sys.exit(main())
