"""Pages of 工作动态 (Chinese): the archive with search (text, 期号, period) and, for the city
office, a new issue; an issue's page — for its editor the editing desk (drafts from the
record, rewrite, order, free items, approve), for another office user the 印发 step, for
everyone who may read it the text, the DOCX and PDF and the 报/送 lines; the city office sees
the recipient units' read receipts, a recipient unit's first opening is its receipt.

Reads through :mod:`.service` (an issue out of reach is a 404 like a missing one); writes
through the same ``do_*`` actions as the API.  Templates: ``web/templates/bulletin/``.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from eco263 import vocabulary
from eco263.actor import Role
from eco263.audit.service import timeline_for
from eco263.bulletin import actions, service
from eco263.bulletin.enums import (
    ISSUE_STATE_LABELS,
    ITEM_STATE_LABELS,
    SOURCE_LABELS,
    IssueState,
    ItemState,
)
from eco263.bulletin.models import BulletinIssue
from eco263.bulletin.rules import cn_date
from eco263.bulletin.schemas import IssueIn, ItemIn
from eco263.errors import InvalidInput
from eco263.web.deps import require_csrf, user_ctx
from eco263.web.inputs import Id
from eco263.web.routing import PageRoute
from eco263.web.templating import render

router = APIRouter(include_in_schema=False, route_class=PageRoute)

CSRF = [Depends(require_csrf)]
MEDIA = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}
FIELD_NAMES = {
    "number": "期号",
    "issue_date": "印发日期",
    "period_from": "统计期间起",
    "period_to": "统计期间止",
    "title": "标题",
    "body": "正文",
}


def _parsed(model: type[Any], data: dict[str, Any]) -> Any:
    try:
        return model(**data)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = [str(p) for p in first.get("loc", ())]
        where = "、".join(FIELD_NAMES.get(p, p) for p in loc)
        raise InvalidInput(f"“{where}”填写有误，请检查后重试") from None


def _date(text: str, label: str) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        raise InvalidInput(f"{label}格式应为 年-月-日（如 2018-04-30）：{text}") from None


def _text(form: Any, name: str) -> str:
    return str(form.get(name, "") or "").strip()


def _redirect(issue_id: int, anchor: str = "") -> Response:
    return RedirectResponse(f"/bulletin/{issue_id}{anchor}", status_code=303)


def _row(issue: BulletinIssue, read: set[int]) -> dict[str, Any]:
    return {
        "id": issue.id,
        "number": issue.number,
        "date": cn_date(issue.issue_date),
        "period": f"{issue.period_from} 至 {issue.period_to}",
        "state": ISSUE_STATE_LABELS.get(IssueState(issue.state), issue.state),
        "published": issue.state == IssueState.PUBLISHED.value,
        "editor": issue.editor_name,
        "read": issue.id in read,
    }


@router.get("/bulletin")
def archive_page(request: Request) -> Response:
    q = request.query_params
    text = q.get("q", "").strip()[:50]
    since = _date(q.get("from", "").strip(), "期间起")
    until = _date(q.get("to", "").strip(), "期间止")
    if since and until and since > until:
        raise InvalidInput("查询期间的起始日期晚于结束日期")
    with user_ctx(request) as ctx:
        actor = ctx.actor
        reader = service.is_reader_unit(ctx.session, actor.organization_id)
        allowed = service.may_read_archive(actor) or reader
        issues = (
            service.list_issues(ctx.session, actor, text=text or None, since=since, until=until)
            if allowed
            else []
        )
        read = service.issues_read_by(ctx.session, actor.organization_id) if reader else set()
        is_city = actor.is_system or actor.role == Role.CITY_OFFICE
        context = {
            "issues": [_row(i, read) for i in issues],
            "allowed": allowed,
            "reader": reader,
            "is_city": is_city,
            "query": {"q": text, "from": since or "", "to": until or ""},
            "searched": bool(text or since or until),
            "next_number": service.next_number(ctx.session) if is_city else None,
        }
        return render(
            request,
            "bulletin/archive.html",
            context,
            actor=actor,
            today=ctx.today,
            active="bulletin",
        )


@router.get("/bulletin/number")
def by_number_page(request: Request) -> Response:
    """期号 → the issue (an unknown or unreadable number: 404 naming the number)."""
    raw = request.query_params.get("n", "").strip()
    if not raw.isdigit() or not 0 < int(raw) < 100000:
        raise InvalidInput(f"期号应为正整数：{raw[:20]}")
    with user_ctx(request) as ctx:
        issue = service.by_number(ctx.session, ctx.actor, int(raw))
        return _redirect(issue.id)


@router.post("/bulletin/new", dependencies=CSRF)
async def new_submit(request: Request) -> Response:
    form = await request.form()
    number = _text(form, "number")
    if number and not number.isdigit():
        raise InvalidInput(f"期号应为正整数：{number[:20]}")
    data = {
        "number": int(number) if number else None,
        "issue_date": _date(_text(form, "issue_date"), "印发日期"),
        "period_from": _date(_text(form, "period_from"), "统计期间起"),
        "period_to": _date(_text(form, "period_to"), "统计期间止"),
    }
    body = _parsed(IssueIn, data)
    with user_ctx(request) as ctx:
        issue = actions.do_create_issue(ctx, body)
        return _redirect(issue.id)


def _item_view(item: Any, editable: bool) -> dict[str, Any]:
    return {
        "id": item.id,
        "position": item.position,
        "title": item.title,
        "body": item.body,
        "paragraphs": [p for p in item.body.splitlines() if p.strip()],
        "source": SOURCE_LABELS.get(item.source, "编辑自撰"),
        "state": ITEM_STATE_LABELS.get(ItemState(item.state), item.state),
        "approved": item.state == ItemState.APPROVED.value,
        "editable": editable,
    }


@router.get("/bulletin/{issue_id}")
def issue_page(request: Request, issue_id: Id) -> Response:
    with user_ctx(request) as ctx:
        actor = ctx.actor
        receipt = actions.do_record_reading(ctx, issue_id)
        issue = service.get_issue(ctx.session, actor, issue_id)
        is_city = actor.is_system or actor.role == Role.CITY_OFFICE
        draft = issue.state == IssueState.DRAFT.value
        is_editor = is_city and draft and actor.user_id == issue.editor_id
        items = service.items_of(ctx.session, issue.id)
        pending = sum(1 for i in items if i.state != ItemState.APPROVED.value)
        receipts = service.receipt_table(ctx.session, issue.id) if is_city else []
        d = service.distribution()
        events = timeline_for(ctx.session, actor, "bulletin_issue", [str(issue.id)])
        context = {
            "issue": issue,
            "date": cn_date(issue.issue_date),
            "state": ISSUE_STATE_LABELS.get(IssueState(issue.state), issue.state),
            "draft": draft,
            "items": [_item_view(i, is_editor) for i in items],
            "pending": pending,
            "is_city": is_city,
            "is_editor": is_editor,
            "may_publish": is_city and draft and actor.user_id != issue.editor_id,
            "receipts": receipts,
            "read_count": sum(1 for r in receipts if r["read_at"]),
            "reader": service.is_reader_unit(ctx.session, actor.organization_id),
            "my_receipt": receipt
            or service.receipts_of(ctx.session, issue.id).get(actor.organization_id or 0),
            "dist": d,
            "history": [
                {"at": e.at, "who": e.actor_name, "what": vocabulary.label(e.action)}
                for e in events
            ]
            if is_city
            else [],
        }
        return render(
            request,
            "bulletin/issue.html",
            context,
            actor=actor,
            today=ctx.today,
            active="bulletin",
        )


@router.get("/bulletin/{issue_id}/document.{fmt}")
def document(request: Request, issue_id: Id, fmt: str) -> Response:
    """The issue as DOCX (GB/T 9704) or PDF."""
    if fmt not in MEDIA:
        raise InvalidInput("只能下载 DOCX 或 PDF 格式")
    with user_ctx(request) as ctx:
        issue = service.get_issue(ctx.session, ctx.actor, issue_id)
        data = service.render(ctx.session, ctx.actor, issue.number, fmt)
        name = f"bulletin-{issue.number}.{fmt}"
    return Response(
        data,
        media_type=MEDIA[fmt],
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.post("/bulletin/{issue_id}/drafts", dependencies=CSRF)
def drafts_submit(request: Request, issue_id: Id) -> Response:
    with user_ctx(request) as ctx:
        actions.do_generate_drafts(ctx, issue_id)
    return _redirect(issue_id, "#items")


def _item_in(form: Any) -> ItemIn:
    title, body = _text(form, "title"), _text(form, "body")
    if not title:
        raise InvalidInput("稿件标题不能为空")
    if not body:
        raise InvalidInput("稿件正文不能为空")
    item: ItemIn = _parsed(ItemIn, {"title": title, "body": body})
    return item


@router.post("/bulletin/{issue_id}/items", dependencies=CSRF)
async def add_submit(request: Request, issue_id: Id) -> Response:
    body = _item_in(await request.form())
    with user_ctx(request) as ctx:
        item = actions.do_add_item(ctx, issue_id, body)
        anchor = f"#item-{item.id}"
    return _redirect(issue_id, anchor)


@router.post("/bulletin/{issue_id}/items/{item_id}", dependencies=CSRF)
async def edit_submit(request: Request, issue_id: Id, item_id: Id) -> Response:
    body = _item_in(await request.form())
    with user_ctx(request) as ctx:
        actions.do_edit_item(ctx, issue_id, item_id, body)
    return _redirect(issue_id, f"#item-{item_id}")


@router.post("/bulletin/{issue_id}/items/{item_id}/position", dependencies=CSRF)
async def move_submit(request: Request, issue_id: Id, item_id: Id) -> Response:
    raw = _text(await request.form(), "position")
    if not raw.isdigit() or not 1 <= int(raw) <= 500:
        raise InvalidInput(f"位置应为 1 至 500 的整数：{raw[:20]}")
    with user_ctx(request) as ctx:
        actions.do_move_item(ctx, issue_id, item_id, int(raw))
    return _redirect(issue_id, f"#item-{item_id}")


@router.post("/bulletin/{issue_id}/items/{item_id}/approval", dependencies=CSRF)
def approve_submit(request: Request, issue_id: Id, item_id: Id) -> Response:
    with user_ctx(request) as ctx:
        actions.do_approve_item(ctx, issue_id, item_id)
    return _redirect(issue_id, f"#item-{item_id}")


@router.post("/bulletin/{issue_id}/items/{item_id}/removal", dependencies=CSRF)
def remove_submit(request: Request, issue_id: Id, item_id: Id) -> Response:
    with user_ctx(request) as ctx:
        actions.do_remove_item(ctx, issue_id, item_id)
    return _redirect(issue_id, "#items")


@router.post("/bulletin/{issue_id}/approval", dependencies=CSRF)
def approve_all_submit(request: Request, issue_id: Id) -> Response:
    """审定全部: every item still 待审定, one action each (the editor)."""
    with user_ctx(request) as ctx:
        pending = [
            i
            for i in service.items_of(ctx.session, issue_id)
            if i.state != ItemState.APPROVED.value
        ]
        if not pending:
            service.get_issue(ctx.session, ctx.actor, issue_id)
            raise InvalidInput("没有待审定的稿件")
        for item in pending:
            actions.do_approve_item(ctx, issue_id, item.id)
    return _redirect(issue_id, "#items")


@router.post("/bulletin/{issue_id}/publication", dependencies=CSRF)
def publish_submit(request: Request, issue_id: Id) -> Response:
    with user_ctx(request) as ctx:
        actions.do_publish(ctx, issue_id)
    return _redirect(issue_id)
