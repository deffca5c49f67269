"""Process-wide runtime: engine, session factory, calendar, clock — built once per app."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from eco263.auth.scope import SYSTEM, Actor
from eco263.clock import Clock, get_clock
from eco263.config import Settings
from eco263.context import Ctx
from eco263.db import make_engine, make_session_factory
from eco263.workdays import WorkCalendar, get_calendar


@dataclass(slots=True)
class Runtime:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    calendar: WorkCalendar
    clock: Clock

    @classmethod
    def build(cls, settings: Settings, clock: Clock | None = None) -> Runtime:
        engine = make_engine(settings.database_url)
        return cls(
            settings=settings,
            engine=engine,
            sessions=make_session_factory(engine),
            calendar=get_calendar(settings.holidays_file),
            clock=clock or get_clock(),
        )

    @contextmanager
    def unit_of_work(self, actor: Actor = SYSTEM) -> Iterator[Ctx]:
        """One transaction with everything an action needs; commits on success."""
        with self.sessions() as session, session.begin():
            yield Ctx(session, actor, self.clock.now(), self.calendar, self.settings)
