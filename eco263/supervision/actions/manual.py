"""人工移送: the city office hands a problem's unit to supervision by hand."""

from __future__ import annotations

from eco263.actor import Role
from eco263.context import Ctx
from eco263.errors import Conflict, Forbidden, InvalidInput
from eco263.problems import service as problems
from eco263.registry import service as registry
from eco263.supervision import rules
from eco263.supervision.actions.clues import ClueDraft, do_open_clue
from eco263.supervision.enums import ClueCause
from eco263.supervision.models import Clue
from eco263.supervision.schemas import ManualClueIn


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
