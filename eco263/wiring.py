"""The composition root: builds a process's runtime and wires what the layers below must not
know of each other — the audit journal, every package's audit vocabulary, the event
subscribers, the outbox handlers.

Every entry point (the web app, the CLI, the gateway, the scheduler, the workers, the tests)
builds its runtime here, so every process runs with the same listeners.
"""

from __future__ import annotations

from eco263 import vocabulary
from eco263.alarms import enums as alarms_enums
from eco263.assessment import enums as assessment_enums
from eco263.audit.actions import record_many
from eco263.auth import enums as auth_enums
from eco263.bulletin import enums as bulletin_enums
from eco263.clock import Clock
from eco263.config import Settings
from eco263.context import Ctx
from eco263.enforcement import enums as enforcement_enums
from eco263.events import EventBus
from eco263.evidence import enums as evidence_enums
from eco263.joint_enforcement import enums as joint_enforcement_enums
from eco263.monitoring import enums as monitoring_enums
from eco263.outbox import enums as outbox_enums
from eco263.outbox.worker import Handler
from eco263.petitions import enums as petitions_enums
from eco263.problems import enums as problems_enums
from eco263.registry import enums as registry_enums
from eco263.runtime import Runtime
from eco263.supervision import delivery as supervision_delivery
from eco263.supervision import enums as supervision_enums
from eco263.supervision import subscribers as supervision_subscribers
from eco263.transfers import enums as transfers_enums
from eco263.transfers import subscribers as transfers_subscribers


def event_bus() -> EventBus[Ctx]:
    """The bus with every domain's subscribers, in a fixed order."""
    bus: EventBus[Ctx] = EventBus()
    supervision_subscribers.subscribe(bus)
    transfers_subscribers.subscribe(bus)
    return bus


def outbox_handlers() -> dict[str, Handler]:
    """Every outbox kind the worker delivers, by kind."""
    return {**supervision_delivery.handlers()}


VOCABULARIES = (
    auth_enums.AuditAction,
    registry_enums.AuditAction,
    outbox_enums.AuditAction,
    evidence_enums.AuditAction,
    problems_enums.AuditAction,
    monitoring_enums.AuditAction,
    supervision_enums.AuditAction,
    alarms_enums.AuditAction,
    assessment_enums.AuditAction,
    joint_enforcement_enums.AuditAction,
    petitions_enums.AuditAction,
    enforcement_enums.AuditAction,
    transfers_enums.AuditAction,
    bulletin_enums.AuditAction,
)


def build_runtime(settings: Settings, clock: Clock | None = None) -> Runtime:
    vocabulary.register(*VOCABULARIES)
    return Runtime.build(settings, clock, journal=record_many, bus=event_bus())
