"""HTTP benchmark: the portal's pages under gunicorn, measured against a minimal Flask app.

    python bench/http_bench.py [--ideas 100000 --comments 300000 --users 20000 \
        --votes 1000000] [--databases sqlite,postgresql] [--workers 4] [--clients 8] \
        [--duration 10] [--output FILE]

For each database:

1. the corpus (bench/generate.py): on SQLite a file under bench/.data/ made once per sizes and
   seed (with its Whoosh index) and copied for each run, since the run writes to it; on
   PostgreSQL a throwaway server (tests/pg.py), generated each run, searched with the
   `postgres` backend;
2. the SQL queries each page sends, counted in-process (test client and a SQLAlchemy event
   listener) on that corpus and on a small one (--small-ideas), to show that no page's query
   count grows with the data;
3. the portal served by gunicorn (--workers, production settings, the JSON request log on)
   and, beside it, bench/minimal_app.py served the same way, both on loopback;
4. wrk (Debian package `wrk`) from another process, --clients connections, --duration
   seconds per endpoint after an unmeasured warm-up: the minimal endpoint first and last, the
   portal's pages in between (anonymous reads; vote toggles and comments as a signed-in
   customer, with the session cookie and CSRF token a browser would send, as htmx does; the
   signed-in list and idea page once more with one request in WRITE_EVERY a vote, so that
   what they show keeps changing while they are read);
5. a table: requests/s, p50, p99, errors, each as a share of the minimal endpoint (the mean
   of its two runs), the memory (RSS) of each gunicorn worker, the query counts, and a check
   that every idea's counters still equal a recount after the writes.

Targets (TARGETS): the anonymous idea list at 100,000 ideas serves at least 30% of the
minimal endpoint's requests/s with p99 under 100 ms (issue 7); signed in, the idea list and
an idea page 15% with p99 under 50 ms, a vote toggle and a comment 8% on PostgreSQL and 5%
on SQLite with p99 under 100 ms (issue 17); 8 clients.
"""

import argparse
import contextlib
import datetime as dt
import http.client
import json
import os
import platform
import random
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.parse
import warnings
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
DATA_DIR = BENCH_DIR / ".data"
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
warnings.filterwarnings("ignore", category=SyntaxWarning)

import generate  # noqa: E402  (bench/generate.py, beside this file)

CORPUS_NOW = dt.datetime(2026, 11, 1)
SECRET_KEY = "http-bench-not-secret"
SEARCHES = ["door", "delivery", "door seal", "thermo", "fridge noise", "lead time", "compr"]
FILTERED = [
    "/ideas?category=cooling&sort=top",
    "/ideas?status=planned",
    "/ideas?kind=problem&sort=new",
    "/ideas?category=home-app&status=open",
]
# One request in this many is a vote in the "votes landing" runs.
WRITE_EVERY = 20
# (share of the minimal endpoint's requests/s, p99 ms) per endpoint; writes per database.
TARGETS = {
    "idea list": (0.30, 100.0),  # issue 7, anonymous (page cache on)
    "idea list, signed in": (0.15, 50.0),  # issue 17, from here on
    "idea page, signed in": (0.15, 50.0),
    "vote toggle": {"sqlite": (0.05, 100.0), "postgres": (0.08, 100.0)},
    "comment post": {"sqlite": (0.05, 100.0), "postgres": (0.08, 100.0)},
}


def target_of(name: str, backend: str) -> tuple[float, float]:
    target = TARGETS[name]
    if isinstance(target, dict):
        return target["postgres" if backend == "postgres" else "sqlite"]
    return target


def log(message: str) -> None:
    print(f"[{dt.datetime.now():%H:%M:%S}] {message}", file=sys.stderr, flush=True)


# -- corpora -------------------------------------------------------------------------------


def sizes_of(args, small: bool = False) -> dict:
    if not small:
        return dict(ideas=args.ideas, comments=args.comments, users=args.users, votes=args.votes)
    ideas = args.small_ideas
    return dict(ideas=ideas, comments=3 * ideas, users=max(100, ideas // 5), votes=10 * ideas)


def corpus_name(sizes: dict, seed: int) -> str:
    s = sizes
    return f"http-i{s['ideas']}-c{s['comments']}-u{s['users']}-v{s['votes']}-s{seed}"


def portal_app(url: str, backend: str, index_dir: Path, **overrides):
    from config import ProductionConfig
    from portal import create_app

    settings = dict(
        SECRET_KEY=SECRET_KEY,
        SQLALCHEMY_DATABASE_URI=url,
        SEARCH_BACKEND=backend,
        SEARCH_INDEX_DIR=str(index_dir),
        QUEUES_SYNC=True,
        REQUEST_LOG=False,
        MAIL_BACKEND="log",
    )
    settings.update(overrides)
    return create_app(ProductionConfig, **settings)


def sqlite_corpus(sizes: dict, seed: int) -> tuple[Path, Path]:
    """(database file, Whoosh index) made once per sizes and seed, reused afterwards."""
    DATA_DIR.mkdir(exist_ok=True)
    name = corpus_name(sizes, seed)
    path, index, done = (
        DATA_DIR / f"{name}.db",
        DATA_DIR / f"{name}-whoosh",
        DATA_DIR / f"{name}.done",
    )
    if path.exists() and done.exists():
        log(f"reusing {path.relative_to(ROOT)} (migrating it to the current schema)")
        from flask_migrate import upgrade

        from portal.extensions import db

        with portal_app(f"sqlite:///{path}", "whoosh", index).app_context():
            upgrade()
            db.engine.dispose()
        if not index.exists() or done.read_text().split("\n")[1:2] != [search_code_stamp()]:
            log("the search code changed since the index was built: rebuilding it")
            build_index(path, index)
            done.write_text(done.read_text().split("\n")[0] + f"\n{search_code_stamp()}\n")
        return path, index
    for leftover in DATA_DIR.glob(f"{name}.db*"):
        leftover.unlink()
    shutil.rmtree(index, ignore_errors=True)
    log(f"generating {path.relative_to(ROOT)}")
    started = time.perf_counter()
    generate.generate(f"sqlite:///{path}", seed=seed, now=CORPUS_NOW, migrate=True, echo=log,
                      **sizes)  # fmt: skip
    generated = time.perf_counter() - started
    build_index(path, index)
    with sqlite3.connect(path) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    done.write_text(f"generated in {generated:.1f}s\n{search_code_stamp()}\n")
    return path, index


def _code_mtime() -> str:
    files = [*ROOT.glob("portal/search/*.py"), ROOT / "portal/ideas/models.py"]
    return str(max(int(f.stat().st_mtime) for f in files if f.is_file()))


# Taken when this process starts, before it imports the search code: an index is stamped with
# the code that built it, so an edit made while it was being built still forces a rebuild.
_STAMP = _code_mtime()


def search_code_stamp() -> str:
    """When the search code last changed: a cached index older than that is rebuilt."""
    return _STAMP


def build_index(path: Path, index: Path) -> None:
    from portal.extensions import db
    from portal.search.setup import rebuild

    log("building the Whoosh index (minutes at 100,000 ideas)")
    shutil.rmtree(index, ignore_errors=True)
    started = time.perf_counter()
    with portal_app(f"sqlite:///{path}", "whoosh", index).app_context():
        written = rebuild(progress=False)
        db.engine.dispose()
    log(f"indexed {written} documents in {time.perf_counter() - started:.0f}s")


def working_copy(path: Path, index: Path, label: str) -> tuple[Path, Path]:
    """A copy of the corpus (and index) for one run: the run writes votes and comments."""
    copy, copy_index = DATA_DIR / f"run-{label}.db", DATA_DIR / f"run-{label}-whoosh"
    for leftover in DATA_DIR.glob(f"run-{label}.db*"):
        leftover.unlink()
    shutil.rmtree(copy_index, ignore_errors=True)
    shutil.copyfile(path, copy)
    shutil.copytree(index, copy_index)
    return copy, copy_index


def pick_ids(url: str) -> dict:
    """Ideas an anonymous visitor sees, and open ones a customer may vote on and discuss."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    visible = "audience = 'public' AND NOT confidential AND NOT hidden AND merged_into_id IS NULL"
    with engine.connect() as connection:
        customer_id, customer = connection.execute(
            text(
                "SELECT id, email FROM \"user\" WHERE kind = 'customer' AND role = 'member' "
                "ORDER BY id LIMIT 1"
            )
        ).one()
        seen = [r[0] for r in connection.execute(text(f"SELECT id FROM idea WHERE {visible}"))]
        # Open ideas the bench customer has not voted for: the first toggle is a vote "on".
        writable = [
            r[0]
            for r in connection.execute(
                text(
                    f"SELECT id FROM idea WHERE {visible} AND NOT locked "
                    "AND status IN ('open', 'under_review', 'planned', 'in_progress') "
                    "AND id NOT IN (SELECT idea_id FROM vote WHERE user_id = :user)"
                ),
                {"user": customer_id},
            )
        ]
        busiest = connection.execute(
            text(f"SELECT id FROM idea WHERE {visible} ORDER BY comments_count DESC LIMIT 1")
        ).scalar()
    engine.dispose()
    rng = random.Random(7)
    return {
        "seen": rng.sample(seen, min(1000, len(seen))),
        "writable": rng.sample(writable, min(2000, len(writable))),
        "busiest": busiest,
        "customer": customer,
    }


# -- endpoints -----------------------------------------------------------------------------


def endpoints(ids: dict) -> list[dict]:
    """What is measured: name, method, paths (one picked at random per request), who."""
    quoted = [f"/search?q={urllib.parse.quote_plus(q)}" for q in SEARCHES]
    votes = [f"/ideas/{i}/vote" for i in ids["writable"]]
    return [
        dict(name="idea list", paths=["/ideas"]),
        dict(name="idea list, filtered", paths=FILTERED),
        dict(name="idea list, page 50", paths=["/ideas?page=50"]),
        dict(name="idea list, signed in", paths=["/ideas"], signed_in=True),
        dict(name="home", paths=["/"]),
        dict(name="idea page", paths=[f"/ideas/{i}" for i in ids["seen"]]),
        dict(name="idea page, signed in", paths=[f"/ideas/{i}" for i in ids["seen"]],
             signed_in=True),
        # Pages found again while nothing changed (above) against pages while one request in
        # WRITE_EVERY is a vote: each vote moves the change cursor, and every worker renders
        # the pages anew once after it.
        dict(name="idea list, signed in, votes landing", paths=["/ideas"], signed_in=True,
             writes=votes, write_every=WRITE_EVERY),
        dict(name="idea page, signed in, votes landing", signed_in=True,
             paths=[f"/ideas/{i}" for i in ids["seen"]], writes=votes,
             write_every=WRITE_EVERY),
        dict(name="search", paths=quoted),
        dict(name="vote toggle", method="POST", signed_in=True, paths=votes),
        dict(name="comment post", method="POST", signed_in=True, body="comment",
             paths=[f"/ideas/{i}/comments" for i in ids["writable"]]),
    ]  # fmt: skip


# -- query counts (in-process) ---------------------------------------------------------------


def count_queries(url: str, backend: str, index: Path, ids: dict) -> dict[str, str]:
    """SQL statements per page through the test client: a page rendered, then asked again
    (found again while nothing changed); a vote on and off; a comment."""
    from flask import g
    from generate import BENCH_PASSWORD
    from sqlalchemy import event

    from portal.extensions import db

    app = portal_app(url, backend, index, WTF_CSRF_ENABLED=False, RATELIMIT_ENABLED=False,
                     PAGE_CACHE_SECONDS=0)  # fmt: skip
    statements: list[str] = []

    @app.before_request
    def _fresh_globals():
        # One app context stays pushed below, and Flask reuses its `g` for every request:
        # each request must find its own signed-in user, token and change cursor.
        for name in ("_login_user", "csrf_token", "live_cursor", "live_page"):
            g.pop(name, None)
        db.session.remove()  # and its own session, as in a worker: nothing loaded yet

    def record(_conn, _cursor, statement, *_args):
        if not statement.lstrip().upper().startswith(("BEGIN", "SAVEPOINT", "RELEASE")):
            statements.append(statement)

    counts = {}
    with app.app_context():
        engine = db.engine
        anonymous, customer = app.test_client(), app.test_client()
        response = customer.post(
            "/login", data={"email": ids["customer"], "password": BENCH_PASSWORD}
        )
        assert response.status_code == 302, "the bench customer could not sign in"
        writable = ids["writable"]
        # A portal in use has a newest change; a corpus written in bulk has none, and no page
        # is kept before one names the state (portal/live/service.py page_version): a vote on
        # and off, as the HTTP runs do before measuring (check_writes).
        for _ in range(2):
            customer.post(f"/ideas/{writable[2]}/vote", headers={"HX-Request": "true"})
        pages = [
            ("idea list", anonymous, "GET", "/ideas"),
            ("idea list, filtered", anonymous, "GET", FILTERED[0]),
            ("idea list, page 50", anonymous, "GET", "/ideas?page=50"),
            ("idea list, signed in", customer, "GET", "/ideas"),
            ("home", anonymous, "GET", "/"),
            ("idea page (most discussed)", anonymous, "GET", f"/ideas/{ids['busiest']}"),
            ("idea page, signed in (most discussed)", customer, "GET", f"/ideas/{ids['busiest']}"),
            ("search", anonymous, "GET", "/search?q=door"),
            # A vote on, then off again (warmed on another idea): the pair, "on + off".
            ("vote toggle", customer, "POST", f"/ideas/{writable[0]}/vote"),
            ("comment post", customer, "POST", f"/ideas/{writable[1]}/comments"),
        ]
        for name, client, method, path in pages:
            data = {"body": "Counting queries."} if "comments" in path else None
            headers = {"HX-Request": "true"} if method == "POST" else {}
            measured = []
            if method == "POST":  # warmed on another idea
                warm = path.replace(f"/{writable[0]}/", f"/{writable[2]}/")
                client.open(warm, method=method, data=data, headers=headers)
            # A page twice: rendered, then found again (unchanged); a vote on, then off.
            for _ in range(1 if name == "comment post" else 2):
                event.listen(engine, "before_cursor_execute", record)
                try:
                    response = client.open(path, method=method, data=data, headers=headers)
                finally:
                    event.remove(engine, "before_cursor_execute", record)
                if response.status_code != 200:
                    raise RuntimeError(f"{method} {path} answered {response.status_code}")
                measured.append(len(statements))
                statements.clear()
            counts[name] = (" + " if method == "POST" else " / ").join(str(n) for n in measured)
        db.session.remove()
        db.engine.dispose()
    return counts


# -- servers ---------------------------------------------------------------------------------


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Gunicorn:
    def __init__(self, app: str, workers: int, env: dict, log_path: Path, chdir: Path = ROOT):
        self.port = free_port()
        self.log_path = log_path
        self.log = open(log_path, "w")  # noqa: SIM115
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--bind",
             f"127.0.0.1:{self.port}", "--no-control-socket", "--chdir", str(chdir), app],
            cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT,
        )  # fmt: skip

    def wait(self, path: str, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while True:
            try:
                status, _headers, _body = request("127.0.0.1", self.port, "GET", path)
                if status == 200:
                    return
            except OSError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn did not start; see {self.log_path}")
            time.sleep(0.3)

    def workers(self) -> list[int]:
        with open(f"/proc/{self.process.pid}/task/{self.process.pid}/children") as f:
            return [int(pid) for pid in f.read().split()]

    def memory(self) -> dict:
        """RSS and peak RSS (MiB) of each worker, from /proc."""
        result = []
        for pid in self.workers():
            fields = {}
            with contextlib.suppress(OSError), open(f"/proc/{pid}/status") as f:
                for line in f:
                    name, _, value = line.partition(":")
                    if name in ("VmRSS", "VmHWM"):
                        fields[name] = int(value.split()[0]) / 1024
            if fields:
                result.append(fields)
        return {
            "workers": len(result),
            "rss": [round(f.get("VmRSS", 0), 1) for f in result],
            "peak": [round(f.get("VmHWM", 0), 1) for f in result],
        }

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.log.close()


def request(host, port, method, path, body=None, headers=None):
    connection = http.client.HTTPConnection(host, port, timeout=30)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.headers, response.read()
    finally:
        connection.close()


def sign_in(port: int, email: str) -> tuple[str, str]:
    """(Cookie header, CSRF token) of a customer signed in through the real form."""
    from generate import BENCH_PASSWORD

    def cookies_of(headers) -> dict:
        jar = {}
        for value in headers.get_all("Set-Cookie") or []:
            name, _, rest = value.partition("=")
            jar[name.strip()] = rest.split(";", 1)[0]
        return jar

    status, headers, body = request("127.0.0.1", port, "GET", "/login")
    jar = cookies_of(headers)
    token = re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"', body)
    if token is None:
        token = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', body)
    form = urllib.parse.urlencode(
        {"email": email, "password": BENCH_PASSWORD, "csrf_token": token.group(1).decode()}
    )
    cookie = "; ".join(f"{k}={v}" for k, v in jar.items())
    status, headers, body = request(
        "127.0.0.1", port, "POST", "/login", form,
        {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie},
    )  # fmt: skip
    if status != 302:
        raise RuntimeError(f"signing in answered {status}")
    jar.update(cookies_of(headers))
    cookie = "; ".join(f"{k}={v}" for k, v in jar.items())
    # The sign-in starts a fresh session (no fixation), so the CSRF token is minted anew: the
    # page that shows it also sets the session cookie that goes with it.
    status, headers, body = request("127.0.0.1", port, "GET", "/ideas", None, {"Cookie": cookie})
    jar.update(cookies_of(headers))
    cookie = "; ".join(f"{k}={v}" for k, v in jar.items())
    token = re.search(rb'name="csrf-token" content="([^"]+)"', body) or re.search(
        rb'name="csrf_token"[^>]*value="([^"]+)"', body
    )
    return cookie, token.group(1).decode()


def check_writes(port: int, session, ids: dict) -> None:
    """One vote on and off and one comment through the server, before measuring anything."""
    cookie, token = session
    headers = {
        "Cookie": cookie,
        "HX-Request": "true",
        "Content-Type": "application/x-www-form-urlencoded",
    }
    idea = ids["writable"][-1]
    for path, fields in (
        (f"/ideas/{idea}/vote", {"csrf_token": token}),
        (f"/ideas/{idea}/vote", {"csrf_token": token}),
        (f"/ideas/{idea}/comments", {"csrf_token": token, "body": "Checking the bench."}),
    ):
        status, _headers, body = request(
            "127.0.0.1", port, "POST", path, urllib.parse.urlencode(fields), headers
        )
        if status != 200:
            raise RuntimeError(f"POST {path} answered {status}: {body[:300]!r}")


# -- the load --------------------------------------------------------------------------------

WRK_SCRIPT = """
local paths = {%(paths)s}
local method = "%(method)s"
local body = %(body)s
%(headers)s
local writes = {%(writes)s}
local write_every = %(write_every)d
local write_body = %(write_body)s
local write_headers = {}
local counter = 0
function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
end
function init(args)
  math.randomseed(os.time() * 1000 + id * 7919)
  for name, value in pairs(wrk.headers) do write_headers[name] = value end
  write_headers["HX-Request"] = "true"
  write_headers["Content-Type"] = "application/x-www-form-urlencoded"
end
function request()
  if write_every > 0 and math.random(write_every) == 1 then
    return wrk.format("POST", writes[math.random(#writes)], write_headers, write_body)
  end
  return wrk.format(method, paths[math.random(#paths)], nil, body)
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests": %%d, "duration_us": %%d, "p50_us": %%d, "p99_us": %%d, ' ..
    '"status_errors": %%d, "socket_errors": %%d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.status, e.connect + e.read + e.write + e.timeout))
end
"""


def lua_string(value: str) -> str:
    return json.dumps(value)  # a JSON string is a valid Lua string literal for our values


def wrk(port: int, spec: dict, session, seconds: float, clients: int) -> dict:
    headers = [
        f"wrk.headers[{lua_string(name)}] = {lua_string(value)}"
        for name, value in spec.get("headers", {}).items()
    ]
    body = "nil"
    if spec.get("signed_in"):
        cookie, token = session
        headers.append(f'wrk.headers["Cookie"] = {lua_string(cookie)}')
        if spec.get("method") == "POST":
            headers.append('wrk.headers["HX-Request"] = "true"')
            headers.append('wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"')
            fields = {"csrf_token": token}
            if spec.get("body") == "comment":
                fields["body"] = "Same here, the benchmark says so too."
            body = lua_string(urllib.parse.urlencode(fields))
    writes, write_body = spec.get("writes", []), "nil"
    if writes:  # a share of the requests toggles a vote: what the reads show keeps changing
        write_body = lua_string(urllib.parse.urlencode({"csrf_token": session[1]}))
    script = WRK_SCRIPT % {
        "paths": ", ".join(lua_string(p) for p in spec["paths"]),
        "method": spec.get("method", "GET"),
        "body": body,
        "headers": "\n".join(headers),
        "writes": ", ".join(lua_string(p) for p in writes),
        "write_every": spec.get("write_every", 0) if writes else 0,
        "write_body": write_body,
    }
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(script)
    try:
        done = subprocess.run(
            ["wrk", "-t", str(min(clients, 2)), "-c", str(clients), "-d",
             f"{max(1, round(seconds))}s", "--timeout", "10s", "-s", f.name,
             f"http://127.0.0.1:{port}"],
            capture_output=True, text=True,
        )  # fmt: skip
    finally:
        os.unlink(f.name)
    if done.returncode != 0:
        raise RuntimeError(f"wrk failed ({done.returncode}): {done.stdout}{done.stderr}")
    output = done.stdout
    line = next(line for line in output.splitlines() if line.startswith("WRK_JSON "))
    raw = json.loads(line.removeprefix("WRK_JSON "))
    return {
        "requests": raw["requests"],
        "rps": raw["requests"] / (raw["duration_us"] / 1e6),
        "p50": raw["p50_us"] / 1000,
        "p99": raw["p99_us"] / 1000,
        "errors": raw["status_errors"] + raw["socket_errors"],
    }


def measure(port, spec, session, args) -> dict:
    if args.warmup > 0:
        wrk(port, spec, session, args.warmup, args.clients)
    result = wrk(port, spec, session, args.duration, args.clients)
    log(
        f"  {spec['name']}: {result['rps']:.0f} req/s, p50 {result['p50']:.1f} ms, "
        f"p99 {result['p99']:.1f} ms, {result['errors']} errors"
    )
    return result


# -- consistency after the writes ------------------------------------------------------------


def recount(url: str) -> dict:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.connect() as connection:
        votes = connection.execute(
            text(
                "SELECT count(*) FROM idea i WHERE i.votes_count != "
                "(SELECT count(*) FROM vote v WHERE v.idea_id = i.id)"
            )
        ).scalar()
        comments = connection.execute(
            text(
                "SELECT count(*) FROM idea i WHERE i.comments_count != (SELECT count(*) "
                "FROM comment c WHERE c.idea_id = i.id AND c.deleted_at IS NULL)"
            )
        ).scalar()
        rows = connection.execute(text("SELECT count(*) FROM vote")).scalar()
    engine.dispose()
    return {"wrong_votes_count": votes, "wrong_comments_count": comments, "votes": rows}


# -- one database ----------------------------------------------------------------------------


def serve_env(url: str, backend: str, index: Path, args) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PORTAL_", "TEST_"))}
    env.update(
        PORTAL_ENV="production",
        SECRET_KEY=SECRET_KEY,
        DATABASE_URL=url,
        SEARCH_BACKEND=backend,
        SEARCH_INDEX_DIR=str(index),
        MAIL_BACKEND="log",
        REQUEST_LOG="1" if args.request_log else "0",
        PYTHONPATH=str(ROOT),
    )
    return env


def run_database(name: str, url: str, backend: str, index: Path, small_url: str,
                 small_index: Path, args):  # fmt: skip
    log(f"{name}: counting queries per page, on the small corpus and on the large one")
    small_queries = count_queries(small_url, backend, small_index, pick_ids(small_url))
    ids = pick_ids(url)
    queries = count_queries(url, backend, index, ids)
    log(f"{name}: starting gunicorn ({args.workers} workers) and the minimal app")
    logs = DATA_DIR / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    env = serve_env(url, backend, index, args)
    portal = Gunicorn("wsgi:app", args.workers, env, logs / f"{name}-portal.log")
    minimal = Gunicorn("minimal_app:app", args.workers, env, logs / f"{name}-minimal.log",
                       chdir=BENCH_DIR)  # fmt: skip
    results, memory = {}, {}
    try:
        portal.wait("/healthz")
        minimal.wait("/")
        session = sign_in(portal.port, ids["customer"])
        check_writes(portal.port, session, ids)
        baseline = dict(name="minimal", paths=["/"])
        chosen = [e for e in endpoints(ids) if not args.endpoints or e["name"] in args.endpoints]
        minimal_runs = [measure(minimal.port, baseline, None, args)]
        for spec in chosen:
            results[spec["name"]] = measure(portal.port, spec, session, args)
        minimal_runs.append(measure(minimal.port, baseline, None, args))
        memory = {"portal": portal.memory(), "minimal": minimal.memory()}
    finally:
        portal.stop()
        minimal.stop()
    return {
        "name": name,
        "minimal": minimal_runs,
        "results": results,
        "targets": {name: target_of(name, backend) for name in TARGETS},
        "memory": memory,
        "queries": queries,
        "small_queries": small_queries,
        "recount": recount(url),
    }


def run_sqlite(args) -> dict:
    small_path, small_index = sqlite_corpus(sizes_of(args, small=True), args.seed)
    path, index = sqlite_corpus(sizes_of(args), args.seed)
    small_copy, small_copy_index = working_copy(small_path, small_index, "small")
    copy, copy_index = working_copy(path, index, "sqlite")
    try:
        return run_database("SQLite", f"sqlite:///{copy}", "whoosh", copy_index,
                            f"sqlite:///{small_copy}", small_copy_index, args)  # fmt: skip
    finally:
        for label, leftover_index in (("sqlite", copy_index), ("small", small_copy_index)):
            for leftover in DATA_DIR.glob(f"run-{label}.db*"):
                leftover.unlink()
            shutil.rmtree(leftover_index, ignore_errors=True)


def run_postgres(args) -> dict:
    import psycopg

    from tests.pg import PostgresServer

    server = PostgresServer().start()
    try:
        small_url = server.create_database("bench_small")
        generate.generate(small_url, seed=args.seed, now=CORPUS_NOW, migrate=True,
                          echo=lambda *_: None, **sizes_of(args, small=True))  # fmt: skip
        url = server.create_database("bench")
        log("postgres: generating the corpus")
        started = time.perf_counter()
        generate.generate(url, seed=args.seed, now=CORPUS_NOW, migrate=True, echo=log,
                          **sizes_of(args))  # fmt: skip
        log(f"postgres: generated in {time.perf_counter() - started:.0f}s; VACUUM ANALYZE")
        with psycopg.connect(server.dsn("bench"), autocommit=True) as conn:
            conn.execute("VACUUM ANALYZE")
        unused = DATA_DIR / "unused-index"
        return run_database("PostgreSQL", url, "postgres", unused, small_url, unused, args)
    finally:
        server.stop()


# -- report ----------------------------------------------------------------------------------


def machine_info() -> dict:
    cpu = "unknown"
    with contextlib.suppress(OSError), open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    try:
        wrk_version = subprocess.run(["wrk", "--version"], capture_output=True, text=True)
        wrk_version = (wrk_version.stdout or wrk_version.stderr).split()[1]
    except (OSError, IndexError):
        wrk_version = "?"
    return {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "memory": f"{memory:.1f} GiB",
        "os": platform.platform(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "wrk": wrk_version,
        "load": " ".join(f"{x:.2f}" for x in os.getloadavg()),
    }


def report(runs: list[dict], machine: dict, args) -> str:
    out = [
        f"HTTP benchmark, {machine['date']}: {args.ideas:,} ideas, {args.votes:,} votes, "
        f"{args.comments:,} comments, {args.users:,} users (seed {args.seed}); gunicorn "
        f"{args.workers} sync workers; wrk, {args.clients} connections, {args.duration:g} s "
        f"per endpoint after {args.warmup:g} s of warm-up; loopback; anonymous page cache "
        f"PAGE_CACHE_SECONDS={os.environ.get('PAGE_CACHE_SECONDS', '2 (default)')}.",
        "",
        f"Machine: {machine['nproc']} cores ({machine['cpu']}), {machine['memory']}, "
        f"{machine['os']}, Python {machine['python']}, SQLite {machine['sqlite']}, "
        f"wrk {machine['wrk']}; load average at the start {machine['load']}.",
    ]
    for run in runs:
        minimal = run["minimal"]
        base_rps = sum(m["rps"] for m in minimal) / len(minimal)
        base_p50 = sum(m["p50"] for m in minimal) / len(minimal)
        base_p99 = sum(m["p99"] for m in minimal) / len(minimal)
        out += [
            "",
            f"### {run['name']}",
            "",
            "| endpoint | requests/s | share of minimal | p50 ms | × minimal | p99 ms "
            "| × minimal | errors |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
            f"| minimal Flask (mean of {len(minimal)} runs: "
            + ", ".join(f"{m['rps']:.0f}" for m in minimal)
            + f") | {base_rps:.0f} | 100% | {base_p50:.1f} | 1 | {base_p99:.1f} | 1 | "
            f"{sum(m['errors'] for m in minimal)} |",
        ]
        for name, r in run["results"].items():
            out.append(
                f"| {name} | {r['rps']:.0f} | {r['rps'] / base_rps:.1%} | {r['p50']:.1f} | "
                f"{r['p50'] / base_p50:.1f} | {r['p99']:.1f} | {r['p99'] / base_p99:.1f} | "
                f"{r['errors']} |"
            )
        for name, (share, p99) in run["targets"].items():
            r = run["results"].get(name)
            if r is None:
                continue
            share_ok = r["rps"] / base_rps >= share
            p99_ok = r["p99"] < p99
            out += [
                "",
                f"Target, {name}: share {r['rps'] / base_rps:.1%} "
                f"({'met' if share_ok else 'NOT met'}, ≥ {share:.0%}), "
                f"p99 {r['p99']:.1f} ms ({'met' if p99_ok else 'NOT met'}, < {p99:.0f} ms).",
            ]
        memory = run["memory"]
        if memory:
            p, m = memory["portal"], memory["minimal"]
            out += [
                "",
                f"Memory per worker after the run (RSS, MiB): portal {p['rss']} (peak "
                f"{p['peak']}), minimal app {m['rss']}.",
            ]
        rc = run["recount"]
        out += [
            "",
            f"After the writes: {rc['votes']:,} vote rows; ideas whose votes_count differs "
            f"from a recount: {rc['wrong_votes_count']}, whose comments_count differs: "
            f"{rc['wrong_comments_count']}.",
            "",
            "SQL queries per page (in-process, same database, no page cache: a page rendered "
            "/ the same page asked again, nothing changed in between; the vote is a toggle on "
            "+ off again):",
            "",
            f"| page | at {args.small_ideas:,} ideas | at {args.ideas:,} ideas |",
            "| --- | ---: | ---: |",
        ]
        for page, count in run["queries"].items():
            small = run["small_queries"].get(page, "–")
            flag = " (differs)" if small != count else ""
            out.append(f"| {page} | {small} | {count}{flag} |")
    return "\n".join(out) + "\n"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ideas", type=int, default=100_000)
    parser.add_argument("--comments", type=int, default=300_000)
    parser.add_argument("--users", type=int, default=20_000)
    parser.add_argument("--votes", type=int, help="votes in all (default: 10 per idea)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--small-ideas", type=int, default=5000,
                        help="ideas of the small corpus for the query counts")  # fmt: skip
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per endpoint")
    parser.add_argument("--warmup", type=float, default=2.0, help="unmeasured seconds first")
    parser.add_argument("--endpoints", type=lambda s: [e.strip() for e in s.split(";")],
                        help="only these (names as in the table, separated by ;)")  # fmt: skip
    parser.add_argument("--no-request-log", dest="request_log", action="store_false",
                        help="serve without the JSON request log (on in production)")  # fmt: skip
    parser.add_argument("--output", help="also write the Markdown report here")
    parser.add_argument("--prepare-only", action="store_true",
                        help="make the cached SQLite corpora and indexes, then stop")  # fmt: skip
    args = parser.parse_args(argv)
    if args.votes is None:
        args.votes = 10 * args.ideas
    if args.prepare_only:
        for small in (True, False):
            started = time.perf_counter()
            sqlite_corpus(sizes_of(args, small=small), args.seed)
            log(f"ready in {time.perf_counter() - started:.0f}s")
        return 0
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is needed: apt-get install wrk (Debian package)")
    databases = [d.strip() for d in args.databases.split(",") if d.strip()]
    machine = machine_info()
    log(f"load average at the start: {machine['load']} on {machine['nproc']} cores")
    runs = []
    for database in databases:
        if database == "sqlite":
            runs.append(run_sqlite(args))
        elif database in ("postgresql", "postgres"):
            runs.append(run_postgres(args))
        else:
            raise SystemExit(f"--databases: unknown {database!r}")
    text = report(runs, machine, args)
    print(text)
    if args.output:
        Path(args.output).write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
