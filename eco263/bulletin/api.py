"""REST routes of 工作动态 (under /api/v1/bulletin): thin, every write an action."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from eco263.bulletin import actions, service
from eco263.bulletin.models import BulletinIssue
from eco263.bulletin.schemas import IssueIn, IssueOut, ItemIn, ItemOut, MoveIn, ReceiptOut
from eco263.web.deps import user_ctx
from eco263.web.inputs import Id, Line

router = APIRouter(prefix="/bulletin", tags=["bulletin 工作动态"])

MEDIA = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}


def _out(session: Session, issue: BulletinIssue) -> IssueOut:
    out = IssueOut.model_validate(issue)
    out.items = [ItemOut.model_validate(i) for i in service.items_of(session, issue.id)]
    return out


@router.get("/issues", response_model=list[IssueOut])
def list_issues(
    request: Request, q: Annotated[Line | None, Query(max_length=50)] = None
) -> list[IssueOut]:
    """The archive (newest first), searched in the items' titles and text."""
    with user_ctx(request) as ctx:
        return [_out(ctx.session, i) for i in service.list_issues(ctx.session, ctx.actor, text=q)]


@router.post("/issues", response_model=IssueOut, status_code=201)
def create_issue(request: Request, body: IssueIn) -> IssueOut:
    """新建一期 (市263办); the creator is its editor."""
    with user_ctx(request) as ctx:
        return _out(ctx.session, actions.do_create_issue(ctx, body))


@router.get("/issues/{issue_id}", response_model=IssueOut)
def get_issue(request: Request, issue_id: Id) -> IssueOut:
    """One issue; a reader unit's first reading is recorded."""
    with user_ctx(request) as ctx:
        actions.do_record_reading(ctx, issue_id)
        return _out(ctx.session, service.get_issue(ctx.session, ctx.actor, issue_id))


@router.post("/issues/{issue_id}/drafts", response_model=IssueOut)
def generate_drafts(request: Request, issue_id: Id) -> IssueOut:
    """从记录生成稿件 for the issue's period."""
    with user_ctx(request) as ctx:
        actions.do_generate_drafts(ctx, issue_id)
        return _out(ctx.session, service.get_issue(ctx.session, ctx.actor, issue_id))


@router.post("/issues/{issue_id}/items", response_model=ItemOut, status_code=201)
def add_item(request: Request, issue_id: Id, body: ItemIn) -> ItemOut:
    with user_ctx(request) as ctx:
        return ItemOut.model_validate(actions.do_add_item(ctx, issue_id, body))


@router.put("/issues/{issue_id}/items/{item_id}", response_model=ItemOut)
def edit_item(request: Request, issue_id: Id, item_id: Id, body: ItemIn) -> ItemOut:
    with user_ctx(request) as ctx:
        return ItemOut.model_validate(actions.do_edit_item(ctx, issue_id, item_id, body))


@router.post("/issues/{issue_id}/items/{item_id}/position", response_model=IssueOut)
def move_item(request: Request, issue_id: Id, item_id: Id, body: MoveIn) -> IssueOut:
    with user_ctx(request) as ctx:
        actions.do_move_item(ctx, issue_id, item_id, body.position)
        return _out(ctx.session, service.get_issue(ctx.session, ctx.actor, issue_id))


@router.delete("/issues/{issue_id}/items/{item_id}", status_code=204)
def remove_item(request: Request, issue_id: Id, item_id: Id) -> Response:
    with user_ctx(request) as ctx:
        actions.do_remove_item(ctx, issue_id, item_id)
        return Response(status_code=204)


@router.post("/issues/{issue_id}/items/{item_id}/approval", response_model=ItemOut)
def approve_item(request: Request, issue_id: Id, item_id: Id) -> ItemOut:
    with user_ctx(request) as ctx:
        return ItemOut.model_validate(actions.do_approve_item(ctx, issue_id, item_id))


@router.post("/issues/{issue_id}/publication", response_model=IssueOut)
def publish(request: Request, issue_id: Id) -> IssueOut:
    """印发: by someone other than the editor, every item approved."""
    with user_ctx(request) as ctx:
        return _out(ctx.session, actions.do_publish(ctx, issue_id))


@router.get("/issues/{issue_id}/receipts", response_model=list[ReceiptOut])
def receipts(request: Request, issue_id: Id) -> list[ReceiptOut]:
    """阅读回执: each recipient unit, read or not (the city office)."""
    with user_ctx(request) as ctx:
        issue = service.get_issue(ctx.session, ctx.actor, issue_id)
        service.require_office(ctx.actor)
        return [ReceiptOut(**r) for r in service.receipt_table(ctx.session, issue.id)]


@router.get("/issues/{issue_id}/document.{fmt}")
def document(request: Request, issue_id: Id, fmt: Annotated[str, "docx|pdf"]) -> Response:
    """The issue as DOCX (GB/T 9704 geometry) or PDF."""
    with user_ctx(request) as ctx:
        issue = service.get_issue(ctx.session, ctx.actor, issue_id)
        data = service.render(ctx.session, ctx.actor, issue.number, fmt)
        name = f"bulletin-{issue.number}.{fmt}"
        return Response(
            data,
            media_type=MEDIA[fmt],
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )
