"""Load and faults (issue 7): a bounded, mixed load against gunicorn, with a worker killed
and the database restarted mid-run, then every write the clients saw checked in the database.

    python bench/load_test.py [--database sqlite|postgresql] [--duration 300] [--workers 3] \
        [--clients 8] [--faults | --no-faults] [--ideas 5000 --comments 15000 --users 1000]

1. a corpus (bench/generate.py) in a temporary folder: SQLite with its Whoosh index, or a
   throwaway PostgreSQL server (tests/pg.py) searched with the `postgres` backend;
2. the portal under gunicorn (--workers sync workers, production settings, loopback);
3. --clients threads in this process (http.client), half of them API clients with a
   personal access token, half browsers signed in through the form (session cookie, CSRF
   token, htmx POSTs), each a customer of its own, mixing the idea list, idea pages,
   searches, votes (API: POST/DELETE; pages: the toggle) and comments (each carrying a
   unique tag), until --duration seconds have passed; a client told 503 waits
   min(Retry-After, 1 s) and goes on;
4. with --faults: at 30% of the run one gunicorn worker is killed (SIGKILL; the master starts
   another), at 60% the PostgreSQL server is stopped (fast shutdown) for --down seconds and
   started again on the same port and data directory (SQLite: no database to restart);
5. afterwards: every votes_count and comments_count equals a recount; the search index
   verifies clean (Whoosh: `portal.search.setup.verify`, after the servers' own indexers
   have drained the queue); every vote and comment a client saw succeed is in the database,
   and none it saw refused; no 500, no hung request, no error at all outside the fault
   windows, and inside them only errors a client can retry (503 with Retry-After, JSON from
   the API; a connection cut by the killed worker).

It prints a table (requests per kind, status counts, p50/p99, errors per fault window, the
checks) and exits 1 when a check fails.
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
import sys
import tempfile
import threading
import time
import urllib.parse
import warnings
from collections import Counter
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
for _path in (str(ROOT), str(BENCH_DIR)):
    if _path not in sys.path:
        sys.path.insert(0, _path)
warnings.filterwarnings("ignore", category=SyntaxWarning)

import generate  # noqa: E402  (bench/generate.py)
import http_bench  # noqa: E402  (bench/http_bench.py: gunicorn, sign-in, recount)

SECRET_KEY = "load-test-not-secret"
CLIENT_TIMEOUT = 20.0  # seconds; a request that takes longer counts as hung
SEARCHES = ["door", "delivery", "door seal", "thermo", "fridge noise", "lead time", "compr",
            "status:planned seal", "kind:problem noise"]  # fmt: skip
LISTS = ["/ideas", "/ideas?sort=top", "/ideas?sort=new", "/ideas?page=2", "/ideas?status=open"]
API_LISTS = ["/api/v1/ideas", "/api/v1/ideas?sort=top", "/api/v1/ideas?sort=new&page=2",
             "/api/v1/ideas?status=open&per_page=50"]  # fmt: skip
# What a client does, with weights: reads first, then votes, comments and searches.
MIX = [("idea list", 30), ("idea page", 25), ("search", 15), ("vote", 20), ("comment", 10)]
KINDS = [name for name, _weight in MIX]


def log(message: str) -> None:
    print(f"[{dt.datetime.now():%H:%M:%S}] {message}", file=sys.stderr, flush=True)


# -- the corpus ------------------------------------------------------------------------------


class Database:
    """The database of one run: a SQLite file (and Whoosh index) or a PostgreSQL server."""

    def __init__(self, kind: str, base: Path):
        self.kind = kind
        self.base = base
        self.server = None
        self.index = base / "search-index"
        if kind == "sqlite":
            self.url = f"sqlite:///{base / 'portal.db'}"
            self.backend = "whoosh"
        else:
            from tests.pg import PostgresServer

            self.server = PostgresServer().start()
            self.url = self.server.create_database("load")
            self.backend = "postgres"

    def app(self):
        return http_bench.portal_app(self.url, self.backend, self.index)

    def fill(self, args) -> None:
        started = time.perf_counter()
        generate.generate(self.url, ideas=args.ideas, comments=args.comments, users=args.users,
                          seed=args.seed, migrate=True, echo=lambda *_: None)  # fmt: skip
        log(f"{self.kind}: corpus generated in {time.perf_counter() - started:.0f}s")
        if self.backend == "whoosh":
            from portal.extensions import db
            from portal.search.setup import rebuild

            started = time.perf_counter()
            with self.app().app_context():
                written = rebuild(progress=False)
                db.engine.dispose()
            log(f"whoosh: {written} documents indexed in {time.perf_counter() - started:.0f}s")

    def restart(self, down: float) -> None:
        self.server.halt()
        time.sleep(down)
        self.server.resume()

    def close(self) -> None:
        if self.server is not None:
            self.server.stop()


def prepare_people(database: Database, clients: int, writable: int, seed: int) -> dict:
    """Customers for the clients (tokens for the API ones), and the ideas they write to."""
    from sqlalchemy import bindparam, select, text

    from portal.accounts import service as accounts
    from portal.accounts.models import User
    from portal.extensions import db

    visible = "audience = 'public' AND NOT confidential AND NOT hidden AND merged_into_id IS NULL"
    with database.app().app_context():
        users = list(
            db.session.scalars(
                select(User)
                .where(User.kind == "customer", User.role == "member", User.approved.is_(True),
                       User.suspended_until.is_(None))
                .order_by(User.id)
                .limit(clients)
            )
        )  # fmt: skip
        if len(users) < clients:
            raise SystemExit(f"only {len(users)} customers for {clients} clients: more --users")
        # Established accounts: no new-account limits (NEW_ACCOUNT_DAYS) on what they write.
        db.session.execute(
            text('UPDATE "user" SET created_at = :then WHERE id IN :ids').bindparams(
                bindparam("ids", expanding=True)
            ),
            {"then": dt.datetime(2020, 1, 1), "ids": [u.id for u in users]},
        )
        people = []
        for n, user in enumerate(users):
            person = {"id": user.id, "email": user.email, "via": "api" if n % 2 == 0 else "page"}
            if person["via"] == "api":
                _token, person["token"] = accounts.create_token(user, "load test")
            people.append(person)
        db.session.commit()
        seen = [r[0] for r in db.session.execute(text(f"SELECT id FROM idea WHERE {visible}"))]
        open_ideas = [
            r[0]
            for r in db.session.execute(
                text(
                    f"SELECT id FROM idea WHERE {visible} AND NOT locked "
                    "AND status IN ('open', 'under_review', 'planned', 'in_progress')"
                )
            )
        ]
        rng = random.Random(seed)
        targets = sorted(rng.sample(open_ideas, min(writable, len(open_ideas))))
        votes = db.session.execute(
            text("SELECT user_id, idea_id FROM vote WHERE user_id IN :ids AND idea_id IN :ideas")
            .bindparams(bindparam("ids", expanding=True),
                        bindparam("ideas", expanding=True)),
            {"ids": [p["id"] for p in people], "ideas": targets},
        ).all()  # fmt: skip
        db.session.remove()
        db.engine.dispose()
    return {
        "people": people,
        "seen": rng.sample(seen, min(2000, len(seen))),
        "targets": targets,
        "voted": {(u, i) for u, i in votes},
    }


# -- the servers -----------------------------------------------------------------------------


def start_portal(database: Database, workers: int, base: Path) -> "http_bench.Gunicorn":
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PORTAL_", "TEST_"))}
    instance = base / "instance"
    instance.mkdir(exist_ok=True)
    env.update(
        PORTAL_ENV="production",
        SECRET_KEY=SECRET_KEY,
        DATABASE_URL=database.url,
        SEARCH_BACKEND=database.backend,
        SEARCH_INDEX_DIR=str(database.index),
        PORTAL_INSTANCE_DIR=str(instance),
        MAIL_BACKEND="log",
        REQUEST_LOG="1",
        PYTHONPATH=str(ROOT),
        PYTHONUNBUFFERED="1",
    )
    portal = http_bench.Gunicorn("wsgi:app", workers, env, base / "gunicorn.log")
    portal.wait("/healthz")
    return portal


def alive_workers(portal, expected: int, gone: int | None = None, timeout: float = 30.0):
    """The master's live workers, once there are `expected` of them (without `gone`)."""
    deadline = time.monotonic() + timeout
    while True:
        pids = [pid for pid in portal.workers() if pid != gone and is_running(pid)]
        if len(pids) >= expected or time.monotonic() > deadline:
            return pids
        time.sleep(0.1)


def is_running(pid: int) -> bool:
    """Alive, not a zombie the master has not reaped yet."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


# -- the clients -----------------------------------------------------------------------------


class Outcome:
    """What a client saw: a status, or the name of a connection error."""

    __slots__ = ("t0", "t1", "kind", "via", "status", "error", "retry_after", "json_error")

    def __init__(self, t0, kind, via):
        self.t0, self.kind, self.via = t0, kind, via
        self.t1 = None
        self.status = None
        self.error = None
        self.retry_after = None
        self.json_error = None

    @property
    def label(self) -> str:
        return str(self.status) if self.status is not None else self.error


class Client(threading.Thread):
    def __init__(self, number: int, person: dict, ids: dict, port: int, run_tag: str,
                 deadline: float, seed: int):  # fmt: skip
        super().__init__(name=f"client-{number}", daemon=True)
        self.number, self.person, self.ids, self.port = number, person, ids, port
        self.via = person["via"]
        self.run_tag, self.deadline = run_tag, deadline
        self.rng = random.Random(seed * 1000 + number)
        self.outcomes: list[Outcome] = []
        self.connection = None
        self.headers = {}
        self.csrf = None
        # (idea id) -> True / False / None (unknown: the request's fate was not seen)
        self.votes = {i: (person["id"], i) in ids["voted"] for i in ids["targets"]}
        self.comments: dict[str, str] = {}  # tag -> "ok" | "refused" | "unknown"
        self.seq = 0
        self.crashed = None

    # plumbing

    def sign_in(self) -> None:
        if self.via == "api":
            self.headers = {"Authorization": f"Bearer {self.person['token']}"}
        else:
            cookie, self.csrf = http_bench.sign_in(self.port, self.person["email"])
            self.headers = {"Cookie": cookie}

    def send(self, kind: str, method: str, path: str, body=None, content_type=None):
        outcome = Outcome(time.monotonic(), kind, self.via)
        headers = dict(self.headers)
        if content_type:
            headers["Content-Type"] = content_type
        if self.via == "page" and method == "POST":
            headers["HX-Request"] = "true"
        payload = b""
        try:
            if self.connection is None:
                self.connection = http.client.HTTPConnection(
                    "127.0.0.1", self.port, timeout=CLIENT_TIMEOUT
                )
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
            payload = response.read()
            outcome.status = response.status
            outcome.retry_after = response.getheader("Retry-After")
            if path.startswith("/api/") and response.status >= 400:
                with contextlib.suppress(ValueError, AttributeError, TypeError):
                    outcome.json_error = json.loads(payload)["error"]["code"]
            if response.will_close:
                self.connection.close()
                self.connection = None
        except TimeoutError:  # socket.timeout too
            outcome.error = "timeout"
            self._drop()
        except (OSError, http.client.HTTPException) as error:
            outcome.error = type(error).__name__
            self._drop()
        outcome.t1 = time.monotonic()
        self.outcomes.append(outcome)
        return outcome, payload

    def _drop(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None

    # what a visitor does

    def run(self) -> None:
        try:
            self.sign_in()
            kinds, weights = zip(*MIX, strict=True)
            while time.monotonic() < self.deadline:
                kind = self.rng.choices(kinds, weights)[0]
                outcome = getattr(self, kind.replace(" ", "_"))()
                if outcome.status == 503:
                    wait = float(outcome.retry_after or 1)
                    time.sleep(min(wait, 1.0))
                elif outcome.error:
                    time.sleep(0.2)
        except Exception as error:  # a bug in the client: reported as a failed check
            self.crashed = f"{type(error).__name__}: {error}"

    def idea_list(self):
        paths = API_LISTS if self.via == "api" else LISTS
        return self.send("idea list", "GET", self.rng.choice(paths))[0]

    def idea_page(self):
        idea = self.rng.choice(self.ids["seen"])
        path = f"/api/v1/ideas/{idea}" if self.via == "api" else f"/ideas/{idea}"
        return self.send("idea page", "GET", path)[0]

    def search(self):
        query = urllib.parse.quote_plus(self.rng.choice(SEARCHES))
        path = f"/api/v1/search?q={query}" if self.via == "api" else f"/search?q={query}"
        return self.send("search", "GET", path)[0]

    def vote(self):
        idea = self.rng.choice(self.ids["targets"])
        before = self.votes[idea]
        if self.via == "api":
            method = "DELETE" if before else "POST"
            outcome, payload = self.send("vote", method, f"/api/v1/ideas/{idea}/vote")
            if outcome.status == 200:
                self.votes[idea] = bool(json.loads(payload)["viewer_has_voted"])
        else:
            form = urllib.parse.urlencode({"csrf_token": self.csrf})
            outcome, payload = self.send("vote", "POST", f"/ideas/{idea}/vote", form,
                                         "application/x-www-form-urlencoded")  # fmt: skip
            if outcome.status == 200:
                pressed = re.search(rb'aria-pressed="(true|false)"', payload)
                self.votes[idea] = pressed.group(1) == b"true" if pressed else None
        if outcome.status is None or outcome.status >= 500:
            # No answer, or the database went away: maybe after the commit. Unknown until
            # the next answer about this idea.
            self.votes[idea] = None
        return outcome

    def comment(self):
        idea = self.rng.choice(self.ids["targets"])
        self.seq += 1
        tag = f"lt{self.run_tag}x{self.number}x{self.seq}"
        body = f"Seen under load too ({tag}): the door seal again."
        if self.via == "api":
            path, payload = f"/api/v1/ideas/{idea}/comments", json.dumps({"body": body})
            outcome, _payload = self.send("comment", "POST", path, payload, "application/json")
        else:
            form = urllib.parse.urlencode({"csrf_token": self.csrf, "body": body})
            outcome, _payload = self.send("comment", "POST", f"/ideas/{idea}/comments", form,
                                          "application/x-www-form-urlencoded")  # fmt: skip
        if outcome.status is None:
            self.comments[tag] = "unknown"
        elif 200 <= outcome.status < 300:
            self.comments[tag] = "ok"
        elif outcome.status >= 500:
            self.comments[tag] = "unavailable"  # 503: maybe the database left after the commit
        else:
            self.comments[tag] = "refused"
        return outcome


# -- faults ----------------------------------------------------------------------------------


class Faults(threading.Thread):
    """Kills a worker at 30% of the run, restarts the database at 60%; records the windows."""

    def __init__(self, portal, database: Database, args, started: float):
        super().__init__(name="faults", daemon=True)
        self.portal, self.database, self.args, self.started = portal, database, args, started
        self.windows: list[dict] = []
        self.notes: list[str] = []
        self.failed = None

    def run(self) -> None:
        try:
            self._wait_until(0.3)
            victim = random.Random(self.args.seed).choice(self.portal.workers())
            window = {"name": f"worker {victim} killed", "start": time.monotonic()}
            os.kill(victim, signal.SIGKILL)
            back = alive_workers(self.portal, self.args.workers, gone=victim)
            window["end"] = time.monotonic()
            self.windows.append(window)
            self.notes.append(
                f"worker {victim} killed; {len(back)} workers again after "
                f"{window['end'] - window['start']:.1f}s"
            )
            if self.database.server is None:
                self.notes.append("database restart: not applicable on SQLite (no server)")
                return
            self._wait_until(0.6)
            window = {"name": f"PostgreSQL down {self.args.down:g}s", "start": time.monotonic()}
            self.database.restart(self.args.down)
            window["end"] = time.monotonic()
            self.windows.append(window)
            self.notes.append(
                f"PostgreSQL stopped (fast shutdown) and started again on port "
                f"{self.database.server.port}: {window['end'] - window['start']:.1f}s"
            )
        except Exception as error:
            self.failed = f"{type(error).__name__}: {error}"

    def _wait_until(self, share: float) -> None:
        time.sleep(max(0.0, self.started + share * self.args.duration - time.monotonic()))


# -- afterwards ------------------------------------------------------------------------------


def wait_for_search_queue(database: Database, timeout: float = 60.0) -> int:
    """Rows still in the search queue once the servers' indexers had `timeout` seconds."""
    if database.backend != "whoosh":
        return 0
    from sqlalchemy import create_engine, text

    engine = create_engine(database.url)
    deadline = time.monotonic() + timeout
    try:
        while True:
            with engine.connect() as connection:
                left = connection.execute(text("SELECT count(*) FROM search_task")).scalar()
            if not left or time.monotonic() > deadline:
                return left
            time.sleep(0.5)
    finally:
        engine.dispose()


def verify_search(database: Database) -> list[str]:
    from portal.extensions import db
    from portal.search.setup import verify

    with database.app().app_context():
        problems = verify()
        db.engine.dispose()
    return problems


def check_writes(database: Database, clients: list[Client], run_tag: str) -> dict:
    """What the clients saw against what the database holds."""
    from sqlalchemy import bindparam, create_engine, text

    engine = create_engine(database.url)
    with engine.connect() as connection:
        rows = connection.execute(
            text("SELECT body, deleted_at FROM comment WHERE body LIKE :tag"),
            {"tag": f"%lt{run_tag}x%"},
        ).all()
        people = [c.person["id"] for c in clients]
        votes = {
            (u, i)
            for u, i in connection.execute(
                text("SELECT user_id, idea_id FROM vote WHERE user_id IN :ids").bindparams(
                    bindparam("ids", expanding=True)
                ),
                {"ids": people},
            )
        }
    engine.dispose()
    found = Counter()
    for body, _deleted in rows:
        for tag in re.findall(rf"lt{run_tag}x\d+x\d+", body):
            found[tag] += 1
    result = Counter()
    for client in clients:
        for tag, fate in client.comments.items():
            here = found.get(tag, 0)
            result[f"comments {fate}"] += 1
            if fate == "ok" and here != 1:
                result["comments lost"] += 1
            if fate == "refused" and here:
                result["comments refused but written"] += 1
            if fate in ("unknown", "unavailable") and here:
                result[f"comments {fate}, written"] += 1
            if here > 1:
                result["comments written twice"] += 1
        for idea, state in client.votes.items():
            present = (client.person["id"], idea) in votes
            if state is None:
                result["votes unknown"] += 1
            elif state and not present:
                result["votes lost"] += 1
            elif not state and present:
                result["votes withdrawn but present"] += 1
            else:
                result["votes as seen"] += 1
    return dict(result)


def server_log_problems(path: Path) -> dict:
    text = path.read_text(errors="replace") if path.exists() else ""
    statuses = Counter()
    for line in text.splitlines():
        if line.startswith('{"ts"'):
            with contextlib.suppress(ValueError):
                statuses[json.loads(line)["status"]] += 1
    return {
        # One per logged error: chained exceptions print several "Traceback" headers.
        "tracebacks": text.count("Traceback (most recent call last)")
        - text.count("The above exception was the direct cause")
        - text.count("During handling of the above exception"),
        # A background queue (outbox, search) that failed a round and will try again.
        "retrying": len(re.findall(r"failed; retrying", text)),
        "unhandled": text.count("unhandled error on"),
        "db_unavailable_lines": text.count("database unavailable on"),
        "logged_500": statuses.get(500, 0),
    }


# -- the report ------------------------------------------------------------------------------


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def in_window(outcome: Outcome, windows: list[dict], grace: float) -> dict | None:
    for window in windows:
        if outcome.t1 >= window["start"] and outcome.t0 <= window["end"] + grace:
            return window
    return None


def analyse(outcomes: list[Outcome], windows: list[dict], grace: float) -> dict:
    rows = {}
    for kind in KINDS:
        for via in ("api", "page"):
            mine = [o for o in outcomes if o.kind == kind and o.via == via]
            if not mine:
                continue
            latencies = [(o.t1 - o.t0) * 1000 for o in mine if o.status is not None]
            rows[f"{kind} ({via})"] = {
                "requests": len(mine),
                "labels": Counter(o.label for o in mine),
                "p50": percentile(latencies, 0.50),
                "p99": percentile(latencies, 0.99),
            }
    per_window = {w["name"]: Counter() for w in windows}
    outside = Counter()
    bad_503 = 0
    recovered = {}
    for o in sorted(outcomes, key=lambda o: o.t0):
        ok = o.status is not None and 200 <= o.status < 300
        window = in_window(o, windows, grace)
        if window is not None:
            per_window[window["name"]][o.label] += 1
        elif not ok:
            outside[o.label] += 1
        if o.status == 503 and (
            not (o.retry_after or "").isdigit()
            or (o.via == "api" and o.json_error != "unavailable")
        ):
            bad_503 += 1
        for w in windows:
            if ok and o.t0 >= w["end"] and w["name"] not in recovered:
                recovered[w["name"]] = o.t1 - w["end"]
    return {"rows": rows, "per_window": per_window, "outside": outside, "bad_503": bad_503,
            "recovered": recovered}  # fmt: skip


def report(args, machine: str, analysis: dict, outcomes: list[Outcome], elapsed: float,
           checks: list[tuple[str, bool, str]], notes: list[str], windows: list[dict],
           started: float) -> str:  # fmt: skip
    total = len(outcomes)
    labels = sorted({label for row in analysis["rows"].values() for label in row["labels"]},
                    key=lambda s: (not s.isdigit(), s))  # fmt: skip
    out = [
        f"Load test, {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC: {args.database}, gunicorn "
        f"{args.workers} sync workers, {args.clients} clients (half API tokens, half signed-in "
        f"browsers), {elapsed:.0f} s, faults {'on' if args.faults else 'off'}; corpus "
        f"{args.ideas:,} ideas, {args.comments:,} comments, {args.users:,} users; writes to "
        f"{args.writable} ideas; loopback.",
        "",
        f"Machine: {machine}.",
        "",
        f"{total:,} requests, {total / elapsed:.0f}/s.",
        "",
        "| kind | requests | " + " | ".join(labels) + " | p50 ms | p99 ms |",
        "| --- | ---: | " + " | ".join("---:" for _ in labels) + " | ---: | ---: |",
    ]
    for name, row in analysis["rows"].items():
        cells = " | ".join(str(row["labels"].get(label, 0) or "") for label in labels)
        out.append(f"| {name} | {row['requests']:,} | {cells} | {row['p50']:.0f} | "
                   f"{row['p99']:.0f} |")  # fmt: skip
    if windows:
        out += [
            "",
            f"| fault window | from s | to s | answers in it (and {args.grace:g} s after) "
            "| first success after |",
            "| --- | ---: | ---: | --- | ---: |",
        ]
        for w in windows:
            seen = analysis["per_window"][w["name"]]
            text = ", ".join(f"{label}: {n}" for label, n in sorted(seen.items()))
            back = analysis["recovered"].get(w["name"])
            out.append(f"| {w['name']} | {w['start'] - started:.1f} | {w['end'] - started:.1f} "
                       f"| {text} | {'–' if back is None else f'{back:.2f} s'} |")  # fmt: skip
    out += ["", *[f"- {note}" for note in notes], "", "| check | result | detail |",
            "| --- | --- | --- |"]  # fmt: skip
    for name, ok, detail in checks:
        out.append(f"| {name} | {'ok' if ok else 'FAILED'} | {detail} |")
    return "\n".join(out) + "\n"


def machine_info() -> str:
    cpu = "unknown"
    with contextlib.suppress(OSError), open("/proc/cpuinfo") as f:
        cpu = next((line.split(":", 1)[1].strip() for line in f if line.startswith("model name")),
                   cpu)  # fmt: skip
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    return (f"{os.cpu_count()} cores ({cpu}), {platform.platform()}, Python "
            f"{platform.python_version()}; load average at the start {load}")  # fmt: skip


# -- one run ---------------------------------------------------------------------------------


def run(args) -> dict:
    """The whole load test; returns {"ok", "checks", "text", ...}."""
    base = Path(tempfile.mkdtemp(prefix="portal-load-"))
    machine = machine_info()
    log(f"{args.database}: preparing in {base}")
    database = Database(args.database, base)
    portal = None
    keep = args.keep
    try:
        database.fill(args)
        ids = prepare_people(database, args.clients, args.writable, args.seed)
        portal = start_portal(database, args.workers, base)
        log(f"gunicorn: {args.workers} workers on port {portal.port}; "
            f"{args.clients} clients for {args.duration:g}s")  # fmt: skip
        run_tag = f"{random.randrange(10**6):06d}"
        started = time.monotonic()
        deadline = started + args.duration
        clients = [
            Client(n, person, ids, portal.port, run_tag, deadline, args.seed)
            for n, person in enumerate(ids["people"])
        ]
        for client in clients:
            client.start()
        faults = None
        if args.faults:
            faults = Faults(portal, database, args, started)
            faults.start()
        for client in clients:
            client.join(timeout=args.duration + 4 * CLIENT_TIMEOUT)
        if faults is not None:
            faults.join(timeout=120)
        elapsed = time.monotonic() - started
        outcomes = [o for client in clients for o in client.outcomes]
        windows = faults.windows if faults else []
        notes = list(faults.notes) if faults else []
        log(f"{len(outcomes)} requests in {elapsed:.0f}s; checking")
        analysis = analyse(outcomes, windows, args.grace)
        queue_left = wait_for_search_queue(database)
        workers_after = len(alive_workers(portal, args.workers, timeout=5))
        portal.stop()
        server_log = server_log_problems(base / "gunicorn.log")
        recount = http_bench.recount(database.url)
        problems = verify_search(database) if database.backend == "whoosh" else None
        writes = check_writes(database, clients, run_tag)

        labels = Counter(o.label for o in outcomes)
        hung = labels.get("timeout", 0)
        five_hundred = sum(
            n for label, n in labels.items() if label.startswith("5") and label != "503"
        )
        in_windows = sum(sum(c.values()) - sum(n for label, n in c.items() if label.startswith("2"))
                         for c in analysis["per_window"].values())  # fmt: skip
        disallowed = Counter()
        for c in analysis["per_window"].values():
            for label, n in c.items():
                if not (label.startswith("2") or label == "503" or label in RETRYABLE_ERRORS):
                    disallowed[label] += n
        crashed = [f"{c.name}: {c.crashed}" for c in clients if c.crashed]
        checks = [
            ("every client ran to the end", not crashed and (faults is None or not faults.failed),
             "; ".join(crashed) or (faults.failed if faults and faults.failed else "yes")),
            ("votes_count = recount", recount["wrong_votes_count"] == 0,
             f"{recount['wrong_votes_count']} ideas differ ({recount['votes']:,} vote rows)"),
            ("comments_count = recount", recount["wrong_comments_count"] == 0,
             f"{recount['wrong_comments_count']} ideas differ"),
            ("search index verifies", problems is None or not problems,
             "n/a: the PostgreSQL backend searches the tables" if problems is None else
             (f"clean; {queue_left} rows left in the queue before verify" if not problems
              else f"{len(problems)} differences, e.g. {problems[:3]}")),
            ("no 500 (or other 5xx but 503)", five_hundred == 0 and server_log["logged_500"] == 0,
             f"{five_hundred} seen, {server_log['logged_500']} in the request log"),
            ("no hung request", hung == 0, f"{hung} over {CLIENT_TIMEOUT:g} s"),
            ("no error outside fault windows", not analysis["outside"],
             ", ".join(f"{k}: {v}" for k, v in sorted(analysis["outside"].items())) or "none"),
            ("only retryable errors in fault windows", not disallowed,
             f"{in_windows} errors, all 503 or a cut connection" if not disallowed
             else ", ".join(f"{k}: {v}" for k, v in disallowed.items())),
            ("every 503 has Retry-After (and JSON from the API)", analysis["bad_503"] == 0,
             f"{labels.get('503', 0)} answered 503, {analysis['bad_503']} without"),
            ("every write seen to succeed is there", not writes.get("comments lost")
             and not writes.get("votes lost"),
             f"comments ok {writes.get('comments ok', 0)}, lost {writes.get('comments lost', 0)}"
             f"; (client, idea) votes as seen {writes.get('votes as seen', 0)}, lost "
             f"{writes.get('votes lost', 0)}"),
            ("nothing seen refused (4xx) was written, no vote seen withdrawn is there",
             not writes.get("comments refused but written")
             and not writes.get("votes withdrawn but present"),
             f"comments refused {writes.get('comments refused', 0)}, of which written "
             f"{writes.get('comments refused but written', 0)}; votes withdrawn but present "
             f"{writes.get('votes withdrawn but present', 0)}"),
            ("no comment written twice", not writes.get("comments written twice"),
             f"{writes.get('comments written twice', 0)}"),
            ("all workers up at the end", workers_after == args.workers,
             f"{workers_after} of {args.workers}"),
        ]  # fmt: skip
        if args.faults:
            checks.append(("the faults happened", len(windows) == (2 if database.server else 1),
                           "; ".join(w["name"] for w in windows)))  # fmt: skip
        notes.append(
            f"comments answered 503: {writes.get('comments unavailable', 0)}, of which "
            f"committed before the database went away (whole and counted; a client retrying "
            f"posts again): {writes.get('comments unavailable, written', 0)}; comments without "
            f"an answer (connection cut): {writes.get('comments unknown', 0)}, of which written "
            f"{writes.get('comments unknown, written', 0)}; (client, idea) vote states left "
            f"unknown by a 503 or a cut connection and never answered again: "
            f"{writes.get('votes unknown', 0)}"
        )
        notes.append(
            f"server log: {server_log['db_unavailable_lines']} 'database unavailable' lines "
            f"(one per 503), {server_log['unhandled']} unhandled errors, "
            f"{server_log['tracebacks']} tracebacks ({server_log['retrying']} of a background "
            "queue's round that failed and is retried)"
        )
        text = report(args, machine, analysis, outcomes, elapsed, checks, notes, windows, started)
        ok = all(passed for _name, passed, _detail in checks)
        keep = keep or not ok
        return {"ok": ok, "checks": checks, "text": text, "labels": labels, "writes": writes,
                "recount": recount, "windows": windows, "base": str(base)}  # fmt: skip
    finally:
        if portal is not None:
            portal.stop()
        database.close()
        if keep:
            log(f"kept {base} (gunicorn.log, the database)")
        else:
            shutil.rmtree(base, ignore_errors=True)


# A connection the killed worker cut, or one refused while the master replaced it.
RETRYABLE_ERRORS = {"RemoteDisconnected", "ConnectionResetError", "ConnectionRefusedError",
                    "BrokenPipeError", "IncompleteRead", "BadStatusLine"}  # fmt: skip


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="postgresql")
    parser.add_argument("--duration", type=float, default=300.0, help="seconds of load")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn sync workers")
    parser.add_argument("--clients", type=int, default=8, help="client threads (users)")
    parser.add_argument("--faults", action=argparse.BooleanOptionalAction, default=True,
                        help="kill a worker at 30%%, restart PostgreSQL at 60%%")  # fmt: skip
    parser.add_argument("--down", type=float, default=5.0, help="seconds PostgreSQL stays down")
    parser.add_argument("--grace", type=float, default=3.0,
                        help="seconds after a fault still counted in its window")  # fmt: skip
    parser.add_argument("--ideas", type=int, default=5000)
    parser.add_argument("--comments", type=int, default=15000)
    parser.add_argument("--users", type=int, default=1000)
    parser.add_argument("--writable", type=int, default=100,
                        help="open public ideas the clients vote on and discuss")  # fmt: skip
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--output", help="also write the Markdown summary here")
    parser.add_argument("--keep", action="store_true", help="keep the run's folder")
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    result = run(args)
    print(result["text"])
    if args.output:
        Path(args.output).write_text(result["text"])
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
