"""监测告警 pages: the alarm list, an alarm's detail (statistics, evidence chart, sealed pack,
police transfer, linked problem), acknowledging it (CSRF, audit, roles), scope, query counts."""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from eco263.alarms.actions import do_record_alarm
from eco263.alarms.models import Alarm
from eco263.audit.models import AuditEvent
from eco263.audit.service import verify_chain
from eco263.evidence.store import BlobStore
from eco263.monitoring.detectors import Alarm as Detection
from eco263.problems.models import Problem
from eco263.runtime import Runtime
from tests.factories.alarms import COPPER, NOW, dilution, facts, limited_point, tampering_case
from tests.web.conftest import page_login, post_form
from tests.web.test_queries import counting

LIST_MAX = 7
DETAIL_MAX = 13


@pytest.fixture
def case(rt: Runtime, as_user: Any) -> tuple[int, Alarm]:
    """The tampering scenario: a dilution alarm with its problem, sealed pack and transfer."""
    return tampering_case(rt, as_user)


def _status(rt: Runtime, alarm_id: int) -> str:
    with rt.sessions() as s:
        return s.get_one(Alarm, alarm_id).state


def _missing_data(as_user: Any, point_id: int) -> Alarm:
    """Missing data three days before the tampering: far beyond the gap, its own episode."""
    start, end = NOW - timedelta(days=3, hours=8), NOW - timedelta(days=3, hours=4)
    found = Detection("m", COPPER, "missing_data", start, end, 0.5, end)
    with as_user("city") as ctx:
        return do_record_alarm(ctx, facts(ctx, point_id), found)


def test_list_shows_rule_category_point_window_state_and_problem(
    client: TestClient, case: tuple[int, Alarm]
) -> None:
    point_id, alarm = case
    page_login(client, "city")
    html = client.get("/alarms").text
    row = re.search(rf'<tr data-alarm="{alarm.id}".*?</tr>', html, re.S)
    assert row, html
    text = row.group(0)
    for expected in ("疑似稀释采样", "疑似造假", "总铜", "依利安达 废水总排口", "待确认", "0.90"):
        assert expected in text, expected
    assert "2018-05-10 06:00" in text and "2018-05-10 08:59" in text  # the window, Beijing time
    assert f'href="/monitoring/points/{point_id}"' in text
    assert f'href="/problems/{alarm.problem_id}"' in text
    # filters: by state and category, and a point's alarms from the monitoring list
    assert f'data-alarm="{alarm.id}"' not in client.get("/alarms?state=acknowledged").text
    assert f'data-alarm="{alarm.id}"' in client.get("/alarms?category=tamper").text
    assert f'data-alarm="{alarm.id}"' not in client.get("/alarms?category=exceedance").text
    assert f'data-alarm="{alarm.id}"' in client.get(f"/alarms?point={point_id}").text


def test_detail_shows_statistics_evidence_pack_transfer_and_linked_problem(
    client: TestClient, rt: Runtime, case: tuple[int, Alarm]
) -> None:
    _, alarm = case
    with rt.sessions() as s:
        transfer = s.scalars(select(Alarm).where(Alarm.pack_sha256.is_not(None))).one()
        problem = s.get_one(Problem, alarm.problem_id)
    page_login(client, "kunshan")
    response = client.get(f"/alarms/{alarm.id}")
    assert response.status_code == 200
    html = response.text
    # the detector's statistics, labelled
    stats = re.search(r'<section class="card" id="statistics">.*?</section>', html, re.S)
    assert stats
    assert "稀释/下降倍数" in stats.group(0) and ">10<" in stats.group(0)
    assert "异常前水平" in stats.group(0) and "0.4" in stats.group(0)
    assert "检出时间（数据时间）" in stats.group(0) and "2018-05-10 07:00" in stats.group(0)
    # the evidence chart and the sealed pack with the raw packets' SHA-256
    assert f'src="/alarms/{alarm.id}/chart.png"' in html
    assert f'<dd class="mono hash" id="pack-sha256">{transfer.pack_sha256}</dd>' in html
    pack = BlobStore(rt.settings.attachments_path).get(transfer.pack_sha256)
    with zipfile.ZipFile(io.BytesIO(pack)) as z:
        packet_names = [n for n in z.namelist() if n.startswith("packets/")]
        # the page lists packets by id; the zip names sort as text (packets/1000 < packets/999)
        first = z.read(min(packet_names, key=lambda n: int(n.split("/")[1].split(".")[0])))
    assert hashlib.sha256(first).hexdigest() in html
    assert f"原始报文 <small>{len(packet_names)} 条" in html
    assert "SHA-256 全部核验一致" in html
    # the history from the audit chain: raised, problem opened, pack sealed (the transfer is
    # proposed in eco263.transfers, people decide it)
    history = re.search(r'<section class="card" id="history">.*?</section>', html, re.S)
    assert history
    for label in ("报警产生", "生成问题", "证据包封存"):
        assert label in history.group(0), label
    # the linked problem
    linked = re.search(r'<dd id="linked-problem">.*?</dd>', html, re.S)
    assert linked and f'href="/problems/{problem.id}"' in linked.group(0)
    assert problem.title in linked.group(0)
    assert client.get(f"/problems/{problem.id}").status_code == 200


def test_evidence_chart_is_the_sealed_png_or_drawn_from_the_data(
    client: TestClient, rt: Runtime, as_user: Any, case: tuple[int, Alarm]
) -> None:
    point_id, alarm = case
    with rt.sessions() as s:
        transfer = s.scalars(select(Alarm).where(Alarm.pack_sha256.is_not(None))).one()
    pack = BlobStore(rt.settings.attachments_path).get(transfer.pack_sha256)
    with zipfile.ZipFile(io.BytesIO(pack)) as z:
        sealed = z.read("chart.png")
    page_login(client, "city")
    response = client.get(f"/alarms/{alarm.id}/chart.png")
    assert response.status_code == 200 and response.headers["content-type"] == "image/png"
    assert response.content == sealed and response.headers["x-eco263-chart"] == "evidence-pack"
    quality = _missing_data(as_user, point_id)
    drawn = client.get(f"/alarms/{quality.id}/chart.png")
    assert drawn.status_code == 200 and drawn.content.startswith(b"\x89PNG")
    assert drawn.headers["x-eco263-chart"] == "drawn"
    detail = client.get(f"/alarms/{quality.id}").text
    assert "未移送公安" in detail and "未生成问题" in detail and "数据缺失" in detail


def test_other_division_gets_404_like_missing_and_sees_nothing_listed(
    client: TestClient, case: tuple[int, Alarm]
) -> None:
    _, alarm = case
    page_login(client, "wujiang")
    assert f'data-alarm="{alarm.id}"' not in client.get("/alarms").text
    other, missing = client.get(f"/alarms/{alarm.id}"), client.get("/alarms/999999")
    assert other.status_code == missing.status_code == 404
    assert other.text == missing.text and "报警不存在" in other.text
    assert client.get(f"/alarms/{alarm.id}/chart.png").status_code == 404
    refused = post_form(client, f"/alarms/{alarm.id}/acknowledge", {})
    assert refused.status_code == 404


def test_office_acknowledges_with_csrf_and_it_is_audited(
    client: TestClient, rt: Runtime, case: tuple[int, Alarm]
) -> None:
    _, alarm = case
    page_login(client, "kunshan")
    html = client.get(f"/alarms/{alarm.id}").text
    assert 'id="ack-form"' in html and 'name="csrf_token"' in html
    done = post_form(client, f"/alarms/{alarm.id}/acknowledge", {})
    assert (
        done.status_code == 303
        and done.headers["location"] == f"/alarms/{alarm.id}?done=acknowledge"
    )
    assert _status(rt, alarm.id) == "acknowledged"
    with rt.sessions() as s:
        event = s.scalars(
            select(AuditEvent).where(
                AuditEvent.action == "alarm.acknowledge", AuditEvent.subject_id == str(alarm.id)
            )
        ).one()
        assert event.actor_name == "昆山市263办 李主任" and event.after == {"state": "acknowledged"}
        assert verify_chain(s).ok
    page = client.get(done.headers["location"]).text
    assert "报警已确认" in page and 'id="ack-form"' not in page and "已确认" in page
    assert "确认报警" in re.search(r'id="history">.*?</section>', page, re.S).group(0)  # type: ignore[union-attr]
    again = post_form(client, f"/alarms/{alarm.id}/acknowledge", {})
    assert again.status_code == 409 and "该报警已确认或关闭" in again.text


def test_acknowledge_without_csrf_is_refused(
    client: TestClient, rt: Runtime, case: tuple[int, Alarm]
) -> None:
    _, alarm = case
    page_login(client, "city")
    for data in ({}, {"csrf_token": "forged"}):
        response = client.post(f"/alarms/{alarm.id}/acknowledge", data=data, follow_redirects=False)
        assert response.status_code == 403 and "页面已过期" in response.text
    assert _status(rt, alarm.id) == "open"


def test_department_and_enterprise_see_the_alarm_but_may_not_acknowledge(
    client: TestClient, rt: Runtime, case: tuple[int, Alarm]
) -> None:
    _, alarm = case
    for username in ("ks_epb", "yld"):
        page_login(client, username)
        html = client.get(f"/alarms/{alarm.id}").text
        assert "疑似稀释采样" in html and 'id="ack-form"' not in html
        refused = post_form(client, f"/alarms/{alarm.id}/acknowledge", {})
        assert refused.status_code == 403 and "只有263办可以确认报警" in refused.text
    assert _status(rt, alarm.id) == "open"


def _count(client: TestClient, rt: Runtime, url: str) -> int:
    with counting(rt.engine) as statements:
        assert client.get(url).status_code == 200
    return len(statements)


def test_statements_per_alarm_page_do_not_grow_with_alarms(
    client: TestClient, rt: Runtime, as_user: Any, case: tuple[int, Alarm]
) -> None:
    point_id, alarm = case
    page_login(client, "city")
    urls = ("/alarms", f"/alarms/{alarm.id}")
    small = [_count(client, rt, url) for url in urls]
    with as_user("city") as ctx:
        for n in range(4):
            p = limited_point(ctx, mn=f"010000A8900016F00017{n:04d}", name=f"点位 {n}", uscc=None)
            do_record_alarm(ctx, p, dilution(NOW - timedelta(hours=3), NOW, mn=p.mn))
    _missing_data(as_user, point_id)
    large = [_count(client, rt, url) for url in urls]
    assert small == large, (small, large)
    assert large[0] <= LIST_MAX and large[1] <= DETAIL_MAX, large
    assert client.get("/alarms").text.count("<tr data-alarm=") == 6
