"""Open clues (线索) for the 智慧监督 platform, with their evidence, in the cause's transaction.

Every clue goes through :func:`do_open_clue`: one clue per cause key, its evidence
frozen, its outbound document written to the outbox and an audit event on each
problem involved — all in the caller's transaction, so a clue exists exactly when
its cause does.  The ``do_check_*`` functions are the rules' entry points, called
where the cause happens (ledger actions, the sweep, and later monitoring/enforcement).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError

from eco263.actor import Role
from eco263.context import Change, Ctx
from eco263.db import insert_many
from eco263.errors import Conflict, Forbidden, InvalidInput
from eco263.outbox.actions import Queued, enqueue, enqueue_many
from eco263.problems import service as problems
from eco263.problems.events import (
    AssignmentFacts,
    DeadlineExtended,
    ProblemRegistered,
    RectificationReturned,
    RedCardsRaised,
)
from eco263.problems.service import ProblemFacts
from eco263.registry import service as registry
from eco263.supervision import rules, service
from eco263.supervision.enums import ClueCause, ClueStatus, DutyFailure
from eco263.supervision.models import Clue, ClueStatusChange
from eco263.supervision.schemas import ManualClueIn

#: Outbox kind of a clue delivery (POST {base}/clues).
CLUE_DELIVERY = "clue.deliver"
GENERATED_NOTE = "线索生成"  # the first status change of every clue


@dataclass(frozen=True, slots=True)
class ClueDraft:
    """A clue before it is opened — the one shape every rule fills: the cause (one clue per
    ``cause_key``), the duty failed, the unit and person named, the problems and facts cited."""

    cause: ClueCause
    cause_key: str
    duty_failure: DutyFailure
    division_code: str
    summary: str
    problem_id: int | None = None
    assignment_id: int | None = None
    organization_id: int | None = None
    responsible_person: str | None = None
    extra_evidence: dict[str, Any] | None = None
    related_problem_ids: tuple[int, ...] = ()
    monitoring: dict[str, Any] | None = None

    @property
    def problem_ids(self) -> list[int]:
        """The problem the clue is about, then the related ones (the evidence covers all)."""
        ids = [self.problem_id] if self.problem_id else []
        return ids + [p for p in self.related_problem_ids if p not in ids]


class Unit(Protocol):
    """The unit a clue names (a registry organization, as its service returns it)."""

    @property
    def id(self) -> int: ...

    @property
    def name(self) -> str: ...

    @property
    def leader_name(self) -> str | None: ...


def against_assignment(
    facts: AssignmentFacts,
    unit: Unit,
    division_code: str,
    *,
    cause: ClueCause,
    cause_key: str,
    duty_failure: DutyFailure,
    summary: str,
    evidence: dict[str, Any],
    related_problem_ids: tuple[int, ...] = (),
) -> ClueDraft:
    """The draft of a clue against the unit holding an assignment, naming its leader (红牌,
    整改不到位, 多次延期, 假整改)."""
    return ClueDraft(
        cause=cause,
        cause_key=cause_key,
        duty_failure=duty_failure,
        division_code=division_code,
        summary=summary,
        problem_id=facts.problem_id,
        assignment_id=facts.assignment_id,
        organization_id=unit.id,
        responsible_person=unit.leader_name,
        extra_evidence=evidence,
        related_problem_ids=related_problem_ids,
    )


def do_open_clue(ctx: Ctx, draft: ClueDraft) -> Clue | None:
    """Create the clue and its outbox delivery, once per cause; None if it already exists.

    The evidence names the audit events about the problems with their hashes and the
    chain head at this moment, the attachments' hashes and any monitoring evidence
    pack, so the commission can check them later.  A concurrent twin (same cause key)
    loses on the unique key inside a savepoint and gets None, leaving the caller's
    transaction intact.
    """
    if service.clue_exists(ctx.session, draft.cause_key):
        return None
    problem_ids = draft.problem_ids
    evidence = service.evidence_for(
        ctx.session, problem_ids, monitoring=draft.monitoring, facts=draft.extra_evidence
    )
    clue = Clue(**_clue_row(ctx, draft, evidence))
    try:
        with ctx.session.begin_nested():
            ctx.session.add(clue)
            ctx.session.flush()
    except IntegrityError:
        return None
    ctx.session.add(
        ClueStatusChange(
            clue_id=clue.id, status=clue.status, note=GENERATED_NOTE, source="eco263", at=ctx.now
        )
    )
    enqueue(
        ctx.session,
        kind=CLUE_DELIVERY,
        idempotency_key=service.outbox_key(clue.cause_key),
        payload=service.clue_document(ctx.session, clue, problem_ids),
        now=ctx.now,
    )
    ctx.audit_many(_open_changes(ctx, clue, draft))
    return clue


def do_open_clues(ctx: Ctx, drafts: Sequence[ClueDraft]) -> list[int]:
    """Open many clues at once (the sweep's red cards): the same rows as :func:`do_open_clue`
    — clue, status change, frozen outbox document, audit events — written with a handful of
    statements per batch instead of a dozen per clue.  Every clue of the batch carries the
    same chain head.  Returns the ids of the clues opened; causes already known are skipped.
    If a concurrent twin wins a cause key, the batch falls back to one clue at a time.
    """
    fresh = _fresh_drafts(ctx, drafts)
    if not fresh:
        return []
    problem_ids = {pid for d in fresh for pid in d.problem_ids}
    evidence = service.EvidenceSource.load(ctx.session, problem_ids)
    documents = service.DocumentSource.load(
        ctx.session,
        problem_ids,
        {d.division_code for d in fresh},
        {d.organization_id for d in fresh},
    )
    try:
        with ctx.session.begin_nested():
            clues = _insert_clues(ctx, fresh, evidence, documents)
    except IntegrityError:
        return [c.id for c in (do_open_clue(ctx, d) for d in fresh) if c is not None]
    ctx.audit_many([c for clue, d in clues for c in _open_changes(ctx, clue, d)])
    return [clue.id for clue, _ in clues]


def _fresh_drafts(ctx: Ctx, drafts: Sequence[ClueDraft]) -> list[ClueDraft]:
    keys = [d.cause_key for d in drafts]
    known = set(ctx.session.scalars(select(Clue.cause_key).where(Clue.cause_key.in_(keys))))
    fresh: dict[str, ClueDraft] = {}
    for d in drafts:
        if d.cause_key not in known:
            fresh.setdefault(d.cause_key, d)
    return list(fresh.values())


def _insert_clues(
    ctx: Ctx,
    drafts: list[ClueDraft],
    evidence: service.EvidenceSource,
    documents: service.DocumentSource,
) -> list[tuple[Clue, ClueDraft]]:
    """Three bulk inserts (clues, their first status, their outbox documents), not three
    ORM flushes per clue.  The clues returned are transient copies of the rows stored."""
    rows = [
        _clue_row(
            ctx,
            d,
            evidence.evidence(d.problem_ids, monitoring=d.monitoring, facts=d.extra_evidence),
        )
        for d in drafts
    ]
    ids = insert_many(ctx.session, Clue, rows, return_ids=True)
    clues = [Clue(id=clue_id, **row) for clue_id, row in zip(ids, rows, strict=True)]
    generated = {"note": GENERATED_NOTE, "source": "eco263", "at": ctx.now}
    insert_many(
        ctx.session,
        ClueStatusChange,
        [{"clue_id": c.id, "status": c.status, **generated} for c in clues],
    )
    enqueue_many(
        ctx.session,
        [
            Queued(
                CLUE_DELIVERY,
                service.outbox_key(c.cause_key),
                documents.document(c, d.problem_ids),
            )
            for c, d in zip(clues, drafts, strict=True)
        ],
        now=ctx.now,
    )
    return list(zip(clues, drafts, strict=True))


def _clue_row(ctx: Ctx, draft: ClueDraft, evidence: dict[str, Any]) -> dict[str, Any]:
    """The stored columns of a new clue (one ORM row, or one row of a bulk insert)."""
    return {
        "cause_key": draft.cause_key,
        "cause_kind": draft.cause.value,
        "duty_failure": draft.duty_failure.value,
        "problem_id": draft.problem_id,
        "assignment_id": draft.assignment_id,
        "organization_id": draft.organization_id,
        "responsible_person": draft.responsible_person,
        "division_code": draft.division_code,
        "summary": draft.summary,
        "evidence": evidence,
        "status": ClueStatus.GENERATED.value,
        "created_at": ctx.now,
        "status_changed_at": ctx.now,
    }


def _open_changes(ctx: Ctx, clue: Clue, draft: ClueDraft) -> list[Change]:
    """``clue.open`` on each problem involved (on the clue itself when there is none)."""
    after = {
        "clue_id": clue.id,
        "cause": draft.cause.value,
        "duty_failure": draft.duty_failure.value,
        "organization_id": draft.organization_id,
        "evidence_head": clue.evidence["chain_head"],
    }
    subjects = [("problem", pid) for pid in draft.problem_ids] or [("clue", clue.id)]
    return [ctx.change("clue.open", kind, subject, None, after) for kind, subject in subjects]


# -- the rules' entry points ---------------------------------------------------------------------


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
    closed = service.recently_closed(
        ctx.session,
        target,
        exclude_id=problem.problem_id,
        since=service.window_start(ctx.now, policy.relapse_window_days),
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
                f"监测点 {alarm.point_mn} 的{alarm.kind}报警（{alarm.raised_at.isoformat()}）"
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
                f"监测点 {facts.point_mn} 数据疑似被干扰（{facts.detector}，"
                f"{facts.detected_at.isoformat()}），监管单位{org.name}。{facts.description}"
            ).strip(),
            problem_id=facts.problem_id,
            organization_id=org.id,
            responsible_person=org.leader_name,
            monitoring=facts.evidence_pack,
            extra_evidence={
                "point_mn": facts.point_mn,
                "enterprise_id": facts.enterprise_id,
                "detector": facts.detector,
                "detected_at": facts.detected_at.isoformat(),
            },
        ),
    )


def do_open_manual_clue(ctx: Ctx, body: ManualClueIn) -> Clue:
    """人工移送: the city office hands a problem's unit to supervision by hand."""
    if not ctx.actor.is_system and ctx.actor.role != Role.CITY_OFFICE:
        raise Forbidden("只有市263办可以人工移送线索")
    problem = problems.get_problem(ctx.session, ctx.actor, body.problem_id)
    org_id = body.organization_id
    if org_id is None:
        lead = problems.responsible_assignment(ctx.session, problem.id)
        if lead is None:
            raise InvalidInput("该问题尚未交办，请指定被移送单位", field="organization_id")
        org_id = lead.organization_id
    org = registry.get_organization(ctx.session, org_id)
    key = rules.key_manual(problem.id, org.id, body.duty_failure)
    clue = do_open_clue(
        ctx,
        ClueDraft(
            cause=ClueCause.MANUAL,
            cause_key=key,
            duty_failure=body.duty_failure,
            division_code=problem.division_code,
            summary=body.summary.strip(),
            problem_id=problem.id,
            organization_id=org.id,
            responsible_person=body.responsible_person or org.leader_name,
            extra_evidence={"transferred_by": ctx.actor.name},
        ),
    )
    if clue is None:
        raise Conflict("同一问题、单位和失职类型的线索已移送", cause_key=key)
    return clue


# -- delivery (called by the outbox worker) ------------------------------------------------------


def _subject(clue: Clue) -> tuple[str, int]:
    return ("problem", clue.problem_id) if clue.problem_id else ("clue", clue.id)


def do_mark_delivered(ctx: Ctx, delivered: Sequence[tuple[int, str | None]]) -> None:
    """The platform acknowledged these clues: record each receipt id (once), batched.

    A clue whose platform status overtook our record (``received`` arrived first) keeps
    it; only ``generated`` moves to ``delivered``.
    """
    receipts = dict(delivered)
    clues = ctx.session.scalars(
        select(Clue).where(Clue.id.in_(list(receipts)), Clue.delivered_at.is_(None))
    ).all()
    if not clues:
        return
    rows: list[dict[str, Any]] = []
    history: list[dict[str, Any]] = []
    changes: list[Change] = []
    for clue in clues:
        receipt = receipts[clue.id]
        generated = clue.status == ClueStatus.GENERATED.value
        rows.append(
            {
                "id": clue.id,
                "receipt_id": receipt,
                "delivered_at": ctx.now,
                "status": ClueStatus.DELIVERED.value if generated else clue.status,
                "status_changed_at": ctx.now if generated else clue.status_changed_at,
            }
        )
        history.append(
            {
                "clue_id": clue.id,
                "status": ClueStatus.DELIVERED.value,
                "note": f"已送达智慧监督平台，回执 {receipt or '（无）'}",
                "source": "eco263",
                "at": ctx.now,
            }
        )
        subject_type, subject_id = _subject(clue)
        changes.append(
            ctx.change(
                "clue.deliver",
                subject_type,
                subject_id,
                None,
                {"clue_id": clue.id, "receipt_id": receipt},
            )
        )
    ctx.session.execute(update(Clue), rows)
    ctx.session.execute(insert(ClueStatusChange), history)
    ctx.audit_many(changes)


def do_mark_delivery_dead(ctx: Ctx, clue_id: int, error: str) -> None:
    """Delivery gave up after the horizon: on the record, so someone retries it."""
    clue = ctx.session.get(Clue, clue_id)
    if clue is None:
        return
    ctx.audit(
        "clue.delivery_dead", *_subject(clue), None, {"clue_id": clue.id, "error": error[:300]}
    )
