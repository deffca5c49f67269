"""问题台账: the list with its filters, sort and pages, and the Excel export of the same rows."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response

from eco263.actor import Role
from eco263.context import Ctx
from eco263.problems import rules, service
from eco263.problems.actions.batch import BATCH_MAX
from eco263.problems.enums import ESCALATION_LABELS, STATE_LABELS, Escalation, ProblemState, Source
from eco263.problems.models import Problem
from eco263.problems.pages._common import (
    ASSIGNMENT_STATE_TEXT,
    CITY_CODE,
    PAGE_SIZES,
    STATE_TEXT,
    parse_int,
)
from eco263.problems.pages.batch_form import batch_context
from eco263.registry import service as registry
from eco263.registry.reference import load_categories
from eco263.web.deps import user_ctx
from eco263.web.inputs import clean_line
from eco263.web.routing import PageRoute
from eco263.web.templating import render
from eco263.web.xlsx import sheets_xlsx
from eco263.workdays import CalendarRangeError

router = APIRouter(include_in_schema=False, route_class=PageRoute)


@dataclass(frozen=True, slots=True)
class LedgerQuery:
    """The ledger's filters, sort and page as they appear in the URL (bad values ignored)."""

    division: str = ""
    source: str = ""
    category: str = ""
    state: str = ""
    due: str = ""
    closed: str = ""
    q: str = ""
    sort: str = "id"
    dir: str = "desc"
    page: int = 1
    size: int = 50
    #: The ticked rows (export of the selection); empty: every row under the filters.
    ids: tuple[int, ...] = ()

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
            closed="month" if p.get("closed") == "month" else "",
            q=clean_line(p.get("q", "")).strip()[:100],
            sort=sort if sort in service.SORT_COLUMNS else "id",
            dir="asc" if p.get("dir") == "asc" else "desc",
            page=max(1, parse_int(p.get("page"), 1)),
            size=parse_int(p.get("size"), 50) if parse_int(p.get("size"), 50) in PAGE_SIZES else 50,
            ids=selected_ids(p.getlist("ids")),
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
            closed_since=(
                service.month_start(ctx.now, ctx.settings.timezone)
                if self.closed == "month"
                else None
            ),
            text=self.q or None,
            ids=frozenset(self.ids) if self.ids else None,
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
        query = urlencode(self.params(**changes), doseq=True)
        return f"{path}?{query}" if query else path

    def sort_url(self, column: str) -> str:
        """Click a header: sort by it; click it again: reverse."""
        flip = "asc" if (self.sort == column and self.dir == "desc") else "desc"
        return self.url(sort=column, dir=flip, page=1)


def selected_ids(values: list[str]) -> tuple[int, ...]:
    """The ticked rows' ids, each once, in order; anything not an id is dropped."""
    ids = (parse_int(v, 0) for v in values[: BATCH_MAX + 1])  # one more: the batch refuses it
    return tuple(dict.fromkeys(i for i in ids if 0 < i < 2**31))


_STATE_CHOICES = {"open", *(s.value for s in ProblemState)}


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


def _workdays_left(ctx: Ctx, p: Problem, due: date) -> int | None:
    """Working days to an open problem's deadline; None ("—") when it is closed, or when its
    deadline lies in a year the calendar cannot count (old data): one odd row must not fail
    the page for everyone."""
    if not service.is_open(p):
        return None
    try:
        return ctx.calendar.workdays_between(ctx.today, due)
    except CalendarRangeError:
        return None


def _row(
    ctx: Ctx,
    p: Problem,
    divisions: dict[str, str],
    leads: dict[int, str],
    nearest: dict[int, tuple[date, str]] | None = None,
) -> dict[str, Any]:
    """One ledger row; its 期限 is the nearest open unit deadline the reader sees (and whose),
    the same deadline the 临期/逾期 filters and the dashboard cards count."""
    due, unit = (nearest or {}).get(p.id, (p.due_date, ""))
    left = _workdays_left(ctx, p, due)
    return {
        "id": p.id,
        "title": p.title,
        "source": p.source,
        "category": registry.category_names().get(p.category_code, p.category_code),
        "division": divisions.get(p.division_code, p.division_code),
        "state": p.state,
        "state_label": STATE_TEXT.get(p.state, p.state),
        "found_on": p.found_on,
        "due_date": due,
        "due_unit": unit,
        "due_reason": p.due_reason,
        "workdays_left": left,
        "due_flag": _due_flag(left),
        "escalation": p.escalation,
        "escalation_label": ESCALATION_LABELS[Escalation(p.escalation)],
        "lead": leads.get(p.id, ""),
        "duplicate": p.possible_duplicate_of_id,
        "proxied": p.proxied,
    }


def _due_flag(left: int | None) -> str:
    """临期/逾期 by the row's deadline, by the same rule as the filters."""
    if left is None:
        return ""
    if left < 0:
        return "逾期"
    return "临期" if left <= rules.load_escalation_policy().due_soon_within_workdays else ""


@router.get("/problems")
def ledger(request: Request) -> Response:
    return ledger_response(request, LedgerQuery.from_request(request))


def ledger_response(
    request: Request,
    query: LedgerQuery,
    *,
    batch: dict[str, Any] | None = None,
    status: int = 200,
) -> Response:
    """The ledger page; ``batch`` carries a refused batch's message and input (re-shown)."""
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
        leads, nearest = service.row_units(ctx.session, ctx.actor, [p.id for p in items])
        pages = max(1, -(-total // query.size))
        context = {
            "query": query,
            "rows": [_row(ctx, p, divisions, leads, nearest) for p in items],
            "total": total,
            "pages": pages,
            "divisions": choices,
            "sources": [s.value for s in Source],
            "category_groups": _category_groups(),
            "states": [(s.value, STATE_LABELS[s]) for s in ProblemState],
            "can_register": ctx.actor.is_office,
            "batch": batch_context(
                ctx,
                request,
                batch,
                choices,
                any(p.state == ProblemState.REGISTERED.value for p in items) or bool(batch),
            ),
        }
        return render(
            request,
            "problems/ledger.html",
            context,
            actor=ctx.actor,
            today=ctx.today,
            active="ledger",
            status_code=status,
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
    ("代办", 6),
    ("登记时间", 18),
    ("销号时间", 18),
]


#: The second sheet: one row per unit's assignment, with its own deadline, 整改情况, 核查意见.
UNIT_COLUMNS: list[tuple[str, int]] = [
    ("问题编号", 10),
    ("问题", 36),
    ("承办单位", 22),
    ("角色", 6),
    ("状态", 10),
    ("期限", 12),
    ("期限依据", 36),
    ("预警", 8),
    ("整改情况", 48),
    ("提交时间", 18),
    ("核查意见/退回理由", 40),
    ("核查时间", 18),
    ("退回次数", 8),
    ("延期次数", 8),
    ("代办", 6),
]


@router.get("/problems/export.xlsx")
def export(request: Request) -> Response:
    """The ledger exactly as filtered and sorted on the page, every page, as .xlsx: the
    problems, and on a second sheet every unit of them with its own deadline and notes."""
    query = LedgerQuery.from_request(request)
    with user_ctx(request) as ctx:
        divisions = {d.code: d.short_name or d.name for d in _division_choices(ctx)}
        rows: list[list[Any]] = []
        unit_rows: list[list[Any]] = []
        chunks = service.ledger_rows(
            ctx.session,
            ctx.actor,
            query.filters(ctx),
            today=ctx.today,
            sort=query.sort,
            descending=query.dir == "desc",
        )
        for chunk in chunks:
            leads, nearest = service.row_units(ctx.session, ctx.actor, [p.id for p in chunk])
            rows.extend(_export_row(_row(ctx, p, divisions, leads, nearest), p) for p in chunk)
            unit_rows.extend(_unit_rows(ctx, chunk))
        today = ctx.today
    data = sheets_xlsx([("问题台账", EXPORT_COLUMNS, rows), ("承办单位", UNIT_COLUMNS, unit_rows)])
    filename = f"问题台账_{today.strftime('%Y%m%d')}.xlsx"
    return Response(
        content=data,
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={
            "Content-Disposition": f"attachment; filename*=UTF-8''{quote(filename, safe='')}",
            "X-Eco263-Rows": str(len(rows)),
        },
    )


def _unit_rows(ctx: Ctx, chunk: list[Problem]) -> list[list[Any]]:
    titles = {p.id: p.title for p in chunk}
    units = service.assignments_of_many(ctx.session, list(titles))
    names = registry.organization_names(ctx.session, {a.organization_id for a in units})
    return [
        [
            a.problem_id,
            titles[a.problem_id],
            names.get(a.organization_id, ""),
            "牵头" if a.is_lead else "协办",
            ASSIGNMENT_STATE_TEXT.get(a.state, a.state),
            a.due_date,
            a.due_reason,
            ESCALATION_LABELS[Escalation(a.escalation)] if a.escalation else "",
            a.rectification_note or "",
            a.submitted_at,
            a.review_note or "",
            a.verified_at,
            a.returned_count,
            a.extension_count,
            "是" if a.proxied else "",
        ]
        for a in units
    ]


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
        row["due_date"],
        p.due_reason,
        row["workdays_left"],
        row["escalation_label"],
        row["lead"],
        "是" if p.proxied else "",
        p.registered_at,
        p.closed_at,
    ]
