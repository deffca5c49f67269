"""带案下访 and 一企一策 as the API and the pages show them: names for ids, and the plan's
state read from the ledger (the lead unit's assignment: its state and 临期/逾期/黄牌/红牌)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from eco263.actor import Actor
from eco263.petitions import service
from eco263.petitions.models import EnterprisePlan, PetitionVisit
from eco263.petitions.schemas import PlanOut, VisitItemOut, VisitOut
from eco263.problems import service as problems
from eco263.problems.enums import ESCALATION_LABELS, STATE_LABELS, Escalation
from eco263.registry import service as registry

_STATE_TEXT = {s.value: label for s, label in STATE_LABELS.items()}


def plans_out(session: Session, plans: list[EnterprisePlan]) -> list[PlanOut]:
    if not plans:
        return []
    problem_ids = [p.problem_id for p in plans]
    facts = problems.problem_facts_by_id(session, problem_ids)
    worst: dict[int, int] = {}
    for a in problems.assignments_of_many(session, problem_ids):
        worst[a.problem_id] = max(worst.get(a.problem_id, 0), a.escalation)
    owners = registry.organization_names(session, {p.owner_org_id for p in plans})
    out = []
    for plan in plans:
        enterprise = registry.get_enterprise(session, plan.enterprise_id)
        fact = facts.get(plan.problem_id)
        label = _STATE_TEXT.get(fact.state, fact.state) if fact else ""
        level = Escalation(worst.get(plan.problem_id, 0))
        if fact and fact.state != "closed" and level != Escalation.NONE:
            label = f"{label}（{ESCALATION_LABELS[level]}）"
        out.append(
            PlanOut(
                id=plan.id,
                petition_id=plan.petition_id,
                visit_id=plan.visit_id,
                enterprise_id=plan.enterprise_id,
                enterprise=enterprise.name,
                problem_id=plan.problem_id,
                title=plan.title,
                measures=plan.measures,
                owner_org_id=plan.owner_org_id,
                owner=owners.get(plan.owner_org_id, ""),
                due_date=plan.due_date,
                state_label=label,
            )
        )
    return out


def visit_out(session: Session, actor: Actor, visit: PetitionVisit) -> VisitOut:
    """The visit with the petitions the reader may see and their plans."""
    pairs = service.visit_items(session, actor, visit.id)
    plans = [
        p
        for p in service.plans_of_petitions(session, [pt.id for _, pt in pairs])
        if p.visit_id == visit.id
    ]
    return VisitOut(
        id=visit.id,
        division_code=visit.division_code,
        visited_on=visit.visited_on,
        place=visit.place,
        leader_name=visit.leader_name,
        leader_post=visit.leader_post,
        leader_org_id=visit.leader_org_id,
        team=visit.team,
        findings=visit.findings,
        agreed=visit.agreed,
        items=[
            VisitItemOut(
                petition_id=p.id,
                tracking_code=p.tracking_code,
                topic=p.topic,
                finding=item.finding,
                agreed=item.agreed,
            )
            for item, p in pairs
        ],
        plans=plans_out(session, plans),
    )
