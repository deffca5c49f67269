"""Pages of the ledger (问题台账): list and Excel export, register, detail, the work on a problem
(moves, extensions, evidence), dispatch.

Reads go through :mod:`eco263.problems.service` (scoped by the actor), writes through the
``do_*`` actions; nothing here touches a table.  Templates: ``web/templates/problems/``.
"""

from fastapi import APIRouter

from eco263.problems.pages import batch, detail, dispatch, ledger, printing, register, work

router = APIRouter(include_in_schema=False)
# Fixed paths (/problems/new, /problems/export.xlsx, /problems/batch/…) before
# /problems/{problem_id}.
for _module in (ledger, batch, register, work, printing, detail, dispatch):
    router.include_router(_module.router)

__all__ = ["router"]
