"""Alarm writes: record an episode, open its problem, seal the evidence, hand it over.

``do_record_alarm`` is what the live pipeline calls for every detector alarm.  In one
transaction it raises or extends the episode, opens a ledger problem (source 在线监测) when
the policy says so — once per episode — and for tampering builds the evidence pack, seals
its SHA-256 in the audit chain, opens the clue for the discipline commission and announces
:class:`eco263.alarms.events.TamperingSealed` — a transfer to the police is *proposed* by
eco263.transfers, which listens; people decide it.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

from eco263.actor import SYSTEM
from eco263.alarms import enums, rules, service
from eco263.alarms.enums import AlarmAction, AlarmState, Category, LimitBasis
from eco263.alarms.events import TamperingSealed
from eco263.alarms.evidence_pack import PackedPacket, PackedReading, PackFacts, build_pack
from eco263.alarms.models import Alarm, PointLimit
from eco263.clock import local_date
from eco263.context import Ctx
from eco263.errors import Conflict, Forbidden, InvalidInput
from eco263.evidence.store import BlobStore
from eco263.monitoring import service as monitoring
from eco263.monitoring.detectors import Alarm as Detection
from eco263.monitoring.service import PointFacts
from eco263.problems.actions import do_register_problem
from eco263.problems.schemas import ProblemCreate
from eco263.registry import service as registry
from eco263.supervision.actions.rules_checks import TamperingFacts, do_open_tampering_clue


def do_set_limit(
    ctx: Ctx,
    point_id: int,
    *,
    pollutant: str,
    limit: float,
    unit: str,
    standard: str,
    basis: str = LimitBasis.BOTH,
) -> PointLimit:
    """排放限值 for one pollutant at one point (configuration data, audited).

    A point out of the actor's scope is a 404 like a missing one; then only an office may set.
    """
    point = monitoring.point_facts(ctx.session, ctx.actor, point_id)
    if not ctx.actor.is_office:
        raise Forbidden("只有263办可以设置排放限值")
    if limit <= 0 or basis not in tuple(LimitBasis):
        raise InvalidInput("限值应为正数，basis 为 hour/day/both", field="limit")
    row = ctx.session.get(PointLimit, (point.id, pollutant))
    before = {"limit": row.limit, "standard": row.standard} if row else None
    if row is None:
        row = PointLimit(point_id=point.id, pollutant=pollutant)
        ctx.session.add(row)
    row.limit, row.unit, row.standard, row.basis = limit, unit, standard, basis
    ctx.session.flush()
    after = {"pollutant": pollutant, "limit": limit, "unit": unit, "standard": standard}
    ctx.audit(AlarmAction.SET_LIMIT, "monitoring_point", point.id, before, after)
    return row


def do_record_alarm(ctx: Ctx, point: PointFacts, found: Detection) -> Alarm:
    """Raise a new episode or extend the open one; then act on it as the policy says."""
    policy = rules.load_policy()
    alarm = service.open_episode(ctx.session, point.id, found.pollutant, found.rule)
    if alarm is not None and rules.same_episode(alarm.end, found.start, policy):
        _extend(ctx, alarm, found)
    else:
        alarm = _raise(ctx, point, found)
    if alarm.problem_id is None and rules.opens_problem(
        alarm.category, alarm.start, alarm.end, policy
    ):
        _open_problem(ctx, point, alarm, policy)
        if alarm.category == Category.TAMPER:
            _hand_over(ctx, point, alarm, policy)
    return alarm


def _raise(ctx: Ctx, point: PointFacts, found: Detection) -> Alarm:
    alarm = Alarm(
        point_id=point.id,
        pollutant=found.pollutant,
        rule=found.rule,
        category=found.category.value,
        start=found.start,
        end=found.end,
        detected_at=found.detected_at,
        score=float(found.score),
        evidence=found.to_json()["evidence"],
        state=AlarmState.OPEN,
        raised_at=ctx.now,
    )
    ctx.session.add(alarm)
    ctx.session.flush()
    ctx.audit(AlarmAction.RAISE, "alarm", alarm.id, None, _summary(alarm, point.mn))
    return alarm


def _extend(ctx: Ctx, alarm: Alarm, found: Detection) -> None:
    if found.end <= alarm.end and found.score <= alarm.score:
        return
    before = {"end": alarm.end, "score": alarm.score}
    alarm.end = max(alarm.end, found.end)
    alarm.score = max(alarm.score, float(found.score))
    alarm.evidence = found.to_json()["evidence"]
    ctx.audit(
        AlarmAction.EXTEND, "alarm", alarm.id, before, {"end": alarm.end, "score": alarm.score}
    )


def _open_problem(ctx: Ctx, point: PointFacts, alarm: Alarm, policy: rules.AlarmPolicy) -> None:
    enterprise = _enterprise(ctx, point)
    body = ProblemCreate(
        title=rules.problem_title(
            enterprise["name"] if enterprise else None, point.name, alarm.pollutant, alarm.rule
        ),
        description=(
            f"监测点 {point.mn}（{point.name}）{enums.RULE_LABELS.get(alarm.rule, alarm.rule)}："
            f"{alarm.start.isoformat()} 至 {alarm.end.isoformat()}，"
            f"评分 {alarm.score:.2f}。报警编号 {alarm.id}。"
        ),
        source="在线监测",
        category_code=policy.category_for(point.medium),
        division_code=point.division_code,
        found_on=min(local_date(alarm.detected_at), ctx.today),
        enterprise_id=point.enterprise_id,
        location=point.name,
    )
    problem = do_register_problem(replace(ctx, actor=SYSTEM), body)
    alarm.problem_id = problem.id
    ctx.audit(AlarmAction.OPEN_PROBLEM, "problem", problem.id, None, {"alarm_id": alarm.id})


def _hand_over(ctx: Ctx, point: PointFacts, alarm: Alarm, policy: rules.AlarmPolicy) -> None:
    """Seal the evidence pack, open the supervision clue, propose the transfer (an event)."""
    if alarm.pack_sha256 is not None:
        raise Conflict("该报警的证据包已封存")
    pack, members = _evidence_pack(ctx, point, alarm, policy)
    digest = BlobStore(ctx.settings.attachments_path).put(pack)
    ctx.audit(
        AlarmAction.SEAL_PACK,
        "problem",
        alarm.problem_id or alarm.id,
        None,
        {"alarm_id": alarm.id, "sha256": digest, "size": len(pack), "members": members},
    )
    alarm.pack_sha256, alarm.pack_size = digest, len(pack)
    org = service.supervising_org(ctx.session, point.division_code)
    if org is not None:
        do_open_tampering_clue(
            replace(ctx, actor=SYSTEM),
            TamperingFacts(
                point_mn=point.mn,
                division_code=point.division_code,
                responsible_org_id=org.id,
                detector=alarm.rule,
                detected_at=alarm.detected_at,
                evidence_pack={
                    "sha256": digest,
                    "size": len(pack),
                    "alarm_id": alarm.id,
                    "members": members,
                },
                enterprise_id=point.enterprise_id,
                description=f"证据包 SHA-256 {digest}，已提请负责人决定是否移送公安（行刑衔接）。",
                problem_id=alarm.problem_id,
            ),
        )
    ctx.announce(
        TamperingSealed(
            alarm_id=alarm.id,
            problem_id=alarm.problem_id,
            enterprise_id=point.enterprise_id,
            division_code=point.division_code,
            point_mn=point.mn,
            point_name=point.name,
            pollutant=alarm.pollutant,
            rule_label=enums.RULE_LABELS.get(alarm.rule, alarm.rule),
            detected_at=alarm.detected_at,
            pack_sha256=digest,
            pack_size=len(pack),
            agency_org_id=org.id if org is not None else None,
        )
    )


def _evidence_pack(
    ctx: Ctx, point: PointFacts, alarm: Alarm, policy: rules.AlarmPolicy
) -> tuple[bytes, dict[str, str]]:
    margin = timedelta(hours=6)
    start, end = alarm.start - margin, alarm.end + margin
    readings = service.window_readings(ctx.session, point.id, policy.minute_cn, start, end)
    packets = service.window_packets(ctx.session, point.id, start, end)
    limit = ctx.session.get(PointLimit, (point.id, alarm.pollutant))
    enterprise = _enterprise(ctx, point)
    facts = PackFacts(
        alarm=_summary(alarm, point.mn) | {"evidence": alarm.evidence},
        point={
            "id": point.id,
            "mn": point.mn,
            "name": point.name,
            "division_code": point.division_code,
        },
        enterprise=enterprise,
        pollutant=alarm.pollutant,
        limit=limit.limit if limit else None,
        readings=[PackedReading(r.data_time, r.pollutant, r.value, r.flag) for r in readings],
        packets=[PackedPacket(p.id, p.received_at, p.peer, p.sha256, p.data) for p in packets],
    )
    return build_pack(facts)


def do_acknowledge_alarm(ctx: Ctx, alarm_id: int) -> Alarm:
    """确认报警: the office has seen it (an alarm left unacknowledged is itself a clue cause)."""
    alarm = service.get_alarm(ctx.session, ctx.actor, alarm_id)
    if not ctx.actor.is_office:
        raise Forbidden("只有263办可以确认报警")
    if alarm.state != AlarmState.OPEN:
        raise Conflict("该报警已确认或关闭")
    alarm.state, alarm.acknowledged_at = AlarmState.ACKNOWLEDGED, ctx.now
    ctx.audit(
        AlarmAction.ACKNOWLEDGE,
        "alarm",
        alarm.id,
        {"state": AlarmState.OPEN.value},
        {"state": AlarmState.ACKNOWLEDGED.value},
    )
    return alarm


def _enterprise(ctx: Ctx, point: PointFacts) -> dict[str, Any] | None:
    """The point's enterprise as the problem and the pack name it (``None`` without one)."""
    if point.enterprise_id is None:
        return None
    e = registry.get_enterprise(ctx.session, point.enterprise_id)
    return {"id": e.id, "uscc": e.uscc, "name": e.name}


def _summary(alarm: Alarm, mn: str) -> dict[str, Any]:
    return {
        "alarm_id": alarm.id,
        "mn": mn,
        "pollutant": alarm.pollutant,
        "rule": alarm.rule,
        "category": alarm.category,
        "start": alarm.start,
        "end": alarm.end,
        "detected_at": alarm.detected_at,
        "score": alarm.score,
    }
