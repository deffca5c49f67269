"""Reads of 专题询问, scoped to who may read them.

An office, the 纪委 and a leader read the sittings of their division subtree; a department
(or the police) reads the sittings where it answers a question or carries a task; an
enterprise reads none.  A sitting out of scope is a 404 like a missing one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, false, or_, select, true
from sqlalchemy.orm import Session

from eco263.actor import Actor, Role
from eco263.audit.service import timeline, timeline_for
from eco263.errors import NotFound
from eco263.inquiries import rules
from eco263.inquiries.enums import TASK_STATE_LABELS, ReportState
from eco263.inquiries.models import (
    InquiryQuestion,
    InquiryRating,
    InquirySitting,
    InquiryTask,
    InquiryTracking,
)
from eco263.problems import service as problems
from eco263.problems.enums import AssignmentState
from eco263.registry.service import in_jurisdiction


def sitting_filter(actor: Actor) -> ColumnElement[bool]:
    """The WHERE clause limiting sittings to what ``actor`` may read."""
    if actor.is_system:
        return true()
    if actor.role == Role.ENTERPRISE:
        return false()
    if actor.role in rules.ANSWERING_ROLES:
        if actor.organization_id is None:
            return false()
        asked = select(InquiryQuestion.sitting_id).where(
            InquiryQuestion.organization_id == actor.organization_id
        )
        tasked = select(InquiryTask.sitting_id).where(
            InquiryTask.organization_id == actor.organization_id
        )
        return or_(InquirySitting.id.in_(asked), InquirySitting.id.in_(tasked))
    return in_jurisdiction(actor, InquirySitting.division_code)


def get_sitting(session: Session, actor: Actor, sitting_id: int) -> InquirySitting:
    found = session.scalar(
        select(InquirySitting).where(InquirySitting.id == sitting_id, sitting_filter(actor))
    )
    if found is None:
        raise NotFound("专题询问")
    return found


def list_sittings(
    session: Session, actor: Actor, *, limit: int = 50, offset: int = 0
) -> list[InquirySitting]:
    query = (
        select(InquirySitting)
        .where(sitting_filter(actor))
        .order_by(InquirySitting.held_on.desc(), InquirySitting.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return list(session.scalars(query))


def get_question(session: Session, actor: Actor, question_id: int) -> InquiryQuestion:
    """The question if its sitting is readable by ``actor``; NotFound otherwise."""
    question = session.get(InquiryQuestion, question_id)
    if question is None:
        raise NotFound("询问问题")
    get_sitting(session, actor, question.sitting_id)
    return question


def questions_of(session: Session, sitting_id: int) -> list[InquiryQuestion]:
    return list(
        session.scalars(
            select(InquiryQuestion)
            .where(InquiryQuestion.sitting_id == sitting_id)
            .order_by(InquiryQuestion.id)
        )
    )


def tasks_of(session: Session, sitting_id: int) -> list[InquiryTask]:
    return list(
        session.scalars(
            select(InquiryTask).where(InquiryTask.sitting_id == sitting_id).order_by(InquiryTask.id)
        )
    )


@dataclass(frozen=True, slots=True)
class TaskView:
    """A task with its ledger state and outcome (the unit's last rectification note)."""

    task: InquiryTask
    due_date: date
    state: str
    state_label: str
    outcome: str
    done: bool


def task_views(session: Session, actor: Actor, sitting_id: int) -> list[TaskView]:
    tasks = tasks_of(session, sitting_id)
    if not tasks:
        return []
    submitted: dict[int, str] = {}
    verified: dict[int, str] = {}
    events = timeline_for(session, actor, "problem", [str(t.problem_id) for t in tasks])
    for event in events:
        note = str((event.after or {}).get("note") or "")
        if note and event.action == "assignment.submit":
            submitted[int(event.subject_id)] = note
        elif note and event.action == "assignment.verify":
            verified[int(event.subject_id)] = note
    notes = {
        pid: text + (f"（核查：{verified[pid]}）" if pid in verified else "")
        for pid, text in submitted.items()
    }
    views = []
    for task in tasks:
        assignment = next(
            a
            for a in problems.assignments_of(session, task.problem_id)
            if a.id == task.assignment_id
        )
        state = assignment.state
        label = TASK_STATE_LABELS.get(state, state)
        views.append(
            TaskView(
                task,
                assignment.due_date,
                state,
                label,
                notes.get(task.problem_id, ""),
                state == AssignmentState.VERIFIED.value,
            )
        )
    return views


def rating_counts(session: Session, sitting_id: int) -> dict[str, int]:
    votes = session.scalars(
        select(InquiryRating.rating).where(InquiryRating.sitting_id == sitting_id)
    )
    return rules.count_ratings(votes)


def ratings_of(session: Session, sitting_id: int) -> list[InquiryRating]:
    return list(
        session.scalars(
            select(InquiryRating)
            .where(InquiryRating.sitting_id == sitting_id)
            .order_by(InquiryRating.id)
        )
    )


def tracking_of(session: Session, sitting_id: int) -> list[InquiryTracking]:
    return list(
        session.scalars(
            select(InquiryTracking)
            .where(InquiryTracking.sitting_id == sitting_id)
            .order_by(InquiryTracking.held_on, InquiryTracking.id)
        )
    )


def unanswered_for(session: Session, actor: Actor) -> list[tuple[InquiryQuestion, str]]:
    """待答复的询问: the questions put to the actor's own unit without an answer yet."""
    if actor.role not in rules.ANSWERING_ROLES or actor.organization_id is None:
        return []
    rows = session.execute(
        select(InquiryQuestion, InquirySitting.session_name)
        .join(InquirySitting, InquirySitting.id == InquiryQuestion.sitting_id)
        .where(
            InquiryQuestion.organization_id == actor.organization_id,
            InquiryQuestion.answered_at.is_(None),
        )
        .order_by(InquiryQuestion.id)
        .limit(200)
    )
    return [(q, name) for q, name in rows]


def reports_pending(session: Session, actor: Actor) -> list[InquirySitting]:
    """Sittings whose 审议意见 arrived and whose report is not yet submitted (offices)."""
    if not (actor.is_office or actor.role == Role.VIEWER):
        return []
    return list(
        session.scalars(
            select(InquirySitting)
            .where(
                sitting_filter(actor),
                InquirySitting.report_due.is_not(None),
                InquirySitting.report_state != ReportState.SUBMITTED.value,
            )
            .order_by(InquirySitting.report_due)
            .limit(200)
        )
    )


def overdue_reports(session: Session, today: date) -> list[InquirySitting]:
    """Sittings whose handling report is not submitted after ``report_due`` (for the
    scheduler: no actor, every area)."""
    return list(
        session.scalars(
            select(InquirySitting)
            .where(
                InquirySitting.report_due.is_not(None),
                InquirySitting.report_due < today,
                InquirySitting.report_state != ReportState.SUBMITTED.value,
            )
            .order_by(InquirySitting.report_due, InquirySitting.id)
        )
    )


def flagged(session: Session, action: str, ids: list[int]) -> set[int]:
    """Which sittings of ``ids`` already carry an audit event ``action``."""
    if not ids:
        return set()
    events = timeline(session, "inquiry_sitting", [str(i) for i in ids])
    return {int(e.subject_id) for e in events if e.action == action}
