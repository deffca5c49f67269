"""Clues in a reader's jurisdiction (scoped reads for the API, the pages and the dashboard),
who may act on them, and the reads the clue rules need."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from eco263.actor import CLUE_READERS, Actor, Role
from eco263.errors import Forbidden, NotFound
from eco263.problems import service as problems
from eco263.registry.service import in_jurisdiction
from eco263.supervision import rules
from eco263.supervision.models import (
    Accountability,
    Clue,
    ClueStateChange,
    SupervisionOpinion,
)


def clue_total(session: Session) -> int:
    """How many clues exist (unscoped: for the system's own reports)."""
    return int(session.scalar(select(func.count(Clue.id))) or 0)


def clue_exists(session: Session, cause_key: str) -> bool:
    """Whether a clue was opened for this cause (unscoped: for the rules)."""
    return session.scalar(select(Clue.id).where(Clue.cause_key == cause_key)) is not None


def require_reader(actor: Actor) -> None:
    """Forbidden (403) unless the actor may read clues (:data:`eco263.actor.CLUE_READERS`)."""
    if not actor.is_system and actor.role not in CLUE_READERS:
        raise Forbidden("当前角色无权查看线索")


def clue_scope(actor: Actor) -> ColumnElement[bool]:
    """The WHERE clause that limits clues to the actor's jurisdiction (by division)."""
    return in_jurisdiction(actor, Clue.division_code)


def list_clues(
    session: Session,
    actor: Actor,
    *,
    state: str | None = None,
    cause: str | None = None,
    duty_failure: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> tuple[list[Clue], int]:
    """Clues in the actor's jurisdiction, newest first, and how many match in all."""
    require_reader(actor)
    query = select(Clue).where(clue_scope(actor))
    if state:
        query = query.where(Clue.state == state)
    if cause:
        query = query.where(Clue.cause_kind == cause)
    if duty_failure:
        query = query.where(Clue.duty_failure == duty_failure)
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    items = session.scalars(query.order_by(Clue.id.desc()).limit(limit).offset(offset))
    return list(items), int(total or 0)


def get_clue(session: Session, actor: Actor, clue_id: int) -> Clue:
    """The clue if it exists and is in scope; NotFound otherwise (scope cannot be probed)."""
    require_reader(actor)
    clue = session.scalar(select(Clue).where(Clue.id == clue_id, clue_scope(actor)))
    if clue is None:
        raise NotFound("线索")
    return clue


def history_of(session: Session, clue_id: int) -> list[ClueStateChange]:
    """The clue's status changes, oldest first (the caller has checked the clue's scope)."""
    return list(
        session.scalars(
            select(ClueStateChange)
            .where(ClueStateChange.clue_id == clue_id)
            .order_by(ClueStateChange.id)
        )
    )


def opinions_of(session: Session, clue_id: int) -> list[SupervisionOpinion]:
    """The 监督意见书 that came back for the clue, oldest first (scope checked by the caller)."""
    return list(
        session.scalars(
            select(SupervisionOpinion)
            .where(SupervisionOpinion.clue_id == clue_id)
            .order_by(SupervisionOpinion.id)
        )
    )


def accountability_of(
    session: Session, *, clue_id: int | None = None, org_id: int | None = None
) -> list[Accountability]:
    """问责 records of a clue and/or a unit, oldest first (all of them with neither)."""
    query = select(Accountability).order_by(Accountability.id)
    if clue_id is not None:
        query = query.where(Accountability.clue_id == clue_id)
    if org_id is not None:
        query = query.where(Accountability.organization_id == org_id)
    return list(session.scalars(query))


def may_retry_delivery(actor: Actor) -> bool:
    """Who may revive a dead delivery: the city office (as ``POST …/retry`` in the API)."""
    return actor.is_system or actor.role == Role.CITY_OFFICE


def may_open_manual_clue(actor: Actor) -> bool:
    """Who may hand a unit to supervision by hand: the city office (as
    :func:`eco263.supervision.actions.manual.do_open_manual_clue` checks)."""
    return actor.is_system or actor.role == Role.CITY_OFFICE


def clue_counts(session: Session, actor: Actor) -> dict[str, int]:
    """Clues per status in the actor's jurisdiction (the pipeline: generated → concluded)."""
    require_reader(actor)
    rows = session.execute(
        select(Clue.state, func.count()).where(clue_scope(actor)).group_by(Clue.state)
    ).all()
    return {str(status): int(n) for status, n in rows}


def recent_clues(session: Session, actor: Actor, *, limit: int) -> list[Clue]:
    """The newest clues in scope, for the dashboard's card (one statement: no total counted).

    Other roles than the readers get an empty list (the dashboard shows no card to them).
    """
    if not actor.is_system and actor.role not in CLUE_READERS:
        return []
    query = select(Clue).where(clue_scope(actor)).order_by(Clue.id.desc()).limit(limit)
    return list(session.scalars(query))


# -- reads for the rules --------------------------------------------------------------------------


def recently_closed(
    session: Session, target: rules.ProblemTarget, *, exclude_id: int, since: datetime
) -> list[rules.ClosedProblem]:
    """Closed (销号, not merged) problems since ``since`` that may share ``target``: the same
    category, and the same enterprise or the same water body in the same division (the
    rule itself is :func:`rules.relapsed`)."""
    closed = problems.closed_on_same_target(
        session,
        category_code=target.category_code,
        enterprise_id=target.enterprise_id,
        water_body=target.water_body,
        division_code=target.division_code,
        since=since,
        exclude_id=exclude_id,
    )
    return [
        rules.ClosedProblem(
            p.id,
            rules.ProblemTarget(p.enterprise_id, p.water_body, p.division_code, p.category_code),
            p.closed_at,
        )
        for p in closed
        if p.closed_at is not None
    ]


def window_start(now: datetime, days: int) -> datetime:
    """The start of a watch window of ``days`` days ending at ``now``."""
    return now - timedelta(days=days)
