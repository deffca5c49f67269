"""工作动态 第70期 of the demo (``eco263/data/demo_bulletin_issue.yaml``), made through the real
actions, each step by the demo user who takes it at its own time: the editor creates the issue,
draws the drafts from the demo's record of the period, rewrites, adds the free items, orders
and approves them; another office user publishes; some recipient units read it."""

from __future__ import annotations

from typing import Any

from eco263.auth.replay import acting_as as _as
from eco263.auth.replay import as_date as _date
from eco263.auth.replay import load_story
from eco263.bulletin import actions, service
from eco263.bulletin.schemas import IssueIn, ItemIn
from eco263.context import Ctx


def load() -> dict[str, Any]:
    return load_story("demo_bulletin_issue.yaml")


def replay(ctx: Ctx) -> int:
    """Make and publish the issue; returns its number of items, or 0 if the number exists."""
    story = load()
    spec = story["issue"]
    if service.number_taken(ctx.session, int(spec["number"])):
        return 0
    editor = spec["by"]
    issue = actions.do_create_issue(
        _as(ctx, editor, spec["at"]),
        IssueIn(
            number=int(spec["number"]),
            issue_date=_date(spec["issue_date"]),
            period_from=_date(spec["period_from"]),
            period_to=_date(spec["period_to"]),
        ),
    )
    actions.do_generate_drafts(_as(ctx, editor, story["drafts_at"]), issue.id)
    editing = _as(ctx, editor, story["edit_at"])
    for item in service.items_of(ctx.session, issue.id):
        if item.source in story.get("drop", []):
            actions.do_remove_item(editing, issue.id, item.id)
            continue
        change = story["rewrite"].get(item.source)
        if not change:
            continue
        body = item.body + ("\n" + change["append"] if change.get("append") else "")
        actions.do_edit_item(editing, issue.id, item.id, ItemIn(title=change["title"], body=body))
    for free in story["free"]:
        actions.do_add_item(editing, issue.id, ItemIn(title=free["title"], body=free["body"]))
    by_title = {i.title: i.id for i in service.items_of(ctx.session, issue.id)}
    for position, title in enumerate(story["order"], start=1):
        if title in by_title:
            actions.do_move_item(editing, issue.id, by_title[title], position)
    approving = _as(ctx, editor, story["approve_at"])
    for item in service.items_of(ctx.session, issue.id):
        actions.do_approve_item(approving, issue.id, item.id)
    publish = story["publish"]
    actions.do_publish(_as(ctx, publish["by"], publish["at"]), issue.id)
    for reading in story.get("readings", []):
        actions.do_record_reading(_as(ctx, reading["by"], reading["at"]), issue.id)
    return len(by_title)
