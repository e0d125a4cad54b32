"""Search benchmark: index build time and query latency, Whoosh vs PostgreSQL vs SQLite FTS5.

    python bench/search_bench.py [--ideas 100000 --comments 300000] [--queries 200]

Generates the corpus once into a SQLite file under bench/.data/ (reused by later runs with
the same sizes and seed) and into a throwaway PostgreSQL server (tests/pg.py), then measures

- Whoosh: `portal.search.setup.rebuild()` on the SQLite database, then queries through
  `portal.search.service.search` (what the search page and the API call), searcher kept warm;
- PostgreSQL: the `postgres` backend over the migrated tables; its "build" is a REINDEX of
  the two GIN indexes on the stored tsvector columns (VACUUM ANALYZE runs before the
  queries);
- SQLite FTS5, the baseline: an FTS5 table (porter stemming) over idea titles and bodies
  and comment bodies, built in a copy of the SQLite file, queried with MATCH for the same
  words, visibility and filters (top 20 by bm25 or votes, plus the total count).

Each query kind is timed `--queries` times per backend, half as an anonymous visitor, half
as a customer, cycling through its variants, after one untimed warm-up pass. Prints a
Markdown table and the machine it ran on.
"""

import argparse
import contextlib
import datetime as dt
import math
import os
import platform
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
import warnings
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
DATA_DIR = BENCH_DIR / ".data"
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
warnings.filterwarnings("ignore", category=SyntaxWarning)

import generate  # noqa: E402  (bench/generate.py, beside this file)

# The corpus's present: fixed, so the SQLite and PostgreSQL corpora are the same rows.
CORPUS_NOW = dt.datetime(2026, 11, 1)

# kind -> variants (q, filters, order). Every text is sent as typed: the app treats the
# last word of a text that does not end in a space as a prefix as well.
QUERY_MIX = {
    "common word": [("door", None, "relevance"), ("delivery", None, "relevance"),
                    ("fridge", None, "relevance"), ("noise", None, "relevance")],
    "two words": [("oven temperature", None, "relevance"), ("pallet label", None, "relevance"),
                  ("door seal", None, "relevance"), ("dishwasher pump", None, "relevance")],
    "rare word": [("magnetron", None, "relevance"), ("desiccant", None, "relevance"),
                  ("grommet", None, "relevance"), ("incoterms", None, "relevance")],
    "phrase": [('"lead time"', None, "relevance"), ('"door seal"', None, "relevance"),
               ('"error e4"', None, "relevance"), ('"quiet mode"', None, "relevance")],
    "prefix as typed": [("thermo", None, "relevance"), ("compr", None, "relevance"),
                        ("door sea", None, "relevance"), ("deliv", None, "relevance")],
    "status:planned word": [("status:planned door", None, "relevance"),
                            ("status:planned delivery", None, "relevance"),
                            ("status:planned fridge", None, "relevance"),
                            ("status:planned noise", None, "relevance")],
    "order=votes": [("door", None, "votes"), ("delivery", None, "votes"),
                    ("fridge", None, "votes"), ("noise", None, "votes")],
}  # fmt: skip
USERS = ("anonymous", "customer")


def log(message: str) -> None:
    print(f"[{dt.datetime.now():%H:%M:%S}] {message}", file=sys.stderr, flush=True)


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


# -- the corpus ----------------------------------------------------------------------------


def sqlite_corpus(args) -> Path:
    """The generated SQLite corpus, made once per (sizes, seed) and reused afterwards."""
    DATA_DIR.mkdir(exist_ok=True)
    name = f"corpus-i{args.ideas}-c{args.comments}-u{args.users}-s{args.seed}"
    path = DATA_DIR / f"{name}.db"
    done = DATA_DIR / f"{name}.done"
    if path.exists() and done.exists():
        log(f"reusing {path.relative_to(ROOT)} (migrating it to the current schema)")
        from flask_migrate import upgrade

        from portal.extensions import db

        with app_for(f"sqlite:///{path}", "whoosh").app_context():
            upgrade()
            db.engine.dispose()
        return path
    for leftover in DATA_DIR.glob(f"{name}.db*"):
        leftover.unlink()
    log(f"generating {path.relative_to(ROOT)}")
    started = time.perf_counter()
    generate_corpus(f"sqlite:///{path}", args)
    done.write_text(f"{time.perf_counter() - started:.1f}\n")
    return path


def generate_corpus(url: str, args) -> None:
    """The benchmark's corpus into an empty database: the same rows on SQLite and PostgreSQL."""
    generate.generate(url, ideas=args.ideas, comments=args.comments, users=args.users,
                      seed=args.seed, now=CORPUS_NOW, migrate=True, echo=log)  # fmt: skip


def app_for(url: str, backend: str, index_dir: Path | None = None):
    from config import ProductionConfig
    from portal import create_app

    return create_app(
        ProductionConfig,
        SECRET_KEY="bench-not-secret",
        SQLALCHEMY_DATABASE_URI=url,
        SEARCH_BACKEND=backend,
        SEARCH_INDEX_DIR=str(index_dir or DATA_DIR / "unused-index"),
        QUEUES_SYNC=True,  # no background writer thread: nothing is written while measuring
    )


def bench_users():
    """(name, user) pairs: an anonymous visitor and the first customer member."""
    from flask_login import AnonymousUserMixin
    from sqlalchemy import select

    from portal.accounts.models import User
    from portal.extensions import db

    customer = db.session.scalar(
        select(User)
        .where(User.kind == "customer", User.role == "member", User.approved.is_(True))
        .order_by(User.id)
        .limit(1)
    )
    db.session.expunge(customer)
    return [("anonymous", AnonymousUserMixin()), ("customer", customer)]


# -- timing through the app's search service -------------------------------------------------


class Timed:
    """Wraps the backend's `search` to time the index part apart from the SQL fetch-back."""

    def __init__(self, backend):
        self.inner = backend.search
        self.last = 0.0
        backend.search = self

    def __call__(self, *args, **kwargs):
        started = time.perf_counter()
        try:
            return self.inner(*args, **kwargs)
        finally:
            self.last = time.perf_counter() - started


def run_queries(name: str, queries_per_kind: int) -> dict:
    """Time every query kind through portal.search.service.search; returns samples per kind."""
    from flask import current_app

    from portal.extensions import db
    from portal.search.service import search

    timer = Timed(current_app.extensions["search_backend"])
    users = bench_users()
    results = {}

    def once(user, q, filters, order):
        started = time.perf_counter()
        page = search(user, q, filters=filters, order=order)
        elapsed = time.perf_counter() - started
        db.session.remove()  # what the end of a request does
        return elapsed, timer.last, page.total

    # Warm-up: open the searcher, fill the caches, learn the totals (untimed).
    totals = {}
    for kind, variants in QUERY_MIX.items():
        for variant in variants:
            for user_name, user in users:
                totals[(kind, variant[0], user_name)] = once(user, *variant)[2]
    for kind, variants in QUERY_MIX.items():
        samples = {"total": [], "backend": [], "by_user": {u: [] for u in USERS}}
        for i in range(queries_per_kind):
            variant = variants[(i // 2) % len(variants)]
            user_name, user = users[i % 2]
            total_s, backend_s, _ = once(user, *variant)
            samples["total"].append(total_s * 1000)
            samples["backend"].append(backend_s * 1000)
            samples["by_user"][user_name].append(total_s * 1000)
        samples["matches"] = {
            variant[0]: {u: totals[(kind, variant[0], u)] for u in USERS} for variant in variants
        }
        results[kind] = samples
        log(
            f"{name} {kind}: median {statistics.median(samples['total']):.1f} ms, "
            f"p95 {percentile(samples['total'], 0.95):.1f} ms"
        )
    # Words nobody searched for since the process started: each timed once, never warmed,
    # so nothing a backend cached for an earlier query helps (Whoosh caches posting lists).
    samples = {"total": [], "backend": [], "by_user": {u: [] for u in USERS}, "matches": {}}
    for i, word in enumerate(cold_words()[:queries_per_kind]):
        user_name, user = users[i % 2]
        total_s, backend_s, matches = once(user, word + " ", None, "relevance")
        samples["total"].append(total_s * 1000)
        samples["backend"].append(backend_s * 1000)
        samples["by_user"][user_name].append(total_s * 1000)
    results["first search for a word"] = samples
    log(
        f"{name} first search for a word: median {statistics.median(samples['total']):.1f} ms, "
        f"p95 {percentile(samples['total'], 0.95):.1f} ms"
    )
    return results


def cold_words() -> list[str]:
    """Distinct corpus words (4+ letters) that no query of QUERY_MIX uses, in a fixed order."""
    used = {w.strip('"').lower() for variants in QUERY_MIX.values() for v in variants
            for w in v[0].replace(":", " ").split()}  # fmt: skip
    words = []
    for phrase in generate.COMPONENTS + generate.SUPPLY + generate.PROBLEMS + generate.FEATURES:
        for word in phrase.lower().split():
            word = word.strip("-,.")
            if len(word) >= 4 and word.isalpha() and word not in used and word not in words:
                words.append(word)
    return words


# -- Whoosh ------------------------------------------------------------------------------


def bench_whoosh(corpus: Path, args) -> dict:
    from portal.extensions import db
    from portal.search.setup import rebuild, verify

    index_dir = DATA_DIR / f"whoosh-{corpus.stem}"
    if not args.reuse_index:
        shutil.rmtree(index_dir, ignore_errors=True)
    app = app_for(f"sqlite:///{corpus}", "whoosh", index_dir)
    with app.app_context():
        build = float("nan")
        if args.reuse_index and index_dir.exists() and not verify():
            log("whoosh: reusing the index (it verifies against the corpus)")
            from whoosh import index

            written = index.open_dir(str(index_dir)).doc_count()
        else:
            log("whoosh: rebuilding the index")
            started = time.perf_counter()
            written = rebuild(progress=False)
            build = time.perf_counter() - started
        size = sum(f.stat().st_size for f in index_dir.iterdir() if f.is_file())
        log(f"whoosh: {written} documents in {build:.1f}s, {size / 2**20:.0f} MiB")
        db.session.remove()
        samples = run_queries("whoosh", args.queries)
        db.engine.dispose()
    note = f"{written:,} documents, index {size / 2**20:.0f} MiB"
    return {"name": "Whoosh", "build": build, "note": note, "kinds": samples, "app": True}


# -- SQLite FTS5 ---------------------------------------------------------------------------

# The same documents as portal/search/documents.py: ideas that are not merged, comments that
# are not deleted (a merged duplicate's comments too), each with its idea's visibility.
FTS5_SCHEMA = """
CREATE VIRTUAL TABLE doc USING fts5(
    title, body, type UNINDEXED, id UNINDEXED, status UNINDEXED, audience UNINDEXED,
    confidential UNINDEXED, hidden UNINDEXED, votes UNINDEXED,
    tokenize = 'porter unicode61'
);
INSERT INTO doc
    SELECT title, body, 'idea', id, status, audience, confidential, hidden, votes_count
    FROM idea WHERE merged_into_id IS NULL;
INSERT INTO doc
    SELECT '', c.body, 'comment', c.id, i.status, i.audience, i.confidential,
           (i.hidden OR c.hidden), i.votes_count
    FROM comment c JOIN idea i ON i.id = c.idea_id
    WHERE c.deleted_at IS NULL;
INSERT INTO doc(doc) VALUES ('optimize');
"""
FTS5_AUDIENCES = {"anonymous": ("public",), "customer": ("public", "customers")}


def fts5_match(q: str) -> tuple[str, dict]:
    """The app's reading of `q` (portal.search.querying.parse) as an FTS5 MATCH expression."""
    from portal.search.querying import parse

    request = parse(q)
    words = [w.lower() for w in request.words]
    phrase_words = {w.lower() for p in request.phrases for w in p.split()}
    terms = [f'"{w}"' for w in words if w not in phrase_words]
    if request.prefix and terms and not request.phrases:
        terms[-1] += "*"
    terms += ['"' + " ".join(p.lower().split()) + '"' for p in request.phrases]
    return " AND ".join(terms), request.filters


def bench_fts5(corpus: Path, args) -> list[dict]:
    """Two baselines: a bare MATCH (top 20), and MATCH with visibility and the total count."""
    path = DATA_DIR / f"fts5-{corpus.stem}.db"
    for leftover in DATA_DIR.glob(f"{path.name}*"):
        leftover.unlink()
    source = sqlite3.connect(corpus)
    target = sqlite3.connect(path)
    source.backup(target)
    source.close()
    log("fts5: building")
    started = time.perf_counter()
    target.executescript(FTS5_SCHEMA)
    target.commit()
    build = time.perf_counter() - started
    documents = target.execute("SELECT count(*) FROM doc").fetchone()[0]
    log(f"fts5: {documents} documents in {build:.1f}s")

    def once(full, user_name, q, order):
        match, filters = fts5_match(q)
        where, params = "doc MATCH ?", [match]
        if full:
            audiences = FTS5_AUDIENCES[user_name]
            where += f" AND audience IN ({','.join('?' * len(audiences))})"
            where += " AND confidential = 0 AND hidden = 0"
            params += audiences
        if "status" in filters:
            where += " AND status = ?"
            params.append(filters["status"])
        ordering = "votes DESC" if order == "votes" else "bm25(doc, 2.0, 1.0)"
        started = time.perf_counter()
        target.execute(
            f"SELECT type, id FROM doc WHERE {where} ORDER BY {ordering} LIMIT 20", params
        ).fetchall()
        total = None
        if full:
            total = target.execute(f"SELECT count(*) FROM doc WHERE {where}", params).fetchone()
        return time.perf_counter() - started, total[0] if total else 0

    runs = []
    for full, name, note in (
        (False, "SQLite FTS5, bare MATCH", "top 20 by bm25 (or votes); no visibility, no count"),
        (True, "SQLite FTS5, + visibility + count", "top 20 visible + the total count"),
    ):
        totals = {}
        for kind, variants in QUERY_MIX.items():
            for q, _filters, order in variants:
                for user_name in USERS:
                    totals[(kind, q, user_name)] = once(full, user_name, q, order)[1]
        results = {}
        for kind, variants in QUERY_MIX.items():
            samples = {"total": [], "backend": [], "by_user": {u: [] for u in USERS}}
            for i in range(args.queries):
                q, _filters, order = variants[(i // 2) % len(variants)]
                user_name = USERS[i % 2]
                elapsed = once(full, user_name, q, order)[0] * 1000
                samples["total"].append(elapsed)
                samples["backend"].append(elapsed)
                samples["by_user"][user_name].append(elapsed)
            samples["matches"] = {
                q: {u: totals[(kind, q, u)] for u in USERS} for q, _f, _o in variants
            }
            results[kind] = samples
            log(f"{name} {kind}: median {statistics.median(samples['total']):.2f} ms")
        runs.append(
            {
                "name": name,
                "build": build,
                "note": f"{documents:,} documents; {note}; no facets, no snippets",
                "kinds": results,
                "app": False,
            }
        )
    target.close()
    return runs


# -- PostgreSQL ----------------------------------------------------------------------------


def bench_postgres(args, machine: dict) -> dict:
    import psycopg

    from portal.extensions import db
    from tests.pg import PostgresServer

    server = PostgresServer().start()
    try:
        url = server.create_database("bench")
        log("postgres: generating the corpus")
        started = time.perf_counter()
        generate_corpus(url, args)
        load = time.perf_counter() - started
        with psycopg.connect(server.dsn("bench"), autocommit=True) as conn:
            machine["postgres"] = conn.execute("SHOW server_version").fetchone()[0]
            log("postgres: REINDEX of the full-text GIN indexes")
            started = time.perf_counter()
            conn.execute("REINDEX INDEX ix_idea_search_vector")
            conn.execute("REINDEX INDEX ix_comment_search_vector")
            build = time.perf_counter() - started
            conn.execute("VACUUM ANALYZE")
            size = conn.execute(
                "SELECT pg_relation_size('ix_idea_search_vector')"
                " + pg_relation_size('ix_comment_search_vector')"
            ).fetchone()[0]
        log(f"postgres: GIN indexes built in {build:.1f}s ({size / 2**20:.0f} MiB)")
        app = app_for(url, "postgres")
        with app.app_context():
            samples = run_queries("postgres", args.queries)
            db.engine.dispose()
    finally:
        server.stop()
    note = (
        f"build = REINDEX of both GIN indexes ({size / 2**20:.0f} MiB); "
        "loading the corpus (computing the stored tsvector columns, indexes in place) "
        f"took {load:.0f}s"
    )
    return {"name": "PostgreSQL", "build": build, "note": note, "kinds": samples, "app": True}


# -- report --------------------------------------------------------------------------------


def code_snapshot() -> dict[str, float]:
    """Modification times of the app's code, to tell whether it changed during a long run."""
    files = [ROOT / "config.py", *ROOT.glob("portal/**/*.py"), *ROOT.glob("migrations/**/*.py")]
    return {str(f.relative_to(ROOT)): f.stat().st_mtime for f in files if f.is_file()}


def load_app_code() -> None:
    """Import every module the run needs now, so one run measures one version of the code."""
    import portal.search.postgres_backend  # noqa: F401
    import portal.search.service  # noqa: F401
    import portal.search.setup  # noqa: F401
    import portal.search.whoosh_backend  # noqa: F401


def machine_info() -> dict:
    from importlib.metadata import PackageNotFoundError, version

    try:
        whoosh = version("Whoosh-Reloaded")
    except PackageNotFoundError:
        whoosh = version("Whoosh")
    cpu = "unknown"
    with contextlib.suppress(OSError), open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    try:
        pg = subprocess.check_output(["pg_config", "--version"], text=True).strip()
    except (OSError, subprocess.CalledProcessError):
        pg = "not installed"
    return {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "memory": f"{memory:.1f} GiB",
        "os": platform.platform(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "whoosh": whoosh,
        "postgres": pg,
    }


def build_text(seconds: float) -> str:
    return "reused" if math.isnan(seconds) else f"{seconds:.1f} s"


def report(runs: list[dict], machine: dict, args) -> str:
    lines = [
        f"Date: {machine['date']}",
        f"Machine: {machine['nproc']} CPUs ({machine['cpu']}), {machine['memory']} RAM, "
        f"{machine['os']}",
        f"Versions: Python {machine['python']}, SQLite {machine['sqlite']}, "
        f"Whoosh {machine['whoosh']}, PostgreSQL {machine['postgres']}",
        f"Code: the newest file under portal/, migrations/ and config.py was modified at "
        f"{machine['code']}",
        f"Corpus: {args.ideas:,} ideas, {args.comments:,} comments, {args.users:,} users "
        f"(seed {args.seed}); {args.queries} timed queries per kind and backend, half "
        "anonymous, half as a customer, after a warm-up pass",
        "",
        "| backend | build time | query kind | median ms | p95 ms | p95 anon / customer ms "
        "| index part, median ms |",
        "| --- | --- | --- | ---: | ---: | ---: | ---: |",
    ]
    for run in runs:
        every = [v for s in run["kinds"].values() for v in s["total"]]
        lines.append(
            f"| **{run['name']}** | {build_text(run['build'])} | **all** | "
            f"{statistics.median(every):.1f} | {percentile(every, 0.95):.1f} | | |"
        )
        for kind, s in run["kinds"].items():
            anon, customer = (percentile(s["by_user"][u], 0.95) for u in USERS)
            lines.append(
                f"| {run['name']} | | {kind} | {statistics.median(s['total']):.1f} | "
                f"{percentile(s['total'], 0.95):.1f} | {anon:.1f} / {customer:.1f} | "
                f"{statistics.median(s['backend']):.1f} |"
            )
    lines += ["", "Notes:"]
    lines += [f"- {run['name']}: {run['note']}" for run in runs]
    lines += [
        "- index part: the backend's own search (Whoosh query + facets, or the PostgreSQL "
        "queries); the rest is fetching the page's rows back and building snippets",
        "",
        "Queries (matching documents for anonymous / customer, from the first backend):",
        "",
        "| query kind | query: matches |",
        "| --- | --- |",
    ]
    for kind, s in runs[0]["kinds"].items():
        parts = [f"`{q}`: {m['anonymous']:,} / {m['customer']:,}" for q, m in s["matches"].items()]
        lines.append(f"| {kind} | {'; '.join(parts)} |")
    mismatches = []
    app_runs = [run for run in runs if run["app"]]
    for run in app_runs[1:]:
        for kind, s in run["kinds"].items():
            for q, m in s["matches"].items():
                first = app_runs[0]["kinds"][kind]["matches"][q]
                if m != first:
                    mismatches.append(f"{run['name']} `{q}`: {m} vs {first}")
    if mismatches:
        lines += ["", f"Totals that differ from {app_runs[0]['name']}'s:", ""]
        lines += [f"- {m}" for m in mismatches]
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ideas", type=int, default=100_000)
    parser.add_argument("--comments", type=int, default=300_000)
    parser.add_argument("--users", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--queries", type=int, default=200, help="timed queries per kind")
    parser.add_argument(
        "--backends",
        default="whoosh,fts5,postgres",
        help="comma-separated, from whoosh, fts5, postgres",
    )
    parser.add_argument("--output", type=Path, help="also write the report to this file")
    parser.add_argument(
        "--reuse-index",
        action="store_true",
        help="keep a Whoosh index that verifies against the corpus (build time not measured)",
    )
    args = parser.parse_args(argv)
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    before = code_snapshot()
    load_app_code()
    machine = machine_info()
    newest = max(before.values())
    machine["code"] = dt.datetime.fromtimestamp(newest, dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    # The SQLite corpus only for the backends that read it (PostgreSQL generates its own).
    corpus = sqlite_corpus(args) if {"whoosh", "fts5"} & set(backends) else None
    runs = []
    for backend in backends:
        if backend == "whoosh":
            runs.append(bench_whoosh(corpus, args))
        elif backend == "fts5":
            runs.extend(bench_fts5(corpus, args))
        elif backend == "postgres":
            runs.append(bench_postgres(args, machine))
        else:
            parser.error(f"unknown backend {backend!r}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    text = report(runs, machine, args) + f"\n\nPeak memory of the benchmark process: {peak:.0f} MiB"
    after = code_snapshot()
    changed = sorted(f for f in before.keys() | after.keys() if before.get(f) != after.get(f))
    if changed:
        text += (
            "\n\nWARNING: the app's code changed during the run (the run kept the modules it "
            "had imported at the start; migrations and lazily read files may differ): "
            + ", ".join(changed)
        )
    print(text)
    if args.output:
        args.output.write_text(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
