"""监督意见书逾期未回复 (scheduler job ``opinion_overdue``, daily).

An opinion still waiting for the inspected unit's rectification plan after its reply deadline
(``opinion.reply``, stored on the opinion when it was issued) is flagged once: an audit event
and an announcement that tells the unit's users and the issuing 纪委 user.  When the 纪委's
clue rules say so (``supervision/clue_rules.yaml`` ``opinion_reply_overdue``: a grace of
working days past the deadline) supervision opens a clue against the unit, once per opinion.
Run twice, it does the work once: the mark is the audit event, the clue's cause key is unique,
a message is written once per user and fact.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from eco263.actor import SYSTEM
from eco263.inspections import actions, service
from eco263.runtime import Runtime


@dataclass(slots=True)
class OverdueReport:
    examined: int = 0
    flagged: int = 0


def check_overdue_replies(rt: Runtime, now: datetime) -> OverdueReport:
    report = OverdueReport()
    with rt.unit_of_work() as ctx:
        ctx = replace(ctx, actor=SYSTEM, now=now)
        for opinion, target_name in service.overdue_replies(ctx.session, ctx.today):
            report.examined += 1
            report.flagged += actions.do_flag_overdue_reply(ctx, opinion, target_name)
    return report
