"""Scores from the ledger, traceable to records; versioning; who may write; the CLI."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from eco263.assessment import actions, service
from eco263.assessment.models import AssessmentScheme, AssessmentScore
from eco263.cli import app as cli_app
from eco263.clock import SHANGHAI
from eco263.config import get_settings
from eco263.errors import Conflict, Forbidden, InvalidInput, NotFound
from eco263.problems.enums import Move
from tests.factories.problems import dispatch, register, work

DEMO = Path(__file__).parents[2] / "eco263" / "data" / "assessment_2018.yaml"
LATER = datetime(2018, 6, 1, 9, tzinfo=SHANGHAI)
WJ, KS = "320509", "320583"


def _scheme(as_user: Any) -> int:
    with as_user("city") as ctx:
        scheme = actions.do_import_scheme(ctx, DEMO.read_text(encoding="utf-8"))
        actions.do_activate_scheme(ctx, scheme.id)
        return scheme.id


def _ledger(as_user: Any) -> dict[str, int]:
    """昆山: one closed on time, one open past its deadline by June, one open not yet due."""
    ids = {}
    with as_user("city") as ctx:
        for name, due in (
            ("on_time", date(2018, 5, 20)),
            ("late", date(2018, 5, 25)),
            ("pending", date(2018, 6, 30)),
        ):
            problem = register(ctx, title=f"测试问题{name}", due_date=due)
            assignment = dispatch(ctx, problem.id, due=due)[0]
            ids[name], ids[f"{name}_a"] = problem.id, assignment.id
    work(as_user, ids["on_time_a"], Move.ACCEPT, Move.SUBMIT, Move.VERIFY)
    return ids


def test_scores_trace_every_point_to_a_record(as_user: Any) -> None:
    scheme_id = _scheme(as_user)
    ids = _ledger(as_user)
    with as_user("city", LATER) as ctx:
        actions.do_enter_value(ctx, scheme_id, "2018", KS, "air", 80)
        computed = actions.do_compute_scores(ctx, scheme_id, "2018")
    totals = {s.division_code: s.total for _, s in computed.ranked}
    # 昆山: on time 1/2 ÷ 0.95 × 40, overdue −1, air 8, bonus 0.1; no water value.
    assert totals[KS] == pytest.approx(40 * 0.5 / 0.95 + 14 + 10 + 10 + 5 + 5 + 8 + 0.1)
    # 吴江 has nothing due: full weight on computed indicators, nothing entered.
    assert totals[WJ] == pytest.approx(85)
    with as_user("kunshan") as ctx:
        score = service.score_of(ctx.session, ctx.actor, scheme_id, "2018", KS)
        detail = {d["key"]: d for d in score.detail}
        on_time = {f["id"]: f for f in detail["on_time"]["facts"]}
        assert on_time[ids["on_time"]]["outcome"] == "hit"
        assert on_time[ids["late"]]["points"] < 0
        assert on_time[ids["late"]]["link"] == f"/problems/{ids['late']}"
        assert on_time[ids["pending"]]["outcome"] == "pending"
        assert [f["id"] for f in detail["overdue"]["facts"] if f["points"]] == [ids["late"]]
        # a district office reads its own score only
        assert [
            s.division_code for s in service.scores(ctx.session, ctx.actor, scheme_id, "2018")
        ] == [KS]
        with pytest.raises(NotFound):
            service.score_of(ctx.session, ctx.actor, scheme_id, "2018", WJ)
    with as_user("city", LATER) as ctx:
        scheme = service.get_scheme(ctx.session, scheme_id)
        from eco263.assessment.rules import parse_period

        costs = service.what_if_costs(
            ctx.session, ctx.actor, scheme, parse_period("2018"), KS, ctx.today
        )
    assert [c.record_id for c in costs] == [ids["pending"]]
    assert costs[0].points > 1  # its on-time share and a deduction


def test_a_scheme_in_use_is_superseded_not_edited(as_user: Any) -> None:
    scheme_id = _scheme(as_user)
    text = DEMO.read_text(encoding="utf-8")
    with as_user("city") as ctx, pytest.raises(Conflict, match="不能修改"):
        actions.do_update_scheme(ctx, scheme_id, text)
    with as_user("city") as ctx:
        second = actions.do_import_scheme(ctx, text.replace("演示权重", "第二版"))
        assert second.version == 2
        actions.do_update_scheme(ctx, second.id, text)  # a draft may be edited
        actions.do_activate_scheme(ctx, second.id)
    with as_user("city") as ctx:
        states = dict(
            ctx.session.execute(select(AssessmentScheme.id, AssessmentScheme.state)).all()
        )
    assert states == {scheme_id: "superseded", second.id: "in_use"}


def test_only_the_city_office_writes(as_user: Any) -> None:
    scheme_id = _scheme(as_user)
    text = DEMO.read_text(encoding="utf-8")
    for who in ("kunshan", "ks_epb", "leader", "yld"):
        with as_user(who) as ctx:
            for write in (
                lambda c: actions.do_import_scheme(c, text),
                lambda c: actions.do_activate_scheme(c, scheme_id),
                lambda c: actions.do_compute_scores(c, scheme_id, "2018"),
                lambda c: actions.do_enter_value(c, scheme_id, "2018", KS, "air", 100),
            ):
                with pytest.raises(Forbidden):
                    write(ctx)
    with as_user("city") as ctx:
        assert ctx.session.scalar(select(func.count()).select_from(AssessmentScore)) == 0


def test_bad_input_changes_nothing(as_user: Any) -> None:
    scheme_id = _scheme(as_user)
    with as_user("city") as ctx:
        with pytest.raises(InvalidInput, match="不是有效的 YAML"):
            actions.do_import_scheme(ctx, "year: [")
        with pytest.raises(InvalidInput, match="考核期间格式"):
            actions.do_compute_scores(ctx, scheme_id, "2018年")
        with pytest.raises(InvalidInput, match="不在方案年度"):
            actions.do_compute_scores(ctx, scheme_id, "2019")
        with pytest.raises(InvalidInput, match="由系统计算"):
            actions.do_enter_value(ctx, scheme_id, "2018", KS, "on_time", 50)
        with pytest.raises(InvalidInput, match="0—100"):
            actions.do_enter_value(ctx, scheme_id, "2018", KS, "air", 120)
        with pytest.raises(NotFound):
            actions.do_compute_scores(ctx, 999_999, "2018")
        draft = actions.do_import_scheme(ctx, DEMO.read_text(encoding="utf-8"))
        with pytest.raises(Conflict, match="尚未启用"):
            actions.do_compute_scores(ctx, draft.id, "2018")


def test_cli_imports_exports_computes_and_explains(
    as_user: Any, database: Any, settings: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = _ledger(as_user)
    monkeypatch.setenv("ECO263_DATABASE_URL", database.url)
    monkeypatch.setenv("ECO263_DATA_DIR", str(tmp_path))
    get_settings.cache_clear()
    try:
        runner = CliRunner()
        result = runner.invoke(cli_app, ["assess", "scheme", "import", str(DEMO)])
        assert result.exit_code == 0, result.output
        with as_user("city") as ctx:
            scheme_id = max(s.id for s in service.list_schemes(ctx.session))
        out = tmp_path / "exported.yaml"
        result = runner.invoke(
            cli_app, ["assess", "scheme", "export", str(scheme_id), "--output", str(out)]
        )
        assert result.exit_code == 0 and "问题按期办结率" in out.read_text(encoding="utf-8")
        result = runner.invoke(cli_app, ["assess", "--scheme", str(scheme_id), "--period", "2018"])
        assert result.exit_code == 2 and "尚未启用" in result.output
        assert (
            runner.invoke(cli_app, ["assess", "scheme", "activate", str(scheme_id)]).exit_code == 0
        )
        result = runner.invoke(
            cli_app, ["assess", "--scheme", str(scheme_id), "--period", "2018", "--explain", KS]
        )
        assert result.exit_code == 0, result.output
        assert "昆山" in result.output and f"/problems/{ids['late']}" in result.output
        bad = tmp_path / "bad.yaml"
        bad.write_text(
            DEMO.read_text(encoding="utf-8").replace("weight: 40", "weight: 45"), encoding="utf-8"
        )
        result = runner.invoke(cli_app, ["assess", "scheme", "import", str(bad)])
        assert result.exit_code == 2 and "权重之和为 105" in result.output
    finally:
        get_settings.cache_clear()
