"""The police file is confidential (issue #10, item 7): a police transfer (行刑衔接) and its
sealed evidence pack are read by the 263 offices and the 纪委监委 in scope — never by the
enterprise concerned, nor a department or the leaders' view — on every door: the REST
routes, the alarm JSON, the alarm page, its history and its chart.

A refusal is the answer to an alarm without a transfer (404, same body), so the file's
existence cannot be probed; and a refused read changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from eco263.actor import SYSTEM, Actor, Role
from eco263.alarms import rules
from eco263.alarms.actions import do_record_alarm
from eco263.alarms.models import Alarm
from eco263.audit.models import AuditEvent
from eco263.audit.service import verify_chain
from eco263.monitoring.detectors import Alarm as Detection
from eco263.runtime import Runtime
from eco263.transfers.models import Transfer as PoliceTransfer
from tests.conftest import login
from tests.factories.alarms import COPPER, NOW, facts, tampering_case
from tests.web.conftest import page_login

READERS = ("city", "kunshan", "jiwei")
#: Who sees the alarm (its point is in their scope) but never the police file.
REFUSED = ("yld", "ks_epb", "leader")
#: Words of the police file that must not reach a refused reader's page.
FILE_WORDS = ("行刑衔接", "移送公安", "证据包", "evidence-pack", 'id="transfer"', "封存")


class Case:
    def __init__(self, alarm: Alarm, plain: Alarm, sha256: str) -> None:
        self.alarm, self.plain, self.sha256 = alarm, plain, sha256


@pytest.fixture
def case(rt: Runtime, as_user: Any) -> Case:
    """The tampering case (handed over) and, on the same point, an alarm that was not."""
    point_id, alarm = tampering_case(rt, as_user)
    found = Detection(
        "m", COPPER, "missing_data", NOW - timedelta(hours=8), NOW - timedelta(hours=4), 0.5, NOW
    )
    with as_user("city") as ctx:
        plain = do_record_alarm(ctx, facts(ctx, point_id), found)
    with rt.sessions() as s:
        sha256 = s.get_one(Alarm, alarm.id).pack_sha256 or ""
    return Case(alarm, plain, sha256)


def _state(rt: Runtime) -> tuple[int, int, bool]:
    with rt.sessions() as s:
        events = int(s.scalar(select(func.count()).select_from(AuditEvent)) or 0)
        transfers = int(s.scalar(select(func.count()).select_from(PoliceTransfer)) or 0)
        return events, transfers, verify_chain(s).ok


@pytest.fixture
def unchanged(rt: Runtime, case: Case) -> Iterator[None]:
    """Whatever the test reads, the record is the same afterwards."""
    before = _state(rt)
    yield
    assert _state(rt) == before


# -- REST ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("username", READERS)
def test_offices_and_jiwei_in_scope_read_the_transfer_and_the_pack(
    client: TestClient, case: Case, username: str
) -> None:
    headers = login(client, username)
    pack = client.get(f"/api/v1/alarms/{case.alarm.id}/evidence-pack", headers=headers)
    assert pack.status_code == 200 and pack.headers["x-eco263-sha256"] == case.sha256
    assert pack.content.startswith(b"PK")


@pytest.mark.parametrize("username", REFUSED)
def test_the_enterprise_department_and_leaders_get_the_404_of_no_transfer(
    client: TestClient, case: Case, unchanged: None, username: str
) -> None:
    headers = login(client, username)
    for door in ("evidence-pack",):
        refused = client.get(f"/api/v1/alarms/{case.alarm.id}/{door}", headers=headers)
        absent = client.get(f"/api/v1/alarms/{case.plain.id}/{door}", headers=headers)
        assert refused.status_code == absent.status_code == 404, (door, refused.text)
        assert refused.json() == absent.json()
        assert case.sha256 not in refused.text and "x-eco263-sha256" not in refused.headers
    # the alarm itself stays readable: it is the enterprise's own data
    assert client.get("/api/v1/alarms", headers=headers).status_code == 200


def test_a_district_office_out_of_scope_gets_the_404_of_a_missing_alarm(
    client: TestClient, case: Case, unchanged: None
) -> None:
    headers = login(client, "wujiang")
    for door in ("evidence-pack",):
        other = client.get(f"/api/v1/alarms/{case.alarm.id}/{door}", headers=headers)
        missing = client.get(f"/api/v1/alarms/999999/{door}", headers=headers)
        assert other.status_code == missing.status_code == 404
        assert other.json() == missing.json() and case.sha256 not in other.text


@pytest.mark.parametrize("username", READERS + REFUSED)
def test_the_alarm_json_never_carries_the_transfer(
    client: TestClient, case: Case, username: str
) -> None:
    listed = client.get("/api/v1/alarms", headers=login(client, username))
    assert listed.status_code == 200
    row = next(a for a in listed.json() if a["id"] == case.alarm.id)
    assert not {k for k in row if "transfer" in k or "pack" in k}
    assert case.sha256 not in listed.text


# -- pages ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("username", READERS)
def test_readers_see_the_transfer_section_the_sealed_chart_and_the_history(
    client: TestClient, case: Case, username: str
) -> None:
    page_login(client, username)
    html = client.get(f"/alarms/{case.alarm.id}").text
    assert 'id="transfer"' in html and case.sha256 in html and "下载证据包" in html
    assert "证据包封存" in html and "移送公安情况" in html
    chart = client.get(f"/alarms/{case.alarm.id}/chart.png")
    assert chart.headers["x-eco263-chart"] == "evidence-pack"


@pytest.mark.parametrize("username", REFUSED)
def test_refused_readers_page_history_and_chart_show_nothing_of_the_file(
    client: TestClient, case: Case, unchanged: None, username: str
) -> None:
    page_login(client, username)
    response = client.get(f"/alarms/{case.alarm.id}")
    assert response.status_code == 200
    html = response.text
    assert "疑似稀释采样" in html and "报警产生" in html  # the alarm is theirs to see
    assert case.sha256 not in html
    for word in FILE_WORDS:
        assert word not in html, word
    chart = client.get(f"/alarms/{case.alarm.id}/chart.png")
    assert chart.status_code == 200 and chart.headers["x-eco263-chart"] == "drawn"
    # the page of an alarm that was not handed over has the same sections
    plain = client.get(f"/alarms/{case.plain.id}").text
    assert plain.count('<section class="card"') == html.count('<section class="card"')


def test_out_of_scope_office_gets_404_pages(client: TestClient, case: Case) -> None:
    page_login(client, "wujiang")
    assert client.get(f"/alarms/{case.alarm.id}").status_code == 404
    assert client.get(f"/alarms/{case.alarm.id}/chart.png").status_code == 404


# -- the rule ------------------------------------------------------------------------------------


def test_the_rule_names_its_readers_and_never_the_enterprise_concerned() -> None:
    def who(role: Role, enterprise_id: int | None = None) -> Actor:
        return Actor(1, "某人", role, "320583", "/32/3205/320583", enterprise_id=enterprise_id)

    readers = {Role.CITY_OFFICE, Role.DISTRICT_OFFICE, Role.SUPERVISOR}
    assert readers == rules.TRANSFER_READERS
    for role in Role:
        assert rules.may_read_transfer(who(role), 7) is (role in readers), role
    assert not rules.may_read_transfer(who(Role.ENTERPRISE, 7), 7)
    assert not rules.may_read_transfer(who(Role.ENTERPRISE, 8), 7)
    # whatever the role, a user of the enterprise concerned never reads its file
    assert not rules.may_read_transfer(who(Role.SUPERVISOR, 7), 7)
    assert rules.may_read_transfer(SYSTEM, 7)


def test_the_problem_timeline_does_not_carry_the_file_to_the_enterprise(
    client: TestClient, case: Case
) -> None:
    """Nor the clue (an accusation) — on the API's timeline and on the problem page."""
    headers = login(client, "yld")
    url = f"/api/v1/problems/{case.alarm.problem_id}/timeline"
    timeline = client.get(url, headers=headers)
    assert timeline.status_code == 200
    assert case.sha256 not in timeline.text and "police_transfer" not in timeline.text
    assert "clue.open" not in timeline.text
    page = client.get(f"/problems/{case.alarm.problem_id}", headers=headers)
    assert page.status_code == 200
    assert (
        case.sha256 not in page.text and "移送公安" not in page.text and "生成线索" not in page.text
    )
    office = client.get(url, headers=login(client, "kunshan")).text
    assert case.sha256 in office and "evidence_pack.seal" in office and "clue.open" in office
