"""监测告警 pages: the alarm list and an alarm's detail — the detector's statistics, the
evidence chart, the sealed evidence pack and its packets' SHA-256, the police transfer
(行刑衔接), the linked problem — and the acknowledge form for the 263 offices.

Reads go through the services (scoped: an alarm on a point out of scope is a 404 like a
missing one); the only write is :func:`eco263.alarms.actions.do_acknowledge_alarm`.
The police file is confidential (:func:`eco263.alarms.rules.may_read_transfer`): for anyone
else — the enterprise concerned first — the page has no 行刑衔接 section, its history no
seal or transfer, and the chart is drawn from the data, never taken from the pack.
Templates: ``web/templates/alarms/``.
"""

from __future__ import annotations

import io
import json
import zipfile
from datetime import timedelta
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from eco263 import vocabulary
from eco263.alarms import actions, enums, rules, service
from eco263.alarms.evidence_pack import PackedReading, chart_png
from eco263.alarms.models import Alarm
from eco263.alarms.presenters import alarm_row, episode_rules, time_text
from eco263.audit.service import timeline
from eco263.context import Ctx
from eco263.errors import Conflict, Forbidden, NotFound
from eco263.evidence.store import BlobStore
from eco263.monitoring import service as monitoring
from eco263.monitoring.enums import MEDIUM_LABELS
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


# -- the list ------------------------------------------------------------------------------------


def _filters(request: Request) -> dict[str, Any]:
    p = request.query_params
    point = p.get("point", "")
    return {
        "state": p.get("state", "") if p.get("state") in enums.STATE_LABELS else "",
        "category": p.get("category", "") if p.get("category") in enums.CATEGORY_LABELS else "",
        "point": form_int(point, 0) or None,
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
            state=chosen["state"] or None,
            category=chosen["category"] or None,
        )
        points = monitoring.points_by_id(ctx.session, {a.point_id for a in alarms})
        context = {
            "rows": [alarm_row(a, points) for a in alarms],
            "filters": chosen,
            "point_name": points[chosen["point"]].point.name if chosen["point"] in points else None,
            "states": list(enums.STATE_LABELS.items()),
            "categories": list(enums.CATEGORY_LABELS.items()),
            "limit": LIST_LIMIT,
        }
        return render(
            request, "alarms/list.html", context, actor=ctx.actor, today=ctx.today, active="alarms"
        )


# -- the detail ----------------------------------------------------------------------------------


def _pack(ctx: Ctx, transfer: Alarm | None) -> dict[str, Any] | None:
    """What the sealed zip holds: the packets with their SHA-256 and the members' digests."""
    if transfer is None or transfer.pack_sha256 is None:
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
            p | {"received_local": time_text(str(p.get("received_at", ""))) or ""}
            for p in packets[:PACKETS_SHOWN]
        ],
        "all_verified": all(p.get("sha256_verified") for p in packets),
        "members": {
            enums.PACK_MEMBER_LABELS.get(name, name): digest
            for name, digest in sorted(manifest.get("members", {}).items())
            if not name.startswith("packets/")
        },
    }


ALARM_ACTIONS = frozenset(a.value for a in enums.AlarmAction)
POLICE_FILE = frozenset(a.value for a in enums.AlarmAction if a.readers is not None)


def _history(ctx: Ctx, alarm: Alarm, *, police_file: bool) -> list[dict[str, Any]]:
    """The alarm's audit events and those about it on its problem (the seal, the transfer:
    only with ``police_file``)."""
    events = timeline(ctx.session, "alarm", [str(alarm.id)])
    if alarm.problem_id is not None:
        events += [
            e
            for e in timeline(ctx.session, "problem", [str(alarm.problem_id)])
            if e.action in ALARM_ACTIONS and (e.after or {}).get("alarm_id") == alarm.id
        ]
    if not police_file:
        events = [e for e in events if e.action not in POLICE_FILE]
    events.sort(key=lambda e: e.seq)
    return [
        {
            "seq": e.seq,
            "at": e.at,
            "actor": e.actor_name,
            "action": e.action,
            "label": vocabulary.label(e.action),
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
    police_file = rules.may_read_transfer(ctx.actor, point.point.enterprise_id)
    transfer = service.readable_pack(ctx.session, ctx.actor, alarm) if police_file else None
    limit = service.limits_of(ctx.session, alarm.point_id).get(alarm.pollutant)
    return {
        "alarm": alarm_row(alarm, {point.point.id: point}),
        "point": point,
        "medium": MEDIUM_LABELS.get(point.point.medium, point.point.medium),
        "limit": limit,
        "rules": episode_rules(alarm),
        "police_file": police_file,
        "transfer": transfer,
        "pack": _pack(ctx, transfer),
        "history": _history(ctx, alarm, police_file=police_file),
        "problem": _problem(ctx, alarm.problem_id),
        "may_acknowledge": rules.may_acknowledge(ctx.actor.is_office, alarm.state),
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
        PackedReading(r.data_time, r.pollutant, r.value, r.flag)
        for r in readings
        if r.pollutant == alarm.pollutant
    ]
    return chart_png(packed, alarm.pollutant, limit.limit if limit else None)


def _sealed_chart(ctx: Ctx, transfer: Alarm) -> bytes | None:
    if transfer.pack_sha256 is None:
        return None
    try:
        data = BlobStore(ctx.settings.attachments_path).get(transfer.pack_sha256)
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return archive.read("chart.png")
    except (OSError, KeyError, zipfile.BadZipFile):
        return None


@router.get("/alarms/{alarm_id}/chart.png")
def evidence_chart(request: Request, alarm_id: Id) -> Response:
    """The evidence chart: the sealed one from the evidence pack if the alarm was handed over
    (the very bytes the police received) and the reader may see the police file, else drawn
    from the stored data."""
    with user_ctx(request) as ctx:
        alarm = service.get_alarm(ctx.session, ctx.actor, alarm_id)
        transfer = service.readable_pack(ctx.session, ctx.actor, alarm)
        png = _sealed_chart(ctx, transfer) if transfer else None
        source = "evidence-pack" if png else "drawn"
        if png is None:
            png = _drawn_chart(ctx, alarm)
    return Response(
        content=png,
        media_type="image/png",
        headers={"Cache-Control": "private, max-age=300", "X-Eco263-Chart": source},
    )
