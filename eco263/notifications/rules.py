"""Pure notification rules: default channels, quiet hours, what each channel sends.

No database, no I/O: ``now`` and the preferences are parameters.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from eco263.notifications.enums import KIND_LABELS, Channel, Kind

#: External channels a user gets without settings of their own (the site is always on).
#: E-mail only reaches a user who gave an address; the robot only posts where a URL is set.
DEFAULT_CHANNELS: dict[Kind, frozenset[Channel]] = {
    kind: frozenset({Channel.EMAIL}) for kind in Kind if kind is not Kind.ALARM
} | {
    Kind.ALARM: frozenset(),
    Kind.YELLOW: frozenset({Channel.EMAIL, Channel.WEBHOOK}),
    Kind.RED: frozenset({Channel.EMAIL, Channel.WEBHOOK}),
    Kind.URGE: frozenset({Channel.EMAIL, Channel.WEBHOOK}),
}

#: Channels that wait for the end of quiet hours (the site never waits).
DEFERRABLE = frozenset({Channel.EMAIL, Channel.WEBHOOK})

_HHMM = re.compile(r"([01][0-9]|2[0-3]):([0-5][0-9])")
_EMAIL = re.compile(r"[^@\s]{1,64}@[A-Za-z0-9.-]{1,252}\.[A-Za-z]{2,24}")
_PHONE = re.compile(r"1[3-9][0-9]{9}")


def parse_hhmm(text: str) -> int | None:
    """``"22:00"`` → minutes after midnight; empty → None; anything else → ValueError."""
    text = (text or "").strip()
    if not text:
        return None
    match = _HHMM.fullmatch(text)
    if match is None:
        raise ValueError("时间应为 时:分（如 22:00）")
    return int(match.group(1)) * 60 + int(match.group(2))


def hhmm(minutes: int | None) -> str:
    return "" if minutes is None else f"{minutes // 60:02d}:{minutes % 60:02d}"


def email_ok(text: str) -> bool:
    return bool(_EMAIL.fullmatch(text))


def phone_ok(text: str) -> bool:
    return bool(_PHONE.fullmatch(text))


def quiet_until(now: datetime, start: int | None, end: int | None, tz: ZoneInfo) -> datetime | None:
    """The instant quiet hours end if ``now`` lies inside them, else None.

    The window is local time [start, end); it may wrap midnight (22:00–07:00).
    """
    if start is None or end is None or start == end:
        return None
    local = now.astimezone(tz)
    minute = local.hour * 60 + local.minute
    inside = start <= minute < end if start < end else (minute >= start or minute < end)
    if not inside:
        return None
    end_day = local.date()
    if start > end and minute >= start:  # before midnight: it ends tomorrow
        end_day += timedelta(days=1)
    ends = datetime.combine(end_day, time(end // 60, end % 60), tzinfo=tz)
    return ends.astimezone(now.tzinfo)


def chosen_channels(
    kind: Kind, preferences: Mapping[str, Any] | None, available: Iterable[Channel]
) -> frozenset[Channel]:
    """The external channels a user wants for ``kind`` (their own list, else the default),
    limited to those that can reach them."""
    wanted: frozenset[Channel]
    if preferences is not None and kind.value in preferences:
        wanted = frozenset(
            Channel(c) for c in preferences[kind.value] if c in Channel._value2member_map_
        )
    else:
        wanted = DEFAULT_CHANNELS[kind]
    return wanted & frozenset(available) - {Channel.SITE}


@dataclass(frozen=True, slots=True)
class Message:
    """What every channel says of one notification."""

    kind: Kind
    title: str
    body: str
    href: str | None

    def text(self, base_url: str = "") -> str:
        link = f"\n{base_url.rstrip('/')}{self.href}" if self.href and base_url else ""
        return f"【{KIND_LABELS[self.kind]}】{self.title}\n{self.body}{link}"


def webhook_body(message: Message, base_url: str = "") -> dict[str, Any]:
    """The group robot's JSON (企业微信 and 钉钉 both read ``msgtype`` text)."""
    return {"msgtype": "text", "text": {"content": message.text(base_url)}}


def webhook_accepted(status: int, body: Any) -> tuple[bool, str | None]:
    """A robot answers 200 with ``errcode`` 0 when it posted; anything else is retried."""
    if not 200 <= status < 300:
        return False, f"HTTP {status}"
    if isinstance(body, dict) and body.get("errcode") not in (None, 0):
        return False, f"机器人拒收：{body.get('errcode')} {str(body.get('errmsg', ''))[:200]}"
    return True, None


def digest_text(lines: Sequence[Message], day: str, base_url: str = "") -> tuple[str, str]:
    """The daily digest e-mail: subject and body."""
    subject = f"每日通知汇总（{day}，共 {len(lines)} 条）"
    body = "\n\n".join(m.text(base_url) for m in lines)
    return subject, body
