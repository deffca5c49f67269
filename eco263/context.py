"""What every action needs: the session (one transaction), who acts, when, and the calendar."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from eco263.audit.actions import Change, record
from eco263.auth.scope import Actor
from eco263.clock import local_date
from eco263.config import Settings
from eco263.workdays import WorkCalendar


@dataclass(frozen=True, slots=True)
class Ctx:
    session: Session
    actor: Actor
    now: datetime
    calendar: WorkCalendar
    settings: Settings

    @property
    def today(self) -> date:
        """The office's local date (deadlines are local dates)."""
        return local_date(self.now)

    def audit(
        self,
        action: str,
        subject_type: str,
        subject_id: int | str,
        before: dict[str, Any] | None = None,
        after: dict[str, Any] | None = None,
    ) -> None:
        """Append an audit event in this context's transaction."""
        change = Change(
            self.actor.user_id,
            self.actor.name,
            action,
            subject_type,
            str(subject_id),
            before,
            after,
        )
        record(self.session, change, at=self.now)
