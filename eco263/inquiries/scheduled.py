"""落实情况报告逾期 (part of the scheduler job ``opinion_overdue``, daily).

A sitting whose handling report is not submitted by ``report_due`` (``npc.report``: 3 months
from the receipt of the 审议意见) is flagged once: an audit event and an announcement that
tells the reporting office and the committee.  No clue: the people's congress follows its
own 跟踪监督, and the 纪委's clue rules name no such cause.  Run twice, it does the work once.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from eco263.actor import SYSTEM
from eco263.inquiries import actions, service
from eco263.runtime import Runtime


@dataclass(slots=True)
class OverdueReport:
    examined: int = 0
    flagged: int = 0


def check_overdue_reports(rt: Runtime, now: datetime) -> OverdueReport:
    report = OverdueReport()
    with rt.unit_of_work() as ctx:
        ctx = replace(ctx, actor=SYSTEM, now=now)
        for sitting in service.overdue_reports(ctx.session, ctx.today):
            report.examined += 1
            report.flagged += actions.do_flag_overdue_report(ctx, sitting)
    return report
