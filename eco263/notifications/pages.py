"""Pages of notifications (Chinese): 消息 (one's messages, read/unread) and 通知设置.

Every route acts for the logged-in user on their own rows only; writes go through the same
actions as the API.  Templates: ``web/templates/notifications/``.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from eco263.errors import InvalidInput
from eco263.notifications import actions, channels, rules, service
from eco263.notifications.enums import CHANNEL_LABELS, KIND_LABELS, Channel, Kind
from eco263.notifications.schemas import ProfileIn
from eco263.web.deps import require_csrf, user_ctx
from eco263.web.forms import domain_errors
from eco263.web.inputs import Id
from eco263.web.routing import PageRoute
from eco263.web.templating import render

router = APIRouter(include_in_schema=False, route_class=PageRoute)
CSRF = [Depends(require_csrf)]
KIND_TEXT = {k.value: label for k, label in KIND_LABELS.items()}


@router.get("/notifications")
def list_page(request: Request, unread: int = 0) -> Response:
    with user_ctx(request) as ctx:
        rows = service.list_for(ctx.session, ctx.actor, unread_only=bool(unread), limit=200)
        count = service.unread_count(ctx.session, ctx.actor)
        items = [
            {
                "id": n.id,
                "kind": KIND_TEXT.get(n.kind, "通知"),
                "title": n.title,
                "body": n.body,
                "href": n.href,
                "created_at": n.created_at,
                "read": n.read_at is not None,
            }
            for n in rows
        ]
        return render(
            request,
            "notifications/list.html",
            {"items": items, "unread": count, "only_unread": bool(unread)},
            actor=ctx.actor,
            today=ctx.today,
            active="messages",
        )


@router.post("/notifications/{notification_id}/open", dependencies=CSRF)
def open_submit(request: Request, notification_id: Id) -> Response:
    """Mark one's message read and go to what it is about."""
    with user_ctx(request) as ctx:
        href = service.get_own(ctx.session, ctx.actor, notification_id).href
        actions.do_mark_read(ctx, [notification_id])
    return RedirectResponse(href or "/notifications", status_code=303)


@router.post("/notifications/read-all", dependencies=CSRF)
def read_all_submit(request: Request) -> Response:
    with user_ctx(request) as ctx:
        actions.do_mark_read(ctx, None)
    return RedirectResponse("/notifications", status_code=303)


def _settings_context(ctx: Any, profile: service.Profile) -> dict[str, Any]:
    usable = channels.available(ctx.settings)
    offered = [c for c in (Channel.EMAIL, Channel.WEBHOOK, Channel.SMS) if c in usable]
    return {
        "kinds": [(k.value, KIND_LABELS[k]) for k in Kind],
        "channels": [(c.value, CHANNEL_LABELS[c]) for c in offered],
        "chosen": {
            k.value: {c.value for c in rules.chosen_channels(k, profile.channels or None, usable)}
            for k in Kind
        },
        "profile": profile,
        "quiet_start": rules.hhmm(profile.quiet_start),
        "quiet_end": rules.hhmm(profile.quiet_end),
        "sms_missing": Channel.SMS not in usable,
        "email_missing": Channel.EMAIL not in usable,
    }


@router.get("/notifications/settings")
def settings_page(request: Request, saved: int = 0) -> Response:
    with user_ctx(request) as ctx:
        context = _settings_context(ctx, service.profile_of(ctx.session, ctx.actor))
        return render(
            request,
            "notifications/settings.html",
            context | {"saved": bool(saved)},
            actor=ctx.actor,
            today=ctx.today,
            active="messages",
        )


@router.post("/notifications/settings", dependencies=CSRF)
async def settings_submit(request: Request) -> Response:
    form = await request.form()
    data = {
        "email": str(form.get("email", "") or "")[:254] or None,
        "phone": str(form.get("phone", "") or "")[:20] or None,
        "quiet_start": str(form.get("quiet_start", "") or "")[:5] or None,
        "quiet_end": str(form.get("quiet_end", "") or "")[:5] or None,
        "digest": form.get("digest") == "1",
        "channels": {k.value: [str(v) for v in form.getlist(f"ch_{k.value}")][:4] for k in Kind},
    }
    with user_ctx(request) as ctx:
        if channels.available(ctx.settings) == {Channel.SITE}:
            data["channels"] = {}  # nothing to choose yet: keep the defaults for later
        try:
            body = ProfileIn(**data)
            actions.do_set_preferences(ctx, body)
        except (ValidationError, InvalidInput) as exc:
            errors = (
                {"form": "填写有误，请检查"}
                if isinstance(exc, ValidationError)
                else domain_errors(exc, {}, "form")
            )
            context = _settings_context(ctx, service.profile_of(ctx.session, ctx.actor))
            return render(
                request,
                "notifications/settings.html",
                context | {"saved": False, "errors": errors, "values": data},
                actor=ctx.actor,
                today=ctx.today,
                active="messages",
                status_code=422,
            )
    return RedirectResponse("/notifications/settings?saved=1", status_code=303)
