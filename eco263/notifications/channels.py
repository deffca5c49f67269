"""The external channels: e-mail over SMTP, a group-robot webhook, SMS behind a protocol.

Each is an outbox handler (:class:`eco263.outbox.worker.Deliverer`): the worker claims a queued
message, calls :meth:`deliver`, and retries a failure with backoff until the horizon; the
outbox's idempotency key (one per notification and channel) means one queued message per
notification and channel, however often the cause is announced or a delivery retried.

SMS has no provider in this code base: a provider plugs in with :func:`plug_sms_provider`
(an object with ``send(phone, text, key)``); until one does, the SMS channel is not offered.
"""

from __future__ import annotations

import json
import re
import smtplib
from email.message import EmailMessage
from email.utils import formatdate
from typing import Any, Protocol

import httpx

from eco263.config import Settings
from eco263.context import Ctx
from eco263.notifications import rules
from eco263.notifications.enums import OUTBOX_KINDS, Channel
from eco263.outbox.rules import Outcome
from eco263.outbox.worker import Handler, Target

_KEY_CHARS = re.compile(r"[^A-Za-z0-9.\-]")


class _NoBookkeeping:
    """Delivered or dead, a notification's channel message needs no further record: the
    outbox row keeps its state, attempts and last error (``eco263 outbox status``)."""

    def target(self, settings: Settings) -> Target:
        return Target("", b"")  # unused: these handlers deliver by themselves

    def delivered(self, ctx: Ctx, items: list[tuple[dict[str, Any], str | None]]) -> None:
        return None

    def dead(self, ctx: Ctx, payload: dict[str, Any], error: str) -> None:
        return None


def message_id(idempotency_key: str) -> str:
    """A stable Message-ID per outbox key: a receiving system can drop a re-sent copy."""
    return f"<{_KEY_CHARS.sub('.', idempotency_key)}@eco263>"


class EmailChannel(_NoBookkeeping):
    """One e-mail per queued message, through ``ECO263_SMTP_*``."""

    def deliver(self, settings: Settings, idempotency_key: str, payload: dict[str, Any]) -> Outcome:
        if not settings.smtp_host:
            return Outcome(False, error="未配置邮件服务器（ECO263_SMTP_HOST）")
        msg = EmailMessage()
        msg["From"] = settings.smtp_from
        msg["To"] = str(payload["to"])
        msg["Subject"] = str(payload["subject"])
        msg["Date"] = formatdate(localtime=False)
        msg["Message-ID"] = message_id(idempotency_key)
        msg.set_content(str(payload["body"]), charset="utf-8")
        try:
            with smtplib.SMTP(
                settings.smtp_host, settings.smtp_port, timeout=settings.outbox_timeout_seconds
            ) as smtp:
                if settings.smtp_starttls:
                    smtp.starttls()
                if settings.smtp_username:
                    password = settings.smtp_password
                    smtp.login(
                        settings.smtp_username, password.get_secret_value() if password else ""
                    )
                refused = smtp.send_message(msg)
        except (smtplib.SMTPException, OSError) as exc:
            return Outcome(False, error=f"邮件发送失败：{type(exc).__name__} {exc}"[:300])
        if refused:
            return Outcome(False, error=f"收件人被拒：{', '.join(refused)}"[:300])
        return Outcome(True, receipt=message_id(idempotency_key)[:128])


class WebhookChannel(_NoBookkeeping):
    """One JSON POST to the group robot (``ECO263_NOTIFY_WEBHOOK_URL``)."""

    def deliver(self, settings: Settings, idempotency_key: str, payload: dict[str, Any]) -> Outcome:
        url = settings.notify_webhook_url
        if not url:
            return Outcome(False, error="未配置工作群机器人地址（ECO263_NOTIFY_WEBHOOK_URL）")
        try:
            response = httpx.post(
                url,
                content=json.dumps(payload["json"], ensure_ascii=False).encode("utf-8"),
                headers={"Content-Type": "application/json; charset=utf-8"},
                timeout=settings.outbox_timeout_seconds,
            )
        except httpx.HTTPError as exc:
            return Outcome(False, error=f"机器人连接失败：{type(exc).__name__} {exc}"[:300])
        try:
            answer: Any = response.json()
        except (json.JSONDecodeError, UnicodeDecodeError):
            answer = None
        ok, error = rules.webhook_accepted(response.status_code, answer)
        return Outcome(ok, error=error)


class SmsProvider(Protocol):
    """What an SMS gateway must offer: send one text; raise or return False on failure.
    ``idempotency_key`` is stable across retries (most gateways take a client message id)."""

    name: str

    def send(self, phone: str, text: str, idempotency_key: str) -> bool: ...


_SMS: list[SmsProvider] = []


def plug_sms_provider(provider: SmsProvider | None) -> None:
    """Install (or with None remove) the SMS provider of this process."""
    _SMS.clear()
    if provider is not None:
        _SMS.append(provider)


def sms_provider() -> SmsProvider | None:
    return _SMS[0] if _SMS else None


class SmsChannel(_NoBookkeeping):
    def deliver(self, settings: Settings, idempotency_key: str, payload: dict[str, Any]) -> Outcome:
        provider = sms_provider()
        if provider is None:
            return Outcome(False, error="未接入短信服务商")
        try:
            sent = provider.send(str(payload["phone"]), str(payload["text"]), idempotency_key)
        except Exception as exc:  # a provider's failure is retried like any other
            return Outcome(False, error=f"短信发送失败：{type(exc).__name__} {exc}"[:300])
        return Outcome(bool(sent), error=None if sent else f"短信服务商 {provider.name} 拒收")


def available(settings: Settings) -> frozenset[Channel]:
    """The channels this process can use now (the site always)."""
    out = {Channel.SITE}
    if settings.smtp_host:
        out.add(Channel.EMAIL)
    if settings.notify_webhook_url:
        out.add(Channel.WEBHOOK)
    if sms_provider() is not None:
        out.add(Channel.SMS)
    return frozenset(out)


def handlers() -> dict[str, Handler]:
    """The outbox kinds of the notification channels (wired in eco263.wiring)."""
    return {
        OUTBOX_KINDS[Channel.EMAIL]: EmailChannel(),
        OUTBOX_KINDS[Channel.WEBHOOK]: WebhookChannel(),
        OUTBOX_KINDS[Channel.SMS]: SmsChannel(),
    }
