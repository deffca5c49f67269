"""工作动态 writes (``do_*``): rule check, change, audit — one transaction.

The city office's editor creates an issue, draws drafts from the period's records, rewrites,
orders, adds free items and approves them; another office user publishes (separation of
duties).  A published issue is frozen; a reader unit's first opening is its receipt.
"""

from __future__ import annotations

from typing import Any

from eco263.bulletin import rules, service
from eco263.bulletin.enums import AuditAction, IssueState, ItemSource, ItemState
from eco263.bulletin.models import BulletinIssue, BulletinItem, BulletinReceipt
from eco263.bulletin.schemas import IssueIn, ItemIn
from eco263.context import Ctx
from eco263.errors import Conflict, Forbidden
from eco263.registry import service as registry


def _item_snap(item: BulletinItem) -> dict[str, Any]:
    return {
        "position": item.position,
        "title": item.title,
        "body": item.body,
        "source": item.source,
        "source_ref": item.source_ref,
        "state": item.state,
    }


def _editable(ctx: Ctx, issue_id: int) -> BulletinIssue:
    rules.require_editor(ctx.actor)
    issue = service.get_issue(ctx.session, ctx.actor, issue_id)
    registry.require_in_jurisdiction(ctx.session, ctx.actor, issue.division_code)
    rules.require_draft(issue.state)
    return issue


def do_create_issue(ctx: Ctx, data: IssueIn) -> BulletinIssue:
    """新建一期: the creator is its editor."""
    rules.require_editor(ctx.actor)
    rules.check_period(data.period_from, data.period_to, data.issue_date)
    number = data.number or service.next_number(ctx.session)
    if service.number_taken(ctx.session, number):
        raise Conflict(f"第 {number} 期已存在")
    issue = BulletinIssue(
        number=number,
        issue_date=data.issue_date,
        period_from=data.period_from,
        period_to=data.period_to,
        office=service.distribution().office,
        division_code=ctx.actor.division_code or "320500",
        editor_id=ctx.actor.user_id,
        editor_name=ctx.actor.name,
        state=IssueState.DRAFT.value,
        created_at=ctx.now,
        version=1,
    )
    ctx.session.add(issue)
    ctx.session.flush()
    ctx.audit(
        AuditAction.CREATE,
        "bulletin_issue",
        issue.id,
        None,
        {"number": number, "issue_date": data.issue_date.isoformat()},
    )
    return issue


def _append(
    ctx: Ctx, issue: BulletinIssue, title: str, body: str, source: ItemSource, ref: str | None
) -> BulletinItem:
    position = len(service.items_of(ctx.session, issue.id)) + 1
    item = BulletinItem(
        issue_id=issue.id,
        position=position,
        title=title,
        body=body,
        source=source.value,
        source_ref=ref,
        state=ItemState.DRAFT.value,
    )
    ctx.session.add(item)
    ctx.session.flush()
    return item


def do_generate_drafts(ctx: Ctx, issue_id: int) -> list[BulletinItem]:
    """从记录生成稿件: one draft per record of the period not drafted already."""
    issue = _editable(ctx, issue_id)
    have = service.refs_in(ctx.session, issue.id)
    added = []
    for fact in service.facts_of_period(ctx.session, ctx.actor, issue.period_from, issue.period_to):
        if fact.ref in have:
            continue
        draft = rules.draft_of(fact)
        item = _append(ctx, issue, draft.title, draft.body, draft.source, draft.ref)
        added.append(item)
        ctx.audit(AuditAction.DRAFT, "bulletin_item", item.id, None, _item_snap(item))
    return added


def do_add_item(ctx: Ctx, issue_id: int, data: ItemIn) -> BulletinItem:
    """新增稿件 (编辑自撰)."""
    issue = _editable(ctx, issue_id)
    title, body = rules.clean_text(data.title, data.body)
    item = _append(ctx, issue, title, body, ItemSource.FREE, None)
    ctx.audit(AuditAction.ADD_ITEM, "bulletin_item", item.id, None, _item_snap(item))
    return item


def _own_item(ctx: Ctx, issue: BulletinIssue, item_id: int) -> BulletinItem:
    if ctx.actor.user_id is not None and ctx.actor.user_id != issue.editor_id:
        raise Forbidden("只有本期编辑可以修改稿件")
    return service.get_item(ctx.session, issue.id, item_id)


def do_edit_item(ctx: Ctx, issue_id: int, item_id: int, data: ItemIn) -> BulletinItem:
    """编辑改写: a rewritten item goes back to 待审定."""
    issue = _editable(ctx, issue_id)
    item = _own_item(ctx, issue, item_id)
    before = _item_snap(item)
    item.title, item.body = rules.clean_text(data.title, data.body)
    item.state = ItemState.DRAFT.value
    item.approved_by = None
    item.approved_at = None
    ctx.audit(AuditAction.EDIT_ITEM, "bulletin_item", item.id, before, _item_snap(item))
    return item


def do_move_item(ctx: Ctx, issue_id: int, item_id: int, position: int) -> list[BulletinItem]:
    """排序: put the item at ``position`` (1-based, clamped) and renumber the rest."""
    issue = _editable(ctx, issue_id)
    item = _own_item(ctx, issue, item_id)
    items = [i for i in service.items_of(ctx.session, issue.id) if i.id != item.id]
    before = item.position
    items.insert(min(max(position, 1), len(items) + 1) - 1, item)
    for n, it in enumerate(items, start=1):
        it.position = n
    ctx.audit(
        AuditAction.MOVE_ITEM,
        "bulletin_item",
        item.id,
        {"position": before},
        {"position": item.position},
    )
    return items


def do_remove_item(ctx: Ctx, issue_id: int, item_id: int) -> None:
    issue = _editable(ctx, issue_id)
    item = _own_item(ctx, issue, item_id)
    snap = _item_snap(item)
    ctx.session.delete(item)
    ctx.session.flush()
    for n, it in enumerate(service.items_of(ctx.session, issue.id), start=1):
        it.position = n
    ctx.audit(AuditAction.REMOVE_ITEM, "bulletin_item", item_id, snap, None)


def do_approve_item(ctx: Ctx, issue_id: int, item_id: int) -> BulletinItem:
    """审定: the editor signs off the item's final text."""
    issue = _editable(ctx, issue_id)
    item = _own_item(ctx, issue, item_id)
    if item.state == ItemState.APPROVED.value:
        raise Conflict("该稿件已审定")
    item.state = ItemState.APPROVED.value
    item.approved_by = ctx.actor.user_id
    item.approved_at = ctx.now
    ctx.audit(
        AuditAction.APPROVE_ITEM,
        "bulletin_item",
        item.id,
        {"state": ItemState.DRAFT.value},
        {"state": item.state},
    )
    return item


def do_publish(ctx: Ctx, issue_id: int) -> BulletinIssue:
    """印发: not by the editor; ≥1 item, all approved."""
    issue = _editable(ctx, issue_id)
    states = [i.state for i in service.items_of(ctx.session, issue.id)]
    rules.check_publish(ctx.actor, issue.editor_id, states)
    issue.state = IssueState.PUBLISHED.value
    issue.published_by = ctx.actor.user_id
    issue.published_by_name = ctx.actor.name
    issue.published_at = ctx.now
    issue.version += 1
    ctx.audit(
        AuditAction.PUBLISH,
        "bulletin_issue",
        issue.id,
        {"state": IssueState.DRAFT.value},
        {"state": issue.state, "items": len(states)},
    )
    return issue


def do_record_reading(ctx: Ctx, issue_id: int) -> BulletinReceipt | None:
    """A reader unit's user opens a published issue: the unit's first reading is recorded."""
    issue = service.get_issue(ctx.session, ctx.actor, issue_id)
    org = ctx.actor.organization_id
    if org is None or issue.state != IssueState.PUBLISHED.value:
        return None
    if not service.is_reader_unit(ctx.session, org):
        return None
    if org in service.receipts_of(ctx.session, issue.id):
        return None
    receipt = BulletinReceipt(
        issue_id=issue.id,
        organization_id=org,
        user_id=ctx.actor.user_id,
        reader_name=ctx.actor.name,
        read_at=ctx.now,
    )
    ctx.session.add(receipt)
    ctx.session.flush()
    ctx.audit(
        AuditAction.READ,
        "bulletin_issue",
        issue.id,
        None,
        {"organization_id": org, "number": issue.number},
    )
    return receipt
