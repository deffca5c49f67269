"""Ledger writes (``do_*``): check the rule, change state, audit — one transaction.

Every entry point (REST, pages, CLI, scheduler, monitoring) calls these; none writes ledger
tables itself.  One module per use case: :mod:`.intake` (登记, 合并), :mod:`.dispatch` (交办),
:mod:`.moves` (签收, 提交, 核查, 退回), :mod:`.extensions` (延期), :mod:`.evidence` (材料),
:mod:`.deadlines` (期限重算),
:mod:`.urge` (催办), :mod:`.batch` (批量交办, 批量催办: all or nothing).
"""

from eco263.problems.actions.batch import do_batch_dispatch, do_batch_urge
from eco263.problems.actions.deadlines import Moved, do_recompute_deadlines
from eco263.problems.actions.dispatch import do_dispatch
from eco263.problems.actions.evidence import do_attach_evidence
from eco263.problems.actions.extensions import do_decide_extension, do_request_extension
from eco263.problems.actions.intake import do_merge, do_register_problem
from eco263.problems.actions.moves import do_move
from eco263.problems.actions.urge import do_urge

__all__ = [
    "Moved",
    "do_attach_evidence",
    "do_batch_dispatch",
    "do_batch_urge",
    "do_decide_extension",
    "do_dispatch",
    "do_merge",
    "do_move",
    "do_recompute_deadlines",
    "do_register_problem",
    "do_request_extension",
    "do_urge",
]
