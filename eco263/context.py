"""What every action needs: the session (one transaction), who acts, when, the calendar, the
audit journal and the event bus.

Kernel module: the journal (the audit hash chain) and the bus are given by the composition root
(:mod:`eco263.wiring`), so nothing here imports a domain or the audit tables.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol

from sqlalchemy.orm import Session

from eco263.actor import Actor
from eco263.clock import local_date
from eco263.config import Settings
from eco263.events import EventBus
from eco263.vocabulary import LabelledAction
from eco263.workdays import WorkCalendar


@dataclass(frozen=True, slots=True)
class Change:
    """One audited change, before it is chained."""

    actor_id: int | None
    actor_name: str
    action: str
    subject_type: str
    subject_id: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None


class Journal(Protocol):
    """Appends changes to the audit chain in the caller's transaction (``audit.record_many``)."""

    def __call__(self, session: Session, changes: Sequence[Change], *, at: datetime) -> object: ...


@dataclass(frozen=True, slots=True)
class Ctx:
    session: Session
    actor: Actor
    now: datetime
    calendar: WorkCalendar
    settings: Settings
    journal: Journal
    bus: EventBus[Ctx]

    @property
    def today(self) -> date:
        """The office's local date (deadlines are local dates)."""
        return local_date(self.now)

    def change(
        self,
        action: LabelledAction,
        subject_type: str,
        subject_id: int | str,
        before: dict[str, Any] | None = None,
        after: dict[str, Any] | None = None,
    ) -> Change:
        """A change made by this context's actor (for :meth:`audit_many`)."""
        return Change(
            self.actor.user_id,
            self.actor.name,
            action.value,
            subject_type,
            str(subject_id),
            before,
            after,
        )

    def audit(
        self,
        action: LabelledAction,
        subject_type: str,
        subject_id: int | str,
        before: dict[str, Any] | None = None,
        after: dict[str, Any] | None = None,
    ) -> None:
        """Append an audit event in this context's transaction."""
        self.journal(
            self.session,
            [self.change(action, subject_type, subject_id, before, after)],
            at=self.now,
        )

    def audit_many(self, changes: Sequence[Change]) -> None:
        """Append several events in order, in this context's transaction (one head update)."""
        if changes:
            self.journal(self.session, changes, at=self.now)

    def announce(self, event: object) -> None:
        """Tell the subscribers what happened, in this transaction (see :mod:`eco263.events`)."""
        self.bus.publish(self, event)
