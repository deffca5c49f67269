"""The daily digest (每日汇总), run by the scheduler once a day and by
``eco263 notifications digest``."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from eco263.actor import SYSTEM
from eco263.notifications.actions import do_send_digests
from eco263.runtime import Runtime


def send_digests(rt: Runtime, now: datetime) -> int:
    """Queue one digest e-mail per user holding messages for it; returns how many."""
    with rt.unit_of_work(SYSTEM) as ctx:
        return do_send_digests(replace(ctx, now=now))
