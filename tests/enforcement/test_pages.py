"""The 执法办案 pages through the browser's door (forms with CSRF, both databases): the list and
its filters, a case's page with its deadlines and the next steps as forms — the head approves,
the investigator cannot —, the transfer pages the police read and the enterprise never sees,
the menu item and the 待办 items."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from eco263.audit.models import AuditEvent
from eco263.clock import FixedClock
from eco263.enforcement import actions
from eco263.enforcement.enums import CaseSource
from eco263.enforcement.models import PenaltyCase
from eco263.registry.models import Organization
from eco263.runtime import Runtime
from eco263.transfers import actions as transfer_actions
from eco263.transfers.schemas import ProposalIn
from tests.web.conftest import page_login, post_form

TZ = ZoneInfo("Asia/Shanghai")


def at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 10, 0, tzinfo=TZ)


def _open(as_user) -> int:  # type: ignore[no-untyped-def]
    with as_user("ks_epb", at(date(2018, 5, 8))) as ctx:
        return actions.do_open_case(
            ctx,
            source=CaseSource.INSPECTION,
            title="依利安达电子 篡改自动监测数据",
            party_name="依利安达电子（昆山）有限公司",
            found_on=date(2018, 5, 7),
        ).id


def _state(rt: Runtime, case_id: int) -> tuple[Any, ...]:
    with rt.sessions() as s:
        case = s.get(PenaltyCase, case_id)
        assert case is not None
        return case.state, case.version, s.scalar(select(func.count()).select_from(AuditEvent))


def test_the_head_approves_the_filing_in_the_page_and_the_investigator_cannot(
    rt: Runtime, as_user, client: TestClient
) -> None:  # type: ignore[no-untyped-def]
    case_id = _open(as_user)
    page_login(client, "ks_epb")
    mine = client.get(f"/enforcement/cases/{case_id}")
    assert mine.status_code == 200
    assert 'id="step-file"' not in mine.text and "待本单位负责人批准立案" in mine.text
    assert "立案期限" in client.get("/enforcement").text
    before = _state(rt, case_id)
    refused = post_form(
        client, f"/enforcement/cases/{case_id}/steps/file", {"filed_on": "2018-05-10"}
    )
    assert refused.status_code == 403 and "负责人" in refused.text
    assert _state(rt, case_id) == before
    page_login(client, "ks_epb_head")
    work = client.get("/workbench").text
    assert "待审批" in work and "立案：依利安达电子" in work
    head = client.get(f"/enforcement/cases/{case_id}")
    assert 'id="step-file"' in head.text and "penalty.filing" not in head.text
    done = post_form(client, f"/enforcement/cases/{case_id}/steps/file", {"filed_on": "2018-05-10"})
    assert done.status_code == 303
    page = client.get(f"/enforcement/cases/{case_id}").text
    assert "调查取证" in page and "2018-08-08" in page and "行政处罚法" in page
    # A bad form: a clear Chinese error naming the field, nothing changed.
    before = _state(rt, case_id)
    page_login(client, "ks_epb")
    bad = post_form(
        client,
        f"/enforcement/cases/{case_id}/steps/investigated",
        {"article": "水污染防治法第83条", "proposed_fine": "abc", "facts": "x"},
    )
    assert bad.status_code == 422 and "拟罚款数额" in bad.text
    assert _state(rt, case_id) == before
    unknown = post_form(client, f"/enforcement/cases/{case_id}/steps/nothing", {})
    assert unknown.status_code == 404


def test_the_list_filters_and_the_menu(rt: Runtime, as_user, client: TestClient) -> None:  # type: ignore[no-untyped-def]
    case_id = _open(as_user)
    page_login(client, "kunshan")
    assert "执法办案" in client.get("/workbench").text
    listed = client.get("/enforcement?state=clue&source=inspection&division=320583").text
    assert f'data-case="{case_id}"' in listed
    assert f'data-case="{case_id}"' not in client.get("/enforcement?state=closed").text
    assert f'data-case="{case_id}"' not in client.get("/enforcement?source=alarm").text
    page_login(client, "wujiang")
    assert f'data-case="{case_id}"' not in client.get("/enforcement").text
    assert client.get(f"/enforcement/cases/{case_id}").status_code == 404
    page_login(client, "yld")
    assert "执法办案" not in client.get("/workbench").text
    assert client.get("/enforcement").status_code == 404
    assert client.get(f"/enforcement/cases/{case_id}").status_code == 404


def _transfer(rt: Runtime, as_user, case_id: int) -> int:  # type: ignore[no-untyped-def]
    with as_user("ks_epb_head", at(date(2018, 5, 8))) as ctx:
        actions.do_file_case(ctx, case_id, filed_on=date(2018, 5, 8))
    with as_user("ks_epb", at(date(2018, 5, 8))) as ctx:
        t = transfer_actions.do_propose(
            ctx, ProposalIn(case_id=case_id, summary="篡改自动监测设施采样管，涉嫌污染环境罪")
        )
    return t.id


def test_transfer_pages_the_police_see_theirs_and_the_enterprise_none(
    rt: Runtime, as_user, client: TestClient, clock: FixedClock
) -> None:  # type: ignore[no-untyped-def]
    case_id = _open(as_user)
    transfer_id = _transfer(rt, as_user, case_id)
    with rt.sessions() as s:
        police = s.scalar(select(Organization.id).where(Organization.name == "昆山市公安局"))
    page_login(client, "ks_epb_head")
    assert "待决定移送" in client.get("/workbench").text
    page = client.get(f"/transfers/{transfer_id}")
    assert page.status_code == 200 and 'id="step-decide"' in page.text
    assert "transfer.decision" not in page.text and "3" in page.text
    decided = post_form(
        client,
        f"/transfers/{transfer_id}/steps/decide",
        {"decision": "transfer", "reason": "涉嫌篡改自动监测数据", "police_org_id": str(police)},
    )
    assert decided.status_code == 303
    # Not yet handed over: the police unit does not see it.
    page_login(client, "ks_police")
    assert client.get(f"/transfers/{transfer_id}").status_code == 404
    page_login(client, "ks_epb")
    handed = post_form(
        client, f"/transfers/{transfer_id}/steps/hand_over", {"materials": "案件移送书、证据包"}
    )
    assert handed.status_code == 303
    case_page = client.get(f"/enforcement/cases/{case_id}").text
    assert "移送司法机关" in case_page  # the decision clock paused for the transfer
    page_login(client, "ks_police")
    assert client.get("/enforcement", follow_redirects=False).headers["location"] == "/transfers"
    assert "待签收移送" in client.get("/workbench").text
    assert f'data-transfer="{transfer_id}"' in client.get("/transfers").text
    received = post_form(client, f"/transfers/{transfer_id}/steps/receive", {"complexity": "plain"})
    assert received.status_code == 303
    assert "待作出立案决定" in client.get("/workbench").text
    filed = post_form(
        client,
        f"/transfers/{transfer_id}/steps/police_decide",
        {"decision": "file", "reason": "涉嫌污染环境罪，予以立案"},
    )
    assert filed.status_code == 303
    outcome = post_form(
        client,
        f"/transfers/{transfer_id}/steps/record_outcome",
        {"on": "2018-05-10", "persons": "工程师甲，刑事拘留，深圳市治标环保", "note": ""},
    )
    assert outcome.status_code == 303
    assert "工程师甲：刑事拘留" in client.get(f"/transfers/{transfer_id}").text
    # The enterprise concerned never sees a transfer, through any page.
    page_login(client, "yld")
    for url in ("/transfers", f"/transfers/{transfer_id}", "/transfers?state=filed"):
        assert client.get(url).status_code == 404, url
    sneak = post_form(
        client,
        f"/transfers/{transfer_id}/steps/record_outcome",
        {"on": "2018-05-10", "persons": "某，其他"},
    )
    assert sneak.status_code == 404
    page_login(client, "sz_police")
    assert client.get(f"/transfers/{transfer_id}").status_code == 404
