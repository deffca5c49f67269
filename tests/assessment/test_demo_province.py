"""The demo's 2018 assessment (both databases): the scheme in use, April 2018's scores from the
demo's record with every point linked to its record, the dashboard ranking by score, the
province's 2017 table (苏州 92.46, first) beside ours; a second replay changes nothing.  The
province table imported by the CLI (CSV and YAML; a re-import replaces the year, audited) and
every bad input refused with a clear error, nothing changed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from typer.testing import CliRunner

from eco263.actor import SYSTEM
from eco263.assessment import actions, demo, service
from eco263.assessment.models import ProvinceScore
from eco263.audit.models import AuditEvent
from eco263.cli import app as cli_app
from eco263.config import get_settings
from eco263.demo import seed_story
from eco263.errors import Forbidden, InvalidInput
from eco263.problems.models import Problem
from eco263.runtime import Runtime
from tests.web.conftest import page_login, post_form

GOOD_CSV = "城市,得分,名次\n苏州,92.46,1\n无锡市,90.1,2\n"


def test_the_demo_scores_april_and_traces_each_point(rt: Runtime, client: TestClient) -> None:
    with rt.unit_of_work() as ctx:
        seed_story(ctx)
    with rt.sessions() as s:
        ranking = service.latest_ranking(s, SYSTEM)
        assert ranking is not None and ranking.period == "2018-04"
        assert ranking.scheme.state == "in_use" and ranking.scheme.year == 2018
        codes = {d.code for d in service.scored_divisions(s)}
        assert {r.division_code for r in ranking.rows} == codes
        assert [r.rank for r in ranking.rows] == sorted(r.rank for r in ranking.rows)
        linked = [
            f
            for r in ranking.rows
            for d in r.detail
            for f in d["facts"]
            if f["link"].startswith("/problems/")
        ]
        assert linked, "no point traced to a problem"
        ids = {int(f["link"].rsplit("/", 1)[1]) for f in linked}
        assert s.scalar(select(func.count()).where(Problem.id.in_(ids))) == len(ids)
        assert any(f["points"] for f in linked)
        table = service.province_table(s, 2017)
        assert [(p.city, p.score, p.rank) for p in table] == [("苏州市", 92.46, 1)]
        before = s.scalar(select(AuditEvent.id).order_by(AuditEvent.id.desc()))
    with rt.unit_of_work() as ctx:
        assert demo.replay(ctx) == 0
    with rt.sessions() as s:
        assert s.scalar(select(AuditEvent.id).order_by(AuditEvent.id.desc())) == before
    page_login(client, "city")
    assert "按考核得分" in client.get("/").text
    page = client.get(f"/assessment/{ranking.scheme.id}/scores?period=2018-04")
    assert page.status_code == 200
    assert "省考核设区市得分" in page.text and "2017 年度" in page.text
    assert "苏州市（本市）" in page.text and "92.46" in page.text
    best = ranking.rows[0]
    explain = client.get(
        f"/assessment/{ranking.scheme.id}/scores/{best.division_code}?period=2018-04"
    )
    assert explain.status_code == 200 and 'href="/problems/' in explain.text


def _cli(database: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("ECO263_DATABASE_URL", database.url)
    monkeypatch.setenv("ECO263_DATA_DIR", str(tmp_path))
    get_settings.cache_clear()
    runner = CliRunner()

    def run(name: str, text: str, year: str = "2017") -> Any:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return runner.invoke(cli_app, ["assess", "province", "import", str(path), "--year", year])

    return run


def _table(as_user: Any, year: int = 2017) -> list[tuple[str, float, int]]:
    with as_user("city") as ctx:
        return [(p.city, p.score, p.rank) for p in service.province_table(ctx.session, year)]


def test_cli_imports_and_replaces_the_year(
    as_user: Any, database: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run = _cli(database, tmp_path, monkeypatch)
    try:
        result = run("p.csv", GOOD_CSV)
        assert result.exit_code == 0 and "2 个设区市" in result.output, result.output
        assert _table(as_user) == [("苏州市", 92.46, 1), ("无锡市", 90.1, 2)]
        result = run("p.yaml", "cities:\n  - {city: 苏州市, score: 92.46, rank: 1}\n")
        assert result.exit_code == 0, result.output
        assert _table(as_user) == [("苏州市", 92.46, 1)]
        with as_user("city") as ctx:
            events = ctx.session.scalars(
                select(AuditEvent)
                .where(AuditEvent.action == "assessment.published_import")
                .order_by(AuditEvent.id)
            ).all()
        assert len(events) == 2 and events[0].before is None
        assert events[1].before is not None and len(events[1].before["rows"]) == 2
    finally:
        get_settings.cache_clear()


BAD = [
    ("p.csv", "城市,得分,名次\n上海,90,1\n", "“上海”不是江苏省的设区市"),
    ("p.csv", "城市,得分,名次\n苏州,92.46,1\n苏州市,90,2\n", "第 2 行：苏州市 重复"),
    ("p.csv", "城市,得分,名次\n苏州,102,1\n", "不在 0—100 之间"),
    ("p.csv", "城市,得分,名次\n苏州,-1,1\n", "不在 0—100 之间"),
    ("p.csv", "城市,得分,名次\n苏州,九十,1\n", "得分“九十”不是数字"),
    ("p.csv", "城市,得分,名次\n苏州,92,第一\n", "名次“第一”应为 1—13 的整数"),
    ("p.csv", "城市,分数\n苏州,92\n", "表头应为：城市,得分,名次"),
    ("p.csv", "城市,得分,名次\n", "文件中没有得分"),
    ("p.yaml", "cities: [", "不是有效的 YAML"),
    ("p.yaml", "cities: {city: 苏州}", "cities 列表"),
    ("p.yaml", "cities:\n  - {city: 苏州, score: true, rank: 1}\n", "不是数字"),
    ("p.txt", "苏州 92.46", "只能导入 .csv 或 .yaml 文件"),
]


def test_bad_input_is_refused_and_changes_nothing(
    as_user: Any, database: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run = _cli(database, tmp_path, monkeypatch)
    try:
        assert run("good.csv", GOOD_CSV).exit_code == 0
        with as_user("city") as ctx:
            audited = ctx.session.scalar(select(func.count()).select_from(AuditEvent))
        for name, text, message in BAD:
            result = run(name, text)
            assert result.exit_code == 2, (name, text, result.output)
            assert message in result.output, (message, result.output)
        result = run("good.csv", GOOD_CSV, year="1999")
        assert result.exit_code == 2 and "考核年度 1999 不正确" in result.output
        assert _table(as_user) == [("苏州市", 92.46, 1), ("无锡市", 90.1, 2)]
        with as_user("city") as ctx:
            assert ctx.session.scalar(select(func.count()).select_from(AuditEvent)) == audited
    finally:
        get_settings.cache_clear()


def test_only_the_city_office_imports(as_user: Any) -> None:
    for who in ("kunshan", "ks_epb", "leader"):
        with as_user(who) as ctx, pytest.raises(Forbidden):
            actions.do_import_province(ctx, 2017, GOOD_CSV, "csv")
    with as_user("city") as ctx:
        with pytest.raises(InvalidInput, match="不是江苏省的设区市"):
            actions.do_import_province(ctx, 2017, "城市,得分,名次\n,90,1\n", "csv")
        assert ctx.session.scalar(select(func.count()).select_from(ProvinceScore)) == 0


def _upload(client: TestClient, year: str, name: str, text: str) -> Any:
    files = {"file": (name, text.encode("utf-8"), "text/csv")}
    return post_form(client, "/assessment/province", {"year": year}, files=files)


def test_the_page_imports_and_refuses_bad_input(as_user: Any, client: TestClient) -> None:
    page_login(client, "city")
    form = client.get("/assessment")
    assert 'id="province-form"' in form.text and "尚未导入省公布的得分" in form.text
    done = _upload(client, "2017", "p.csv", GOOD_CSV)
    assert done.status_code == 303 and done.headers["location"] == "/assessment#province"
    shown = client.get("/assessment").text
    assert "2017 年度" in shown and "苏州市（本市）" in shown and "90.10" in shown
    for year, name, text, message in (
        ("2017", "p.csv", "城市,得分,名次\n南昌,90,1\n", "“南昌”不是江苏省的设区市"),
        ("2017", "p.csv", "城市,得分,名次\n苏州,101,1\n", "不在 0—100 之间"),
        ("2017", "p.txt", GOOD_CSV, "只能导入 CSV 文件"),
        ("", "p.csv", GOOD_CSV, "请填写考核年度"),
    ):
        refused = _upload(client, year, name, text)
        assert refused.status_code == 422 and message in refused.text, (message, refused.text)
    assert _table(as_user) == [("苏州市", 92.46, 1), ("无锡市", 90.1, 2)]
    page_login(client, "kunshan")
    assert 'id="province-form"' not in client.get("/assessment").text
    assert _upload(client, "2017", "p.csv", "城市,得分,名次\n苏州,50,1\n").status_code == 403
    assert _table(as_user) == [("苏州市", 92.46, 1), ("无锡市", 90.1, 2)]
