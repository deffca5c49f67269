"""Pages of the alarms domain (监测告警): the alarm list and an alarm's detail — the detector's
statistics, the evidence chart, the sealed evidence pack and its packets' SHA-256, the police
transfer (行刑衔接), the linked problem — and the acknowledge form for the 263 offices.

Reads go through the services (scoped: an alarm on a point out of scope is a 404 like a
missing one); the only write is :func:`eco263.alarms.actions.do_acknowledge_alarm`.
Templates: ``web/templates/alarms/``.
"""

from __future__ import annotations

import io
import json
import zipfile
from datetime import datetime, timedelta
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from eco263.alarms import actions, rules, service
from eco263.alarms.evidence_pack import PackedReading, chart_png
from eco263.alarms.models import Alarm, PoliceTransfer
from eco263.audit.service import timeline
from eco263.clock import SHANGHAI
from eco263.context import Ctx
from eco263.errors import Conflict, Forbidden, NotFound
from eco263.evidence.store import BlobStore
from eco263.monitoring import service as monitoring
from eco263.monitoring.enums import pollutant_label
from eco263.monitoring.pages import MEDIUM_LABELS, format_value
from eco263.problems import service as problems
from eco263.web.deps import require_csrf, user_ctx
from eco263.web.inputs import Id, form_int
from eco263.web.routing import PageRoute
from eco263.web.templating import render

router = APIRouter(include_in_schema=False, route_class=PageRoute)

LIST_LIMIT = 200
PACKETS_SHOWN = 50
#: The data around an alarm that its chart shows (as in the evidence pack).
CHART_MARGIN = timedelta(hours=6)

DONE_MESSAGES = {"acknowledge": "报警已确认。"}
HISTORY_LABELS = {
    "alarm.raise": "报警产生",
    "alarm.extend": "报警延续",
    "alarm.acknowledge": "确认报警",
    "alarm.open_problem": "生成问题",
    "evidence_pack.seal": "证据包封存",
    "alarm.police_transfer": "移送公安（行刑衔接）",
}


# -- the list ------------------------------------------------------------------------------------


def _filters(request: Request) -> dict[str, Any]:
    p = request.query_params
    point = p.get("point", "")
    return {
        "status": p.get("status", "") if p.get("status") in rules.STATUS_LABELS else "",
        "category": p.get("category", "") if p.get("category") in rules.CATEGORY_LABELS else "",
        "point": form_int(point, 0) or None,
    }


def alarm_row(a: Alarm, points: dict[int, monitoring.PointRow]) -> dict[str, Any]:
    row = points.get(a.point_id)
    return {
        "id": a.id,
        "rule": a.rule,
        "rule_label": rules.RULE_LABELS.get(a.rule, a.rule),
        "category": a.category,
        "category_label": rules.CATEGORY_LABELS.get(a.category, a.category),
        "point_id": a.point_id,
        "point": row.point.name if row else f"#{a.point_id}",
        "enterprise": row.enterprise_name if row else None,
        "division": row.division_name if row else "",
        "pollutant": a.pollutant,
        "pollutant_label": pollutant_label(a.pollutant),
        "start": a.start,
        "end": a.end,
        "detected_at": a.detected_at,
        "score": a.score,
        "status": a.status,
        "status_label": rules.STATUS_LABELS.get(a.status, a.status),
        "problem_id": a.problem_id,
    }


@router.get("/alarms")
def alarm_list(request: Request) -> Response:
    """Newest alarms on the points in scope (three queries whatever the number of rows)."""
    chosen = _filters(request)
    with user_ctx(request) as ctx:
        alarms = service.list_alarms(
            ctx.session,
            ctx.actor,
            LIST_LIMIT,
            point_id=chosen["point"],
            status=chosen["status"] or None,
            category=chosen["category"] or None,
        )
        points = monitoring.points_by_id(ctx.session, {a.point_id for a in alarms})
        context = {
            "rows": [alarm_row(a, points) for a in alarms],
            "filters": chosen,
            "point_name": points[chosen["point"]].point.name if chosen["point"] in points else None,
            "statuses": list(rules.STATUS_LABELS.items()),
            "categories": list(rules.CATEGORY_LABELS.items()),
            "limit": LIST_LIMIT,
        }
        return render(
            request, "alarms/list.html", context, actor=ctx.actor, today=ctx.today, active="alarms"
        )


# -- the detail ----------------------------------------------------------------------------------


def _text(value: Any) -> str:
    """One evidence value, readable: numbers to four digits, times in Beijing time, lists joined."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, int | float):
        return format_value(float(value)) if isinstance(value, float) else str(value)
    if isinstance(value, str):
        return _time_text(value) or value
    if isinstance(value, list):
        shown = "、".join(_text(v) for v in value[:30])
        return shown + ("…" if len(value) > 30 else "")
    if isinstance(value, dict):
        return "；".join(f"{k}：{_text(v)}" for k, v in value.items())
    return str(value)


def _time_text(value: str) -> str | None:
    if len(value) < 16 or value[4:5] != "-" or "T" not in value:
        return None
    try:
        at = datetime.fromisoformat(value)
    except ValueError:
        return None
    if at.tzinfo is None:
        return None
    return at.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")


def _hours_text(value: Any) -> str | None:
    """A 24-slot count (``affected_hours_of_day``) as the hours that were hit."""
    if not isinstance(value, list) or len(value) != 24:
        return None
    hit = [f"{h}时（{n}）" for h, n in enumerate(value) if isinstance(n, int | float) and n]
    return "、".join(hit) or "无"


def evidence_rows(evidence: dict[str, Any]) -> list[dict[str, str]]:
    """The detector's statistics as labelled rows (known keys first, in the labels' order)."""
    order = {key: i for i, key in enumerate(rules.EVIDENCE_LABELS)}
    rows = []
    for key in sorted(evidence, key=lambda k: (order.get(k, len(order)), k)):
        value = evidence[key]
        text = _hours_text(value) if key == "affected_hours_of_day" else None
        rows.append(
            {
                "key": key,
                "label": rules.EVIDENCE_LABELS.get(key, key),
                "text": text or _text(value),
            }
        )
    return rows


def _pack(ctx: Ctx, transfer: PoliceTransfer | None) -> dict[str, Any] | None:
    """What the sealed zip holds: the packets with their SHA-256 and the members' digests."""
    if transfer is None:
        return None
    try:
        data = BlobStore(ctx.settings.attachments_path).get(transfer.pack_sha256)
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            manifest = json.loads(archive.read("manifest.json"))
    except (OSError, KeyError, ValueError, zipfile.BadZipFile):
        return {"missing": True, "packets": [], "members": {}, "packet_count": 0}
    packets = manifest.get("packets", [])
    return {
        "missing": False,
        "packet_count": len(packets),
        "packets": [
            p | {"received_local": _time_text(str(p.get("received_at", ""))) or ""}
            for p in packets[:PACKETS_SHOWN]
        ],
        "all_verified": all(p.get("sha256_verified") for p in packets),
        "members": {
            name: digest
            for name, digest in sorted(manifest.get("members", {}).items())
            if not name.startswith("packets/")
        },
    }


def _history(ctx: Ctx, alarm: Alarm) -> list[dict[str, Any]]:
    """The alarm's audit events and those about it on its problem (the seal, the transfer)."""
    events = timeline(ctx.session, "alarm", [str(alarm.id)])
    if alarm.problem_id is not None:
        events += [
            e
            for e in timeline(ctx.session, "problem", [str(alarm.problem_id)])
            if e.action in HISTORY_LABELS and (e.after or {}).get("alarm_id") == alarm.id
        ]
    events.sort(key=lambda e: e.seq)
    return [
        {
            "seq": e.seq,
            "at": e.at,
            "actor": e.actor_name,
            "action": e.action,
            "label": HISTORY_LABELS.get(e.action, e.action),
            "sha256": (e.after or {}).get("sha256"),
            "hash": e.hash,
        }
        for e in events
    ]


def _problem(ctx: Ctx, problem_id: int | None) -> dict[str, Any] | None:
    if problem_id is None:
        return None
    try:
        p = problems.get_problem(ctx.session, ctx.actor, problem_id)
    except NotFound:
        return {"id": problem_id, "title": None, "visible": False}
    return {"id": p.id, "title": p.title, "state": p.state, "visible": True}


def _detail_context(ctx: Ctx, alarm_id: int) -> dict[str, Any]:
    alarm = service.get_alarm(ctx.session, ctx.actor, alarm_id)
    point = monitoring.get_point_row(ctx.session, ctx.actor, alarm.point_id)
    transfer = service.transfer_of(ctx.session, alarm.id)
    limit = service.limits_of(ctx.session, alarm.point_id).get(alarm.pollutant)
    return {
        "alarm": alarm_row(alarm, {point.point.id: point}),
        "point": point,
        "medium": MEDIUM_LABELS.get(point.point.medium, point.point.medium),
        "limit": limit,
        "evidence": evidence_rows(dict(alarm.evidence or {})),
        "transfer": transfer,
        "pack": _pack(ctx, transfer),
        "history": _history(ctx, alarm),
        "problem": _problem(ctx, alarm.problem_id),
        "may_acknowledge": rules.may_acknowledge(ctx.actor.is_office, alarm.status),
        "acknowledged_at": alarm.acknowledged_at,
    }


def _detail_page(
    request: Request, alarm_id: int, *, error: str | None = None, status: int = 200
) -> Response:
    with user_ctx(request) as ctx:
        context = _detail_context(ctx, alarm_id)
        context["done"] = DONE_MESSAGES.get(request.query_params.get("done", ""))
        context["error"] = error
        return render(
            request,
            "alarms/detail.html",
            context,
            actor=ctx.actor,
            today=ctx.today,
            active="alarms",
            status_code=status,
        )


@router.get("/alarms/{alarm_id}")
def alarm_detail(request: Request, alarm_id: Id) -> Response:
    return _detail_page(request, alarm_id)


@router.post("/alarms/{alarm_id}/acknowledge", dependencies=[Depends(require_csrf)])
def acknowledge(request: Request, alarm_id: Id) -> Response:
    """确认报警 through the one write path; a refusal re-renders the page with the reason."""
    try:
        with user_ctx(request) as ctx:
            actions.do_acknowledge_alarm(ctx, alarm_id)
    except (Forbidden, Conflict) as exc:
        return _detail_page(request, alarm_id, error=exc.message, status=exc.status_code)
    return RedirectResponse(f"/alarms/{alarm_id}?done=acknowledge", status_code=303)


def _drawn_chart(ctx: Ctx, alarm: Alarm) -> bytes:
    """The chart the evidence pack would hold, drawn from the stored minute data."""
    policy = rules.load_policy()
    start, end = alarm.start - CHART_MARGIN, alarm.end + CHART_MARGIN
    readings = service.window_readings(ctx.session, alarm.point_id, policy.minute_cn, start, end)
    limit = service.limits_of(ctx.session, alarm.point_id).get(alarm.pollutant)
    packed = [
        PackedReading(r.data_time, r.pollutant, monitoring.reading_value(r), r.flag)
        for r in readings
        if r.pollutant == alarm.pollutant
    ]
    return chart_png(packed, alarm.pollutant, limit.limit if limit else None)


def _sealed_chart(ctx: Ctx, transfer: PoliceTransfer) -> bytes | None:
    try:
        data = BlobStore(ctx.settings.attachments_path).get(transfer.pack_sha256)
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return archive.read("chart.png")
    except (OSError, KeyError, zipfile.BadZipFile):
        return None


@router.get("/alarms/{alarm_id}/chart.png")
def evidence_chart(request: Request, alarm_id: Id) -> Response:
    """The evidence chart: the sealed one from the evidence pack if the alarm was handed over
    (the very bytes the police received), else drawn from the stored data."""
    with user_ctx(request) as ctx:
        alarm = service.get_alarm(ctx.session, ctx.actor, alarm_id)
        transfer = service.transfer_of(ctx.session, alarm.id)
        png = _sealed_chart(ctx, transfer) if transfer else None
        source = "evidence-pack" if png else "drawn"
        if png is None:
            png = _drawn_chart(ctx, alarm)
    return Response(
        content=png,
        media_type="image/png",
        headers={"Cache-Control": "private, max-age=300", "X-Eco263-Chart": source},
    )
