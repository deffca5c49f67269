"""The 考核 pages, the xlsx, the dashboard ranking by score and the scheduled computation."""

from __future__ import annotations

from io import BytesIO
from typing import Any

from fastapi.testclient import TestClient
from openpyxl import load_workbook

from eco263.assessment import actions
from eco263.assessment.scheduled import compute_in_use
from eco263.runtime import Runtime
from tests.assessment.test_scores import KS, LATER, WJ, _ledger, _scheme
from tests.web.conftest import page_login


def test_pages_explain_and_rank(as_user: Any, client: TestClient, rt: Runtime) -> None:
    scheme_id = _scheme(as_user)
    ids = _ledger(as_user)
    with as_user("city", LATER) as ctx:
        actions.do_compute_scores(ctx, scheme_id, "2018")
    page_login(client, "city")
    home = client.get("/")
    assert "按考核得分" in home.text
    listing = client.get("/assessment")
    assert listing.status_code == 200 and "在用" in listing.text
    ranking = client.get(f"/assessment/{scheme_id}/scores?period=2018")
    assert "昆山" in ranking.text and "问题按期办结率" in ranking.text
    page = client.get(f"/assessment/{scheme_id}/scores/{KS}?period=2018&closed_by=2018-06-15")
    assert page.status_code == 200
    assert f'href="/problems/{ids["late"]}"' in page.text
    assert "逾期将失分最多" in page.text and "预计得分" in page.text
    sheet = client.get(f"/assessment/{scheme_id}/scores.xlsx?period=2018")
    rows = list(load_workbook(BytesIO(sheet.content)).active.iter_rows(values_only=True))
    assert rows[0][:3] == ("名次", "地区", "总分") and len(rows) > 2
    assert client.get(f"/assessment/{scheme_id}/scores?period=2018年").status_code == 422


def test_a_district_reads_its_own_and_a_unit_none(as_user: Any, client: TestClient) -> None:
    scheme_id = _scheme(as_user)
    with as_user("city", LATER) as ctx:
        actions.do_compute_scores(ctx, scheme_id, "2018")
    page_login(client, "kunshan")
    assert client.get(f"/assessment/{scheme_id}/scores/{KS}?period=2018").status_code == 200
    assert client.get(f"/assessment/{scheme_id}/scores/{WJ}?period=2018").status_code == 404
    ranking = client.get(f"/assessment/{scheme_id}/scores?period=2018")
    assert "昆山" in ranking.text and "吴江" not in ranking.text
    page_login(client, "ks_epb")
    assert client.get(f"/assessment/{scheme_id}/scores?period=2018").status_code == 403


def test_scheduled_computation_scores_the_year_in_use(as_user: Any, rt: Runtime) -> None:
    _scheme(as_user)
    assert compute_in_use(rt, LATER) != []
