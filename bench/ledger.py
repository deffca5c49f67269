"""Ledger benchmark (issue 2): insert rate, filtered list latency and the escalation sweep.

Builds a fresh database (PostgreSQL: a new ``eco263_bench_*`` database; SQLite: a temp file),
migrates and seeds it like the tests do, loads ``--problems`` problems and prints the figures
as a Markdown table.  Not a test: it asserts nothing, it measures.

    .venv/bin/python bench/ledger.py --backend postgres --problems 1000000
    .venv/bin/python bench/ledger.py --backend sqlite --problems 200000

Steps:
  1. migrate + seed reference data (divisions, organizations, demo users);
  2. bulk load ``N - --real-writes`` problems (+ one assignment per dispatched problem) with
     Core ``insert()`` executemany, then ANALYZE; then ``--real-writes`` problems through the
     real write path (``do_register_problem`` + ``do_dispatch``, one unit of work each);
  3. ``list_problems`` latency as the city office and as a district office, plus the plan;
  4. the escalation sweep on 2018-05-10 09:00 +08:00, a second one (finds nothing), and the
     next day's sweep (the steady-state daily run).
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import io
import os
import platform
import pstats
import random
import shutil
import sqlite3
import statistics
import tempfile
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Engine,
    and_,
    case,
    create_engine,
    event,
    func,
    insert,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.sql import Select

import eco263
from eco263 import migrate
from eco263.actor import Actor
from eco263.audit.actions import ensure_head
from eco263.audit.models import AuditEvent
from eco263.auth.service import actor_for_username
from eco263.clock import SHANGHAI, FixedClock, ensure_aware, local_date, parse_now
from eco263.config import Settings
from eco263.problems import actions, rules
from eco263.problems.enums import AssignmentState, Escalation, ProblemState, Source
from eco263.problems.models import Assignment, Problem
from eco263.problems.scheduled import SweepReport, sweep
from eco263.problems.schemas import AssignmentSpec, ProblemCreate
from eco263.problems.service import ProblemFilters, filtered_query, list_problems
from eco263.registry.models import Division, Organization
from eco263.registry.service import category_names
from eco263.runtime import Runtime
from eco263.seed import seed_reference
from eco263.supervision.models import Clue
from eco263.wiring import build_runtime

PG_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
SWEEP_AT = "2018-05-10T09:00+08:00"
NEXT_DAY_SWEEP_AT = "2018-05-11T09:00+08:00"
WRITE_CLOCK = "2018-05-09T10:00+08:00"  # the real write path registers the day before the sweep
SEED_CLOCK = "2018-03-01T09:00+08:00"
PAGE_SIZE = 50
LIST_TARGET_MS = 50.0
SWEEP_TARGET_S = 60.0

# Suzhou's ten management units (districts, county-level cities, the industrial park), weighted
# roughly by the size of their ledgers.
DIVISION_WEIGHTS: dict[str, int] = {
    "320505": 8,  # 虎丘区（高新区）
    "320506": 12,  # 吴中区
    "320507": 9,  # 相城区
    "320508": 7,  # 姑苏区
    "320509": 13,  # 吴江区
    "320581": 12,  # 常熟市
    "320582": 11,  # 张家港市
    "320583": 14,  # 昆山市
    "320585": 7,  # 太仓市
    "320571": 7,  # 苏州工业园区
}
# Problem state mix: closed ~60 %, the rest open.
STATE_WEIGHTS: dict[ProblemState, int] = {
    ProblemState.CLOSED: 60,
    ProblemState.REGISTERED: 5,
    ProblemState.ASSIGNED: 9,
    ProblemState.RECTIFYING: 18,
    ProblemState.VERIFYING: 8,
}
ASSIGNMENT_STATE_OF: dict[ProblemState, AssignmentState] = {
    ProblemState.ASSIGNED: AssignmentState.ASSIGNED,
    ProblemState.RECTIFYING: AssignmentState.RECTIFYING,
    ProblemState.VERIFYING: AssignmentState.VERIFYING,
    ProblemState.CLOSED: AssignmentState.VERIFIED,
}
OPEN_STATES = [
    ProblemState.REGISTERED.value,
    ProblemState.ASSIGNED.value,
    ProblemState.RECTIFYING.value,
    ProblemState.VERIFYING.value,
]
MAJOR_WATERS = [
    "太湖",
    "阳澄湖",
    "京杭大运河",
    "淀山湖",
    "澄湖",
    "金鸡湖",
    "独墅湖",
    "望虞河",
    "太浦河",
    "吴淞江",
    "娄江",
    "元和塘",
]


# -- figures -------------------------------------------------------------------------------------


@dataclass(slots=True)
class Figures:
    rows: list[tuple[str, str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add(self, figure: str, value: str, note: str = "") -> None:
        self.rows.append((figure, value, note))
        print(f"  {figure}: {value}" + (f"  ({note})" if note else ""), flush=True)

    def markdown(self) -> str:
        lines = ["| Figure | Value | Note |", "|---|---:|---|"]
        lines += [f"| {f} | {v} | {n} |" for f, v, n in self.rows]
        return "\n".join(lines)


def step(title: str) -> None:
    print(f"\n== {title} [{time.strftime('%H:%M:%S')}]", flush=True)


def pct(values: Sequence[float], p: int) -> float:
    if len(values) < 2:
        return values[0] if values else float("nan")
    return statistics.quantiles(values, n=100, method="inclusive")[p - 1]


# -- database ------------------------------------------------------------------------------------


@dataclass(slots=True)
class BenchDatabase:
    backend: str
    url: str
    label: str
    drop: Callable[[], None]


def create_database(backend: str, admin_url: str) -> BenchDatabase:
    if backend == "sqlite":
        tmp = Path(tempfile.mkdtemp(prefix="eco263_bench_"))
        path = tmp / "ledger.db"
        return BenchDatabase(
            backend, f"sqlite:///{path}", str(path), lambda: shutil.rmtree(tmp, True)
        )
    name = f"eco263_bench_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return BenchDatabase(backend, admin_url.rsplit("/", 1)[0] + "/" + name, name, drop)


def migrate_and_seed(url: str) -> None:
    migrate.upgrade(url)
    rt = build_runtime(Settings(database_url=url), FixedClock(parse_now(SEED_CLOCK)))
    with rt.unit_of_work() as ctx:
        ensure_head(ctx.session)
        seed_reference(ctx)
    rt.engine.dispose()


def count_rows(engine: Engine, model: type[Any]) -> int:
    with engine.connect() as conn:
        return int(conn.scalar(select(func.count()).select_from(model)) or 0)


def analyze(engine: Engine, *, vacuum: bool = False) -> float:
    """ANALYZE (or VACUUM ANALYZE, which also sets the visibility map index-only scans need).

    On PostgreSQL a CHECKPOINT follows, so that the load's dirty pages and WAL are written
    before anything is timed: otherwise the sweep right after pays the load's I/O debt.
    """
    t0 = time.perf_counter()
    with engine.connect() as conn:
        conn = conn.execution_options(isolation_level="AUTOCOMMIT")
        if vacuum and engine.dialect.name == "postgresql":
            conn.exec_driver_sql("VACUUM (ANALYZE) problem")
            conn.exec_driver_sql("VACUUM (ANALYZE) assignment")
        conn.exec_driver_sql("ANALYZE")
        if engine.dialect.name == "postgresql":
            conn.exec_driver_sql("CHECKPOINT")
    return time.perf_counter() - t0


def loadavg() -> str:
    with open("/proc/loadavg", encoding="utf-8") as f:
        return " ".join(f.read().split()[:3])


def storage_size(engine: Engine, db: BenchDatabase) -> str:
    if db.backend == "sqlite":
        size = sum(p.stat().st_size for p in Path(db.label).parent.iterdir())
        return f"{size / 2**20:,.0f} MiB (file + WAL)"
    parts: list[str] = []
    with engine.connect() as conn:
        for table in ("problem", "assignment", "audit_event", "clue"):
            rel = conn.scalar(select(func.pg_total_relation_size(table)))
            parts.append(f"{table} {int(rel or 0) / 2**20:,.0f} MiB")
        total = int(conn.scalar(text("SELECT pg_database_size(current_database())")) or 0)
    return f"{total / 2**20:,.0f} MiB total; " + ", ".join(parts) + " (incl. indexes)"


# -- reference data and the synthetic ledger ----------------------------------------------------


@dataclass(frozen=True, slots=True)
class Reference:
    divisions: list[str]
    division_cum: list[float]
    division_names: dict[str, str]
    orgs_by_division: dict[str, list[int]]
    city_orgs: list[int]
    categories: list[tuple[str, str]]
    sources: list[str]
    states: list[ProblemState]
    state_cum: list[float]
    city_user_id: int


def cumulative(weights: Sequence[int]) -> list[float]:
    out: list[float] = []
    total = 0.0
    for w in weights:
        total += w
        out.append(total)
    return out


def load_reference(rt: Runtime) -> Reference:
    with rt.sessions() as session:
        names = {d.code: d.short_name or d.name for d in session.scalars(select(Division))}
        orgs: dict[str, list[int]] = {}
        for org in session.scalars(select(Organization).order_by(Organization.id)):
            if org.kind in ("office", "department", "town"):
                orgs.setdefault(org.division_code, []).append(org.id)
        city = actor_for_username(session, "city")
    assert city.user_id is not None
    divisions = list(DIVISION_WEIGHTS)
    return Reference(
        divisions=divisions,
        division_cum=cumulative(list(DIVISION_WEIGHTS.values())),
        division_names=names,
        orgs_by_division={d: orgs.get(d, []) for d in divisions},
        city_orgs=orgs.get("320500", []),
        categories=sorted(category_names().items()),
        sources=[s.value for s in Source],
        states=list(STATE_WEIGHTS),
        state_cum=cumulative(list(STATE_WEIGHTS.values())),
        city_user_id=city.user_id,
    )


def at_local(day: date, rng: random.Random) -> datetime:
    local = datetime(
        day.year, day.month, day.day, rng.randint(8, 17), rng.randint(0, 59), tzinfo=SHANGHAI
    )
    return ensure_aware(local)


def water_body(rng: random.Random, division: str) -> str | None:
    roll = rng.random()
    if roll < 0.3:
        return rng.choice(MAJOR_WATERS)
    if roll < 0.6:
        return f"河道{division[-2:]}-{rng.randint(1, 300):03d}"
    return None


def assignee(ref: Reference, division: str, rng: random.Random) -> int:
    local = ref.orgs_by_division[division]
    if not local or rng.random() < 0.1:
        return rng.choice(ref.city_orgs)
    return rng.choice(local)


def synth_rows(
    ref: Reference, rng: random.Random, problem_id: int, assignment_id: int, sweep_day: date
) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """One problem (and its lead assignment unless it is still only registered)."""
    division = rng.choices(ref.divisions, cum_weights=ref.division_cum)[0]
    state = rng.choices(ref.states, cum_weights=ref.state_cum)[0]
    category, cat_name = rng.choice(ref.categories)
    due = sweep_day + timedelta(days=rng.randint(-120, 120))
    registered_on = min(due - timedelta(days=rng.randint(15, 90)), sweep_day - timedelta(days=1))
    registered_at = at_local(registered_on, rng)
    water = water_body(rng, division)
    target = water or "企业点位"
    due_reason = f"批量导入：限 {due.isoformat()} 前完成"
    closed_at = None
    if state == ProblemState.CLOSED:
        closed_day = min(registered_on + timedelta(days=rng.randint(5, 60)), sweep_day)
        closed_at = at_local(closed_day, rng)
    problem = {
        "id": problem_id,
        "title": f"{ref.division_names[division]}{target}{cat_name}问题 #{problem_id}",
        "description": f"{cat_name}：群众反映{target}附近存在环境问题，需核实整改。",
        "source": rng.choice(ref.sources),
        "category_code": category,
        "division_code": division,
        "enterprise_id": None,
        "location": f"{ref.division_names[division]}某镇某村",
        "water_body": water,
        "found_on": registered_on - timedelta(days=rng.randint(0, 10)),
        "state": state.value,
        "due_date": due,
        "due_reason": due_reason,
        "registered_at": registered_at,
        "closed_at": closed_at,
        "registered_by": ref.city_user_id,
        "duplicate_of_id": None,
        "possible_duplicate_of_id": None,
        "escalation": 0,
        "version": 1 if state == ProblemState.REGISTERED else 2,
    }
    a_state = ASSIGNMENT_STATE_OF.get(state)
    if a_state is None:
        return problem, None
    assigned_at = registered_at + timedelta(hours=rng.randint(2, 72))
    accepted = assigned_at + timedelta(days=1) if a_state != AssignmentState.ASSIGNED else None
    submitted = (
        assigned_at + timedelta(days=10)
        if a_state in (AssignmentState.VERIFYING, AssignmentState.VERIFIED)
        else None
    )
    assignment = {
        "id": assignment_id,
        "problem_id": problem_id,
        "organization_id": assignee(ref, division, rng),
        "is_lead": True,
        "state": a_state.value,
        "due_date": due,
        "due_reason": due_reason,
        "escalation": 0,
        "returned_count": 0,
        "extension_count": 0,
        "assigned_at": assigned_at,
        "accepted_at": accepted,
        "submitted_at": submitted,
        "verified_at": closed_at,
        "version": 1,
    }
    return problem, assignment


@dataclass(slots=True)
class LoadResult:
    problems: int = 0
    assignments: int = 0
    wall_s: float = 0.0
    db_s: float = 0.0


def bulk_load(
    engine: Engine, ref: Reference, n: int, rng: random.Random, batch: int, sweep_day: date
) -> LoadResult:
    result = LoadResult()
    with engine.connect() as conn:
        pid = int(conn.scalar(select(func.coalesce(func.max(Problem.id), 0))) or 0)
        aid = int(conn.scalar(select(func.coalesce(func.max(Assignment.id), 0))) or 0)
    t0 = time.perf_counter()
    next_report = t0 + 30
    while result.problems < n:
        problems: list[dict[str, Any]] = []
        assignments: list[dict[str, Any]] = []
        for _ in range(min(batch, n - result.problems)):
            pid += 1
            p, a = synth_rows(ref, rng, pid, aid + 1, sweep_day)
            problems.append(p)
            if a is not None:
                aid += 1
                assignments.append(a)
        d0 = time.perf_counter()
        with engine.begin() as conn:
            conn.execute(insert(Problem), problems)
            if assignments:
                conn.execute(insert(Assignment), assignments)
        result.db_s += time.perf_counter() - d0
        result.problems += len(problems)
        result.assignments += len(assignments)
        if time.perf_counter() > next_report:
            next_report += 30
            print(f"    loaded {result.problems:,} / {n:,}", flush=True)
    result.wall_s = time.perf_counter() - t0
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            for table in ("problem", "assignment"):
                conn.execute(
                    text("SELECT setval(pg_get_serial_sequence(:t, 'id'), :v)"),
                    {"t": table, "v": pid if table == "problem" else max(aid, 1)},
                )
    return result


# -- the real write path -------------------------------------------------------------------------


@dataclass(slots=True)
class WriteResult:
    problems: int
    seconds: float
    audit_events: int


def real_writes(rt: Runtime, ref: Reference, n: int, rng: random.Random) -> WriteResult:
    """登记 + 交办 through the actions, each its own unit of work (as two HTTP requests would)."""
    with rt.sessions() as session:
        city = actor_for_username(session, "city")
    audit_before = count_rows(rt.engine, AuditEvent)
    today = local_date(rt.clock.now())
    t0 = time.perf_counter()
    for _ in range(n):
        division = rng.choices(ref.divisions, cum_weights=ref.division_cum)[0]
        category, cat_name = rng.choice(ref.categories)
        water = water_body(rng, division)
        data = ProblemCreate(
            title=f"{ref.division_names[division]}{water or '企业点位'}{cat_name}问题（新登记）",
            description="在线登记",
            source=rng.choice(ref.sources),
            category_code=category,
            division_code=division,
            found_on=today - timedelta(days=rng.randint(0, 20)),
            location="某镇某村",
            water_body=water,
        )
        with rt.unit_of_work(city) as ctx:
            problem_id = actions.do_register_problem(ctx, data).id
        with rt.unit_of_work(city) as ctx:
            lead = AssignmentSpec(organization_id=assignee(ref, division, rng))
            actions.do_dispatch(ctx, problem_id, lead, [])
    seconds = time.perf_counter() - t0
    return WriteResult(n, seconds, count_rows(rt.engine, AuditEvent) - audit_before)


# -- list latency --------------------------------------------------------------------------------

Query = tuple[str, str, int]  # division, state, page


def random_queries(rng: random.Random, divisions: Sequence[str], n: int) -> list[Query]:
    return [
        (
            rng.choice(divisions),
            rng.choice(OPEN_STATES),
            1 if rng.random() < 0.5 else rng.randint(2, 20),
        )
        for _ in range(n)
    ]


@dataclass(slots=True)
class ListResult:
    times_ms: list[float]
    totals: list[int]

    def summary(self) -> str:
        t = self.times_ms
        return (
            f"p50 {pct(t, 50):.1f} / p95 {pct(t, 95):.1f} / p99 {pct(t, 99):.1f} / max {max(t):.1f}"
        )


def time_lists(rt: Runtime, username: str, queries: Sequence[Query], today: date) -> ListResult:
    with rt.sessions() as session:
        actor = actor_for_username(session, username)
    times: list[float] = []
    totals: list[int] = []
    for division, state, page in [*queries[:10], *queries]:  # first 10: warm-up, not counted
        filters = ProblemFilters(division=division, states=[state])
        with rt.sessions() as session:
            t0 = time.perf_counter()
            _, total = list_problems(
                session, actor, filters, today=today, page=page, page_size=PAGE_SIZE
            )
            times.append((time.perf_counter() - t0) * 1000)
        totals.append(total)
    return ListResult(times[10:], totals[10:])


def list_statements(actor: Actor, query: Query, today: date) -> list[tuple[str, Select[Any]]]:
    division, state, page = query
    base = filtered_query(actor, ProblemFilters(division=division, states=[state]), today)
    count = select(func.count()).select_from(base.order_by(None).subquery())
    items = base.order_by(Problem.id.desc()).limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)
    return [("count", count), (f"page {page}", items)]


def explain(
    rt: Runtime, username: str, query: Query, today: date, *, with_sql: bool = False
) -> str:
    """The plan of both statements behind one list call (EXPLAIN ANALYZE on PostgreSQL)."""
    pg = rt.engine.dialect.name == "postgresql"
    prefix = "EXPLAIN (ANALYZE, BUFFERS) " if pg else "EXPLAIN QUERY PLAN "
    out: list[str] = []
    with rt.sessions() as session:
        actor = actor_for_username(session, username)
        for label, stmt in list_statements(actor, query, today):
            sql = str(
                stmt.compile(
                    dialect=rt.engine.dialect,
                    compile_kwargs={"literal_binds": True, "render_postcompile": True},
                )
            )
            if pg:  # literal_binds doubled the % for the pyformat driver; no params here
                sql = sql.replace("%%", "%")
            raw = session.connection().connection.driver_connection
            assert raw is not None
            cursor = raw.cursor()
            cursor.execute(prefix + sql)
            rows = cursor.fetchall()
            cursor.close()
            plan = [str(r[0]) if pg else f"{r[1]:>3} {r[3]}" for r in rows]
            shown = f"{sql}\n" if with_sql else ""
            out.append(f"-- {label} ({username}, {query}):\n{shown}" + "\n".join(plan))
    return "\n\n".join(out)


# -- sweep ---------------------------------------------------------------------------------------


class SweepBudgetSpent(Exception):
    """Raised from ``on_batch`` to stop a sweep after the time budget (the batch is committed)."""


def reached_conditions(rt: Runtime, now: datetime) -> tuple[list[ColumnElement[bool]], Any]:
    """The sweep's own candidate conditions (scheduled._candidates), for counting up front."""
    cutoffs = rules.escalation_cutoffs(local_date(now), rt.calendar, rules.load_escalation_policy())
    reached = [
        and_(Assignment.due_date <= due, Assignment.escalation < int(level))
        for level, due in cutoffs.latest_due.items()
    ]
    return reached, cutoffs


def pending_candidates(rt: Runtime, now: datetime) -> tuple[int, int]:
    """(open assignments the sweep at ``now`` still has to raise, of which to red)."""
    reached, cutoffs = reached_conditions(rt, now)
    red_due = cutoffs.latest_due.get(Escalation.RED)
    open_ = Assignment.state != AssignmentState.VERIFIED.value
    with rt.engine.connect() as conn:
        total = conn.scalar(select(func.count()).where(open_, or_(*reached)))
        red = conn.scalar(
            select(func.count()).where(
                open_,
                Assignment.due_date <= red_due,
                Assignment.escalation < int(Escalation.RED),
            )
        )
    return int(total or 0), int(red or 0)


def fast_forward(rt: Runtime, now: datetime) -> float:
    """Set every remaining candidate to its level by plain UPDATEs — no audit, no clues.

    Only used after a budget-limited sweep, so that the second sweep can be timed on a ledger
    where nothing is left to do (what it would see after a complete first sweep).
    """
    reached, cutoffs = reached_conditions(rt, now)
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
    t0 = time.perf_counter()
    with rt.engine.begin() as conn:
        conn.execute(
            update(Assignment)
            .where(Assignment.state != AssignmentState.VERIFIED.value, or_(*reached))
            .values(escalation=level)
        )
        conn.execute(update(Problem).where(Problem.escalation < top).values(escalation=top))
    return time.perf_counter() - t0


class StatementTimes:
    """Time spent per SQL statement shape during a sweep (client-side, includes the round
    trip): says whether a batch waits on PostgreSQL or on Python."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.totals: defaultdict[str, float] = defaultdict(float)
        self.calls: Counter[str] = Counter()
        self._started: list[float] = []

    def _before(self, *_: Any) -> None:
        self._started.append(time.perf_counter())

    def _after(self, _conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        shape = " ".join(statement.split())[:70]
        self.totals[shape] += time.perf_counter() - self._started.pop()
        self.calls[shape] += 1

    def __enter__(self) -> StatementTimes:
        event.listen(self.engine, "before_cursor_execute", self._before)
        event.listen(self.engine, "after_cursor_execute", self._after)
        return self

    def __exit__(self, *_: object) -> None:
        event.remove(self.engine, "before_cursor_execute", self._before)
        event.remove(self.engine, "after_cursor_execute", self._after)

    def table(self, top: int = 12) -> str:
        lines = [f"{'s':>7} {'calls':>7}  statement"]
        for shape, total in sorted(self.totals.items(), key=lambda kv: -kv[1])[:top]:
            lines.append(f"{total:7.2f} {self.calls[shape]:7d}  {shape}")
        return "\n".join(lines)


@dataclass(slots=True)
class SweepResult:
    report: SweepReport
    seconds: float
    clues: int
    audit_events: int
    stopped: bool = False
    profile: str = ""
    profiled_batches: int = 0
    profiled_seconds: float = 0.0
    statements: str = ""


@dataclass(slots=True)
class _SweepProgress:
    batches: int = 0
    rows: int = 0
    measured_s: float = 0.0
    measured_rows: int = 0
    measured_batches: int = 0
    profile_from: float = 0.0
    profile_until: int = 0


def run_sweep(
    rt: Runtime, now: datetime, *, profile_batches: int = 0, budget_s: float = 0.0
) -> SweepResult:
    """One sweep, timed.

    Without a budget, cProfile covers batches 2..k+1 (a small part of a long sweep).  With a
    budget the sweep runs unprofiled until the budget is spent, then k more batches under
    cProfile (not counted in the timing), then stops.
    """
    clues_before = count_rows(rt.engine, Clue)
    audit_before = count_rows(rt.engine, AuditEvent)
    profiler = cProfile.Profile()
    prog = _SweepProgress()
    t0 = time.perf_counter()

    def start_profile(until: int) -> None:
        prog.profile_from = time.perf_counter()
        prog.profile_until = until
        profiler.enable()

    def on_batch(rows: int) -> None:
        prog.batches += 1
        prog.rows += rows
        if prog.profile_until and prog.batches >= prog.profile_until:
            profiler.disable()
            prog.profile_until = -1
            if budget_s:
                raise SweepBudgetSpent
        elif budget_s and not prog.profile_until and time.perf_counter() - t0 >= budget_s:
            prog.measured_s = time.perf_counter() - t0
            prog.measured_rows, prog.measured_batches = prog.rows, prog.batches
            if not profile_batches:
                raise SweepBudgetSpent
            start_profile(prog.batches + profile_batches)
        elif not budget_s and profile_batches and prog.batches == 1:
            start_profile(1 + profile_batches)

    report: SweepReport | None = None
    with contextlib.suppress(SweepBudgetSpent), StatementTimes(rt.engine) as statements:
        report = sweep(rt, now=now, on_batch=on_batch)
    profiler.disable()
    seconds = prog.measured_s or (time.perf_counter() - t0)
    if report is None:  # stopped: the counts of the batches done before the budget ran out
        report = SweepReport(examined=prog.measured_rows, batches=prog.measured_batches)
    result = SweepResult(
        report,
        seconds,
        count_rows(rt.engine, Clue) - clues_before,
        count_rows(rt.engine, AuditEvent) - audit_before,
        stopped=bool(prog.measured_s),
        statements=statements.table(),
    )
    if prog.profile_from:
        buf = io.StringIO()
        stats = pstats.Stats(profiler, stream=buf)
        stats.sort_stats("cumulative").print_stats(15)
        stats.sort_stats("tottime").print_stats(15)
        result.profile = buf.getvalue()
        result.profiled_batches = profile_batches
        result.profiled_seconds = time.perf_counter() - prog.profile_from
    return result


def sweep_summary(result: SweepResult) -> str:
    if result.stopped:  # raised counts are only known for a complete sweep
        return (
            f"stopped after the budget: {result.report.examined:,} rows in "
            f"{result.report.batches} batches; clues +{result.clues:,} and audit events "
            f"+{result.audit_events:,} include the profiled batches"
        )
    raised = ", ".join(f"{k} {v:,}" for k, v in sorted(result.report.raised.items())) or "none"
    return (
        f"examined {result.report.examined:,} in {result.report.batches} batches; "
        f"raised: {raised}; red cards {result.report.red_cards:,}; "
        f"audit events +{result.audit_events:,}"
    )


# -- machine -------------------------------------------------------------------------------------


def machine_conditions(admin_url: str) -> list[str]:
    cpu = "?"
    with open("/proc/cpuinfo", encoding="utf-8") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem_kib = 0
    with open("/proc/meminfo", encoding="utf-8") as f:
        for line in f:
            if line.startswith("MemTotal:"):
                mem_kib = int(line.split()[1])
    lines = [
        f"nproc: {len(os.sched_getaffinity(0))}",
        f"CPU: {cpu}",
        f"RAM: {mem_kib / 2**20:.1f} GiB",
        f"Python: {platform.python_version()}",
        f"SQLite: {sqlite3.sqlite_version}",
        f"Kernel: {platform.release()}",
        f"eco263 imported from: {Path(eco263.__file__).parent}",
        f"Load average at the end (1/5/15 min): {loadavg()}",
    ]
    try:
        admin = create_engine(admin_url)
        with admin.connect() as conn:
            version = conn.scalar(text("SHOW server_version"))
            settings = [
                f"{name}={conn.scalar(text(f'SHOW {name}'))}"
                for name in ("shared_buffers", "work_mem", "effective_cache_size", "lc_collate")
            ]
        admin.dispose()
        lines.append(f"PostgreSQL: {version} ({', '.join(settings)})")
    except Exception as exc:  # a report line, not a failure
        lines.append(f"PostgreSQL: not reachable ({type(exc).__name__})")
    return lines


# -- main ----------------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--backend", choices=["postgres", "sqlite"], default="postgres")
    parser.add_argument("--problems", type=int, default=1_000_000, help="total problems")
    parser.add_argument("--queries", type=int, default=300, help="list queries per actor")
    parser.add_argument("--seed", type=int, default=263)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--real-writes", type=int, default=2000, help="problems via actions")
    parser.add_argument("--batch", type=int, default=10_000, help="bulk-load batch (problems)")
    parser.add_argument(
        "--profile-batches", type=int, default=1, help="cProfile this many sweep batches"
    )
    parser.add_argument(
        "--sweep-budget",
        type=float,
        default=0.0,
        help="stop the first sweep after this many seconds and project the total (0: no limit)",
    )
    parser.add_argument(
        "--vacuum", action="store_true", help="VACUUM (ANALYZE) after loading instead of ANALYZE"
    )
    parser.add_argument(
        "--no-sweep",
        action="store_true",
        help="stop before the sweeps (with --keep: a template for sweep experiments)",
    )
    parser.add_argument("--pg-admin-url", default=PG_ADMIN_URL)
    parser.add_argument(
        "--sql", action="append", default=[], help="SQL run after loading (e.g. a test index)"
    )
    return parser.parse_args(argv)


def load_phase(rt: Runtime, db: BenchDatabase, args: argparse.Namespace, figs: Figures) -> None:
    rng = random.Random(args.seed)
    ref = load_reference(rt)
    sweep_day = local_date(parse_now(SWEEP_AT))
    bulk_n = max(args.problems - args.real_writes, 0)
    step(f"bulk load {bulk_n:,} problems (Core insert executemany, batch {args.batch:,})")
    load = bulk_load(rt.engine, ref, bulk_n, rng, args.batch, sweep_day)
    rows = load.problems + load.assignments
    figs.add(
        "Bulk load (Core executemany)",
        f"{rows / load.wall_s:,.0f} rows/s",
        f"{load.problems:,} problems + {load.assignments:,} assignments in {load.wall_s:.1f} s "
        f"wall ({rows / load.db_s:,.0f} rows/s counting DB time only, "
        f"{load.problems / load.wall_s:,.0f} problems/s)",
    )
    for sql in args.sql:
        with rt.engine.begin() as conn:
            t0 = time.perf_counter()
            conn.execute(text(sql))
        figs.add("Extra SQL", f"{time.perf_counter() - t0:.1f} s", sql.replace("|", "\\|"))
    seconds = analyze(rt.engine, vacuum=args.vacuum)
    figs.add(
        "VACUUM ANALYZE after load" if args.vacuum else "ANALYZE after load", f"{seconds:.1f} s"
    )
    step(f"real write path: {args.real_writes:,} × (do_register_problem + do_dispatch)")
    if args.real_writes:
        w = real_writes(rt, ref, args.real_writes, rng)
        figs.add(
            "Real write path (register + dispatch)",
            f"{w.problems / w.seconds:,.1f} problems/s",
            f"{w.problems:,} problems, 2 units of work each, {w.seconds:.1f} s, "
            f"{w.audit_events:,} audit events ({w.audit_events / w.seconds:,.0f}/s), "
            f"{w.seconds / w.problems * 1000:.1f} ms per problem, on the loaded table",
        )
    figs.add(
        "Ledger size",
        f"{count_rows(rt.engine, Problem):,} problems",
        f"{count_rows(rt.engine, Assignment):,} assignments; {storage_size(rt.engine, db)}",
    )


def visibility(engine: Engine) -> str:
    """How much of ``problem`` the visibility map covers (index-only scans need it)."""
    with engine.connect() as conn:
        row = conn.execute(
            text(
                "SELECT c.relpages, c.relallvisible, s.last_vacuum, s.last_autovacuum "
                "FROM pg_class c JOIN pg_stat_user_tables s ON s.relid = c.oid "
                "WHERE c.relname = 'problem'"
            )
        ).one()
    vacuumed = row.last_vacuum or row.last_autovacuum
    return (
        f"{row.relallvisible:,} of {row.relpages:,} pages all-visible; "
        f"last (auto)vacuum: {vacuumed.isoformat(timespec='seconds') if vacuumed else 'never'}"
    )


def list_phase(rt: Runtime, args: argparse.Namespace, figs: Figures) -> str:
    rng = random.Random(args.seed + 1)
    today = local_date(parse_now(SWEEP_AT))
    if rt.engine.dialect.name == "postgresql":
        figs.add("problem visibility map at list time", visibility(rt.engine))
    step(f"list_problems latency, {args.queries} queries per actor")
    city_q = random_queries(rng, list(DIVISION_WEIGHTS), args.queries)
    city = time_lists(rt, "city", city_q, today)
    ok = "meets" if pct(city.times_ms, 95) <= LIST_TARGET_MS else "MISSES"
    figs.add(
        "List, city office (division + state, page 1..20), ms",
        city.summary(),
        f"{ok} p95 ≤ {LIST_TARGET_MS:.0f} ms; load average {loadavg()}; matching rows median "
        f"{statistics.median(city.totals):,.0f}, max {max(city.totals):,}",
    )
    ks_q = random_queries(rng, ["320583"], args.queries)
    ks = time_lists(rt, "kunshan", ks_q, today)
    figs.add(
        "List, district office kunshan (320583 + state), ms",
        ks.summary(),
        f"matching rows median {statistics.median(ks.totals):,.0f}, max {max(ks.totals):,}",
    )
    page1 = [t for t, q in zip(city.times_ms, city_q, strict=True) if q[2] == 1]
    deep = [t for t, q in zip(city.times_ms, city_q, strict=True) if q[2] > 1]
    figs.add(
        "List, city: page 1 vs pages 2..20, p95 ms",
        f"{pct(page1, 95):.1f} vs {pct(deep, 95):.1f}",
        f"{len(page1)} / {len(deep)} queries",
    )
    step("query plans")
    plans = [
        explain(rt, "city", ("320583", ProblemState.RECTIFYING.value, 1), today, with_sql=True),
        explain(rt, "city", ("320571", ProblemState.REGISTERED.value, 20), today),
        explain(rt, "kunshan", ("320583", ProblemState.ASSIGNED.value, 1), today),
    ]
    text_ = "\n\n".join(plans)
    print(text_, flush=True)
    return text_


def sweep_phase(rt: Runtime, args: argparse.Namespace, figs: Figures) -> None:
    at = parse_now(SWEEP_AT)
    total, red = pending_candidates(rt, at)
    figs.add(
        "Sweep 1 work",
        f"{total:,} assignments to raise",
        f"{red:,} of them to 红牌 (one clue each); counted up front with the sweep's conditions",
    )
    budget = f", budget {args.sweep_budget:.0f} s" if args.sweep_budget else ""
    step(f"sweep at {SWEEP_AT} over all rows{budget}")
    first = run_sweep(rt, at, profile_batches=args.profile_batches, budget_s=args.sweep_budget)
    per_row = first.seconds / max(first.report.examined, 1)
    if first.stopped:
        projected = per_row * total
        ok = "meets" if projected <= SWEEP_TARGET_S else "MISSES"
        share = total / max(first.report.examined, 1)
        figs.add(
            "Sweep 1 (first, all rows), projected",
            f"{projected:,.0f} s",
            f"{ok} ≤ 60 s; measured {first.seconds:.1f} s for {first.report.examined:,} of "
            f"{total:,} rows, × {share:.1f}",
        )
        figs.add("Sweep 1, measured part", f"{first.seconds:.1f} s", sweep_summary(first))
    else:
        ok = "meets" if first.seconds <= SWEEP_TARGET_S else "MISSES"
        figs.add(
            "Sweep 1 (first, all rows)",
            f"{first.seconds:.1f} s",
            f"{ok} ≤ 60 s; " + sweep_summary(first),
        )
    figs.add(
        "Sweep 1 per raised row",
        f"{per_row * 1000:.2f} ms",
        f"{first.report.examined / first.seconds:,.0f} rows/s",
    )
    left, _ = pending_candidates(rt, at)
    if left:
        seconds = fast_forward(rt, at)
        figs.add(
            "Fast-forward of the rest (bench only)",
            f"{seconds:.1f} s",
            f"{left:,} rows set to their level by plain UPDATE, no audit/clues, so that sweep 2 "
            "sees a fully swept ledger",
        )
    step("sweep again, same instant (should find nothing)")
    second = run_sweep(rt, at)
    figs.add("Sweep 2 (same instant, again)", f"{second.seconds:.2f} s", sweep_summary(second))
    step(f"next day's sweep at {NEXT_DAY_SWEEP_AT} (steady-state daily run)")
    third = run_sweep(rt, parse_now(NEXT_DAY_SWEEP_AT))
    figs.add(
        "Sweep 3 (next day, daily run)",
        f"{third.seconds:.1f} s",
        sweep_summary(third) + f"; load average {loadavg()}",
    )
    if first.profile:
        print(
            f"\ncProfile of sweep 1, {first.profiled_batches} batch(es) "
            f"({first.profiled_seconds:.1f} s under the profiler), "
            "top 15 by cumulative, then by own time:",
            flush=True,
        )
        print(first.profile, flush=True)
    print("\nSQL time of sweep 1 by statement (client side, incl. profiled batches):", flush=True)
    print(first.statements, flush=True)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    figs = Figures()
    started = time.perf_counter()
    step(f"create {args.backend} database")
    db = create_database(args.backend, args.pg_admin_url)
    print(f"  {db.url}", flush=True)
    rt: Runtime | None = None
    try:
        t0 = time.perf_counter()
        migrate_and_seed(db.url)
        figs.add("Migrate + seed reference data", f"{time.perf_counter() - t0:.1f} s")
        rt = build_runtime(
            Settings(database_url=db.url, data_dir=Path(tempfile.gettempdir())),
            FixedClock(parse_now(WRITE_CLOCK)),
        )
        load_phase(rt, db, args, figs)
        plans = list_phase(rt, args, figs)
        if not args.no_sweep:
            sweep_phase(rt, args, figs)
        figs.add("Whole run", f"{time.perf_counter() - started:.0f} s")
    finally:
        if rt is not None:
            rt.engine.dispose()
        if args.keep:
            print(f"\nkept: {db.url}")
        else:
            db.drop()
    print(f"\n## Figures — {args.backend}, {args.problems:,} problems\n")
    print(figs.markdown())
    print("\nMachine:\n" + "\n".join(f"- {line}" for line in machine_conditions(args.pg_admin_url)))
    print("\nList query plans:\n```\n" + plans + "\n```")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
