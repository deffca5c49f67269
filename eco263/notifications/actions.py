"""Notification writes: messages for a fact (and their external deliveries through the
outbox), marking one's messages read, one's settings, the daily digest."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select, update

from eco263.context import Ctx
from eco263.errors import InvalidInput, NotFound, Unauthenticated
from eco263.notifications import channels, rules, service
from eco263.notifications.enums import OUTBOX_KINDS, AuditAction, Channel, Kind
from eco263.notifications.models import Notification, NotificationProfile
from eco263.notifications.schemas import ProfileIn
from eco263.outbox.actions import Queued, enqueue, enqueue_many


@dataclass(frozen=True, slots=True)
class Draft:
    """One fact to tell these users (``event_key`` names the fact: at most one message per
    user and fact, however often it is announced)."""

    kind: Kind
    event_key: str
    user_ids: frozenset[int]
    title: str
    body: str
    href: str | None = None

    def message(self) -> rules.Message:
        return rules.Message(self.kind, self.title, self.body, self.href)


def notify_many(ctx: Ctx, drafts: Sequence[Draft]) -> list[Notification]:
    """Write the new messages and queue their e-mail/robot/SMS deliveries, in the caller's
    transaction.  Quiet hours hold an external delivery back to their end; a user on the
    daily digest gets their e-mails in :func:`do_send_digests` instead."""
    drafts = [d for d in drafts if d.user_ids]
    if not drafts:
        return []
    keys = {d.event_key for d in drafts}
    existing = {
        (r.user_id, r.event_key)
        for r in ctx.session.execute(
            select(Notification.user_id, Notification.event_key).where(
                Notification.event_key.in_(keys)
            )
        )
    }
    created: list[tuple[Notification, Draft]] = []
    for d in drafts:
        for user_id in sorted(d.user_ids):
            if (user_id, d.event_key) in existing:
                continue
            existing.add((user_id, d.event_key))
            row = Notification(
                user_id=user_id,
                kind=d.kind.value,
                event_key=d.event_key,
                title=d.title[:200],
                body=d.body[:1000],
                href=d.href,
                created_at=ctx.now,
                digest_pending=False,
            )
            ctx.session.add(row)
            created.append((row, d))
    if not created:
        return []
    ctx.session.flush()
    _queue_external(ctx, created)
    return [row for row, _ in created]


def _queue_external(ctx: Ctx, created: list[tuple[Notification, Draft]]) -> None:
    profiles = service.profile_rows(ctx.session, {row.user_id for row, _ in created})
    usable = channels.available(ctx.settings)
    tz = ZoneInfo(ctx.settings.timezone)
    base = ctx.settings.notify_link_base
    queued: list[Queued] = []
    robot: dict[str, tuple[Draft, list[datetime | None]]] = {}
    for row, draft in created:
        profile = profiles.get(row.user_id)
        prefs = dict(profile.channels or {}) if profile else None
        chosen = rules.chosen_channels(draft.kind, prefs, usable)
        quiet = (
            rules.quiet_until(ctx.now, profile.quiet_start, profile.quiet_end, tz)
            if profile
            else None
        )
        message = draft.message()
        if Channel.EMAIL in chosen and profile is not None and profile.email:
            if profile.digest:
                row.digest_pending = True
            else:
                queued.append(
                    Queued(
                        OUTBOX_KINDS[Channel.EMAIL],
                        f"notify:{row.id}:email",
                        {"to": profile.email, "subject": message.title, "body": message.text(base)},
                        quiet,
                    )
                )
        if Channel.SMS in chosen and profile is not None and profile.phone:
            queued.append(
                Queued(
                    OUTBOX_KINDS[Channel.SMS],
                    f"notify:{row.id}:sms",
                    {"phone": profile.phone, "text": message.text()[:300]},
                    quiet,
                )
            )
        if Channel.WEBHOOK in chosen:
            robot.setdefault(draft.event_key, (draft, []))[1].append(quiet)
    if queued:
        enqueue_many(ctx.session, queued, now=ctx.now)
    for event_key, (draft, quiets) in robot.items():
        # One post per fact to the group (not one per member); it waits only while every
        # member who wants it is in quiet hours.
        held = [q for q in quiets if q is not None]
        not_before = min(held) if len(held) == len(quiets) else None
        enqueue(
            ctx.session,
            kind=OUTBOX_KINDS[Channel.WEBHOOK],
            idempotency_key=f"notify:{event_key}:webhook"[:128],
            payload={"json": rules.webhook_body(draft.message(), ctx.settings.notify_link_base)},
            now=ctx.now,
            not_before=not_before,
        )


def do_mark_read(ctx: Ctx, ids: Sequence[int] | None) -> int:
    """Mark the actor's own messages read (``ids``; all when None).  A message of another
    user is a 404, like a missing one."""
    user_id = ctx.actor.user_id
    if user_id is None:
        raise Unauthenticated("请先登录")
    query = update(Notification).where(
        Notification.user_id == user_id, Notification.read_at.is_(None)
    )
    if ids is not None:
        wanted = set(ids)
        own = set(
            ctx.session.scalars(
                select(Notification.id).where(
                    Notification.id.in_(wanted), Notification.user_id == user_id
                )
            )
        )
        if wanted - own:
            raise NotFound("消息")
        query = query.where(Notification.id.in_(wanted))
    result = ctx.session.execute(
        query.values(read_at=ctx.now).execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def do_set_preferences(ctx: Ctx, body: ProfileIn) -> NotificationProfile:
    """Save the actor's own notification settings (audited, addresses not in the record)."""
    user_id = ctx.actor.user_id
    if user_id is None:
        raise Unauthenticated("请先登录")
    email = (body.email or "").strip() or None
    phone = (body.phone or "").strip() or None
    if email and not rules.email_ok(email):
        raise InvalidInput("电子邮箱格式不正确", field="email")
    if phone and not rules.phone_ok(phone):
        raise InvalidInput("手机号应为 11 位数字", field="phone")
    try:
        start, end = (
            rules.parse_hhmm(body.quiet_start or ""),
            rules.parse_hhmm(body.quiet_end or ""),
        )
    except ValueError as exc:
        raise InvalidInput(f"免打扰时段：{exc}", field="quiet_start") from exc
    if (start is None) != (end is None):
        raise InvalidInput("免打扰时段须同时填写开始和结束", field="quiet_end")
    usable = channels.available(ctx.settings)
    picked = {
        kind.value: sorted({c.value for c in chans} - {"site"})
        for kind, chans in body.channels.items()
    }
    if any(Channel.SMS.value in chans for chans in picked.values()) and Channel.SMS not in usable:
        raise InvalidInput("尚未接入短信服务商，不能选择短信", field="channels")
    row = ctx.session.get(NotificationProfile, user_id)
    before = None
    if row is None:
        row = NotificationProfile(user_id=user_id)
        ctx.session.add(row)
    else:
        before = _summary(row)
    row.email, row.phone, row.channels = email, phone, picked
    row.quiet_start, row.quiet_end, row.digest = start, end, body.digest
    row.updated_at = ctx.now
    ctx.session.flush()
    ctx.audit(AuditAction.PREFERENCES, "user", user_id, before, _summary(row))
    return row


def _summary(row: NotificationProfile) -> dict[str, object]:
    return {
        "email_set": bool(row.email),
        "phone_set": bool(row.phone),
        "channels": dict(row.channels or {}),
        "quiet": f"{rules.hhmm(row.quiet_start)}-{rules.hhmm(row.quiet_end)}",
        "digest": row.digest,
    }


def do_send_digests(ctx: Ctx) -> int:
    """每日汇总: one e-mail per digest user with the messages held since the last one;
    keyed by user and the first message it holds, so a rerun queues nothing twice."""
    held = list(
        ctx.session.scalars(
            select(Notification)
            .where(Notification.digest_pending.is_(True))
            .order_by(Notification.user_id, Notification.id)
        )
    )
    if not held:
        return 0
    profiles = service.profile_rows(ctx.session, {n.user_id for n in held})
    by_user: dict[int, list[Notification]] = {}
    for n in held:
        by_user.setdefault(n.user_id, []).append(n)
    day = ctx.today.isoformat()
    sent = 0
    for user_id, items in by_user.items():
        profile = profiles.get(user_id)
        if profile is not None and profile.email:
            subject, text = rules.digest_text(
                [rules.Message(Kind(n.kind), n.title, n.body, n.href) for n in items],
                day,
                ctx.settings.notify_link_base,
            )
            enqueue(
                ctx.session,
                kind=OUTBOX_KINDS[Channel.EMAIL],
                idempotency_key=f"notify:digest:{user_id}:{items[0].id}",
                payload={"to": profile.email, "subject": subject, "body": text},
                now=ctx.now,
            )
            sent += 1
        for n in items:
            n.digest_pending = False
    ctx.session.flush()
    return sent
