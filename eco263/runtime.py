"""Process-wide runtime: engine, session factory, calendar, clock, audit journal, event bus.

Built once per process by the composition root (:func:`eco263.wiring.build_runtime`), which
gives it the audit journal and the event bus with its subscribers; this kernel module imports
no domain.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from eco263.actor import SYSTEM, Actor
from eco263.clock import Clock, get_clock
from eco263.config import Settings
from eco263.context import Ctx, Journal
from eco263.db import make_engine, make_session_factory
from eco263.events import EventBus
from eco263.workdays import WorkCalendar, get_calendar


@dataclass(slots=True)
class Runtime:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    calendar: WorkCalendar
    clock: Clock
    journal: Journal
    bus: EventBus[Ctx]

    @classmethod
    def build(
        cls,
        settings: Settings,
        clock: Clock | None = None,
        *,
        journal: Journal,
        bus: EventBus[Ctx] | None = None,
    ) -> Runtime:
        engine = make_engine(settings.database_url)
        return cls(
            settings=settings,
            engine=engine,
            sessions=make_session_factory(engine),
            calendar=get_calendar(settings.holidays_file),
            clock=clock or get_clock(),
            journal=journal,
            bus=bus if bus is not None else EventBus(),
        )

    def context(
        self, session: Session, actor: Actor = SYSTEM, *, now: datetime | None = None
    ) -> Ctx:
        """A context on a session the caller manages (its transaction, its commit)."""
        at = self.clock.now() if now is None else now
        return Ctx(session, actor, at, self.calendar, self.settings, self.journal, self.bus)

    @contextmanager
    def unit_of_work(self, actor: Actor = SYSTEM) -> Iterator[Ctx]:
        """One transaction with everything an action needs; commits on success."""
        with self.sessions() as session, session.begin():
            yield self.context(session, actor)
