"""Pure rules of 行政处罚: fines per article (data), the decision clock, 加处罚款, duties;
and the catalogue keys answering through `eco263 deadlines due`."""

from __future__ import annotations

from datetime import date

import pytest
from typer.testing import CliRunner

from eco263.cli import app
from eco263.deadlines import load_catalogue
from eco263.enforcement import rules
from eco263.workdays import get_calendar

ARTICLE = "水污染防治法第83条"


def _calendar():  # type: ignore[no-untyped-def]
    return get_calendar(None)


def test_fine_range_and_thresholds_come_from_the_articles_file() -> None:
    article = rules.load_articles()[ARTICLE]
    assert rules.fine_refusal(article, 100_000) is None
    assert "超出" in (rules.fine_refusal(article, 99_999) or "")
    assert "超出" in (rules.fine_refusal(article, 1_000_001) or "")
    assert rules.hearing_right(article, 150_000)
    assert not rules.needs_collective(article, 150_000)
    assert rules.needs_collective(article, 200_000)


def test_surcharge_is_three_percent_a_day_capped_at_the_fine() -> None:
    due = date(2018, 6, 12)
    assert rules.surcharge(150_000, due, due) == 0
    assert rules.surcharge(150_000, due, date(2018, 6, 14)) == 9_000
    assert rules.surcharge(150_000, due, date(2018, 8, 1)) == 150_000


def test_decision_clock_pauses_and_extends() -> None:
    catalogue, calendar = load_catalogue(None), _calendar()
    filed = date(2018, 5, 10)
    plain = rules.decision_due(catalogue, calendar, filed, [], 0, filed)
    assert plain.due == date(2018, 8, 8)
    paused = rules.decision_due(
        catalogue, calendar, filed, [rules.Pause(date(2018, 5, 14), date(2018, 5, 24))], 0, filed
    )
    assert paused.due == date(2018, 8, 20)  # 08-18 is a Saturday: rolls to Monday
    assert "扣除中止 10 日" in paused.reason
    extended = rules.decision_due(catalogue, calendar, filed, [], 1, filed)
    assert extended.due == date(2018, 9, 7)
    running = rules.decision_due(
        catalogue, calendar, filed, [rules.Pause(date(2018, 5, 14), None)], 0, date(2018, 5, 20)
    )
    assert running.due == date(2018, 8, 14)


def test_the_investigator_never_approves() -> None:
    assert rules.duty_conflict(7, [7, 8])
    assert rules.duty_conflict(9, [7, 8]) is None


def test_move_refusal_names_what_is_allowed() -> None:
    assert rules.move_refusal("clue", "file") is None
    refusal = rules.move_refusal("clue", "decide") or ""
    assert "批准立案" in refusal and "不予立案" in refusal


@pytest.mark.parametrize(
    ("key", "start", "due"),
    [
        ("penalty.filing", "2018-05-02", "2018-05-17"),
        ("penalty.hearing_request", "2018-05-10", "2018-05-17"),
        ("penalty.decision", "2018-05-10", "2018-08-08"),
        ("penalty.service", "2018-05-25", "2018-06-05"),
        ("penalty.payment", "2018-05-28", "2018-06-12"),
        ("seizure.term", "2018-05-10", "2018-06-11"),
    ],
)
def test_catalogue_keys_answer_in_the_cli(key: str, start: str, due: str) -> None:
    result = CliRunner().invoke(app, ["deadlines", "due", key, start])
    assert result.exit_code == 0, result.output
    assert result.output.startswith(due), result.output


def test_unknown_key_fails_clearly() -> None:
    result = CliRunner().invoke(app, ["deadlines", "due", "penalty.nonsense", "2018-05-10"])
    assert result.exit_code != 0 and "没有规则" in result.output
