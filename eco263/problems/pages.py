"""Pages of the ledger (问题台账): list, Excel export, detail, register, dispatch, moves,
extensions and evidence.

Reads go through :mod:`eco263.problems.service` (scoped by the actor), writes through the
``do_*`` actions; nothing here touches a table.  Templates: ``web/templates/problems/``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from eco263.actor import CLUE_READERS, Actor, Role
from eco263.audit.service import timeline
from eco263.context import Ctx
from eco263.errors import Conflict, Forbidden, InvalidInput, NotFound, TooLarge
from eco263.evidence.rules import ACCEPTED_LABEL
from eco263.evidence.store import BlobStore
from eco263.problems import actions, presenters, rules, service
from eco263.problems.enums import (
    ESCALATION_LABELS,
    MOVE_LABELS,
    STATE_LABELS,
    AssignmentState,
    Escalation,
    ExtensionState,
    Move,
    ProblemState,
    Source,
)
from eco263.problems.models import Problem
from eco263.problems.schemas import AssignmentSpec, ProblemCreate
from eco263.registry import service as registry
from eco263.registry.reference import load_categories
from eco263.web.deps import require_csrf, user_ctx
from eco263.web.forms import FieldErrors, domain_errors, parse_date, pydantic_errors
from eco263.web.inputs import Id, Text, clean_line, form_int
from eco263.web.routing import PageRoute
from eco263.web.templating import render
from eco263.web.xlsx import table_xlsx
from eco263.workdays import CalendarRangeError

router = APIRouter(include_in_schema=False, route_class=PageRoute)

CITY_CODE = "320500"
PAGE_SIZES = (20, 50, 100)
#: Actions that fail on the user's input re-render the form (422/409/403/413), never lose it.
FORM_ERRORS = (InvalidInput, Conflict, Forbidden, TooLarge)

STATE_TEXT: dict[str, str] = {str(k): v for k, v in STATE_LABELS.items()}
ASSIGNMENT_STATE_TEXT = {
    AssignmentState.ASSIGNED.value: "待签收",
    AssignmentState.RECTIFYING.value: "整改中",
    AssignmentState.VERIFYING.value: "待核查",
    AssignmentState.VERIFIED.value: "核查通过",
}

DONE_MESSAGES = {
    "register": "问题已登记。",
    "dispatch": "已交办。",
    "accept": "已签收，进入整改。",
    "submit": "已提交整改，等待核查。",
    "verify": "核查通过。",
    "return": "已退回整改。",
    "extension": "延期申请已提交，等待263办审批。",
    "approve": "已批准延期，期限已更新。",
    "reject": "已驳回延期申请。",
    "upload": "材料已上传。",
}


# -- the ledger list ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LedgerQuery:
    """The ledger's filters, sort and page as they appear in the URL (bad values ignored)."""

    division: str = ""
    source: str = ""
    category: str = ""
    state: str = ""
    due: str = ""
    q: str = ""
    sort: str = "id"
    dir: str = "desc"
    page: int = 1
    size: int = 50

    @classmethod
    def from_request(cls, request: Request) -> LedgerQuery:
        p = request.query_params
        sort = p.get("sort", "id")
        return cls(
            division=clean_line(p.get("division", "")).strip()[:12],
            source=p.get("source", "").strip() if p.get("source") in set(Source) else "",
            category=clean_line(p.get("category", "")).strip()[:32],
            state=p.get("state", "") if p.get("state") in _STATE_CHOICES else "",
            due=p.get("due", "") if p.get("due") in ("soon", "overdue") else "",
            q=clean_line(p.get("q", "")).strip()[:100],
            sort=sort if sort in service.SORT_COLUMNS else "id",
            dir="asc" if p.get("dir") == "asc" else "desc",
            page=max(1, _int(p.get("page"), 1)),
            size=_int(p.get("size"), 50) if _int(p.get("size"), 50) in PAGE_SIZES else 50,
        )

    def filters(self, ctx: Ctx) -> service.ProblemFilters:
        states: list[str] = []
        if self.state == "open":
            states = [s.value for s in rules.OPEN_PROBLEM_STATES]
        elif self.state:
            states = [self.state]
        due_soon = None
        if self.due == "soon":
            within = rules.load_escalation_policy().due_soon_within_workdays
            due_soon = ctx.calendar.add_workdays(ctx.today, within)
        return service.ProblemFilters(
            division=self.division or None,
            states=states,
            source=self.source or None,
            category=self.category or None,
            overdue=self.due == "overdue",
            due_soon_until=due_soon,
            text=self.q or None,
        )

    def params(self, **changes: Any) -> dict[str, Any]:
        """Non-default parameters, after ``changes``: what a link or the export carries."""
        current = replace(self, **changes)
        defaults = LedgerQuery()
        return {
            name: getattr(current, name)
            for name in self.__dataclass_fields__
            if getattr(current, name) != getattr(defaults, name)
        }

    def url(self, path: str = "/problems", **changes: Any) -> str:
        query = urlencode(self.params(**changes))
        return f"{path}?{query}" if query else path

    def sort_url(self, column: str) -> str:
        """Click a header: sort by it; click it again: reverse."""
        flip = "asc" if (self.sort == column and self.dir == "desc") else "desc"
        return self.url(sort=column, dir=flip, page=1)


_STATE_CHOICES = {"open", *(s.value for s in ProblemState)}


def _int(text: str | None, default: int) -> int:
    return form_int(text, default)


def _division_choices(ctx: Ctx) -> list[Any]:
    under = ctx.actor.division_code
    if ctx.actor.role in (Role.DEPARTMENT, Role.ENTERPRISE) or not under:
        under = CITY_CODE
    return registry.list_divisions(ctx.session, under=under)


def _category_groups() -> list[dict[str, Any]]:
    groups: dict[str, dict[str, Any]] = {}
    for c in load_categories():
        group = groups.setdefault(c.group_code, {"code": c.group_code, "name": c.group_name})
        group.setdefault("items", []).append({"code": c.code, "name": c.name})
    return list(groups.values())


def _workdays_left(ctx: Ctx, p: Problem) -> int | None:
    """Working days to an open problem's deadline; None ("—") when it is closed, or when its
    deadline lies in a year the calendar cannot count (old data): one odd row must not fail
    the page for everyone."""
    if not service.is_open(p):
        return None
    try:
        return ctx.calendar.workdays_between(ctx.today, p.due_date)
    except CalendarRangeError:
        return None


def _row(ctx: Ctx, p: Problem, divisions: dict[str, str], leads: dict[int, str]) -> dict[str, Any]:
    left = _workdays_left(ctx, p)
    return {
        "id": p.id,
        "title": p.title,
        "source": p.source,
        "category": registry.category_names().get(p.category_code, p.category_code),
        "division": divisions.get(p.division_code, p.division_code),
        "state": p.state,
        "state_label": STATE_TEXT.get(p.state, p.state),
        "found_on": p.found_on,
        "due_date": p.due_date,
        "due_reason": p.due_reason,
        "workdays_left": left,
        "escalation": p.escalation,
        "escalation_label": ESCALATION_LABELS[Escalation(p.escalation)],
        "lead": leads.get(p.id, ""),
        "duplicate": p.possible_duplicate_of_id,
    }


def _lead_names(ctx: Ctx, problem_ids: list[int]) -> dict[int, str]:
    leads = service.lead_units(ctx.session, problem_ids)
    names = registry.organization_names(ctx.session, set(leads.values()))
    return {pid: names.get(org, "") for pid, org in leads.items()}


@router.get("/problems")
def ledger(request: Request) -> Response:
    query = LedgerQuery.from_request(request)
    with user_ctx(request) as ctx:
        items, total = service.ledger_page(
            ctx.session,
            ctx.actor,
            query.filters(ctx),
            today=ctx.today,
            sort=query.sort,
            descending=query.dir == "desc",
            page=query.page,
            page_size=query.size,
        )
        choices = _division_choices(ctx)
        divisions = {d.code: d.short_name or d.name for d in choices}
        leads = _lead_names(ctx, [p.id for p in items])
        pages = max(1, -(-total // query.size))
        context = {
            "query": query,
            "rows": [_row(ctx, p, divisions, leads) for p in items],
            "total": total,
            "pages": pages,
            "divisions": choices,
            "sources": [s.value for s in Source],
            "category_groups": _category_groups(),
            "states": [(s.value, STATE_LABELS[s]) for s in ProblemState],
            "can_register": ctx.actor.is_office,
        }
        return render(
            request,
            "problems/ledger.html",
            context,
            actor=ctx.actor,
            today=ctx.today,
            active="ledger",
        )


EXPORT_COLUMNS: list[tuple[str, int]] = [
    ("编号", 8),
    ("问题", 40),
    ("来源", 12),
    ("分类", 16),
    ("区划", 10),
    ("位置", 24),
    ("水体", 14),
    ("发现日期", 12),
    ("状态", 10),
    ("期限", 12),
    ("期限依据", 36),
    ("剩余工作日", 10),
    ("预警", 8),
    ("牵头单位", 20),
    ("登记时间", 18),
    ("销号时间", 18),
]


@router.get("/problems/export.xlsx")
def export(request: Request) -> Response:
    """The ledger exactly as filtered and sorted on the page, every page, as .xlsx."""
    query = LedgerQuery.from_request(request)
    with user_ctx(request) as ctx:
        divisions = {d.code: d.short_name or d.name for d in _division_choices(ctx)}
        rows: list[list[Any]] = []
        chunks = service.ledger_rows(
            ctx.session,
            ctx.actor,
            query.filters(ctx),
            today=ctx.today,
            sort=query.sort,
            descending=query.dir == "desc",
        )
        for chunk in chunks:
            leads = _lead_names(ctx, [p.id for p in chunk])
            rows.extend(_export_row(_row(ctx, p, divisions, leads), p) for p in chunk)
        today = ctx.today
    data = table_xlsx("问题台账", EXPORT_COLUMNS, rows)
    filename = f"问题台账_{today.strftime('%Y%m%d')}.xlsx"
    return Response(
        content=data,
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={
            "Content-Disposition": f"attachment; filename*=UTF-8''{quote(filename, safe='')}",
            "X-Eco263-Rows": str(len(rows)),
        },
    )


def _export_row(row: dict[str, Any], p: Problem) -> list[Any]:
    return [
        row["id"],
        row["title"],
        row["source"],
        row["category"],
        row["division"],
        p.location or "",
        p.water_body or "",
        p.found_on,
        row["state_label"],
        p.due_date,
        p.due_reason,
        row["workdays_left"],
        row["escalation_label"],
        row["lead"],
        p.registered_at,
        p.closed_at,
    ]


# -- registering a problem -----------------------------------------------------------------------

REGISTER_FIELDS = (
    "title",
    "description",
    "source",
    "category_code",
    "division_code",
    "found_on",
    "enterprise_id",
    "location",
    "water_body",
    "due_date",
)
REQUIRED = {
    "title": "请填写问题标题",
    "source": "请选择问题来源",
    "category_code": "请选择263分类",
    "division_code": "请选择行政区划",
    "found_on": "请填写发现日期",
}


def _require_office(actor: Actor) -> None:
    if not rules.may_make(actor, Move.DISPATCH):
        raise Forbidden("当前角色无权登记问题")


def _register_page(
    request: Request, ctx: Ctx, values: dict[str, str], errors: FieldErrors, status: int = 200
) -> Response:
    context = {
        "values": values,
        "errors": errors,
        "sources": [s.value for s in Source],
        "category_groups": _category_groups(),
        "divisions": registry.list_divisions(ctx.session, under=ctx.actor.division_code or None),
        "enterprises": service.enterprises_in_scope(ctx.session, ctx.actor),
    }
    return render(
        request,
        "problems/register.html",
        context,
        actor=ctx.actor,
        today=ctx.today,
        active="register",
        status_code=status,
    )


@router.get("/problems/new")
def register_form(request: Request) -> Response:
    with user_ctx(request) as ctx:
        _require_office(ctx.actor)
        values = {"found_on": ctx.today.isoformat(), "division_code": ctx.actor.division_code}
        return _register_page(request, ctx, values, {})


def _validate_register(values: dict[str, str]) -> tuple[ProblemCreate | None, FieldErrors]:
    errors: FieldErrors = {f: msg for f, msg in REQUIRED.items() if not values.get(f, "").strip()}
    data: dict[str, Any] = {k: v.strip() for k, v in values.items() if v.strip()}
    try:
        parsed = ProblemCreate(**data)
    except ValidationError as exc:
        for name, message in pydantic_errors(exc).items():
            errors.setdefault(name, message)
        return None, errors
    return (None, errors) if errors else (parsed, errors)


@router.post("/problems/new", dependencies=[Depends(require_csrf)])
async def register_submit(request: Request) -> Response:
    form = await request.form()
    values = {f: str(form.get(f, "") or "") for f in REGISTER_FIELDS}
    parsed, errors = _validate_register(values)
    if parsed is not None:
        try:
            with user_ctx(request) as ctx:
                problem = actions.do_register_problem(ctx, parsed)
                return RedirectResponse(f"/problems/{problem.id}?done=register", status_code=303)
        except FORM_ERRORS as exc:
            errors = domain_errors(exc, {f: f for f in REGISTER_FIELDS}, "_form")
            status = exc.status_code
    else:
        status = 422
    with user_ctx(request) as ctx:
        _require_office(ctx.actor)
        return _register_page(request, ctx, values, errors, status)


# -- the detail page -----------------------------------------------------------------------------


def _timeline_text(event: Any, units: dict[int, str], orgs: dict[int, str]) -> str:
    after: dict[str, Any] = event.after or {}
    before: dict[str, Any] = event.before or {}
    action = event.action
    unit = units.get(int(after.get("assignment_id") or 0), "")
    note = str(after.get("note") or "").strip()
    if action == "problem.register":
        return f"期限 {after.get('due_date')}（{after.get('due_reason')}）"
    if action == "problem.dispatch":
        names = [
            orgs.get(int(a["organization_id"]), "") + ("（牵头）" if a.get("is_lead") else "")
            for a in after.get("assignments", [])
        ]
        return "交办给 " + "、".join(names)
    if action.startswith("assignment.") and action != "assignment.escalate":
        return unit + (f"；说明：{note}" if note else "")
    if action == "assignment.escalate":
        return f"{unit} {after.get('label', '')}（期限 {after.get('due_date')}）"
    if action == "extension.request":
        reason = after.get("reason")
        return f"{unit} 申请延期：{after.get('from')} → {after.get('to')}；理由：{reason}"
    if action in ("extension.approve", "extension.reject"):
        return f"{unit} 期限 {before.get('due_date')} → {after.get('due_date')}" + (
            f"；意见：{note}" if note else ""
        )
    if action == "attachment.add":
        return f"{after.get('filename')}（SHA-256 {str(after.get('sha256', ''))[:12]}…）"
    if action == "problem.merge":
        return f"并入问题 #{after.get('duplicate_of_id')}"
    if action == "clue.open":
        return f"线索 #{after.get('clue_id')}：{after.get('duty_failure', '')}，移送智慧监督平台"
    return ""


def _timeline_link(event: Any, actor: Actor) -> str | None:
    """Where an entry leads: a clue's page (生成线索), for the roles that read clues."""
    clue_id = (event.after or {}).get("clue_id") if event.action == "clue.open" else None
    return f"/supervision/clues/{clue_id}" if clue_id and actor.role in CLUE_READERS else None


TIMELINE_LABELS = {
    "problem.register": "登记",
    "problem.dispatch": "交办",
    "assignment.accept": "签收",
    "assignment.submit": "提交整改",
    "assignment.verify": "核查通过",
    "assignment.return": "退回整改",
    "assignment.escalate": "预警升级",
    "extension.request": "申请延期",
    "extension.approve": "批准延期",
    "extension.reject": "驳回延期",
    "attachment.add": "上传材料",
    "problem.merge": "合并",
    "clue.open": "生成线索",
    "clue.deliver": "线索送达智慧监督平台",
    "supervision.opinion": "收到监督意见书",
}


def _detail_context(ctx: Ctx, problem_id: int) -> dict[str, Any]:
    problem = service.get_problem(ctx.session, ctx.actor, problem_id)
    detail = presenters.problem_detail(ctx, problem)
    units = {a.id: a.organization_name for a in detail.assignments}
    extensions = service.extensions_of(ctx.session, problem.id)
    events = timeline(ctx.session, "problem", [str(problem.id)])
    org_ids = {
        int(a["organization_id"])
        for e in events
        if e.action == "problem.dispatch"
        for a in (e.after or {}).get("assignments", [])
    }
    orgs = registry.organization_names(ctx.session, org_ids)
    pending = {e.assignment_id for e in extensions if e.state == ExtensionState.PENDING.value}
    actor = ctx.actor
    division = registry.get_division(ctx.session, problem.division_code)
    enterprise = (
        registry.get_enterprise(ctx.session, problem.enterprise_id)
        if problem.enterprise_id
        else None
    )
    may_upload = actor.role not in (Role.SUPERVISOR, Role.VIEWER, Role.ENTERPRISE)
    return {
        "problem": problem,
        "detail": detail,
        "division": division,
        "enterprise": enterprise,
        "category": registry.category_names().get(problem.category_code, problem.category_code),
        "state_label": STATE_TEXT.get(problem.state, problem.state),
        "escalation_label": ESCALATION_LABELS[Escalation(problem.escalation)],
        "assignment_states": ASSIGNMENT_STATE_TEXT,
        "move_labels": {m.value: MOVE_LABELS[m] for m in Move},
        "extensions": extensions,
        "units": units,
        "pending_ext": pending,
        "may_request_ext": {
            a.id: a.state != AssignmentState.VERIFIED.value
            and a.id not in pending
            and rules.may_make(actor, Move.SUBMIT, assignee_org_id=a.organization_id)
            for a in detail.assignments
        },
        "may_decide_ext": rules.may_make(actor, Move.VERIFY),
        "may_dispatch": rules.may_make(actor, Move.DISPATCH)
        and Move.DISPATCH in rules.PROBLEM_MOVES[ProblemState(problem.state)],
        "may_upload": may_upload and service.is_open(problem),
        "attachments": service.attachments_of(ctx.session, actor, problem.id),
        "accepted_files": ACCEPTED_LABEL,
        "events": [
            {
                "seq": e.seq,
                "at": e.at,
                "actor": e.actor_name,
                "label": TIMELINE_LABELS.get(e.action, e.action),
                "text": _timeline_text(e, units, orgs),
                "href": _timeline_link(e, actor),
                "hash": e.hash,
            }
            for e in events
        ],
        "own_assignment": next(
            (a.id for a in detail.assignments if a.organization_id == actor.organization_id),
            None,
        ),
    }


def _detail_page(
    request: Request,
    problem_id: int,
    *,
    errors: dict[str, FieldErrors] | None = None,
    values: dict[str, dict[str, str]] | None = None,
    status: int = 200,
) -> Response:
    with user_ctx(request) as ctx:
        context = _detail_context(ctx, problem_id)
        context["errors"] = errors or {}
        context["values"] = values or {}
        context["done"] = DONE_MESSAGES.get(request.query_params.get("done", ""))
        return render(
            request,
            "problems/detail.html",
            context,
            actor=ctx.actor,
            today=ctx.today,
            active="ledger",
            status_code=status,
        )


@router.get("/problems/{problem_id}")
def detail(request: Request, problem_id: Id) -> Response:
    return _detail_page(request, problem_id)


def _done(problem_id: int, what: str, anchor: str = "") -> RedirectResponse:
    suffix = f"#{anchor}" if anchor else ""
    return RedirectResponse(f"/problems/{problem_id}?done={what}{suffix}", status_code=303)


@router.post(
    "/problems/{problem_id}/assignments/{assignment_id}/move", dependencies=[Depends(require_csrf)]
)
def move(
    request: Request,
    problem_id: Id,
    assignment_id: Id,
    move: Annotated[str, Form()] = "",
    note: Annotated[Text, Form()] = "",
    version: Annotated[str, Form()] = "",
) -> Response:
    """签收 / 提交整改 / 核查通过 / 退回 — the buttons the detail page showed this user."""
    key = f"move-{assignment_id}"
    try:
        chosen = Move(move)
        if chosen in (Move.DISPATCH, Move.MERGE):
            raise ValueError(move)
    except ValueError:
        return _detail_page(request, problem_id, errors={key: {"note": "未知操作"}}, status=422)
    try:
        with user_ctx(request) as ctx:
            service.get_problem(ctx.session, ctx.actor, problem_id)
            actions.do_move(
                ctx, assignment_id, chosen, note=note[:2000], version=_int(version, 0) or None
            )
    except FORM_ERRORS as exc:
        return _detail_page(
            request,
            problem_id,
            errors={key: {"note": exc.message}},
            values={key: {"note": note}},
            status=exc.status_code,
        )
    return _done(problem_id, chosen.value, f"a{assignment_id}")


@router.post(
    "/problems/{problem_id}/assignments/{assignment_id}/extension",
    dependencies=[Depends(require_csrf)],
)
def request_extension(
    request: Request,
    problem_id: Id,
    assignment_id: Id,
    requested_due: Annotated[str, Form()] = "",
    reason: Annotated[Text, Form()] = "",
) -> Response:
    key = f"ext-{assignment_id}"
    values = {key: {"requested_due": requested_due, "reason": reason}}
    errors: FieldErrors = {}
    due: date | None = None
    try:
        due = parse_date(requested_due)
    except ValueError as exc:
        errors["requested_due"] = str(exc)
    if due is None:
        errors.setdefault("requested_due", "请填写申请的新期限")
    if len(reason.strip()) < 2:
        errors["reason"] = "请填写延期理由（至少 2 个字）"
    if errors or due is None:
        return _detail_page(request, problem_id, errors={key: errors}, values=values, status=422)
    try:
        with user_ctx(request) as ctx:
            service.get_problem(ctx.session, ctx.actor, problem_id)
            actions.do_request_extension(ctx, assignment_id, due, reason[:500])
    except FORM_ERRORS as exc:
        found = domain_errors(exc, {"requested_due": "requested_due"}, "reason")
        return _detail_page(
            request, problem_id, errors={key: found}, values=values, status=exc.status_code
        )
    return _done(problem_id, "extension", f"a{assignment_id}")


@router.post(
    "/problems/{problem_id}/extensions/{extension_id}/decision",
    dependencies=[Depends(require_csrf)],
)
def decide_extension(
    request: Request,
    problem_id: Id,
    extension_id: Id,
    decision: Annotated[str, Form()] = "",
    note: Annotated[Text, Form()] = "",
) -> Response:
    key = f"decide-{extension_id}"
    if decision not in ("approve", "reject"):
        return _detail_page(
            request, problem_id, errors={key: {"note": "请选择批准或驳回"}}, status=422
        )
    try:
        with user_ctx(request) as ctx:
            service.get_problem(ctx.session, ctx.actor, problem_id)
            if extension_id not in {e.id for e in service.extensions_of(ctx.session, problem_id)}:
                raise NotFound("延期申请")
            actions.do_decide_extension(
                ctx, extension_id, approve=decision == "approve", note=note[:500]
            )
    except FORM_ERRORS as exc:
        return _detail_page(
            request,
            problem_id,
            errors={key: {"note": exc.message}},
            values={key: {"note": note}},
            status=exc.status_code,
        )
    return _done(problem_id, decision, "extensions")


@router.post("/problems/{problem_id}/attachments", dependencies=[Depends(require_csrf)])
async def upload(
    request: Request,
    problem_id: Id,
    file: Annotated[UploadFile | None, File()] = None,
    assignment_id: Annotated[str, Form()] = "",
) -> Response:
    """证据材料: a photo or document, kept content-addressed and on the audit chain."""
    limit = request.app.state.runtime.settings.max_upload_bytes
    data = await file.read(limit + 1) if file is not None else b""
    filename = (file.filename or "") if file is not None else ""
    try:
        with user_ctx(request) as ctx:
            actions.do_attach_evidence(
                ctx,
                problem_id,
                filename=filename,
                data=data,
                assignment_id=_int(assignment_id, 0) or None,
            )
    except FORM_ERRORS as exc:
        message = exc.message if filename else "请选择要上传的文件"
        return _detail_page(
            request, problem_id, errors={"upload": {"file": message}}, status=exc.status_code
        )
    return _done(problem_id, "upload", "evidence")


PREVIEWABLE = frozenset({"image/jpeg", "image/png"})


@router.get("/attachments/{attachment_id}/view")
def view_attachment(request: Request, attachment_id: Id) -> Response:
    """A photo shown inline (preview); any other kind is downloaded.  Scoped like the problem."""
    with user_ctx(request) as ctx:
        a = service.get_attachment(ctx.session, ctx.actor, attachment_id)
        data = BlobStore(ctx.settings.attachments_path).get(a.sha256)
    inline = a.content_type in PREVIEWABLE
    disposition = "inline" if inline else "attachment"
    return Response(
        content=data,
        media_type=a.content_type,
        headers={
            "Content-Disposition": f"{disposition}; filename*=UTF-8''{quote(a.filename, safe='')}",
            "Content-Security-Policy": "default-src 'none'; img-src 'self'",
            "Cache-Control": "private, max-age=3600",
            "X-Eco263-SHA256": a.sha256,
        },
    )


# -- dispatch (交办) -----------------------------------------------------------------------------


def _dispatch_orgs(ctx: Ctx, taken: set[int]) -> list[Any]:
    """Units in the office's jurisdiction that do not yet work on the problem."""
    in_scope = {
        d.code for d in registry.list_divisions(ctx.session, under=ctx.actor.division_code or None)
    }
    return [
        o
        for o in registry.list_organizations(ctx.session)
        if o.division_code in in_scope and o.kind != "supervisor" and o.id not in taken
    ]


def _dispatch_page(
    request: Request, problem_id: int, values: dict[str, Any], errors: FieldErrors, status: int
) -> Response:
    with user_ctx(request) as ctx:
        problem = service.get_problem(ctx.session, ctx.actor, problem_id)
        if not rules.may_make(ctx.actor, Move.DISPATCH):
            raise Forbidden("当前角色无权交办")
        if Move.DISPATCH not in rules.PROBLEM_MOVES[ProblemState(problem.state)]:
            raise Conflict("该问题已办结，不能交办")
        detail = presenters.problem_detail(ctx, problem)
        taken = {a.organization_id for a in detail.assignments}
        orgs = _dispatch_orgs(ctx, taken)
        context = {
            "problem": problem,
            "detail": detail,
            "has_lead": any(a.is_lead for a in detail.assignments),
            "orgs": sorted(orgs, key=lambda o: (o.division_code != problem.division_code, o.id)),
            "values": values,
            "errors": errors,
        }
        return render(
            request,
            "problems/dispatch.html",
            context,
            actor=ctx.actor,
            today=ctx.today,
            active="ledger",
            status_code=status,
        )


@router.get("/problems/{problem_id}/dispatch")
def dispatch_form(request: Request, problem_id: Id) -> Response:
    return _dispatch_page(request, problem_id, {"co": []}, {}, 200)


def _dispatch_specs(
    lead: str, lead_due: str, co: list[str], co_due: str
) -> tuple[AssignmentSpec | None, list[AssignmentSpec], FieldErrors]:
    errors: FieldErrors = {}
    dues: dict[str, date | None] = {}
    for name, text in (("lead_due", lead_due), ("co_due", co_due)):
        try:
            dues[name] = parse_date(text)
        except ValueError as exc:
            errors[name] = str(exc)
    lead_id = _int(lead, 0)
    if lead and not lead_id:
        errors["lead"] = "请选择牵头单位"
    co_ids = [_int(c, 0) for c in co if _int(c, 0)]
    lead_spec = (
        AssignmentSpec(organization_id=lead_id, due_date=dues.get("lead_due")) if lead_id else None
    )
    co_specs = [AssignmentSpec(organization_id=c, due_date=dues.get("co_due")) for c in co_ids]
    return lead_spec, co_specs, errors


DISPATCH_FIELDS = {"lead": "lead", "organization_id": "lead", "due_date": "lead_due", "co": "co"}


@router.post("/problems/{problem_id}/dispatch", dependencies=[Depends(require_csrf)])
async def dispatch_submit(request: Request, problem_id: Id) -> Response:
    form = await request.form()
    lead, lead_due = str(form.get("lead", "")), str(form.get("lead_due", ""))
    co, co_due = [str(v) for v in form.getlist("co")], str(form.get("co_due", ""))
    version = _int(str(form.get("version", "")), 0) or None
    values = {"lead": lead, "lead_due": lead_due, "co": co, "co_due": co_due}
    lead_spec, co_specs, errors = _dispatch_specs(lead, lead_due, co, co_due)
    if errors:
        return _dispatch_page(request, problem_id, values, errors, 422)
    try:
        with user_ctx(request) as ctx:
            actions.do_dispatch(ctx, problem_id, lead_spec, co_specs, version=version)
    except FORM_ERRORS as exc:
        found = domain_errors(exc, DISPATCH_FIELDS, "lead")
        return _dispatch_page(request, problem_id, values, found, exc.status_code)
    return _done(problem_id, "dispatch", "assignments")
