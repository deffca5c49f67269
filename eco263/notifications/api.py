"""REST routes of notifications (under /api/v1/notifications): one's own messages and settings."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request

from eco263.config import Settings
from eco263.errors import InvalidInput
from eco263.notifications import actions, channels, rules, service
from eco263.notifications.schemas import (
    NotificationOut,
    NotificationPage,
    ProfileIn,
    ProfileOut,
    ReadIn,
)
from eco263.web.deps import user_ctx
from eco263.web.inputs import PageNumber

router = APIRouter(prefix="/notifications", tags=["notifications 通知"])


@router.get("", response_model=NotificationPage)
def list_notifications(
    request: Request,
    unread: Annotated[bool, Query()] = False,
    page: Annotated[PageNumber, Query()] = 1,
) -> NotificationPage:
    """The caller's own messages, newest first (50 a page), and the unread count."""
    with user_ctx(request) as ctx:
        rows = service.list_for(
            ctx.session, ctx.actor, unread_only=unread, limit=50, offset=(page - 1) * 50
        )
        return NotificationPage(
            unread=service.unread_count(ctx.session, ctx.actor),
            items=[NotificationOut.model_validate(r) for r in rows],
        )


@router.post("/read")
def mark_read(request: Request, body: ReadIn) -> dict[str, int]:
    """Mark messages read: ``ids`` (one's own only: another's is a 404), or ``all``."""
    with user_ctx(request) as ctx:
        if not body.all and not body.ids:
            raise InvalidInput("请指定消息（ids）或全部（all）", field="ids")
        return {"marked": actions.do_mark_read(ctx, None if body.all else body.ids)}


def _profile_out(profile: service.Profile, settings: Settings) -> ProfileOut:
    return ProfileOut(
        email=profile.email,
        phone=profile.phone,
        channels=profile.channels,
        quiet_start=rules.hhmm(profile.quiet_start),
        quiet_end=rules.hhmm(profile.quiet_end),
        digest=profile.digest,
        available=sorted(c.value for c in channels.available(settings)),
    )


@router.get("/preferences", response_model=ProfileOut)
def get_preferences(request: Request) -> ProfileOut:
    with user_ctx(request) as ctx:
        return _profile_out(service.profile_of(ctx.session, ctx.actor), ctx.settings)


@router.put("/preferences", response_model=ProfileOut)
def put_preferences(request: Request, body: ProfileIn) -> ProfileOut:
    """Save one's settings: addresses, channels per kind, quiet hours (时:分), daily digest."""
    with user_ctx(request) as ctx:
        actions.do_set_preferences(ctx, body)
        return _profile_out(service.profile_of(ctx.session, ctx.actor), ctx.settings)
