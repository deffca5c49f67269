"""The 驾驶舱 (dashboard) figures: KPI cards, the map of Suzhou, the ranking, the clue pipeline.

A read-only package on top of the domains: everything comes from their scoped service reads,
so a district user's dashboard is its own division's, a department's is its own tasks'.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from eco263.actor import CLUE_READERS, Role
from eco263.alarms import service as alarm_service
from eco263.alarms.presenters import alarm_row
from eco263.assessment import service as assessment
from eco263.context import Ctx
from eco263.monitoring import service as monitoring
from eco263.problems import rules
from eco263.problems import service as problems
from eco263.registry.service import list_divisions
from eco263.supervision.enums import CAUSE_LABELS, STATE_LABELS, ClueState
from eco263.supervision.service import clues as supervision

#: Suzhou: the map's city; its children are the map's regions (and 苏州工业园区 as a point).
CITY_CODE = "320500"
SIP_CODE = "320571"

#: The clue pipeline's stages and the statuses each one counts (a clue's current status).
PIPELINE = [
    ("已生成", "待送达智慧监督平台", (ClueState.GENERATED,)),
    ("已送达", "对方已收到或签收", (ClueState.DELIVERED, ClueState.RECEIVED)),
    ("已受理", "纪委监委受理核查", (ClueState.ACCEPTED,)),
    ("已办结", "核查处置完毕", (ClueState.CONCLUDED,)),
]


@dataclass(slots=True)
class RankRow:
    code: str
    name: str
    stats: problems.DivisionStats
    #: The division's 263 assessment score and rank (the latest computed), when there is one.
    score: float | None = None
    score_rank: int | None = None


@dataclass(slots=True)
class Dashboard:
    kpis: list[dict[str, Any]]
    ranking: list[RankRow]
    map_data: dict[str, Any]
    pipeline: list[dict[str, Any]] | None
    scope_label: str
    recent_clues: list[dict[str, Any]] = field(default_factory=list)
    recent_alarms: list[dict[str, Any]] = field(default_factory=list)
    #: What the ranking is by: the latest assessment (scheme title, period) or None (on-time rate).
    score_basis: str | None = None


#: 本月销号's list: the ledger filtered exactly as the card counts (closed since the month began).
CLOSED_MONTH_HREF = "/problems?state=closed&closed=month"


def build(ctx: Ctx) -> Dashboard:
    policy = rules.load_escalation_policy()
    due_soon_until = ctx.calendar.add_workdays(ctx.today, policy.due_soon_within_workdays)
    stats = problems.division_stats(
        ctx.session,
        ctx.actor,
        now=ctx.now,
        today=ctx.today,
        due_soon_until=due_soon_until,
        month_start=problems.month_start(ctx.now, ctx.settings.timezone),
        timezone=ctx.settings.timezone,
    )
    divisions = _divisions(ctx)
    names = {d.code: (d.short_name or d.name, d.name, d.lon, d.lat) for d in divisions}
    total = _sum(stats)
    return Dashboard(
        kpis=_kpis(total),
        ranking=_by_score(ctx, _ranking(_with_every_division(ctx, stats, divisions), names)),
        map_data=_map_data(stats, names),
        pipeline=_pipeline(ctx),
        scope_label=_scope_label(ctx, names),
        recent_clues=_recent_clues(ctx, names),
        recent_alarms=_recent_alarms(ctx),
    )


def _divisions(ctx: Ctx) -> list[Any]:
    return list_divisions(ctx.session, under=CITY_CODE)


def _with_every_division(
    ctx: Ctx, stats: list[problems.DivisionStats], divisions: list[Any]
) -> list[problems.DivisionStats]:
    """The ranking lists every division of the reader's area, those without problems too
    (a city reader: every district and county; a district office: its own)."""
    have = {s.division_code for s in stats}
    if ctx.actor.role in (Role.DEPARTMENT, Role.ENTERPRISE):
        return stats
    area = CITY_CODE if ctx.actor.is_system else ctx.actor.division_code
    wanted = [
        d.code
        for d in divisions
        if d.code not in have and (d.parent_code == area or (d.code == area != CITY_CODE))
    ]
    return stats + [problems.DivisionStats(code) for code in wanted]


def _sum(stats: list[problems.DivisionStats]) -> problems.DivisionStats:
    fields = ("open", "due_soon", "overdue", "closed", "closed_on_time", "closed_this_month")
    totals = {f: sum(getattr(s, f) for s in stats) for f in fields}
    return problems.DivisionStats("", **totals)


def _kpis(total: problems.DivisionStats) -> list[dict[str, Any]]:
    return [
        {"key": "open", "label": "在办", "value": total.open, "href": "/problems?state=open"},
        {"key": "due_soon", "label": "临期", "value": total.due_soon, "href": "/problems?due=soon"},
        {
            "key": "overdue",
            "label": "逾期",
            "value": total.overdue,
            "href": "/problems?due=overdue",
        },
        {
            "key": "closed_month",
            "label": "本月销号",
            "value": total.closed_this_month,
            "href": CLOSED_MONTH_HREF,
        },
        {
            "key": "on_time",
            "label": "按期办结率",
            "value": total.on_time_rate,
            "percent": True,
            "note": f"已销号 {total.closed} 件，按期 {total.closed_on_time} 件",
        },
    ]


def _ranking(
    stats: list[problems.DivisionStats], names: dict[str, tuple[str, str, Any, Any]]
) -> list[RankRow]:
    """Ranked by 按期办结率, highest first; a division with nothing closed yet (no rate) after
    those with one, then by fewer overdue, fewer open, and the division code: every row has
    a place, and the order never depends on the "—" of a missing rate."""
    rows = [RankRow(s.division_code, _rank_name(s.division_code, names), s) for s in stats]

    def key(row: RankRow) -> tuple[int, float, int, int, str]:
        rate = row.stats.on_time_rate
        return (
            rate is None,
            -(rate or 0.0),
            row.stats.overdue,
            row.stats.open,
            row.code,
        )

    return sorted(rows, key=key)


def _by_score(ctx: Ctx, rows: list[RankRow]) -> list[RankRow]:
    """The ranking by the latest 263 assessment scores when computed (on-time rate before)."""
    latest = assessment.latest_ranking(ctx.session, ctx.actor)
    if latest is None or not latest.rows:
        return rows
    scored = {s.division_code: s for s in latest.rows}
    for row in rows:
        if row.code in scored:
            row.score, row.score_rank = scored[row.code].total, scored[row.code].rank
    return sorted(rows, key=lambda r: (r.score_rank is None, r.score_rank or 0))


def _rank_name(code: str, names: dict[str, tuple[str, str, Any, Any]]) -> str:
    if code == CITY_CODE:
        return "市本级"
    return names.get(code, (code,))[0]


def _map_data(
    stats: list[problems.DivisionStats], names: dict[str, tuple[str, str, Any, Any]]
) -> dict[str, Any]:
    """Region values keyed by the map's feature names; 苏州工业园区 as a point of its own."""
    regions: list[dict[str, Any]] = []
    points: list[dict[str, Any]] = []
    for s in stats:
        if s.division_code not in names or s.division_code == CITY_CODE:
            continue
        short, full, lon, lat = names[s.division_code]
        item = {
            "name": full,
            "code": s.division_code,
            "label": short,
            "open": s.open,
            "overdue": s.overdue,
            "due_soon": s.due_soon,
        }
        if s.division_code == SIP_CODE:
            points.append({**item, "coord": [lon, lat]})
        else:
            regions.append(item)
    # The map's feature names are the full names (虎丘区); its labels are the short names the
    # tables use (高新区), so the map and the ranking name a division alike.
    labels = {full: short for code, (short, full, _, _) in names.items() if code != CITY_CODE}
    return {"regions": regions, "points": points, "sip": _sip(names), "labels": labels}


def _sip(names: dict[str, tuple[str, str, Any, Any]]) -> dict[str, Any] | None:
    if SIP_CODE not in names:
        return None
    short, full, lon, lat = names[SIP_CODE]
    return {"name": full, "code": SIP_CODE, "label": short, "coord": [lon, lat]}


def _pipeline(ctx: Ctx) -> list[dict[str, Any]] | None:
    if not ctx.actor.is_system and ctx.actor.role not in CLUE_READERS:
        return None
    counts = supervision.clue_counts(ctx.session, ctx.actor)
    stages = [
        {"label": label, "hint": hint, "value": sum(counts.get(s.value, 0) for s in statuses)}
        for label, hint, statuses in PIPELINE
    ]
    rejected = counts.get(ClueState.REJECTED.value, 0)
    if rejected:
        stages.append({"label": "不予受理", "hint": "退回或不予受理", "value": rejected})
    return stages


def _recent_clues(
    ctx: Ctx, names: dict[str, tuple[str, str, Any, Any]], limit: int = 4
) -> list[dict[str, Any]]:
    """The newest clues in scope (the supervision domain's scope), for readers only.

    Not ``supervision.list_clues``: that one also counts every clue in scope, and the card
    shows no total (one statement fewer per dashboard view).
    """
    clues = supervision.recent_clues(ctx.session, ctx.actor, limit=limit)
    causes = {c.value: label for c, label in CAUSE_LABELS.items()}
    return [
        {
            "summary": c.summary,
            "division": names.get(c.division_code, (c.division_code,))[0],
            "cause": causes.get(c.cause_kind, c.cause_kind),
            "duty_failure": c.duty_failure,
            "state": STATE_LABELS.get(ClueState(c.state), c.state),
            "created_at": c.created_at,
            "problem_id": c.problem_id,
        }
        for c in clues
    ]


def _scope_label(ctx: Ctx, names: dict[str, tuple[str, str, Any, Any]]) -> str:
    if ctx.actor.role == Role.DEPARTMENT:
        return "本单位承办的问题"
    if ctx.actor.role == Role.ENTERPRISE:
        return "本企业的问题"
    code = ctx.actor.division_code
    if code == CITY_CODE or ctx.actor.is_system:
        return "全市"
    return names.get(code, (code, code))[1]


def _recent_alarms(ctx: Ctx, limit: int = 6) -> list[dict[str, Any]]:
    """实时报警: the newest alarms on the points in scope, as the alarm list shows them."""
    alarms = alarm_service.list_alarms(ctx.session, ctx.actor, limit)
    if not alarms:
        return []
    points = monitoring.points_by_id(ctx.session, {a.point_id for a in alarms})
    return [alarm_row(a, points) for a in alarms]
