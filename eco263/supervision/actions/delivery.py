"""Delivery, as the outbox worker reports it (:mod:`eco263.supervision.delivery` is the plug):
a receipt recorded on each clue delivered, a dead delivery put on the record."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import insert, select, update

from eco263.context import Change, Ctx
from eco263.supervision.enums import AuditAction, ClueState
from eco263.supervision.models import Clue, ClueStateChange


def _subject(clue: Clue) -> tuple[str, int]:
    return ("problem", clue.problem_id) if clue.problem_id else ("clue", clue.id)


def do_mark_delivered(ctx: Ctx, delivered: Sequence[tuple[int, str | None]]) -> None:
    """The platform acknowledged these clues: record each receipt id (once), batched.

    A clue whose platform status overtook our record (``received`` arrived first) keeps
    it; only ``generated`` moves to ``delivered``.
    """
    receipts = dict(delivered)
    clues = ctx.session.scalars(
        select(Clue).where(Clue.id.in_(list(receipts)), Clue.delivered_at.is_(None))
    ).all()
    if not clues:
        return
    rows: list[dict[str, Any]] = []
    history: list[dict[str, Any]] = []
    changes: list[Change] = []
    for clue in clues:
        receipt = receipts[clue.id]
        generated = clue.state == ClueState.GENERATED.value
        rows.append(
            {
                "id": clue.id,
                "receipt_id": receipt,
                "delivered_at": ctx.now,
                "state": ClueState.DELIVERED.value if generated else clue.state,
                "state_changed_at": ctx.now if generated else clue.state_changed_at,
            }
        )
        history.append(
            {
                "clue_id": clue.id,
                "state": ClueState.DELIVERED.value,
                "note": f"已送达智慧监督平台，回执 {receipt or '（无）'}",
                "source": "eco263",
                "at": ctx.now,
            }
        )
        subject_type, subject_id = _subject(clue)
        changes.append(
            ctx.change(
                AuditAction.CLUE_DELIVER,
                subject_type,
                subject_id,
                None,
                {"clue_id": clue.id, "receipt_id": receipt},
            )
        )
    ctx.session.execute(update(Clue), rows)
    ctx.session.execute(insert(ClueStateChange), history)
    ctx.audit_many(changes)


def do_mark_delivery_dead(ctx: Ctx, clue_id: int, error: str) -> None:
    """Delivery gave up after the horizon: on the record, so someone retries it."""
    clue = ctx.session.get(Clue, clue_id)
    if clue is None:
        return
    ctx.audit(
        AuditAction.CLUE_DELIVERY_DEAD,
        *_subject(clue),
        None,
        {"clue_id": clue.id, "error": error[:300]},
    )
