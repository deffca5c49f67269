"""The clue rules' entry points (``do_check_*``): each decides with :mod:`eco263.supervision.rules`
whether its cause is a clue, words it, and opens it through :mod:`.clues`.

Called where the cause happens: the ledger's events (:mod:`eco263.supervision.subscribers`),
the sweep's red cards, the alarms (monitoring) and, later, enforcement.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import select

from eco263.clock import local_text
from eco263.context import Ctx
from eco263.errors import InvalidInput
from eco263.problems import service as problems
from eco263.problems.events import (
    AssignmentFacts,
    DeadlineExtended,
    ProblemFacts,
    ProblemRegistered,
    RectificationReturned,
    RedCardsRaised,
)
from eco263.registry import service as registry
from eco263.supervision import rules
from eco263.supervision.actions.clues import (
    ClueDraft,
    against_assignment,
    do_open_clue,
    do_open_clues,
)
from eco263.supervision.enums import ClueCause, DutyFailure
from eco263.supervision.models import Clue
from eco263.supervision.service.clues import recently_closed, window_start


def _open_against_assignment(
    ctx: Ctx,
    facts: AssignmentFacts,
    *,
    cause: ClueCause,
    cause_key: str,
    duty_failure: DutyFailure,
    summary: Callable[[str, ProblemFacts], str],
    evidence: dict[str, Any],
) -> Clue | None:
    """One clue against an assignment's unit (:func:`against_assignment`); ``summary`` words
    it from the unit's name and the problem."""
    problem = problems.problem_facts(ctx.session, facts.problem_id)
    org = registry.get_organization(ctx.session, facts.organization_id)
    return do_open_clue(
        ctx,
        against_assignment(
            facts,
            org,
            problem.division_code,
            cause=cause,
            cause_key=cause_key,
            duty_failure=duty_failure,
            summary=summary(org.name, problem),
            evidence=evidence,
        ),
    )


def do_check_failed_verification(ctx: Ctx, event: RectificationReturned) -> Clue | None:
    """整改不到位: after a 退回, a clue when the returns reach the threshold."""
    policy = rules.load_policy()
    n = event.returned_count
    if not rules.fails_verification(n, policy):
        return None
    return _open_against_assignment(
        ctx,
        event.assignment,
        cause=ClueCause.FAILED_VERIFICATION,
        cause_key=rules.key_failed_verification(event.assignment.assignment_id),
        duty_failure=policy.failed_verification_duty,
        summary=lambda unit, problem: (
            f"{unit}承办的“{problem.title}”整改核查 {n} 次未通过（被退回 {n} 次），整改不到位"
        ),
        evidence={"returned_count": n},
    )


def do_check_extensions(ctx: Ctx, event: DeadlineExtended) -> Clue | None:
    """多次延期: after an extension is approved."""
    policy = rules.load_policy()
    n, due = event.extension_count, event.due_date
    if not rules.too_many_extensions(n, policy):
        return None
    return _open_against_assignment(
        ctx,
        event.assignment,
        cause=ClueCause.EXTENSIONS,
        cause_key=rules.key_extensions(event.assignment.assignment_id),
        duty_failure=policy.extensions_duty,
        summary=lambda unit, problem: (
            f"{unit}承办的“{problem.title}”期限已延期 {n} 次"
            f"（超过 {policy.extensions_max} 次），现期限 {due}"
        ),
        evidence={"extension_count": n, "due_date": str(due)},
    )


def do_open_red_card_clues(ctx: Ctx, event: RedCardsRaised) -> list[int]:
    """红牌: one clue per red card of the sweep's batch, naming the unit and its leader."""
    cards = event.cards
    orgs = registry.organizations_by_id(ctx.session, {c.assignment.organization_id for c in cards})
    titles = problems.titles_and_divisions(ctx.session, {c.assignment.problem_id for c in cards})
    duty = DutyFailure(event.duty_failure)
    drafts = []
    for card in cards:
        facts = card.assignment
        org = orgs[facts.organization_id]
        title, division_code = titles[facts.problem_id]
        overdue_by = ctx.calendar.workdays_between(card.due_date, ctx.today)
        drafts.append(
            against_assignment(
                facts,
                org,
                division_code,
                cause=ClueCause.RED_CARD,
                cause_key=rules.key_red_card(facts.assignment_id),
                duty_failure=duty,
                summary=(
                    f"{org.name}承办的“{title}”已逾期 {overdue_by} 个工作日"
                    f"（期限 {card.due_date}），亮红牌并移送线索"
                ),
                evidence={"due_date": str(card.due_date), "overdue_workdays": overdue_by},
            )
        )
    return do_open_clues(ctx, drafts)


def do_check_relapse(ctx: Ctx, problem: ProblemRegistered) -> list[int]:
    """假整改: when a problem is registered, a clue per closed problem of the same category on
    the same enterprise or water body closed within the watch window, naming its lead unit."""
    policy = rules.load_policy()
    target = rules.ProblemTarget(
        problem.enterprise_id, problem.water_body, problem.division_code, problem.category_code
    )
    closed = recently_closed(
        ctx.session,
        target,
        exclude_id=problem.problem_id,
        since=window_start(ctx.now, policy.relapse_window_days),
    )
    hits = rules.relapsed(target, closed, ctx.now, policy)
    known = set(
        ctx.session.scalars(
            select(Clue.cause_key).where(
                Clue.cause_key.in_([rules.key_relapse(h.id) for h in hits])
            )
        )
    )
    drafts = [
        d
        for h in hits
        if rules.key_relapse(h.id) not in known
        and (d := _relapse_draft(ctx, problem, h, policy)) is not None
    ]
    return do_open_clues(ctx, drafts)


def _relapse_draft(
    ctx: Ctx, new: ProblemRegistered, hit: rules.ClosedProblem, policy: rules.CluePolicy
) -> ClueDraft | None:
    lead = problems.responsible_assignment(ctx.session, hit.id)
    if lead is None:
        return None
    old = problems.problem_facts(ctx.session, hit.id)
    org = registry.get_organization(ctx.session, lead.organization_id)
    days = (ctx.now - hit.closed_at).days
    target = "企业" if new.enterprise_id and new.enterprise_id == old.enterprise_id else "水体"
    return against_assignment(
        lead,
        org,
        old.division_code,
        cause=ClueCause.RELAPSE,
        cause_key=rules.key_relapse(old.id),
        duty_failure=policy.relapse_duty,
        summary=(
            f"“{old.title}”由{org.name}整改并于 {hit.closed_at.date()} 销号，"
            f"{days} 天后同一{target}再次出现问题（{new.source}：“{new.title}”），疑似假整改"
        ),
        related_problem_ids=(new.problem_id,),
        evidence={
            "closed_problem_id": old.id,
            "closed_at": hit.closed_at.isoformat(),
            "new_problem_id": new.problem_id,
            "days_after_closure": days,
            "watch_window_days": policy.relapse_window_days,
        },
    )


def do_check_repeat_fines(ctx: Ctx, enterprise_id: int, fines: Sequence[rules.Fine]) -> Clue | None:
    """以罚代管: given an enterprise's penalties (from the enforcement domain), open a clue
    naming the authority that keeps fining without the violation stopping."""
    policy = rules.load_policy()
    enterprise = registry.get_enterprise(ctx.session, enterprise_id)
    series = rules.repeat_fines(fines, ctx.today, policy)
    if series is None:
        return None
    trigger = series[-1]
    org = registry.get_organization(ctx.session, trigger.authority_org_id)
    days = (trigger.decided_on - series[0].decided_on).days
    cases = "、".join(f.case_no for f in series)
    return do_open_clue(
        ctx,
        ClueDraft(
            cause=ClueCause.REPEAT_FINES,
            cause_key=rules.key_repeat_fines(enterprise.id, trigger.violation, trigger.case_no),
            duty_failure=policy.repeat_fines_duty,
            division_code=enterprise.division_code,
            summary=(
                f"{enterprise.name}在 {days} 天内因“{trigger.violation.strip()}”被{org.name}"
                f"处罚 {len(series)} 次（{cases}），违法行为反复未改，疑似以罚代管"
            ),
            organization_id=org.id,
            responsible_person=org.leader_name,
            extra_evidence={
                "enterprise_id": enterprise.id,
                "enterprise_uscc": enterprise.uscc,
                "fines": [
                    {
                        "case_no": f.case_no,
                        "decided_on": f.decided_on.isoformat(),
                        "violation": f.violation,
                        "amount_yuan": f.amount_yuan,
                        "authority_org_id": f.authority_org_id,
                    }
                    for f in series
                ],
            },
        ),
    )


@dataclass(frozen=True, slots=True)
class AlarmFacts:
    """What the monitoring domain knows about an alarm, for the 超时未响应 rule."""

    alarm_id: int
    kind: str
    point_mn: str
    division_code: str
    responsible_org_id: int
    raised_at: datetime
    acknowledged_at: datetime | None = None
    enterprise_id: int | None = None
    description: str = ""
    evidence_pack: dict[str, Any] | None = None
    problem_id: int | None = None
    kind_label: str = ""  # the category as users read it (超标排放, 数据质量 …)


def do_check_unacknowledged_alarm(ctx: Ctx, alarm: AlarmFacts) -> Clue | None:
    """报警超时未响应: open a clue when the alarm was not acknowledged within its limit."""
    policy = rules.load_policy()
    if not rules.alarm_overdue(alarm.kind, alarm.raised_at, alarm.acknowledged_at, ctx.now, policy):
        return None
    registry.get_division(ctx.session, alarm.division_code)
    org = registry.get_organization(ctx.session, alarm.responsible_org_id)
    limit_h = policy.alarm_limit(alarm.kind).total_seconds() / 3600
    state = "逾时才确认" if alarm.acknowledged_at else "至今未确认"
    return do_open_clue(
        ctx,
        ClueDraft(
            cause=ClueCause.ALARM_UNACKNOWLEDGED,
            cause_key=rules.key_alarm(alarm.alarm_id),
            duty_failure=policy.alarm_duty,
            division_code=alarm.division_code,
            summary=(
                f"监测点 {alarm.point_mn} 的{alarm.kind_label or alarm.kind}报警"
                f"（{alarm.raised_at.isoformat()}）"
                f"超过 {limit_h:g} 小时时限{state}，{org.name}未及时响应。{alarm.description}"
            ).strip(),
            problem_id=alarm.problem_id,
            organization_id=org.id,
            responsible_person=org.leader_name,
            monitoring=alarm.evidence_pack,
            extra_evidence={
                "alarm_id": alarm.alarm_id,
                "alarm_kind": alarm.kind,
                "point_mn": alarm.point_mn,
                "enterprise_id": alarm.enterprise_id,
                "raised_at": alarm.raised_at.isoformat(),
                "acknowledged_at": alarm.acknowledged_at.isoformat()
                if alarm.acknowledged_at
                else None,
                "limit_hours": limit_h,
            },
        ),
    )


@dataclass(frozen=True, slots=True)
class TamperingFacts:
    """A tampering finding from monitoring analytics, with its evidence pack.

    ``evidence_pack`` must carry ``sha256`` (of the pack as stored), which also
    identifies the episode: the same pack never makes two clues.
    """

    point_mn: str
    division_code: str
    responsible_org_id: int
    detector: str
    detected_at: datetime
    evidence_pack: dict[str, Any] = field(default_factory=dict)
    enterprise_id: int | None = None
    description: str = ""
    problem_id: int | None = None
    #: The detector's name as people read it (疑似稀释采样); ``detector`` is its code.
    detector_label: str = ""


def do_open_tampering_clue(ctx: Ctx, facts: TamperingFacts) -> Clue | None:
    """干扰自动监测: the analytics found falsified monitoring data; a clue for the regulator."""
    policy = rules.load_policy()
    digest = str(facts.evidence_pack.get("sha256", ""))
    if len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
        raise InvalidInput("证据包缺少有效的 sha256", field="evidence_pack")
    registry.get_division(ctx.session, facts.division_code)
    org = registry.get_organization(ctx.session, facts.responsible_org_id)
    return do_open_clue(
        ctx,
        ClueDraft(
            cause=ClueCause.TAMPERING,
            cause_key=rules.key_tampering(facts.point_mn, digest),
            duty_failure=policy.tampering_duty,
            division_code=facts.division_code,
            summary=(
                f"监测点 {facts.point_mn} 数据疑似被干扰"
                f"（{facts.detector_label or facts.detector}，"
                f"{local_text(facts.detected_at)}），监管单位{org.name}。{facts.description}"
            ).strip(),
            problem_id=facts.problem_id,
            organization_id=org.id,
            responsible_person=org.leader_name,
            monitoring=facts.evidence_pack,
            extra_evidence={
                "point_mn": facts.point_mn,
                "enterprise_id": facts.enterprise_id,
                "detector": facts.detector_label or facts.detector,
                "detected_at": facts.detected_at.isoformat(),
            },
        ),
    )


@dataclass(frozen=True, slots=True)
class TransferDelayFacts:
    """An agency past the limit of its own step of a transfer to the police (行刑衔接)."""

    transfer_id: int
    step: str  # what the agency had to do, in Chinese
    rule: str  # the catalogue key of the limit
    due_at: datetime
    division_code: str
    agency_org_id: int
    problem_id: int | None = None


def do_check_transfer_delay(ctx: Ctx, facts: TransferDelayFacts) -> Clue | None:
    """执法监管不到位: the agency sits on a transfer past its limit (310号令 Art 16: not
    transferring is itself a fault of the agency's head).  Once per transfer and step."""
    registry.get_division(ctx.session, facts.division_code)
    org = registry.get_organization(ctx.session, facts.agency_org_id)
    return do_open_clue(
        ctx,
        ClueDraft(
            cause=ClueCause.TRANSFER_DELAY,
            cause_key=f"transfer_delay:{facts.transfer_id}:{facts.rule}",
            duty_failure=DutyFailure.ENFORCEMENT,
            division_code=facts.division_code,
            summary=(
                f"{org.name}未在时限内{facts.step}（移送案件 {facts.transfer_id}，"
                f"时限 {facts.due_at.isoformat()}，依据 {facts.rule}）。"
            ),
            problem_id=facts.problem_id,
            organization_id=org.id,
            responsible_person=org.leader_name,
            extra_evidence={
                "transfer_id": facts.transfer_id,
                "rule": facts.rule,
                "due_at": facts.due_at.isoformat(),
            },
        ),
    )


@dataclass(frozen=True, slots=True)
class OpinionOverdueFacts:
    """A 监督意见书 of the 纪委's own 巡察 whose rectification plan has not come back by its
    reply deadline (``opinion.reply``)."""

    opinion_id: int
    number: str
    organization_id: int
    division_code: str
    target_name: str
    issued_on: date
    reply_due: date
    overdue_workdays: int


def do_check_opinion_overdue(ctx: Ctx, facts: OpinionOverdueFacts) -> Clue | None:
    """监督意见书逾期未回复: still no rectification plan ``grace_workdays`` working days after
    the reply deadline (``clue_rules.yaml`` ``opinion_reply_overdue``): a clue against the
    inspected unit, naming its leader.  Once per opinion."""
    policy = rules.load_policy()
    if not rules.opinion_reply_clue_due(facts.overdue_workdays, policy):
        return None
    org = registry.get_organization(ctx.session, facts.organization_id)
    return do_open_clue(
        ctx,
        ClueDraft(
            cause=ClueCause.OPINION_OVERDUE,
            cause_key=rules.key_opinion_overdue(facts.opinion_id),
            duty_failure=policy.opinion_duty,
            division_code=facts.division_code,
            summary=(
                f"{org.name}收到监督意见书 {facts.number}（{facts.target_name}，"
                f"{facts.issued_on.isoformat()} 下发）后，逾期 {facts.overdue_workdays} 个工作日"
                f"仍未报送整改方案（回复期限 {facts.reply_due.isoformat()}）"
            ),
            organization_id=org.id,
            responsible_person=org.leader_name,
            extra_evidence={
                "inspection_opinion_id": facts.opinion_id,
                "opinion_number": facts.number,
                "issued_on": facts.issued_on.isoformat(),
                "reply_due": facts.reply_due.isoformat(),
                "overdue_workdays": facts.overdue_workdays,
                "grace_workdays": policy.opinion_grace_workdays,
            },
        ),
    )
