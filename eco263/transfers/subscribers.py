"""What transfers listen to: a tampering alarm's sealed evidence proposes a transfer."""

from __future__ import annotations

from eco263.alarms.events import TamperingSealed
from eco263.context import Ctx
from eco263.events import EventBus
from eco263.transfers import actions


def on_tampering_sealed(ctx: Ctx, event: TamperingSealed) -> None:
    actions.do_propose_from_alarm(ctx, event)


def subscribe(bus: EventBus[Ctx]) -> None:
    bus.subscribe(TamperingSealed, on_tampering_sealed)
