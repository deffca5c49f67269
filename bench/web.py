"""Web pages benchmark (issue 6): dashboard and ledger latency under load, 100k problems.

Target from the issue: with 100,000 problems on PostgreSQL the dashboard and the ledger pages are
served in ≤ 300 ms at the 95th percentile, measured with a load tool over loopback.

    .venv/bin/python bench/web.py                                   # 100k, c = 4 and 8, 10 s each
    .venv/bin/python bench/web.py --problems 100000 --duration 15 --concurrency 4,8 --keep
    .venv/bin/python bench/web.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/X
                                                                  # reuse a --keep database
    # before/after under the same load: the old code (and a copy of the database at its
    # schema) served next to the new, every page run on both back to back
    git archive HEAD eco263 | tar -x -C /tmp/eco263_before
    .venv/bin/python bench/web.py --database-url …/X --baseline-src /tmp/eco263_before \
        --baseline-url …/X_before

Steps:
  1. a fresh PostgreSQL database (``eco263_bench_web_<pid>``), migrated with the Alembic history
     (``eco263.migrate.upgrade``) and seeded (divisions, organizations, demo users);
  2. ``--problems`` synthetic problems over Suzhou's ten management units, with their lead
     assignments, bulk-loaded by ``bench/ledger.py``'s loader (same distributions: 60 % closed,
     due dates ±120 days around the bench's "now", 2018-05-10 09:00 +08:00);
  3. the escalation sweep at that instant, run for real for ``--sweep-budget`` seconds (so there
     are red-card clues, audit events and escalated problems), the rest raised to its level by
     plain UPDATEs; then ``VACUUM (ANALYZE)``;
  4. the real app (``eco263.app.create_app``) under uvicorn in a subprocess on 127.0.0.1, its
     clock frozen at the bench's "now" (a ``FixedClock``, like ``eco263 serve --now``);
  5. statements per page, counted in-process (``TestClient`` on the same database);
  6. for each ``--concurrency`` level and each page: ``--duration`` seconds of closed-loop load
     (every client sends its next request as soon as the last one is answered), logged in
     through the login form (its CSRF token, then the session cookie) as the city office
     (``city``) or a district office (``kunshan``); p50/p95/p99/max and requests/s;
  7. the Excel export of a filtered set, separately (no 300 ms target).

On a shared machine the load average moves a lot within minutes, so a before/after made of two
runs at different times compares the neighbours' load more than the code: ``--baseline-src``
runs a second server on another copy of eco263 (``PYTHONPATH``) and drives each page on both,
back to back, alternating which goes first.

The load tool is a small closed-loop driver on ``httpx`` (already a dependency): one thread and
one keep-alive ``httpx.Client`` per simulated user, every request timed on its own with
``perf_counter``.  Locust (the obvious maintained tool) was considered and not used.  It
would add gevent, Flask and a dozen more packages to the dev extras for a job of ~60 lines
here. It rounds its percentiles to 10 ms between 100 ms and 1 s, which is where the 300 ms
target lies. It monkey-patches the process with gevent, and this bench also loads the data
and runs the sweep (SQLAlchemy, psycopg, threads) in the same process. And on a 2-core
machine shared with the server and PostgreSQL, a lighter driver leaves them more CPU.  The
driver's own overhead per request (~1 ms) is included in the figures, so they are slightly
pessimistic.  Closed loop means the figures are latencies at the saturation throughput of that
many concurrent users, not at a fixed arrival rate.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

# bench/ is not a package; run as a script, its directory is on sys.path: the loader is shared.
from ledger import (
    DIVISION_WEIGHTS,
    PG_ADMIN_URL,
    SWEEP_AT,
    analyze,
    bulk_load,
    load_reference,
    loadavg,
    migrate_and_seed,
    pct,
)
from sqlalchemy import Engine, and_, case, create_engine, event, func, or_, select, text, update

from eco263 import migrate
from eco263.clock import FixedClock, local_date, parse_now
from eco263.config import Settings
from eco263.problems import rules
from eco263.problems.enums import AssignmentState
from eco263.problems.models import Assignment, Problem
from eco263.problems.scheduled import sweep
from eco263.runtime import Runtime
from eco263.seed import DEMO_PASSWORD
from eco263.supervision.models import Clue
from eco263.web.deps import SESSION_COOKIE
from eco263.wiring import build_runtime

NOW = SWEEP_AT  # the app's frozen "now": the data's due dates spread ±120 days around it
TARGET_MS = 300.0
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


# -- scenarios -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Scenario:
    key: str
    label: str
    user: str
    urls: tuple[str, ...]  # cycled through; each client starts at its own offset
    target: bool = True  # the ≤ 300 ms p95 applies


#: Search terms of three or more characters (a trigram index can serve them) and of two (the
#: common length of a Chinese place or pollutant word; no trigram in them, so they scan).
TEXT_TERMS = ("阳澄湖", "河道83-1", "金鸡湖", "批量导入", "没有这个词")
TEXT_TERMS_2 = ("太湖", "吴江", "某村", "废水")
DIVISIONS = tuple(DIVISION_WEIGHTS)
STATES = ("open", "registered", "assigned", "rectifying", "verifying", "closed")
EXPORT_URL = "/problems/export.xlsx?division=320571&state=rectifying"

SCENARIOS: tuple[Scenario, ...] = (
    Scenario("dash", "驾驶舱 /", "city", ("/",)),
    Scenario("dash-d", "驾驶舱 / (district)", "kunshan", ("/",)),
    Scenario("map", "map boundaries (static JSON)", "city", ("/static/vendor/suzhou.json",)),
    Scenario("ledger", "台账 /problems", "city", ("/problems",)),
    Scenario("ledger-d", "台账 /problems (district)", "kunshan", ("/problems",)),
    Scenario(
        "division",
        "filter division (10 codes)",
        "city",
        tuple(f"/problems?division={d}" for d in DIVISIONS),
    ),
    Scenario(
        "state", "filter state (6 values)", "city", tuple(f"/problems?state={s}" for s in STATES)
    ),
    Scenario("overdue", "filter 逾期 due=overdue", "city", ("/problems?due=overdue",)),
    Scenario("soon", "filter 临期 due=soon", "city", ("/problems?due=soon",)),
    Scenario(
        "text",
        f"text search q=, 3+ chars ({len(TEXT_TERMS)} terms)",
        "city",
        tuple(f"/problems?q={t}" for t in TEXT_TERMS),
    ),
    Scenario(
        "text2",
        f"text search q=, 2 chars ({len(TEXT_TERMS_2)} terms)",
        "city",
        tuple(f"/problems?q={t}" for t in TEXT_TERMS_2),
    ),
    Scenario(
        "combo",
        "division+open+overdue, sort due",
        "city",
        tuple(f"/problems?division={d}&state=open&due=overdue&sort=due&dir=asc" for d in DIVISIONS),
    ),
    Scenario(
        "sort-due",
        "sort by due date (asc, desc)",
        "city",
        ("/problems?sort=due&dir=asc", "/problems?sort=due"),
    ),
    Scenario("page200", "page 200 (size 50)", "city", ("/problems?page=200",)),
    Scenario(
        "district-f",
        "district: open, sort due",
        "kunshan",
        ("/problems?state=open&sort=due&dir=asc", "/problems?due=overdue&sort=due"),
    ),
)
EXPORT = Scenario("export", "Excel export (320571 整改中)", "city", (EXPORT_URL,), target=False)


# -- database ------------------------------------------------------------------------------------


@dataclass(slots=True)
class Database:
    url: str
    name: str
    created: bool


def create_database(admin_url: str) -> Database:
    name = f"eco263_bench_web_{os.getpid()}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return Database(admin_url.rsplit("/", 1)[0] + "/" + name, name, created=True)


def drop_database(admin_url: str, db: Database) -> None:
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{db.name}" WITH (FORCE)'))
    admin.dispose()


class SweepBudgetSpent(Exception):
    """Raised from ``on_batch`` once the real sweep has had its time (the batch is committed)."""


def prior_sweep(rt: Runtime, budget_s: float) -> str:
    """The escalation sweep at NOW: for real within the budget, the rest by plain UPDATEs."""
    now = parse_now(NOW)
    t0 = time.perf_counter()
    rows = 0

    def on_batch(n: int) -> None:
        nonlocal rows
        rows += n
        if time.perf_counter() - t0 >= budget_s:
            raise SweepBudgetSpent

    complete = True
    if budget_s > 0:
        try:
            sweep(rt, now=now, on_batch=on_batch)
        except SweepBudgetSpent:
            complete = False
    else:
        complete = False
    real_s = time.perf_counter() - t0
    forwarded = 0 if complete else fast_forward(rt.engine, rt, now)
    with rt.engine.connect() as conn:
        clues = int(conn.scalar(select(func.count()).select_from(Clue)) or 0)
    return (
        f"real sweep {real_s:.0f} s over {rows:,} assignments ({clues:,} clues), "
        f"{forwarded:,} more raised by plain UPDATE"
    )


def fast_forward(engine: Engine, rt: Runtime, now: Any) -> int:
    """Every remaining candidate to its level (no audit, no clues); problems follow."""
    cutoffs = rules.escalation_cutoffs(local_date(now), rt.calendar, rules.load_escalation_policy())
    reached = [
        and_(Assignment.due_date <= due, Assignment.escalation < int(level))
        for level, due in cutoffs.latest_due.items()
    ]
    level = case(
        *[
            (Assignment.due_date <= due, int(lv))
            for lv, due in sorted(cutoffs.latest_due.items(), key=lambda kv: -int(kv[0]))
        ],
        else_=Assignment.escalation,
    )
    top = (
        select(func.max(Assignment.escalation))
        .where(Assignment.problem_id == Problem.id)
        .scalar_subquery()
    )
    with engine.begin() as conn:
        result = conn.execute(
            update(Assignment)
            .where(Assignment.state != AssignmentState.VERIFIED.value, or_(*reached))
            .values(escalation=level)
        )
        conn.execute(update(Problem).where(Problem.escalation < top).values(escalation=top))
    return int(result.rowcount or 0)


def prepare(args: argparse.Namespace) -> tuple[Database, list[str]]:
    """Create, migrate, seed and load the database (or reuse ``--database-url``)."""
    notes: list[str] = []
    if args.database_url:
        db = Database(args.database_url, args.database_url.rsplit("/", 1)[-1], created=False)
        migrate.upgrade(db.url)  # a kept database gets any newer migration (e.g. indexes)
        notes.append(f"reused database {db.name} (migrated to head)")
        return db, notes
    step("create, migrate and seed the database")
    db = create_database(args.pg_admin_url)
    try:
        migrate_and_seed(db.url)
        rt = build_runtime(
            Settings(database_url=db.url, data_dir=Path(tempfile.gettempdir())),
            FixedClock(parse_now(NOW)),
        )
        step(f"bulk load {args.problems:,} problems")
        ref = load_reference(rt)
        load = bulk_load(
            rt.engine,
            ref,
            args.problems,
            random.Random(args.seed),
            10_000,
            local_date(parse_now(NOW)),
        )
        notes.append(
            f"loaded {load.problems:,} problems + {load.assignments:,} assignments "
            f"in {load.wall_s:.0f} s"
        )
        step(f"escalation sweep at {NOW} (real for {args.sweep_budget:.0f} s)")
        notes.append(prior_sweep(rt, args.sweep_budget))
        notes.append(f"VACUUM (ANALYZE) {analyze(rt.engine, vacuum=True):.1f} s")
        rt.engine.dispose()
    except BaseException:
        if not args.keep:
            drop_database(args.pg_admin_url, db)
        raise
    for note in notes:
        print(f"  {note}", flush=True)
    return db, notes


# -- the server ----------------------------------------------------------------------------------


#: The server process: the real app, its clock frozen at NOW, no access log.  Inline code, not
#: this module, so that ``--baseline-src`` can run it on another copy of eco263 (PYTHONPATH).
SERVE_CODE = """
import sys, tempfile
from pathlib import Path
import uvicorn
from eco263.app import create_app
from eco263.clock import FixedClock, parse_now, set_clock
from eco263.config import Settings
url, port, now = sys.argv[1], int(sys.argv[2]), sys.argv[3]
clock = FixedClock(parse_now(now))
set_clock(clock)
settings = Settings(database_url=url, data_dir=Path(tempfile.gettempdir()), now=now)
app = create_app(settings, clock)
uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def server(url: str, source: str = "") -> Iterator[str]:
    """uvicorn + the app in a subprocess on a free loopback port; ``source``: eco263 from there."""
    port = free_port()
    env = dict(os.environ)
    if source:
        env["PYTHONPATH"] = os.pathsep.join(p for p in (source, env.get("PYTHONPATH")) if p)
    command = [sys.executable, "-c", SERVE_CODE, url, str(port), NOW]
    proc = subprocess.Popen(command, env=env)  # noqa: S603 - our own code, fixed arguments
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(base + "/login", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the server did not start")
            time.sleep(0.3)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def login(client: httpx.Client, username: str) -> str:
    """The browser's way in: the login form, its CSRF token, POST, the session cookie."""
    client.cookies.clear()
    form = client.get("/login")
    match = _CSRF.search(form.text)
    assert match, "the login form carries a CSRF token"
    response = client.post(
        "/login",
        data={"username": username, "password": DEMO_PASSWORD, "csrf_token": match.group(1)},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text[:500]
    token = client.cookies.get(SESSION_COOKIE)
    assert token
    return token


# -- statements per page -------------------------------------------------------------------------


def statement_counts(url: str, scenarios: Sequence[Scenario]) -> dict[str, int]:
    """SQL statements each scenario's first URL runs (the app in-process, same database)."""
    from fastapi.testclient import TestClient

    from eco263.app import create_app

    clock = FixedClock(parse_now(NOW))
    app = create_app(Settings(database_url=url, data_dir=Path(tempfile.gettempdir())), clock)
    engine: Engine = app.state.runtime.engine
    statements: list[str] = []

    def before(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    counts: dict[str, int] = {}
    with TestClient(app) as client:
        for s in scenarios:
            login(client, s.user)
            client.get(s.urls[0])  # warm (first-use lookups, caches)
            event.listen(engine, "before_cursor_execute", before)
            statements.clear()
            response = client.get(s.urls[0])
            event.remove(engine, "before_cursor_execute", before)
            assert response.status_code == 200, (s.urls[0], response.status_code)
            counts[s.key] = len(statements)
    engine.dispose()
    return counts


# -- the load driver -----------------------------------------------------------------------------


@dataclass(slots=True)
class Result:
    scenario: Scenario
    concurrency: int
    times_ms: list[float] = field(default_factory=list)
    errors: int = 0
    seconds: float = 0.0
    load: str = ""
    note: str = ""
    code: str = "current"

    @property
    def rps(self) -> float:
        return len(self.times_ms) / self.seconds if self.seconds else 0.0

    def p(self, q: int) -> float:
        return pct(self.times_ms, q) if self.times_ms else float("nan")


def drive(
    base: str, tokens: dict[str, str], scenario: Scenario, concurrency: int, duration: float
) -> Result:
    """``concurrency`` clients, each sending the next request when the last one is answered."""
    result = Result(scenario, concurrency)
    lock = threading.Lock()
    start = threading.Barrier(concurrency + 1)
    deadline = [0.0]
    cookies = {SESSION_COOKIE: tokens[scenario.user]}

    def client_loop(worker: int) -> None:
        times: list[float] = []
        errors = 0
        with httpx.Client(base_url=base, cookies=cookies, timeout=120) as client:
            client.get(scenario.urls[worker % len(scenario.urls)])  # connect + warm, not counted
            start.wait()
            i = worker
            while time.perf_counter() < deadline[0]:
                url = scenario.urls[i % len(scenario.urls)]
                i += 1
                t0 = time.perf_counter()
                response = client.get(url)
                elapsed = (time.perf_counter() - t0) * 1000
                if response.status_code == 200:
                    times.append(elapsed)
                else:
                    errors += 1
        with lock:
            result.times_ms.extend(times)
            result.errors += errors

    threads = [
        threading.Thread(target=client_loop, args=(w,), daemon=True) for w in range(concurrency)
    ]
    for t in threads:
        t.start()
    deadline[0] = time.perf_counter() + 3600  # provisional, set for real once all are connected
    start.wait()
    t0 = time.perf_counter()
    deadline[0] = t0 + duration
    for t in threads:
        t.join()
    result.seconds = time.perf_counter() - t0
    result.load = loadavg()
    return result


def export_run(base: str, token: str, concurrency: int, requests: int) -> Result:
    """The Excel export: ``requests`` downloads in all, ``concurrency`` at a time."""
    result = Result(EXPORT, concurrency)
    rows: set[str] = set()
    lock = threading.Lock()
    counter = iter(range(requests))

    def client_loop() -> None:
        with httpx.Client(base_url=base, cookies={SESSION_COOKIE: token}, timeout=300) as client:
            while True:
                with lock:
                    if next(counter, None) is None:
                        return
                t0 = time.perf_counter()
                response = client.get(EXPORT_URL)
                elapsed = (time.perf_counter() - t0) * 1000
                with lock:
                    if response.status_code == 200:
                        result.times_ms.append(elapsed)
                        rows.add(response.headers.get("x-eco263-rows", "?"))
                    else:
                        result.errors += 1

    threads = [threading.Thread(target=client_loop, daemon=True) for _ in range(concurrency)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    result.seconds = time.perf_counter() - t0
    result.load = loadavg()
    result.note = f"{'/'.join(sorted(rows))} rows per file"
    return result


# -- report --------------------------------------------------------------------------------------


def table(results: Sequence[Result], counts: dict[str, int]) -> str:
    lines = [
        "| Page | User | Code | c | Requests | req/s | p50 ms | p95 ms | p99 ms | max ms "
        "| p95 ≤ 300 ms | SQL/page | Load avg |",
        "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---|---:|---|",
    ]
    for r in results:
        s = r.scenario
        verdict = ("yes" if r.p(95) <= TARGET_MS else "**NO**") if s.target else "(no target)"
        errors = f" ({r.errors} errors)" if r.errors else ""
        sql = counts.get(s.key, "") if r.code != "before" else ""
        lines.append(
            f"| {s.label} | {s.user} | {r.code} | {r.concurrency} | {len(r.times_ms):,}{errors} "
            f"| {r.rps:,.1f} | {r.p(50):,.0f} | {r.p(95):,.0f} | {r.p(99):,.0f} "
            f"| {max(r.times_ms, default=float('nan')):,.0f} | {verdict} | {sql} | {r.load} |"
        )
    return "\n".join(lines)


def ab_table(results: Sequence[Result]) -> str:
    """Before and after side by side (each pair run back to back, under the same load)."""
    before = {(r.scenario.key, r.concurrency): r for r in results if r.code == "before"}
    lines = [
        "| Page | User | c | p95 before → after, ms | p50 before → after, ms "
        "| req/s before → after |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for r in results:
        b = before.get((r.scenario.key, r.concurrency))
        if r.code != "after" or b is None:
            continue
        lines.append(
            f"| {r.scenario.label} | {r.scenario.user} | {r.concurrency} "
            f"| {b.p(95):,.0f} → **{r.p(95):,.0f}** | {b.p(50):,.0f} → {r.p(50):,.0f} "
            f"| {b.rps:,.1f} → {r.rps:,.1f} |"
        )
    return "\n".join(lines)


def step(title: str) -> None:
    print(f"\n== {title} [{time.strftime('%H:%M:%S')}]", flush=True)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--problems", type=int, default=100_000)
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per page and level")
    parser.add_argument("--concurrency", default="4,8", help="comma-separated client counts")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--database-url", default="", help="reuse a (kept) loaded database")
    parser.add_argument("--only", default="", help="comma-separated scenario keys (default all)")
    parser.add_argument("--export-requests", type=int, default=8, help="0: skip the export")
    parser.add_argument("--sweep-budget", type=float, default=20.0, help="seconds of real sweep")
    parser.add_argument("--seed", type=int, default=263)
    parser.add_argument("--pg-admin-url", default=PG_ADMIN_URL)
    parser.add_argument(
        "--baseline-src",
        default="",
        help="directory holding another eco263 (e.g. `git archive HEAD eco263` unpacked): "
        "every page is also run on it, interleaved, for a before/after under the same load",
    )
    parser.add_argument(
        "--baseline-url", default="", help="the baseline server's database (default: the same)"
    )
    return parser.parse_args(argv)


def run_pages(
    bases: dict[str, str],
    tokens: dict[str, dict[str, str]],
    scenarios: Sequence[Scenario],
    args: argparse.Namespace,
    levels: Sequence[int],
) -> list[Result]:
    """Every page at every level; with a baseline, both servers in turn (order alternating)."""
    results: list[Result] = []
    flip = False
    for level in levels:
        for s in scenarios:
            order = list(bases)
            if flip:
                order.reverse()
            flip = not flip
            for code in order:
                step(f"{s.key} × {level} clients, {args.duration:.0f} s ({code})")
                r = drive(bases[code], tokens[code], s, level, args.duration)
                r.code = code
                results.append(r)
                print(
                    f"  {len(r.times_ms):,} req, {r.rps:.1f}/s, p50 {r.p(50):.0f} "
                    f"p95 {r.p(95):.0f} p99 {r.p(99):.0f} ms, errors {r.errors}, load {r.load}",
                    flush=True,
                )
    if args.export_requests:
        for level in sorted({1, min(levels, default=1)}):
            for code in bases:
                step(f"export × {level}, {args.export_requests} downloads ({code})")
                r = export_run(bases[code], tokens[code]["city"], level, args.export_requests)
                r.code = code
                results.append(r)
                print(f"  p50 {r.p(50):.0f} p95 {r.p(95):.0f} ms; {r.note}", flush=True)
    return results


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    levels = [int(c) for c in args.concurrency.split(",") if c.strip()]
    only = {k.strip() for k in args.only.split(",") if k.strip()}
    scenarios = [s for s in SCENARIOS if not only or s.key in only]
    print(f"nproc {len(os.sched_getaffinity(0))}; load average {loadavg()}", flush=True)
    db, notes = prepare(args)
    results: list[Result] = []
    try:
        step("statements per page (in-process, same database)")
        counts = statement_counts(db.url, [*scenarios, EXPORT])
        print("  " + ", ".join(f"{k} {v}" for k, v in counts.items()), flush=True)
        with contextlib.ExitStack() as stack:
            bases: dict[str, str] = {}
            if args.baseline_src:
                base_url = args.baseline_url or db.url
                bases["before"] = stack.enter_context(server(base_url, args.baseline_src))
                notes.append(f"baseline: eco263 from {args.baseline_src} on {base_url}")
            bases["after" if args.baseline_src else "current"] = stack.enter_context(server(db.url))
            tokens: dict[str, dict[str, str]] = {}
            users = sorted({s.user for s in scenarios} | {"city"})
            for code, base in bases.items():
                with httpx.Client(base_url=base) as c:
                    tokens[code] = {u: login(c, u) for u in users}
            results = run_pages(bases, tokens, scenarios, args, levels)
    finally:
        if db.created and not args.keep:
            drop_database(args.pg_admin_url, db)
        elif db.created:
            print(f"\nkept: {db.url}")
    print(f"\n## Web pages — {db.name}\n")
    print(table(results, counts))
    if args.baseline_src:
        print("\n" + ab_table(results))
    for r in results:
        if r.note:
            print(f"\n{r.scenario.label} × {r.concurrency} ({r.code}): {r.note}")
    print("\n" + "\n".join(f"- {n}" for n in notes))
    print(f"- load average at the end: {loadavg()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
