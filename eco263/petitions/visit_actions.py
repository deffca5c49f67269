"""带案下访 and 一企一策 writes (the bulletin's 高新区 item).

``do_record_visit``: the office records a field visit that took a set of open petitions along —
date, place, the leader who went, the team, what was found and agreed overall and per
petition; each petition's record shows it.  ``do_open_plan``: an enterprise-specific
assessment/plan (一企一策) with its measures, owner unit and due date, run on the ledger's
machinery: a problem (source 信访举报) dispatched to the owner unit with that due date, so
临期/逾期/黄牌/红牌, 提交/核查/销号 are the ledger's own.

Each checks the actor may handle every petition (jurisdiction, 检举控告 to the 纪委监委 only),
changes the rows and writes the audit events in one transaction; the events never carry the
complainant's data.
"""

from __future__ import annotations

from eco263.context import Ctx
from eco263.errors import Conflict, Forbidden, InvalidInput
from eco263.petitions import rules, service
from eco263.petitions.enums import AuditAction, Kind, PetitionState
from eco263.petitions.models import EnterprisePlan, Petition, PetitionVisit, PetitionVisitItem
from eco263.petitions.schemas import PlanIn, VisitIn
from eco263.problems import actions as problem_actions
from eco263.problems.enums import Source
from eco263.problems.schemas import AssignmentSpec, ProblemCreate
from eco263.registry import service as registry
from eco263.registry.models import Division

SUZHOU = "3205"


def _text(value: str | None) -> str | None:
    return (value or "").strip() or None


def _visit_division(ctx: Ctx, code: str) -> Division:
    try:
        division = registry.get_division(ctx.session, code)
    except InvalidInput:
        raise InvalidInput("请选择苏州市范围内的区县", field="division_code") from None
    if not division.code.startswith(SUZHOU):
        raise InvalidInput("请选择苏州市范围内的区县", field="division_code")
    registry.require_in_jurisdiction(ctx.session, ctx.actor, division.code)
    return division


def _taken(ctx: Ctx, data: VisitIn, division: Division) -> list[Petition]:
    """The petitions taken along: each one the actor handles, inside the visit's area, open."""
    ids = [i.petition_id for i in data.items]
    if len(set(ids)) != len(ids):
        raise InvalidInput("同一信访件不能重复选择", field="items")
    below = {d.code for d in registry.list_divisions(ctx.session, division.code)}
    petitions = []
    for item in data.items:
        p = service.get_petition(ctx.session, ctx.actor, item.petition_id)
        if not rules.may_handle(ctx.actor, Kind(p.kind)) or not ctx.actor.covers(p.division_code):
            raise Forbidden(f"无权办理信访件 {p.tracking_code}")
        if p.division_code not in below:
            raise InvalidInput(
                f"信访件 {p.tracking_code} 不在本次下访的区县（{division.name}）内", field="items"
            )
        refusal = rules.visit_refusal(PetitionState(p.state), p.tracking_code)
        if refusal:
            raise Conflict(refusal)
        if p.received_on > data.visited_on:
            raise InvalidInput(
                f"信访件 {p.tracking_code} 的收到日期 {p.received_on.isoformat()} 晚于下访日期",
                field="visited_on",
            )
        petitions.append(p)
    return petitions


def do_record_visit(ctx: Ctx, data: VisitIn) -> PetitionVisit:
    """记录带案下访: the visit and the petitions taken along, each with its finding."""
    if not data.items:
        raise InvalidInput("请至少选择一件带去现场的信访件", field="items")
    if not (ctx.actor.is_office or rules.may_handle(ctx.actor, Kind.ACCUSATION)):
        raise Forbidden("只有263办或纪委监委可以记录带案下访")
    division = _visit_division(ctx, data.division_code)
    if data.visited_on > ctx.today:
        raise InvalidInput("下访日期不能晚于今天（记录已经开展的下访）", field="visited_on")
    if data.leader_org_id is not None:
        registry.organization_in_scope(
            ctx.session, ctx.actor, data.leader_org_id, field="leader_org_id"
        )
    petitions = _taken(ctx, data, division)
    visit = PetitionVisit(
        division_code=division.code,
        visited_on=data.visited_on,
        place=data.place.strip(),
        leader_name=data.leader_name.strip(),
        leader_post=_text(data.leader_post),
        leader_org_id=data.leader_org_id,
        team=_text(data.team),
        findings=data.findings.strip(),
        agreed=_text(data.agreed),
        recorded_by=ctx.actor.user_id,
        recorded_at=ctx.now,
    )
    ctx.session.add(visit)
    ctx.session.flush()
    for item, p in zip(data.items, petitions, strict=True):
        ctx.session.add(
            PetitionVisitItem(
                visit_id=visit.id,
                petition_id=p.id,
                finding=_text(item.finding),
                agreed=_text(item.agreed),
            )
        )
        p.version += 1
        ctx.audit(
            AuditAction.VISIT_TAKEN,
            "petition",
            p.id,
            None,
            {"visit_id": visit.id, "visited_on": data.visited_on.isoformat()},
        )
    ctx.session.flush()
    ctx.audit(
        AuditAction.VISIT_RECORD,
        "petition_visit",
        visit.id,
        None,
        {
            "division_code": visit.division_code,
            "visited_on": visit.visited_on.isoformat(),
            "leader": visit.leader_name,
            "petition_ids": [p.id for p in petitions],
        },
    )
    return visit


def do_open_plan(ctx: Ctx, petition_id: int, data: PlanIn) -> EnterprisePlan:
    """制定一企一策: a ledger problem for the petition's enterprise, dispatched to the owner
    unit with the plan's due date; the plan row keeps the measures and the links."""
    p = service.get_petition(ctx.session, ctx.actor, petition_id)
    if not rules.may_handle(ctx.actor, Kind(p.kind)):
        raise Forbidden("无权办理该信访件")
    registry.require_in_jurisdiction(ctx.session, ctx.actor, p.division_code)
    if PetitionState(p.state) != PetitionState.ACCEPTED:
        raise Conflict("只有已受理、办理中的信访件可以制定一企一策")
    if p.enterprise_id is None:
        raise InvalidInput("该信访件没有被反映企业，不能制定一企一策", field="enterprise_id")
    refusal = rules.plan_due_refusal(data.due_date, ctx.today)
    if refusal:
        raise InvalidInput(refusal, field="due_date")
    if data.visit_id is not None:
        visit = service.get_visit(ctx.session, ctx.actor, data.visit_id)
        if p.id not in service.visit_petition_ids(ctx.session, visit.id):
            raise InvalidInput("该信访件不在这次下访中", field="visit_id")
    owner = registry.organization_in_scope(
        ctx.session, ctx.actor, data.owner_org_id, field="owner_org_id"
    )
    if not owner.division_code.startswith(SUZHOU):
        raise InvalidInput(f"未知单位 {data.owner_org_id}", field="owner_org_id")
    enterprise = registry.get_enterprise(ctx.session, p.enterprise_id)
    problem = problem_actions.do_register_problem(
        ctx,
        ProblemCreate(
            title=data.title,
            description=rules.screen_text(data.measures),
            source=Source.PETITION.value,
            category_code=data.category_code,
            division_code=p.division_code,
            found_on=min(ctx.today, p.accepted_on or p.received_on),
            enterprise_id=enterprise.id,
            location=p.location,
            due_date=data.due_date,
        ),
    )
    problem_actions.do_dispatch(
        ctx, problem.id, AssignmentSpec(organization_id=owner.id, due_date=data.due_date), []
    )
    plan = EnterprisePlan(
        petition_id=p.id,
        visit_id=data.visit_id,
        enterprise_id=enterprise.id,
        problem_id=problem.id,
        title=data.title.strip(),
        measures=data.measures.strip(),
        owner_org_id=owner.id,
        due_date=data.due_date,
        created_by=ctx.actor.user_id,
        created_at=ctx.now,
    )
    ctx.session.add(plan)
    p.problem_ids = [*p.problem_ids, problem.id]
    p.version += 1
    ctx.session.flush()
    ctx.audit(
        AuditAction.PLAN_OPEN,
        "petition",
        p.id,
        None,
        {
            "plan_id": plan.id,
            "problem_id": problem.id,
            "enterprise_id": enterprise.id,
            "owner_org_id": owner.id,
            "due_date": data.due_date.isoformat(),
        },
    )
    return plan
