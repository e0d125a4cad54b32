"""Live benchmark (issue 13): the unchanged /live answer against the minimal endpoint, and
what open, idle pages polling at the default rate cost the server.

    python bench/live_bench.py [--databases sqlite,postgresql] [--workers 2] [--clients 8] \
        [--duration 10] [--warmup 2] [--pages 500] [--interval 3] [--idle-seconds 30] \
        [--changes 200000] [--output FILE]

The harness of bench/http_bench.py (same gunicorn sync workers, production settings with the
JSON request log on, the same minimal Flask app beside, the same wrk client), on a small
corpus with `--changes` rows in live_change (the cursor table a long-running portal keeps a
day of). For each database:

1. wrk, `--clients` connections: the minimal endpoint, the unchanged /live answer for an
   anonymous visitor (watching an idea) and for a signed-in customer (an idea and their
   notifications: the session cookie is read, the account is not loaded), each as a page
   at the newest cursor asks it and as a page one change behind asks it (the change is not
   theirs), both answered from the recent changes the worker read in the last quarter
   second (issue 17; before it, one indexed read per question one change behind),
   /healthz, the minimal endpoint again. Each names a random idea; every answer is 204
   with no body.
2. `--pages` open pages (half signed in), each asking every `--interval` seconds with the
   script's jitter (80-120%), for `--idle-seconds`: the CPU time the portal's gunicorn
   processes (master and workers, user + system, from /proc) spent meanwhile, beside what
   they spend idle over a third as long, as a share of one core; then the same requests to
   the minimal app, the floor any answer costs here (a connection per request: sync
   workers do not keep connections alive).

Targets (issue 13): the unchanged answer at least 50% of the minimal endpoint's requests/s
at 8 clients; 500 open idea pages at the default rate under 10% of one core.
"""

import argparse
import datetime as dt
import http.client
import os
import queue
import random
import shutil
import sys
import threading
import time
import urllib.parse
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import http_bench as hb  # noqa: E402  (bench/http_bench.py, beside this file)

TARGET_SHARE, TARGET_CORE = 0.50, 0.10
SIZES = dict(ideas=2000, comments=6000, users=500, votes=20000)


def fill_changes(url: str, count: int, seed: int = 5, last: str = "intake") -> None:
    """`count` change rows, as a day of a busy portal leaves (ideas, people, the queues), the
    newest about `last`."""
    from sqlalchemy import create_engine, insert, text

    from portal.live.models import LiveChange
    from portal.timeutil import utcnow

    engine = create_engine(url)
    rng = random.Random(seed)
    now = utcnow()
    with engine.begin() as connection:
        ideas = connection.execute(text("SELECT max(id) FROM idea")).scalar()
        users = connection.execute(text('SELECT max(id) FROM "user"')).scalar()
        batch = []
        for n in range(count):
            roll = rng.random()
            if roll < 0.6:
                topic = f"idea:{rng.randint(1, ideas)}"
            elif roll < 0.85:
                topic = f"user:{rng.randint(1, users)}"
            else:
                topic = rng.choice(["triage", "moderation", "intake"])
            topic = last if n == count - 1 else topic
            batch.append({"topic": topic, "comment_id": None, "created_at": now})
            if len(batch) == 5000 or n == count - 1:
                connection.execute(insert(LiveChange), batch)
                batch = []
    engine.dispose()


def poll_paths(url: str, ids: dict, count: int = 500, behind: int = 0):
    """/live questions of pages at the newest cursor (or `behind` changes before it, none
    of them theirs): (anonymous, signed in)."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.connect() as connection:
        cursor = connection.execute(text("SELECT max(id) FROM live_change")).scalar() - behind
    engine.dispose()
    rng = random.Random(11)
    seen = rng.sample(ids["seen"], min(count, len(ids["seen"])))

    def path(idea_id, signed_in):
        watch = f"idea:{idea_id}" + (" notifications" if signed_in else "")
        query = {"cursor": cursor, "watch": watch, "page": f"/ideas/{idea_id}"}
        return "/live?" + urllib.parse.urlencode(query)

    return [path(i, False) for i in seen], [path(i, True) for i in seen]


# -- CPU of the server ------------------------------------------------------------------------

_TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(server: hb.Gunicorn) -> float:
    """User + system CPU time of the gunicorn master and its workers so far."""
    total = 0.0
    for pid in [server.process.pid, *server.workers()]:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / _TICK  # utime, stime
    return total


def paced_pages(port, pages, interval, seconds, anonymous, signed, cookie) -> dict:
    """`pages` open pages asking every `interval` s (80-120% jitter) for `seconds`."""
    rng = random.Random(17)
    schedule = sorted((rng.uniform(0, interval), n) for n in range(pages))
    jobs: queue.Queue = queue.Queue()
    latencies, errors, lock = [], [0], threading.Lock()

    def worker():
        while (job := jobs.get()) is not None:
            n = job
            signed_in = n % 2 == 0
            path = (signed if signed_in else anonymous)[n % len(anonymous)]
            headers = {"HX-Request": "true", **({"Cookie": cookie} if signed_in else {})}
            started = time.perf_counter()
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                connection.request("GET", path, headers=headers)
                response = connection.getresponse()
                response.read()
                connection.close()
                ok = response.status == 204
            except OSError:
                ok = False
            with lock:
                latencies.append(time.perf_counter() - started)
                errors[0] += not ok

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(32)]
    for thread in threads:
        thread.start()
    start = time.monotonic()
    sent = 0
    while schedule:
        at, n = schedule.pop(0)
        if at > seconds:
            break
        pause = start + at - time.monotonic()
        if pause > 0:
            time.sleep(pause)
        jobs.put(n)
        sent += 1
        next_at = at + interval * rng.uniform(0.8, 1.2)
        # Keep the schedule sorted (a few hundred entries: insertion is cheap).
        index = next((i for i, (t, _) in enumerate(schedule) if t > next_at), len(schedule))
        schedule.insert(index, (next_at, n))
    for _ in threads:
        jobs.put(None)
    for thread in threads:
        thread.join(timeout=30)
    latencies.sort()
    return {
        "requests": sent,
        "rate": sent / seconds,
        "errors": errors[0],
        "p50": latencies[len(latencies) // 2] * 1000 if latencies else 0,
        "p99": latencies[int(len(latencies) * 0.99)] * 1000 if latencies else 0,
    }


def idle_cost(server, minimal, args, anonymous, signed, cookie) -> dict:
    before = cpu_seconds(server)
    time.sleep(args.idle_seconds / 3)
    idle = (cpu_seconds(server) - before) / (args.idle_seconds / 3)
    hb.log(f"  idle gunicorn: {idle:.2%} of a core")
    before, started = cpu_seconds(server), time.monotonic()
    load = paced_pages(server.port, args.pages, args.interval, args.idle_seconds, anonymous,
                       signed, cookie)  # fmt: skip
    wall = time.monotonic() - started
    used = (cpu_seconds(server) - before) / wall
    load.update(core=used, idle=idle, net=max(used - idle, 0.0), wall=wall)
    hb.log(
        f"  {args.pages} pages every {args.interval:g} s: {load['rate']:.0f} req/s, "
        f"{used:.1%} of a core ({load['net']:.1%} over idle), p99 {load['p99']:.1f} ms, "
        f"{load['errors']} errors"
    )
    # The floor: the minimal Flask app under the same requests (it answers 200 to all).
    before, started = cpu_seconds(minimal), time.monotonic()
    paced_pages(minimal.port, args.pages, args.interval, args.idle_seconds, anonymous, signed,
                cookie)  # fmt: skip
    load["minimal_core"] = (cpu_seconds(minimal) - before) / (time.monotonic() - started)
    hb.log(f"  the minimal app, same load: {load['minimal_core']:.1%} of a core")
    return load


# -- one database ----------------------------------------------------------------------------


def run_database(name: str, url: str, backend: str, index: Path, args) -> dict:
    hb.log(f"{name}: {args.changes:,} change rows")
    fill_changes(url, args.changes, last="intake")
    ids = hb.pick_ids(url)
    anonymous, signed = poll_paths(url, ids)
    # Pages one change behind (the inbox changed: no idea page watches it), as after any
    # change elsewhere.
    anonymous_behind, signed_behind = poll_paths(url, ids, behind=1)
    logs = hb.DATA_DIR / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    env = hb.serve_env(url, backend, index, args)
    portal = hb.Gunicorn("wsgi:app", args.workers, env, logs / f"live-{name}-portal.log")
    minimal = hb.Gunicorn("minimal_app:app", args.workers, env, logs / f"live-{name}-minimal.log",
                          chdir=BENCH_DIR)  # fmt: skip
    try:
        portal.wait("/healthz")
        minimal.wait("/")
        cookie, _token = hb.sign_in(portal.port, ids["customer"])
        for path, headers in ((anonymous[0], {}), (signed[0], {"Cookie": cookie})):
            status, answer, body = hb.request("127.0.0.1", portal.port, "GET", path, None,
                                              {"HX-Request": "true", **headers})  # fmt: skip
            if status != 204 or body or answer.get("Set-Cookie"):
                raise RuntimeError(f"{path} answered {status} {body[:200]!r}: not unchanged")
        hx = {"HX-Request": "true"}
        baseline = dict(name="minimal", paths=["/"])
        specs = [
            dict(name="/live unchanged, anonymous", paths=anonymous, headers=hx),
            dict(name="/live unchanged, signed in", paths=signed, headers=hx, signed_in=True),
            dict(
                name="/live unchanged, anonymous, one change behind (a change elsewhere)",
                paths=anonymous_behind,
                headers=hx,
            ),
            dict(
                name="/live unchanged, signed in, one change behind (a change elsewhere)",
                paths=signed_behind,
                headers=hx,
                signed_in=True,
            ),
            dict(name="health check (/healthz, one SELECT 1)", paths=["/healthz"]),
        ]
        session = (cookie, "")
        minimal_runs = [hb.measure(minimal.port, baseline, None, args)]
        results = {spec["name"]: hb.measure(portal.port, spec, session, args) for spec in specs}
        minimal_runs.append(hb.measure(minimal.port, baseline, None, args))
        idle = idle_cost(portal, minimal, args, anonymous, signed, cookie)
        memory = portal.memory()
    finally:
        portal.stop()
        minimal.stop()
    return {"name": name, "minimal": minimal_runs, "results": results, "idle": idle,
            "memory": memory}  # fmt: skip


def run_sqlite(args) -> dict:
    path, index = hb.sqlite_corpus(SIZES, args.seed)
    copy, copy_index = hb.working_copy(path, index, "live")
    try:
        return run_database("SQLite", f"sqlite:///{copy}", "whoosh", copy_index, args)
    finally:
        for leftover in hb.DATA_DIR.glob("run-live.db*"):
            leftover.unlink()
        shutil.rmtree(copy_index, ignore_errors=True)


def run_postgres(args) -> dict:
    from tests.pg import PostgresServer

    server = PostgresServer().start()
    try:
        url = server.create_database("bench_live")
        hb.generate.generate(url, seed=args.seed, now=hb.CORPUS_NOW, migrate=True,
                             echo=lambda *_: None, **SIZES)  # fmt: skip
        return run_database("PostgreSQL", url, "postgres", hb.DATA_DIR / "unused-index", args)
    finally:
        server.stop()


# -- report ----------------------------------------------------------------------------------


def report(runs: list[dict], machine: dict, args) -> str:
    out = [
        f"Live benchmark, {machine['date']}: gunicorn {args.workers} sync workers (JSON request "
        f"log {'on' if args.request_log else 'off'}); wrk, {args.clients} connections, "
        f"{args.duration:g} s per endpoint after {args.warmup:g} s of warm-up; loopback; "
        f"{SIZES['ideas']:,} ideas; {args.changes:,} rows in live_change.",
        "",
        f"Machine: {machine['nproc']} cores ({machine['cpu']}), {machine['memory']}, "
        f"{machine['os']}, Python {machine['python']}, SQLite {machine['sqlite']}, "
        f"wrk {machine['wrk']}; load average at the start {machine['load']}.",
    ]
    for run in runs:
        base = sum(m["rps"] for m in run["minimal"]) / len(run["minimal"])
        out += [
            "",
            f"### {run['name']}",
            "",
            "| endpoint | requests/s | share of minimal | p50 ms | p99 ms | errors |",
            "| --- | ---: | ---: | ---: | ---: | ---: |",
            "| minimal Flask (mean of "
            + ", ".join(f"{m['rps']:.0f}" for m in run["minimal"])
            + f") | {base:.0f} | 100% | {run['minimal'][0]['p50']:.1f} | "
            f"{run['minimal'][0]['p99']:.1f} | {sum(m['errors'] for m in run['minimal'])} |",
        ]
        for name, r in run["results"].items():
            out.append(
                f"| {name} | {r['rps']:.0f} | {r['rps'] / base:.1%} | {r['p50']:.1f} | "
                f"{r['p99']:.1f} | {r['errors']} |"
            )
        live = {n: r for n, r in run["results"].items() if n.startswith("/live")}
        worst_name = min(live, key=lambda n: live[n]["rps"])
        worst = live[worst_name]["rps"]
        idle = run["idle"]
        out += [
            "",
            f"Target, unchanged /live: at worst ({worst_name}) {worst / base:.1%} of the "
            f"minimal endpoint ({'met' if worst / base >= TARGET_SHARE else 'NOT met'}, "
            f"≥ {TARGET_SHARE:.0%}).",
            "",
            f"{args.pages} open pages (half signed in) asking every {args.interval:g} s "
            f"(80–120% jitter) for {idle['wall']:.0f} s: {idle['requests']:,} requests "
            f"({idle['rate']:.0f}/s), {idle['errors']} not 204, p50 {idle['p50']:.1f} ms, p99 "
            f"{idle['p99']:.1f} ms; the portal's gunicorn processes used {idle['core']:.1%} "
            f"of one core ({idle['idle']:.1%} when nothing asks, so {idle['net']:.1%} for the "
            f"pages). Target: under {TARGET_CORE:.0%} of one core "
            f"({'met' if idle['core'] < TARGET_CORE else 'NOT met'}). The same requests to the "
            f"minimal Flask app (gunicorn's own cost for a connection and an answer, the "
            f"floor): {idle['minimal_core']:.1%} of one core.",
            "",
            f"Memory per worker after the run (RSS, MiB): {run['memory']['rss']}.",
        ]
    return "\n".join(out) + "\n"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--duration", type=float, default=10.0)
    parser.add_argument("--warmup", type=float, default=2.0)
    parser.add_argument("--pages", type=int, default=500)
    parser.add_argument("--interval", type=float, default=3.5, help="LIVE_POLL_SECONDS")
    parser.add_argument("--idle-seconds", type=float, default=30.0)
    parser.add_argument("--changes", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-request-log", dest="request_log", action="store_false")
    parser.add_argument("--output")
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is needed: apt-get install wrk (Debian package)")
    machine = hb.machine_info()
    hb.log(f"load average at the start: {machine['load']} on {machine['nproc']} cores")
    runs = []
    for database in [d.strip() for d in args.databases.split(",") if d.strip()]:
        runs.append(run_sqlite(args) if database == "sqlite" else run_postgres(args))
    text = report(runs, machine, args)
    print(text)
    if args.output:
        Path(args.output).write_text(text)
    return 0


if __name__ == "__main__":
    hb.log(f"started {dt.datetime.now():%H:%M:%S}")
    sys.exit(main())
