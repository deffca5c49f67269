"""Statement counts of the clue paths: a batch of clues costs the same statements whatever its
size (a first sweep after an import opens 100,000s), and the reads behind a clue stay few."""

from __future__ import annotations

from datetime import date
from typing import Any

from eco263.actor import SYSTEM
from eco263.clock import parse_now
from eco263.problems.events import AssignmentFacts, RedCard, RedCardsRaised
from eco263.runtime import Runtime
from eco263.supervision.actions.rules_checks import do_open_red_card_clues
from tests.factories.problems import dispatch, register
from tests.supervision.making import tampering_clue
from tests.web.test_queries import counting


def _red_cards(as_user: Any, n: int) -> RedCardsRaised:
    cards = []
    with as_user("city", parse_now("2018-04-02T09:00")) as ctx:
        for i in range(n):
            problem = register(ctx, title=f"逾期未整改 {i}", due_date=date(2018, 4, 27))
            (a,) = dispatch(ctx, problem.id, due=date(2018, 4, 27))
            facts = AssignmentFacts(a.id, a.problem_id, a.organization_id)
            cards.append(RedCard(facts, date(2018, 4, 27)))
    return RedCardsRaised(tuple(cards), "主动履职不到位")


def _statements_to_open(rt: Runtime, event: RedCardsRaised) -> int:
    """Statements run to open the clues, the bulk INSERT of the clues counted once (SQLite runs
    an INSERT … RETURNING row by row inside the one :func:`eco263.db.insert_many` call)."""
    with counting(rt.engine) as statements, rt.unit_of_work(SYSTEM) as ctx:
        opened = do_open_red_card_clues(ctx, event)
    assert len(opened) == len(event.cards)
    clue_inserts = [s for s in statements if s.startswith("INSERT INTO clue ")]
    return len(statements) - len(clue_inserts) + 1


def test_a_batch_of_red_cards_costs_the_same_statements_whatever_its_size(
    rt: Runtime, as_user: Any
) -> None:
    small = _statements_to_open(rt, _red_cards(as_user, 2))
    large = _statements_to_open(rt, _red_cards(as_user, 12))
    assert small == large, (small, large)


def test_one_clue_costs_a_bounded_number_of_statements(rt: Runtime) -> None:
    with counting(rt.engine) as statements, rt.unit_of_work(SYSTEM) as ctx:
        tampering_clue(ctx)
    assert len(statements) <= 20, statements
