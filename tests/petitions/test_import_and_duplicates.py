"""12345/12369 import (the CLI, idempotent by work-order number, a bad row stores nothing) and
likely duplicates of a new petition (jieba tokens, rapidfuzz scores)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from typer.testing import CliRunner

from eco263.cli import app
from eco263.config import get_settings
from eco263.petitions.models import Petition
from eco263.runtime import Runtime
from tests.conftest import login

MAPPING = (
    "hotline_no=工单编号,description=诉求内容,received_on=来电时间,topic=诉求分类,"
    "location=事发地址,phone=来电号码,name=来电人"
)


@pytest.fixture
def cli_env(rt: Runtime, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("ECO263_DATABASE_URL", rt.settings.database_url)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def _export(path: Path, rows: list[dict[str, str]]) -> Path:
    frame = pd.DataFrame(rows)
    if path.suffix == ".xlsx":
        frame.to_excel(path, index=False)
    else:
        frame.to_csv(path, index=False)
    return path


ROWS = [
    {
        "工单编号": "2018050900123",
        "诉求内容": "华能热电厂夜间噪声扰民，开机时冒黄烟",
        "来电时间": "2018-05-09 21:30",
        "诉求分类": "噪声",
        "事发地址": "高新区华能热电厂东侧",
        "来电号码": "13900001111",
        "来电人": "李女士",
    },
    {
        "工单编号": "2018050900456",
        "诉求内容": "世联汽车内饰有机废气异味",
        "来电时间": "2018-05-09",
        "诉求分类": "废气",
        "事发地址": "高新区",
        "来电号码": "",
        "来电人": "",
    },
]


def _count(rt: Runtime) -> int:
    with rt.sessions() as s:
        return s.scalar(select(func.count()).select_from(Petition)) or 0


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_import_is_idempotent_by_the_hotline_number(
    rt: Runtime, cli_env: None, tmp_path: Path, suffix: str
) -> None:
    path = _export(tmp_path / f"12345{suffix}", ROWS)
    args = ["petitions", "import", str(path), "--mapping", MAPPING, "--division", "320505"]
    first = CliRunner().invoke(app, [*args, "--now", "2018-05-10T09:00"])
    assert first.exit_code == 0, first.output
    assert "新登记 2 件" in first.output
    again = CliRunner().invoke(app, [*args, "--now", "2018-05-10T09:00"])
    assert "新登记 0 件，已存在跳过 2 件" in again.output
    assert _count(rt) == 2
    with rt.sessions() as s:
        p = s.scalar(select(Petition).where(Petition.hotline_no == "12345-2018050900123"))
        assert p is not None and p.channel == "12345" and str(p.received_on) == "2018-05-09"


def test_a_bad_row_stores_nothing_and_is_named(rt: Runtime, cli_env: None, tmp_path: Path) -> None:
    rows = [ROWS[0], {**ROWS[1], "诉求内容": ""}]
    path = _export(tmp_path / "bad.csv", rows)
    result = CliRunner().invoke(
        app, ["petitions", "import", str(path), "--mapping", MAPPING, "--division", "320505"]
    )
    assert result.exit_code == 1
    assert "第 3 行" in result.output
    assert _count(rt) == 0
    unknown = CliRunner().invoke(
        app, ["petitions", "import", str(path), "--mapping", "编号=工单编号"]
    )
    assert unknown.exit_code == 1 and "未知字段" in unknown.output


def test_the_officer_sees_likely_duplicates(client: TestClient, rt: Runtime) -> None:
    ks = login(client, "kunshan")

    def register(description: str, **more: object) -> int:
        body = {
            "channel": "来访",
            "topic": "噪声",
            "description": description,
            "division_code": "320583",
        }
        answer = client.post("/api/v1/petitions", json={**body, **more}, headers=ks)
        assert answer.status_code == 201, answer.text
        return int(answer.json()["id"])

    first = register("华能热电厂夜间噪声扰民，开机时冒黄烟")
    unrelated = register("河道里有黑臭水体，漂浮垃圾很多")
    same_phone = register("工地夜间施工", contact={"phone": "13700002222"})
    new = register("晚上华能热电噪声太大，开机冒黄烟", contact={"phone": "13700002222"})
    found = client.get(f"/api/v1/petitions/{new}/duplicates", headers=ks)
    assert found.status_code == 200, found.text
    by_id = {d["id"]: d for d in found.json()}
    assert first in by_id and any("内容相似" in r for r in by_id[first]["reasons"])
    assert by_id[same_phone]["reasons"] == ["同一联系电话"]
    assert unrelated not in by_id
    assert "13700002222" not in found.text
