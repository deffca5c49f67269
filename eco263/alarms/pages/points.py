"""在线监测 pages, the live-monitoring console: the points with their latest values, status
and unclosed alarms, and a point's page with its chart (limit line, flagged data marked) and
its alarms.

They belong to the alarms domain because they show both: monitoring's points and values read
through :mod:`eco263.monitoring.service`, the limits and alarms through
:mod:`eco263.alarms.service`, all scoped by the actor; a point out of scope is a 404 like a
missing one.  The chart's data come from ``/monitoring/points/{id}/series`` (JSON), drawn by
``static/point_chart.js`` with the vendored ECharts.  Templates: ``web/templates/monitoring/``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import pairwise
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from starlette.datastructures import QueryParams

from eco263.alarms import service
from eco263.alarms.presenters import alarm_row
from eco263.clock import SHANGHAI, ensure_aware
from eco263.context import Ctx
from eco263.monitoring import service as monitoring
from eco263.monitoring.detectors import Limit
from eco263.monitoring.enums import (
    CN_LABELS,
    FLAG_KINDS,
    MEDIUM_LABELS,
    POINT_STATUS_LABELS,
    POLLUTANT_UNITS,
    FlagKind,
    PointStatus,
    flag_label,
    is_valid_flag,
    pollutant_label,
)
from eco263.monitoring.presenters import format_value
from eco263.web.deps import user_ctx
from eco263.web.inputs import Id, form_int
from eco263.web.routing import PageRoute
from eco263.web.templating import local_time, render

router = APIRouter(include_in_schema=False, route_class=PageRoute)

#: The chart's window lengths (hours → label); the API's 31-day cap bounds the largest.
WINDOWS: dict[int, str] = {6: "6 小时", 24: "24 小时", 48: "48 小时", 168: "7 天", 720: "30 天"}
DEFAULT_WINDOW = 48
POINT_ALARMS = 50


def chart_time(at: datetime) -> str:
    """Beijing wall time without an offset: ECharts shows it as written in any browser."""
    return at.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M:%S")


# -- the points list -----------------------------------------------------------------------------


def _unit(code: str, limit: Limit | None) -> str:
    return limit.unit if limit and limit.unit else POLLUTANT_UNITS.get(code, "")


def _value_item(
    code: str, value: float | None, flag: str | None, limit: Limit | None
) -> dict[str, Any]:
    valid = is_valid_flag(flag)
    return {
        "code": code,
        "name": pollutant_label(code),
        "value": value,
        "text": format_value(value),
        "unit": _unit(code, limit),
        "flag": flag or "",
        "flag_label": flag_label(flag),
        "valid": valid,
        "limit": limit.limit if limit else None,
        "standard": limit.standard if limit else "",
        "over": bool(valid and limit and value is not None and value > limit.limit),
    }


def point_item(
    row: monitoring.PointRow,
    latest: monitoring.PointLatest,
    limits: dict[str, Limit],
    unclosed: int,
    now: datetime,
    offline_after: timedelta,
) -> dict[str, Any]:
    """What the list (and the point page's head) shows about one point."""
    values = [
        _value_item(r.pollutant, monitoring.reading_value(r), r.flag, limits.get(r.pollutant))
        for r in latest.readings
    ]
    values.sort(key=lambda v: (v["limit"] is None, v["code"]))
    status = monitoring.point_status(latest.last_data_time, now, offline_after)
    return {
        "id": row.point.id,
        "name": row.point.name,
        "mn": row.point.mn,
        "medium": MEDIUM_LABELS.get(row.point.medium, row.point.medium),
        "active": row.point.active,
        "enterprise": row.enterprise_name,
        "division": row.division_name,
        "cn": latest.cn,
        "cn_label": CN_LABELS.get(latest.cn or "", ""),
        "data_time": latest.data_time,
        "last_data_time": latest.last_data_time,
        "status": status.value,
        "status_label": POINT_STATUS_LABELS[status],
        "exceeding": [v["name"] for v in values if v["over"]],
        "values": values,
        "unclosed_alarms": unclosed,
    }


def _summary(items: list[dict[str, Any]]) -> dict[str, int]:
    return {
        "total": len(items),
        "online": sum(1 for i in items if i["status"] == PointStatus.ONLINE),
        "offline": sum(1 for i in items if i["status"] != PointStatus.ONLINE),
        "exceeding": sum(1 for i in items if i["exceeding"]),
        "alarms": sum(i["unclosed_alarms"] for i in items),
    }


@router.get("/monitoring")
def points_page(request: Request) -> Response:
    """The points in scope, each with its newest values and status (a fixed number of queries)."""
    with user_ctx(request) as ctx:
        rows = monitoring.list_point_rows(ctx.session, ctx.actor)
        ids = [r.point.id for r in rows]
        latest = monitoring.latest_values_for_points(ctx.session, ids)
        limits = service.limits_for_points(ctx.session, ids)
        counts = service.unclosed_alarm_counts(ctx.session, ids)
        items = [
            point_item(
                r,
                latest[r.point.id],
                limits[r.point.id],
                counts.get(r.point.id, 0),
                ctx.now,
                _offline_after(ctx),
            )
            for r in rows
        ]
        context = {
            "items": items,
            "summary": _summary(items),
            "offline_after_minutes": ctx.settings.offline_after_minutes,
        }
        return render(
            request,
            "monitoring/points.html",
            context,
            actor=ctx.actor,
            today=ctx.today,
            active="monitoring",
        )


# -- one point: the chart window -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ChartQuery:
    """The chart's pollutant, record kind and window, as chosen in the URL (bad values ignored).

    ``end`` defaults to the newest record of the kind, not to now: the demo and replays run
    on a 2018 clock, and an officer opening a point wants its last data, not an empty day.
    """

    pollutant: str
    cn: str
    hours: int
    end: datetime | None
    end_given: bool

    @property
    def start(self) -> datetime | None:
        return self.end - timedelta(hours=self.hours) if self.end else None

    def params(self) -> dict[str, str]:
        out = {"pollutant": self.pollutant, "cn": self.cn, "hours": str(self.hours)}
        if self.end_given and self.end is not None:
            out["end"] = self.end.astimezone(SHANGHAI).strftime("%Y-%m-%dT%H:%M")
        return out


def _parse_end(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        return ensure_aware(datetime.fromisoformat(text.strip()[:25]))
    except ValueError:
        return None


def pollutant_choices(latest: monitoring.PointLatest, limits: dict[str, Limit]) -> list[str]:
    """Pollutants with a limit first, then the others the point reports."""
    codes = {r.pollutant for r in latest.readings} | set(limits)
    return sorted(codes, key=lambda c: (c not in limits, c))


def chart_query(
    params: QueryParams, latest: monitoring.PointLatest, limits: dict[str, Limit]
) -> ChartQuery:
    choices = pollutant_choices(latest, limits)
    pollutant = params.get("pollutant", "")
    if pollutant not in choices:
        pollutant = choices[0] if choices else ""
    cn = params.get("cn", "")
    if cn not in latest.times:
        cn = latest.cn or "2051"
    hours = _int(params.get("hours"), DEFAULT_WINDOW)
    if hours not in WINDOWS:
        hours = DEFAULT_WINDOW
    end = _parse_end(params.get("end"))
    given = end is not None
    if end is None:
        end = latest.times.get(cn)
    return ChartQuery(pollutant, cn, hours, end, given)


def _int(text: str | None, default: int) -> int:
    return form_int(text, default)


def _breaks(points: list[monitoring.SeriesPoint]) -> set[int]:
    """Indexes after which the data stop for more than three usual intervals (a gap)."""
    if len(points) < 3:
        return set()
    gaps = [(b.data_time - a.data_time).total_seconds() for a, b in pairwise(points)]
    usual = sorted(gaps)[len(gaps) // 2] or 60.0
    return {i for i, gap in enumerate(gaps) if gap > 3 * usual}


def series_payload(
    row: monitoring.PointRow,
    query: ChartQuery,
    limits: dict[str, Limit],
    points: list[monitoring.SeriesPoint],
) -> dict[str, Any]:
    """The chart's JSON: the line (with gaps as nulls), the limit, the flagged values by kind."""
    limit = limits.get(query.pollutant)
    line: list[list[Any]] = []
    gaps = _breaks(points)
    flagged: dict[str, dict[str, Any]] = {}
    for i, p in enumerate(points):
        t = chart_time(p.data_time)
        line.append([t, p.value])
        if i in gaps:
            line.append([t, None])
        if not is_valid_flag(p.flag):
            flag = p.flag or ""
            kind = FLAG_KINDS.get(flag, FlagKind.OTHER)
            group = flagged.setdefault(
                flag, {"flag": flag, "label": flag_label(flag), "kind": kind.value, "data": []}
            )
            group["data"].append([t, p.value])
    return {
        "point": {"id": row.point.id, "name": row.point.name, "mn": row.point.mn},
        "pollutant": query.pollutant,
        "pollutant_name": pollutant_label(query.pollutant),
        "unit": _unit(query.pollutant, limit),
        "cn": query.cn,
        "cn_label": CN_LABELS.get(query.cn, query.cn),
        "start": chart_time(query.start) if query.start else None,
        "end": chart_time(query.end) if query.end else None,
        "limit": (
            {"value": limit.limit, "unit": limit.unit, "standard": limit.standard}
            if limit
            else None
        ),
        "count": len(points),
        "line": line,
        "flagged": list(flagged.values()),
    }


@dataclass(frozen=True, slots=True)
class PointView:
    row: monitoring.PointRow
    latest: monitoring.PointLatest
    limits: dict[str, Limit]
    query: ChartQuery


def _point_view(ctx: Ctx, point_id: int, params: QueryParams) -> PointView:
    row = monitoring.get_point_row(ctx.session, ctx.actor, point_id)
    latest = monitoring.latest_values_for_points(ctx.session, [row.point.id])[row.point.id]
    limits = service.limits_of(ctx.session, row.point.id)
    return PointView(row, latest, limits, chart_query(params, latest, limits))


@router.get("/monitoring/points/{point_id}/series")
def series(request: Request, point_id: Id) -> Response:
    """One pollutant of a point over the chosen window, as the chart draws it (JSON)."""
    with user_ctx(request) as ctx:
        view = _point_view(ctx, point_id, request.query_params)
        query = view.query
        points: list[monitoring.SeriesPoint] = []
        if query.pollutant and query.start and query.end:
            points = monitoring.pollutant_series(
                ctx.session, view.row.point.id, query.cn, query.pollutant, query.start, query.end
            )
        payload = series_payload(view.row, query, view.limits, points)
    return JSONResponse(payload)


def _alarm_rows(ctx: Ctx, row: monitoring.PointRow) -> list[dict[str, Any]]:
    """The point's newest alarms, as the alarm list shows them."""
    alarms = service.list_alarms(ctx.session, ctx.actor, POINT_ALARMS, point_id=row.point.id)
    return [alarm_row(a, {row.point.id: row}) for a in alarms]


@router.get("/monitoring/points/{point_id}")
def point_page(request: Request, point_id: Id) -> Response:
    """A point: facts, its chart (window and pollutant chosen in the URL), latest values, alarms."""
    with user_ctx(request) as ctx:
        view = _point_view(ctx, point_id, request.query_params)
        point_id = view.row.point.id
        alarms = _alarm_rows(ctx, view.row)
        unclosed = service.unclosed_alarm_counts(ctx.session, [point_id]).get(point_id, 0)
        item = point_item(
            view.row, view.latest, view.limits, unclosed, ctx.now, _offline_after(ctx)
        )
        query = view.query
        context = {
            "item": item,
            "query": query,
            "pollutants": [
                (c, pollutant_label(c)) for c in pollutant_choices(view.latest, view.limits)
            ],
            "cns": [(c, CN_LABELS.get(c, c)) for c in sorted(view.latest.times)],
            "windows": list(WINDOWS.items()),
            "end_value": (
                query.end.astimezone(SHANGHAI).strftime("%Y-%m-%dT%H:%M") if query.end else ""
            ),
            "window_text": (
                f"{local_time(query.start)} 至 {local_time(query.end)}" if query.end else ""
            ),
            "series_url": f"/monitoring/points/{view.row.point.id}/series?"
            + urlencode(query.params()),
            "limits": [
                {
                    "name": pollutant_label(code),
                    "code": code,
                    "limit": format_value(lim.limit),
                    "unit": lim.unit,
                    "standard": lim.standard,
                }
                for code, lim in sorted(view.limits.items())
            ],
            "alarms": alarms,
        }
        return render(
            request,
            "monitoring/point.html",
            context,
            actor=ctx.actor,
            today=ctx.today,
            active="monitoring",
        )


def _offline_after(ctx: Ctx) -> timedelta:
    return timedelta(minutes=ctx.settings.offline_after_minutes)
