"""打印: the 交办单 (what was handed to whom, by when, on what basis) and the 销号单 (each unit's
整改情况 and 核查意见 on a closed problem) as A4 PDF, for whoever may read the problem."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import Response

from eco263.audit.service import timeline_for
from eco263.clock import SHANGHAI
from eco263.context import Ctx
from eco263.errors import Conflict
from eco263.problems import service
from eco263.problems.enums import ProblemState
from eco263.problems.models import Problem
from eco263.problems.pages._common import ASSIGNMENT_STATE_TEXT, STATE_TEXT
from eco263.registry import service as registry
from eco263.web.deps import user_ctx
from eco263.web.inputs import Id
from eco263.web.pdf import Block, Fields, Grid, Section, Text, form_pdf
from eco263.web.routing import PageRoute

router = APIRouter(include_in_schema=False, route_class=PageRoute)

FOOTER = "苏州市污染防治攻坚战协同推进平台"


def _time(value: datetime | None) -> str:
    return value.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M") if value else "—"


def _facts(ctx: Ctx, problem: Problem) -> Fields:
    division = registry.get_division(ctx.session, problem.division_code)
    enterprise = (
        registry.get_enterprise(ctx.session, problem.enterprise_id)
        if problem.enterprise_id
        else None
    )
    category = registry.category_names().get(problem.category_code, problem.category_code)
    rows = [
        ("问题", problem.title),
        ("来源", problem.source),
        ("分类", category),
        ("区划", division.name if division else problem.division_code),
        ("位置", problem.location or "—"),
        ("发现日期", problem.found_on.isoformat()),
    ]
    if enterprise is not None:
        rows.append(("涉及企业", f"{enterprise.name}（{enterprise.uscc}）"))
    if problem.description:
        rows.append(("问题描述", problem.description))
    rows.append(("办结期限", f"{problem.due_date.isoformat()}（{problem.due_reason}）"))
    return Fields(rows)


def _first(ctx: Ctx, problem: Problem, action: str) -> Any:
    events = timeline_for(ctx.session, ctx.actor, "problem", [str(problem.id)])
    return next((e for e in events if e.action == action), None)


def _pdf(data: bytes, filename: str) -> Response:
    return Response(
        content=data,
        media_type="application/pdf",
        headers={"Content-Disposition": f"inline; filename*=UTF-8''{quote(filename, safe='')}"},
    )


@router.get("/problems/{problem_id}/print/dispatch.pdf")
def dispatch_sheet(request: Request, problem_id: Id) -> Response:
    """交办单: the facts, each unit with its deadline and basis, who handed it over and when."""
    with user_ctx(request) as ctx:
        problem = service.get_problem(ctx.session, ctx.actor, problem_id)
        units = service.assignments_of(ctx.session, problem.id)
        if not units:
            raise Conflict("问题尚未交办，不能打印交办单")
        names = registry.organization_names(ctx.session, {a.organization_id for a in units})
        dispatched = _first(ctx, problem, "problem.dispatch")
        grid = Grid(
            ("承办单位", "角色", "整改期限", "期限依据"),
            [
                (
                    names.get(a.organization_id, ""),
                    "牵头" if a.is_lead else "协办",
                    a.due_date.isoformat(),
                    a.due_reason,
                )
                for a in units
            ],
            (45, 15, 25, 85),
        )
        blocks: list[Block] = [
            _facts(ctx, problem),
            Section("承办单位与期限"),
            grid,
            Text(
                "请承办单位签收后按期整改，整改完成后在平台提交整改情况及佐证材料，"
                "由263办核查销号；确需延期的，在期限届满前提出延期申请。"
            ),
            Fields(
                [
                    ("交办人", dispatched.actor_name if dispatched else "—"),
                    ("交办时间", _time(dispatched.at if dispatched else None)),
                    ("签收人", ""),
                    ("签收时间", ""),
                ]
            ),
        ]
        data = form_pdf("问题交办单", f"编号：第 {problem.id} 号", blocks, FOOTER)
    return _pdf(data, f"交办单_{problem.id}.pdf")


@router.get("/problems/{problem_id}/print/closure.pdf")
def closure_sheet(request: Request, problem_id: Id) -> Response:
    """销号单: a closed problem, each unit's 整改情况 and 核查意见, the closing time."""
    with user_ctx(request) as ctx:
        problem = service.get_problem(ctx.session, ctx.actor, problem_id)
        if problem.state != ProblemState.CLOSED.value:
            state = STATE_TEXT.get(problem.state, problem.state)
            raise Conflict(f"问题尚未销号（当前：{state}），不能打印销号单")
        units = service.assignments_of(ctx.session, problem.id)
        names = registry.organization_names(ctx.session, {a.organization_id for a in units})
        grid = Grid(
            ("承办单位", "整改情况", "提交时间", "核查意见", "核查时间"),
            [
                (
                    names.get(a.organization_id, "")
                    + ("（牵头）" if a.is_lead else "")
                    + ("（263办代办）" if a.proxied else ""),
                    a.rectification_note or "—",
                    _time(a.submitted_at),
                    a.review_note or ASSIGNMENT_STATE_TEXT.get(a.state, ""),
                    _time(a.verified_at),
                )
                for a in units
            ],
            (35, 55, 22, 36, 22),
        )
        blocks: list[Block] = [
            _facts(ctx, problem),
            Section("整改与核查"),
            grid,
            Fields([("销号时间", _time(problem.closed_at)), ("核查单位（盖章）", "")]),
        ]
        data = form_pdf("问题销号单", f"编号：第 {problem.id} 号", blocks, FOOTER)
    return _pdf(data, f"销号单_{problem.id}.pdf")
