"""Alarm writes: record an episode, open its problem, seal the evidence, hand it over.

``do_record_episode`` is what the live pipeline calls for every episode the detectors report
(the alarms of one point and pollutant merged, ``detectors/episodes.py``).  In one
transaction it raises the alarm episode or extends the stored one it continues, opens a ledger
problem (source 在线监测) when the policy says so — once per episode — and for tampering
builds the evidence pack, seals
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
from eco263.alarms.events import AlarmRaised, TamperingSealed
from eco263.alarms.evidence_pack import PackedPacket, PackedReading, PackFacts, build_pack
from eco263.alarms.models import Alarm, PointLimit
from eco263.clock import local_date, local_text
from eco263.context import Ctx
from eco263.errors import Conflict, Forbidden, InvalidInput
from eco263.evidence.store import BlobStore
from eco263.monitoring import service as monitoring
from eco263.monitoring.detectors import CATEGORY, Episode, load_config
from eco263.monitoring.detectors import Alarm as Detection
from eco263.monitoring.enums import pollutant_label
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


def do_record_alarm(
    ctx: Ctx, point: PointFacts, found: Detection, gap_hours: float | None = None
) -> Alarm:
    """One detector alarm recorded as an episode of its own (see :func:`do_record_episode`)."""
    return do_record_episode(
        ctx, point, Episode(found.mn, found.pollutant, found.start, found.end, (found,)), gap_hours
    )


def do_record_episode(
    ctx: Ctx, point: PointFacts, episode: Episode, gap_hours: float | None = None
) -> Alarm:
    """Raise a new alarm episode or extend the stored one it continues; then act on it as the
    policy says (one problem and, for tampering, one clue per episode).

    A detection continues a stored alarm of the same point and pollutant (and category group)
    when they overlap or come within ``gap_hours`` (detectors.yaml ``episodes``) of each other.
    """
    policy = rules.load_policy()
    merging = load_config().episodes
    gap = merging.merge_gap_hours if gap_hours is None else gap_hours
    group = rules.episode_group(episode.category.value, merging.separate_categories)
    alarm = service.open_episode(
        ctx.session, point.id, episode.pollutant, group, episode.start, episode.end, gap
    )
    if alarm is not None:
        _extend(ctx, alarm, episode)
    else:
        alarm = _raise(ctx, point, episode)
    if alarm.problem_id is None and rules.opens_problem(
        alarm.category, alarm.start, alarm.end, policy
    ):
        _open_problem(ctx, point, alarm, policy)
        if alarm.category == Category.TAMPER:
            _hand_over(ctx, point, alarm, policy)
    return alarm


def _rules_of(episode: Episode) -> dict[str, dict[str, Any]]:
    """The episode's rules as the alarm stores them (``evidence["by_rule"]``)."""
    return {
        rule: seen | {"category": CATEGORY[rule].value} for rule, seen in episode.by_rule().items()
    }


def _stored_rules(alarm: Alarm) -> dict[str, dict[str, Any]]:
    """An alarm's rules; an alarm stored before episodes has its one rule's evidence."""
    evidence = dict(alarm.evidence or {})
    if "by_rule" in evidence:  # in the stored order (JSONB keeps no key order)
        by_rule = evidence["by_rule"]
        order = [r for r in evidence.get("rules") or [] if r in by_rule]
        return {r: dict(by_rule[r]) for r in order + [r for r in by_rule if r not in order]}
    return {
        alarm.rule: {
            "alarms": 1,
            "category": alarm.category,
            "start": alarm.start.isoformat(),
            "end": alarm.end.isoformat(),
            "score": alarm.score,
            "detected_at": alarm.detected_at.isoformat(),
            "spans": [[alarm.start.isoformat(), alarm.end.isoformat()]],
            "evidence": evidence,
        }
    }


def _episode_state(alarm: Alarm) -> dict[str, Any]:
    return {
        "start": alarm.start,
        "end": alarm.end,
        "score": alarm.score,
        "rule": alarm.rule,
        "category": alarm.category,
        "rules": list(_stored_rules(alarm)),
    }


def _raise(ctx: Ctx, point: PointFacts, episode: Episode) -> Alarm:
    by_rule = _rules_of(episode)
    alarm = Alarm(
        point_id=point.id,
        pollutant=episode.pollutant,
        rule=rules.lead_rule(by_rule),
        category=episode.category.value,
        start=episode.start,
        end=episode.end,
        detected_at=episode.detected_at,
        score=float(episode.score),
        evidence={"rules": list(by_rule), "by_rule": by_rule},
        state=AlarmState.OPEN,
        raised_at=ctx.now,
    )
    ctx.session.add(alarm)
    ctx.session.flush()
    ctx.audit(
        AlarmAction.RAISE,
        "alarm",
        alarm.id,
        None,
        _summary(alarm, point.mn) | {"rules": list(by_rule)},
    )
    ctx.announce(
        AlarmRaised(
            alarm.id,
            point.name,
            point.division_code,
            point.enterprise_id,
            alarm.pollutant,
            alarm.rule,
            alarm.category,
        )
    )
    return alarm


def _extend(ctx: Ctx, alarm: Alarm, episode: Episode) -> None:
    """Widen the stored episode with its re-detection; audited when anything changed."""
    before = _episode_state(alarm)
    by_rule = rules.merge_rules(_stored_rules(alarm), _rules_of(episode))
    alarm.start = min(alarm.start, episode.start)
    alarm.end = max(alarm.end, episode.end)
    alarm.detected_at = min(alarm.detected_at, episode.detected_at)
    alarm.score = max(alarm.score, float(episode.score))
    if rules.SEVERITY[episode.category.value] > rules.SEVERITY.get(alarm.category, 0):
        alarm.category = episode.category.value
    alarm.rule = rules.lead_rule(by_rule)
    evidence = {"rules": list(by_rule), "by_rule": by_rule}
    if evidence != alarm.evidence:
        alarm.evidence = evidence
    after = _episode_state(alarm)
    if after != before:
        ctx.audit(AlarmAction.EXTEND, "alarm", alarm.id, before, after)


def _open_problem(ctx: Ctx, point: PointFacts, alarm: Alarm, policy: rules.AlarmPolicy) -> None:
    enterprise = _enterprise(ctx, point)
    body = ProblemCreate(
        title=rules.problem_title(
            enterprise["name"] if enterprise else None,
            point.name,
            pollutant_label(alarm.pollutant),
            alarm.rule,
        ),
        description=(
            f"监测点 {point.mn}（{point.name}）"
            f"{'、'.join(enums.RULE_LABELS.get(r, r) for r in _stored_rules(alarm))}："
            f"{local_text(alarm.start)} 至 {local_text(alarm.end)}（北京时间），"
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
                detector_label=enums.RULE_LABELS.get(alarm.rule, alarm.rule),
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
            pollutant_label=pollutant_label(alarm.pollutant),
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
