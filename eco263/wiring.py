"""The composition root: builds a process's runtime and wires what the layers below must not
know of each other — the audit journal, every package's audit vocabulary, the event
subscribers, the outbox handlers.

Every entry point (the web app, the CLI, the gateway, the scheduler, the workers, the tests)
builds its runtime here, so every process runs with the same listeners.
"""

from __future__ import annotations

from datetime import date

from eco263 import vocabulary
from eco263.alarms import enums as alarms_enums
from eco263.assessment import enums as assessment_enums
from eco263.audit.actions import record_many
from eco263.auth import enums as auth_enums
from eco263.bulletin import enums as bulletin_enums
from eco263.clock import SHANGHAI, Clock
from eco263.config import Settings
from eco263.context import Ctx
from eco263.enforcement import enums as enforcement_enums
from eco263.enforcement import service as enforcement_service
from eco263.events import EventBus
from eco263.evidence import enums as evidence_enums
from eco263.inquiries import enums as inquiries_enums
from eco263.inspections import enums as inspections_enums
from eco263.inspections import service as inspections_service
from eco263.joint_enforcement import enums as joint_enforcement_enums
from eco263.monitoring import enums as monitoring_enums
from eco263.notifications import channels as notification_channels
from eco263.notifications import enums as notifications_enums
from eco263.notifications import subscribers as notifications_subscribers
from eco263.outbox import enums as outbox_enums
from eco263.outbox.worker import Handler
from eco263.petitions import enums as petitions_enums
from eco263.petitions import service as petitions_service
from eco263.problems import enums as problems_enums
from eco263.registry import enums as registry_enums
from eco263.runtime import Runtime
from eco263.supervision import delivery as supervision_delivery
from eco263.supervision import enums as supervision_enums
from eco263.supervision import subscribers as supervision_subscribers
from eco263.transfers import enums as transfers_enums
from eco263.transfers import service as transfers_service
from eco263.transfers import subscribers as transfers_subscribers
from eco263.workbench import sources as workbench_sources
from eco263.workdays import CalendarRangeError


def event_bus() -> EventBus[Ctx]:
    """The bus with every domain's subscribers, in a fixed order."""
    bus: EventBus[Ctx] = EventBus()
    supervision_subscribers.subscribe(bus)
    transfers_subscribers.subscribe(bus)
    notifications_subscribers.subscribe(bus)
    return bus


def outbox_handlers() -> dict[str, Handler]:
    """Every outbox kind the worker delivers, by kind."""
    return {**supervision_delivery.handlers(), **notification_channels.handlers()}


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
    inspections_enums.AuditAction,
    inquiries_enums.AuditAction,
    notifications_enums.AuditAction,
    bulletin_enums.AuditAction,
)


def inspections_source(ctx: Ctx) -> list[workbench_sources.Item]:
    """待回复的监督意见书 / 待报送整改报告 (the inspected unit), 待审核整改报告 (the 纪委)."""
    return [
        workbench_sources.Item(
            w.kind,
            w.title,
            w.href,
            w.due_date,
            _workdays_left(ctx, w.due_date),
        )
        for w in inspections_service.waiting_for(ctx.session, ctx.actor)
    ]


def _workdays_left(ctx: Ctx, due: date | None) -> int | None:
    if due is None:
        return None
    try:
        return ctx.calendar.workdays_between(ctx.today, due)
    except CalendarRangeError:
        return None


def _cases_source(ctx: Ctx) -> list[workbench_sources.Item]:
    """待审批: the cases whose next step the reader (a unit's head) approves."""
    return [
        workbench_sources.Item(
            w.kind,
            w.title,
            f"/enforcement/cases/{w.case_id}",
            w.due,
            workbench_sources.days_left(ctx, w.due) if w.due else None,
        )
        for w in enforcement_service.waiting_for(ctx.session, ctx.actor, ctx.today)
    ]


def _transfers_source(ctx: Ctx) -> list[workbench_sources.Item]:
    """移送 steps waiting for the reader: the police's receipt and 立案 decision, the agency's."""
    items = []
    for kind, t in transfers_service.waiting_for(ctx.session, ctx.actor):
        due = t.due_at.astimezone(SHANGHAI).date() if t.due_at else None
        title = f"移送第{t.id}号：{t.summary[:40]}"
        left = workbench_sources.days_left(ctx, due) if due else None
        items.append(workbench_sources.Item(kind, title, f"/transfers/{t.id}", due, left))
    return items


def register_sources() -> None:
    """The 待办 sources of the domains that cannot import the workbench."""
    workbench_sources.register("enforcement", _cases_source)
    workbench_sources.register("transfers", _transfers_source)
    workbench_sources.register("inspections", inspections_source)
    workbench_sources.register("petitions", petitions_source)


def petitions_source(ctx: Ctx) -> list[workbench_sources.Item]:
    """待受理信访 (15-day clock), 待办理信访, 待答复复查/复核 with the days left."""

    def left(due: date | None) -> int | None:
        if due is None:
            return None
        try:
            return ctx.calendar.workdays_between(ctx.today, due)
        except CalendarRangeError:
            return None

    return [
        workbench_sources.Item(
            w.kind, w.title, f"/petitions/{w.petition_id}", w.due_date, left(w.due_date)
        )
        for w in petitions_service.waiting_for(ctx.session, ctx.actor)
    ]


def build_runtime(settings: Settings, clock: Clock | None = None) -> Runtime:
    vocabulary.register(*VOCABULARIES)
    register_sources()
    return Runtime.build(settings, clock, journal=record_many, bus=event_bus())
