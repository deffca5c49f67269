"""以罚代管 (scheduler job ``repeat_fines``): an enterprise penalised again and again for the
same violation — the cited article — within the window of ``supervision/clue_rules.yaml``
(3 decisions within 365 days, the last of them recent) shows an authority that fines instead
of stopping the violation: a clue of 执法监管不到位 against the authority of the last decision,
through supervision's actions.  The clue's cause key (enterprise, violation, trigger case)
makes a second pass a no-op.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from eco263.actor import SYSTEM
from eco263.enforcement import service
from eco263.runtime import Runtime
from eco263.supervision import rules as clue_rules
from eco263.supervision.actions.rules_checks import do_check_repeat_fines


@dataclass(slots=True)
class RepeatFinesReport:
    enterprises: int = 0
    clues: int = 0


def case_number(case_id: int) -> str:
    """How a clue names a case until the office's case-number format is configured."""
    return f"处罚案件第{case_id}号"


def check_repeat_fines(rt: Runtime, now: datetime) -> RepeatFinesReport:
    report = RepeatFinesReport()
    policy = clue_rules.load_policy()
    with rt.unit_of_work() as ctx:
        ctx = replace(ctx, actor=SYSTEM, now=now)
        since = ctx.today - timedelta(days=2 * policy.repeat_fines_window_days)
        for enterprise_id, cases in service.penalties_by_enterprise(ctx.session, since).items():
            report.enterprises += 1
            fines = [
                clue_rules.Fine(
                    case_no=case_number(c.id),
                    decided_on=c.decided_on,
                    violation=c.article or c.title,
                    amount_yuan=float(c.fine or 0),
                    authority_org_id=c.organization_id,
                )
                for c in cases
                if c.decided_on is not None
            ]
            report.clues += do_check_repeat_fines(ctx, enterprise_id, fines) is not None
    return report
