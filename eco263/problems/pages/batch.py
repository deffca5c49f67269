"""批量交办 and 批量催办 from the ledger's ticked rows (the export of the selection is the
ledger's own export, with ``ids``).  All or nothing (:mod:`eco263.problems.actions.batch`): a
refused batch re-shows the ledger with the row and the reason, the rows still ticked."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from eco263.errors import InvalidInput, NotFound
from eco263.problems import actions
from eco263.problems.pages._common import FORM_ERRORS, parse_int
from eco263.problems.pages.ledger import LedgerQuery, ledger_response, selected_ids
from eco263.web.deps import require_csrf, user_ctx
from eco263.web.forms import parse_date
from eco263.web.routing import PageRoute

router = APIRouter(include_in_schema=False, route_class=PageRoute)


def _back(query: LedgerQuery, done: str, **counts: int) -> RedirectResponse:
    params = {**query.params(), "done": done, **counts}
    return RedirectResponse(f"/problems?{urlencode(params)}", status_code=303)


def _refused(
    request: Request, query: LedgerQuery, ids: tuple[int, ...], values: dict[str, Any], exc: Any
) -> Response:
    batch = {"error": exc.message, "values": values, "selected": ids}
    return ledger_response(request, query, batch=batch, status=exc.status_code)


async def _form(request: Request) -> tuple[LedgerQuery, tuple[int, ...], dict[str, str]]:
    """The ledger's view (sort, page …, kept in the form) and the ticked ids."""
    form = await request.form()
    query = LedgerQuery.from_request(request)
    ids = selected_ids([str(v) for v in form.getlist("ids")])
    values = {k: str(form.get(k, "")) for k in ("lead", "due", "note")}
    return query, ids, values


@router.post("/problems/batch/dispatch", dependencies=[Depends(require_csrf)])
async def batch_dispatch(request: Request) -> Response:
    query, ids, values = await _form(request)
    try:
        try:
            due = parse_date(values["due"])
        except ValueError as exc:
            raise InvalidInput(f"整改期限：{exc}", field="due") from exc
        with user_ctx(request) as ctx:
            created = actions.do_batch_dispatch(ctx, ids, parse_int(values["lead"], 0), due)
    except (*FORM_ERRORS, NotFound) as exc:
        return _refused(request, query, ids, values, exc)
    return _back(query, "batch_dispatch", n=len({a.problem_id for a in created}))


@router.post("/problems/batch/urge", dependencies=[Depends(require_csrf)])
async def batch_urge(request: Request) -> Response:
    query, ids, values = await _form(request)
    try:
        with user_ctx(request) as ctx:
            urges = actions.do_batch_urge(ctx, ids, values["note"])
    except (*FORM_ERRORS, NotFound) as exc:
        return _refused(request, query, ids, values, exc)
    return _back(query, "batch_urge", n=len({u.problem_id for u in urges}), units=len(urges))


@router.post("/problems/batch/export", dependencies=[Depends(require_csrf)])
async def batch_export(request: Request) -> Response:
    """导出所选: the ledger's own export, of the ticked rows only (a GET the browser follows)."""
    query, ids, values = await _form(request)
    if not ids:
        return _refused(request, query, ids, values, InvalidInput("请先勾选要导出的问题"))
    target = query.url("/problems/export.xlsx", page=1, ids=ids)
    return RedirectResponse(target, status_code=303)
