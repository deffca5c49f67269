"""Supervision's clue rules listening to the ledger (see :mod:`eco263.events`).

The composition root calls :func:`subscribe` once per process; each handler runs in the
ledger action's transaction, so a clue commits with its cause or not at all.
"""

from __future__ import annotations

from eco263.context import Ctx
from eco263.events import EventBus
from eco263.problems.events import (
    DeadlineExtended,
    ProblemRegistered,
    RectificationReturned,
    RedCardsRaised,
)
from eco263.supervision.actions import rules_checks


def _relapse(ctx: Ctx, event: ProblemRegistered) -> None:
    rules_checks.do_check_relapse(ctx, event)  # 假整改: a closed problem back again


def _returned(ctx: Ctx, event: RectificationReturned) -> None:
    rules_checks.do_check_failed_verification(ctx, event)  # 整改不到位


def _extended(ctx: Ctx, event: DeadlineExtended) -> None:
    rules_checks.do_check_extensions(ctx, event)  # deadline moved more than K times


def _red_cards(ctx: Ctx, event: RedCardsRaised) -> None:
    rules_checks.do_open_red_card_clues(ctx, event)  # 红牌


def subscribe(bus: EventBus[Ctx]) -> None:
    bus.subscribe(ProblemRegistered, _relapse)
    bus.subscribe(RectificationReturned, _returned)
    bus.subscribe(DeadlineExtended, _extended)
    bus.subscribe(RedCardsRaised, _red_cards)
