"""The transfers' escalation (scheduler job ``transfer_escalation``): each pending step of a
transfer is 临期 within its warning margin and 逾期 past its limit — audited once per step —
and an agency past the limit of its own step (deciding, handing over, supplying material,
asking for review) gets a clue of 执法监管不到位 through supervision's actions.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import datetime

from eco263.actor import SYSTEM
from eco263.deadlines import load_catalogue
from eco263.runtime import Runtime
from eco263.supervision.actions.rules_checks import TransferDelayFacts, do_check_transfer_delay
from eco263.transfers import rules, service
from eco263.transfers.enums import STATE_LABELS, TransferAction
from eco263.transfers.models import Transfer

#: What the agency failed to do, by the state it sits in.
AGENCY_STEP = {
    "proposed": "决定是否移送公安机关",
    "approved": "向公安机关移交案件材料",
    "material_requested": "补充移送材料",
    "refused": "提请复议不予立案决定",
}


@dataclass(slots=True)
class EscalationReport:
    examined: int = 0
    raised: Counter[str] = field(default_factory=Counter)
    clues: int = 0


def escalate(rt: Runtime, now: datetime) -> EscalationReport:
    """One pass over the transfers with a step due, in one transaction."""
    report = EscalationReport()
    with rt.unit_of_work() as ctx:
        ctx = replace(ctx, actor=SYSTEM, now=now)
        catalogue = load_catalogue(ctx.settings.deadline_rules_file)
        for t in service.pending(ctx.session):
            report.examined += 1
            if t.due_rule is None or t.due_rule not in catalogue:
                continue
            margin = rules.warn_margin(catalogue.get(t.due_rule).unit)
            level = rules.escalation(t, t.due_at, margin, now)
            if level == "warn" and t.warned_state != t.state:
                t.warned_state = t.state
                ctx.audit(TransferAction.WARN, "transfer", t.id, None, _facts(t))
                report.raised["warn"] += 1
            elif level == "overdue" and t.overdue_state != t.state:
                t.overdue_state = t.state
                ctx.audit(TransferAction.OVERDUE, "transfer", t.id, None, _facts(t))
                report.raised["overdue"] += 1
                if t.state in AGENCY_STEP and t.due_at is not None:
                    clue = do_check_transfer_delay(
                        ctx,
                        TransferDelayFacts(
                            transfer_id=t.id,
                            step=AGENCY_STEP[t.state],
                            rule=t.due_rule,
                            due_at=t.due_at,
                            division_code=t.division_code,
                            agency_org_id=t.agency_org_id,
                            problem_id=t.problem_id,
                        ),
                    )
                    report.clues += clue is not None
    return report


def _facts(t: Transfer) -> dict[str, object]:
    return {
        "state": t.state,
        "state_label": STATE_LABELS.get(t.state, t.state),
        "due_at": t.due_at,
        "due_rule": t.due_rule,
    }
