"""The composition root: builds a process's runtime and wires what the layers below must not
know of each other — the audit journal, the event subscribers, the outbox handlers.

Every entry point (the web app, the CLI, the gateway, the scheduler, the workers, the tests)
builds its runtime here, so every process runs with the same listeners.
"""

from __future__ import annotations

from eco263.audit.actions import record_many
from eco263.clock import Clock
from eco263.config import Settings
from eco263.context import Ctx
from eco263.events import EventBus
from eco263.outbox.worker import Handler
from eco263.runtime import Runtime
from eco263.supervision import delivery as supervision_delivery
from eco263.supervision import subscribers as supervision_subscribers


def event_bus() -> EventBus[Ctx]:
    """The bus with every domain's subscribers, in a fixed order."""
    bus: EventBus[Ctx] = EventBus()
    supervision_subscribers.subscribe(bus)
    return bus


def outbox_handlers() -> dict[str, Handler]:
    """Every outbox kind the worker delivers, by kind."""
    return {**supervision_delivery.handlers()}


def build_runtime(settings: Settings, clock: Clock | None = None) -> Runtime:
    return Runtime.build(settings, clock, journal=record_many, bus=event_bus())
