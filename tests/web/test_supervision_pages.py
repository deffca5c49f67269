"""The 智慧监督 pages: the clue list with its pipeline and delivery health, a clue's evidence,
delivery, opinions and 问责 — scoped like the API — and the city office's two web actions
(reviving a dead delivery, 人工移送).  The 纪委 stays read-only on problems."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date
from typing import Any

import httpx
from fastapi.testclient import TestClient
from sqlalchemy import select

from eco263.clock import FixedClock, parse_now
from eco263.outbox.models import OutboxEvent
from eco263.outbox.worker import OutboxWorker
from eco263.problems.models import Assignment, Problem
from eco263.problems.scheduled import sweep
from eco263.runtime import Runtime
from eco263.supervision import inbound
from eco263.supervision.enums import AccountabilityForm
from eco263.supervision.models import Clue
from eco263.supervision.schemas import AccountabilityIn, ClueStatusIn, OpinionIn
from eco263.wiring import outbox_handlers as handlers
from tests.factories.problems import dispatch, register
from tests.web.conftest import page_login, post_form
from tests.web.test_queries import counting

TITLE = "昆山某厂雨水排口逾期未整改"
#: Statements per view of the clue list (login-token lookup and actor included), whatever the
#: number of clues: a query per row would break it at once.
LIST_MAX = 13
DETAIL_MAX = 13


# -- making clues through the real paths -----------------------------------------------------------


def red_card(as_user: Any, rt: Runtime, clock: FixedClock, division: str = "320583") -> int:
    """A problem overdue by ≥ 5 working days on 2018-05-10: the sweep's red card opens a clue."""
    lead = "昆山市环保局" if division == "320583" else "吴江区环保局"
    with as_user("city", at=parse_now("2018-04-02T09:00")) as ctx:
        problem = register(ctx, title=TITLE, division_code=division, due_date=date(2018, 4, 27))
        dispatch(ctx, problem.id, lead=lead)
    report = sweep(rt, now=clock.now())
    assert report.red_cards == 1
    with rt.sessions() as s:
        clue_id = s.scalar(select(Clue.id).where(Clue.problem_id == problem.id))
    assert clue_id is not None
    return clue_id


def deliver(rt: Runtime, answer: httpx.Response | None) -> None:
    """One round of the real outbox worker against a stand-in for the platform: ``answer``,
    or a refused connection (None) with no horizon left, so the delivery goes dead."""

    def platform(_request: httpx.Request) -> httpx.Response:
        if answer is None:
            raise httpx.ConnectError("connection refused")
        return answer

    settings = rt.settings.model_copy(
        update={"outbox_horizon_hours": 0.0 if answer is None else 72.0}
    )
    worker = OutboxWorker(
        replace(rt, settings=settings),
        handlers(),
        client=httpx.Client(transport=httpx.MockTransport(platform)),
    )
    try:
        worker.run_once()
    finally:
        worker.close()


def platform_replies(rt: Runtime, clue_id: int) -> int:
    """The platform accepts the clue, sends a 监督意见书 and a 问责 result; returns the
    opinion's rectification problem."""
    with rt.unit_of_work(inbound.PLATFORM) as ctx:
        inbound.do_record_clue_status(ctx, ClueStatusIn(clue_id=clue_id, status="accepted"))
        org_id = ctx.session.get_one(Clue, clue_id).organization_id
        assert org_id is not None
        opinion = inbound.do_receive_opinion(
            ctx,
            OpinionIn(
                opinion_no="苏纪监意〔2018〕7号",
                clue_id=clue_id,
                organization_id=org_id,
                title="督促昆山市环保局限期整改雨水排口问题",
                content="请于期限内完成整改并报送情况。",
                issued_on=date(2018, 5, 10),
                deadline=date(2018, 6, 8),
            ),
        )
        inbound.do_record_accountability(
            ctx,
            AccountabilityIn(
                clue_id=clue_id,
                person="王某某",
                position="昆山市环保局副局长",
                form=AccountabilityForm.FIRST,
                measure="诫勉谈话",
                decided_on=date(2018, 5, 10),
            ),
        )
        return opinion.problem_id


def text_of(html: str, element_id: str) -> str:
    """The text inside the element with this id (up to its section's end), tags stripped."""
    match = re.search(rf'id="{element_id}".*?</section>', html, re.S)
    assert match, element_id
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", match.group(0)))


# -- the list --------------------------------------------------------------------------------


def test_the_commission_sees_a_red_card_clue_with_its_delivery(
    client: TestClient, as_user: Any, rt: Runtime, clock: FixedClock
) -> None:
    clue_id = red_card(as_user, rt, clock)
    page_login(client, "jiwei")
    nav = client.get("/").text
    assert 'href="/supervision"' in nav and "智慧监督" in nav
    html = client.get("/supervision").text
    row = re.search(rf'<tr data-clue="{clue_id}">(.*?)</tr>', html, re.S)
    assert row, html
    cells = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row.group(1)))
    for expected in (TITLE, "红牌（逾期）", "主动履职不到位", "昆山市环保局", "昆山市"):
        assert expected in cells, (expected, cells)
    assert "已生成" in cells and "待投递" in cells
    assert "2018-05-10 09:00" in cells
    assert re.search(r'data-state="generated"><a [^>]*><span class="p-value">1</span>', html)
    assert re.search(r'data-delivery="pending"><span class="p-value">1</span>', html)

    deliver(rt, httpx.Response(201, json={"receipt_id": "JW-2018-0001"}))
    html = client.get("/supervision").text
    assert re.search(r'data-state="delivered"><a [^>]*><span class="p-value">1</span>', html)
    assert re.search(r'data-delivery="delivered"><span class="p-value">1</span>', html)
    assert "最近成功 2018-05-10 09:00" in html
    assert "已送达" in re.search(rf'<tr data-clue="{clue_id}">(.*?)</tr>', html, re.S).group(1)  # type: ignore[union-attr]


def test_the_list_filters_by_status_and_type(
    client: TestClient, as_user: Any, rt: Runtime, clock: FixedClock
) -> None:
    clue_id = red_card(as_user, rt, clock)
    page_login(client, "jiwei")
    assert f'data-clue="{clue_id}"' in client.get("/supervision?state=generated").text
    assert f'data-clue="{clue_id}"' not in client.get("/supervision?state=concluded").text
    assert f'data-clue="{clue_id}"' in client.get("/supervision?cause=red_card").text
    assert f'data-clue="{clue_id}"' not in client.get("/supervision?cause=tampering").text
    assert f'data-clue="{clue_id}"' in client.get("/supervision?duty=主动履职不到位").text
    assert f'data-clue="{clue_id}"' not in client.get("/supervision?duty=执法监管不到位").text
    # an unknown value is ignored, not an error
    assert f'data-clue="{clue_id}"' in client.get("/supervision?state=bogus&cause=x").text


# -- one clue -------------------------------------------------------------------------------------


def test_a_clue_shows_its_evidence_delivery_opinion_and_accountability(
    client: TestClient, as_user: Any, rt: Runtime, clock: FixedClock
) -> None:
    clue_id = red_card(as_user, rt, clock)
    deliver(rt, httpx.Response(201, json={"receipt_id": "JW-2018-0001"}))
    opinion_problem = platform_replies(rt, clue_id)
    with rt.sessions() as s:
        clue = s.get_one(Clue, clue_id)
        hashes = [e["hash"] for e in clue.evidence["audit_events"]]
        head = clue.evidence["chain_head"]["hash"]
    page_login(client, "jiwei")
    response = client.get(f"/supervision/clues/{clue_id}")
    assert response.status_code == 200
    html = response.text
    assert "已受理" in html.split('id="clue-state"')[1][:40]
    facts = text_of(html, "facts")
    for expected in (
        TITLE,
        "主动履职不到位",
        "昆山市环保局",
        "昆山市环保局局长",
        "逾期工作日",
        "2018-04-27",
    ):
        assert expected in facts, (expected, facts)
    evidence = text_of(html, "evidence")
    assert head in evidence and all(h[:24] in evidence for h in hashes)
    assert "登记" in evidence and "交办" in evidence
    assert f'href="/problems/{clue.problem_id}"' in html
    sent = text_of(html, "problems")  # the problem as the document sent to the platform froze it
    assert "已交办" in sent and "2018-04-27" in sent and "2018-04-02 09:00" in sent
    delivery = text_of(html, "delivery")
    assert "已送达" in delivery and "JW-2018-0001" in delivery and "尝试次数 1" in delivery
    history = text_of(html, "history")
    assert "已生成" in history and "已送达" in history and "已受理" in history
    assert "智慧监督平台" in history
    opinions = text_of(html, "opinions")
    assert "苏纪监意〔2018〕7号" in opinions and "2018-06-08" in opinions
    assert f'href="/problems/{opinion_problem}"' in html
    accountability = text_of(html, "accountability")
    for expected in ("王某某", "第一种形态", "诫勉谈话", "昆山市环保局"):
        assert expected in accountability


def test_a_tampering_clue_shows_its_monitoring_evidence_pack(
    client: TestClient, rt: Runtime
) -> None:
    from eco263.actor import SYSTEM
    from tests.supervision.making import tampering_clue

    with rt.unit_of_work(SYSTEM) as ctx:
        clue = tampering_clue(ctx, 7)
        digest = clue.evidence["monitoring"]["sha256"]
    page_login(client, "jiwei")
    html = client.get(f"/supervision/clues/{clue.id}").text
    monitoring = text_of(html, "evidence")
    assert "监测证据包" in monitoring and digest in monitoring
    assert "原始报文" in monitoring and "20180510090000007" in monitoring
    assert "统计量 · window_minutes" in monitoring
    assert "干扰自动监测" in text_of(html, "facts")


def test_a_dead_delivery_shows_its_error_and_the_city_office_revives_it(
    client: TestClient, as_user: Any, rt: Runtime, clock: FixedClock
) -> None:
    clue_id = red_card(as_user, rt, clock)
    deliver(rt, None)
    with rt.sessions() as s:
        event = s.scalars(select(OutboxEvent)).one()
    assert event.state == "dead"
    page_login(client, "jiwei")  # reads it, cannot revive it
    html = client.get("/supervision").text
    assert re.search(r'data-delivery="dead"[^>]*><span class="p-value">1</span>', html)
    assert "连接失败" in html and "data-retry" not in html
    detail = client.get(f"/supervision/clues/{clue_id}").text
    assert "投递失败" in text_of(detail, "delivery") and "data-retry" not in detail
    url = f"/supervision/deliveries/{event.id}/retry"
    assert post_form(client, url, {}).status_code == 403

    page_login(client, "city")
    assert f'data-retry="{event.id}"' in client.get(f"/supervision/clues/{clue_id}").text
    assert client.post(url, data={}, follow_redirects=False).status_code == 403  # no CSRF token
    response = post_form(client, url, {})
    assert response.status_code == 303
    assert response.headers["location"] == f"/supervision/clues/{clue_id}?done=retry"
    page = client.get(response.headers["location"]).text
    assert "已重新投递" in page and "待投递" in text_of(page, "delivery")
    assert post_form(client, url, {}).status_code == 409  # not dead any more
    deliver(rt, httpx.Response(201, json={"receipt_id": "JW-R"}))
    assert "JW-R" in text_of(client.get(f"/supervision/clues/{clue_id}").text, "delivery")


# -- scope ------------------------------------------------------------------------------------


def test_a_district_sees_only_its_own_clues_and_404_on_another(
    client: TestClient, as_user: Any, rt: Runtime, clock: FixedClock
) -> None:
    kunshan_clue = red_card(as_user, rt, clock, "320583")
    wujiang_clue = red_card(as_user, rt, clock, "320509")
    deliver(rt, None)  # both dead: the health card counts only the district's own
    page_login(client, "kunshan")
    html = client.get("/supervision").text
    assert f'data-clue="{kunshan_clue}"' in html and f'data-clue="{wujiang_clue}"' not in html
    assert re.search(r'data-delivery="dead"[^>]*><span class="p-value">1</span>', html)
    assert f'href="/supervision/clues/{wujiang_clue}"' not in html
    assert client.get(f"/supervision/clues/{kunshan_clue}").status_code == 200
    other = client.get(f"/supervision/clues/{wujiang_clue}")
    missing = client.get("/supervision/clues/999999")
    assert other.status_code == missing.status_code == 404
    assert "线索不存在" in other.text
    assert other.text == missing.text
    with rt.sessions() as s:
        wujiang = s.get_one(Clue, wujiang_clue)
        event_id = s.scalar(
            select(OutboxEvent.id).where(OutboxEvent.idempotency_key == f"clue:{wujiang.cause_key}")
        )
    # reviving another division's delivery is a 404 (it cannot be probed), not a 403
    assert post_form(client, f"/supervision/deliveries/{event_id}/retry", {}).status_code == 404


def test_departments_and_enterprises_have_no_clue_pages(
    client: TestClient, as_user: Any, rt: Runtime, clock: FixedClock
) -> None:
    clue_id = red_card(as_user, rt, clock)
    for username in ("ks_epb", "yld"):
        page_login(client, username)
        home = client.get("/problems").text
        assert 'href="/supervision"' not in home
        for url in ("/supervision", f"/supervision/clues/{clue_id}", "/supervision/clues/new"):
            response = client.get(url)
            assert response.status_code == 403, (username, url)
            assert TITLE not in response.text and "无权" in response.text


def test_a_leader_reads_clues_but_has_no_write_buttons(
    client: TestClient, as_user: Any, rt: Runtime, clock: FixedClock
) -> None:
    clue_id = red_card(as_user, rt, clock)
    deliver(rt, None)
    page_login(client, "leader")
    html = client.get("/supervision").text
    assert f'data-clue="{clue_id}"' in html
    assert "data-retry" not in html and "manual-link" not in html
    assert client.get("/supervision/clues/new").status_code == 403


def test_anonymous_goes_to_the_login_page(client: TestClient) -> None:
    response = client.get("/supervision/clues/1", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login?next=")


# -- the 纪委 is read-only on problems ------------------------------------------------------------


def test_the_commission_sees_no_problem_write_buttons_and_its_posts_are_refused(
    client: TestClient, as_user: Any, rt: Runtime, clock: FixedClock
) -> None:
    clue_id = red_card(as_user, rt, clock)
    with rt.sessions() as s:
        clue = s.get_one(Clue, clue_id)
        problem_id, assignment_id = clue.problem_id, clue.assignment_id
        version = s.get_one(Assignment, assignment_id).version
    page_login(client, "jiwei")
    for url in ("/supervision", f"/supervision/clues/{clue_id}", f"/problems/{problem_id}"):
        html = client.get(url).text
        assert "data-move" not in html and 'method="post" action="/problems' not in html, url
        assert "upload-file" not in html and "dispatch-link" not in html, url
    base = f"/problems/{problem_id}/assignments/{assignment_id}"
    # the one move the assignment's state allows now is refused for the role (403); the
    # others are refused already by the state (409, naming the allowed moves)
    accept = post_form(client, base + "/move", {"move": "accept", "version": version})
    assert accept.status_code == 403 and "无权" in accept.text
    for move in ("submit", "verify", "return"):
        response = post_form(client, base + "/move", {"move": move, "version": version})
        assert response.status_code in (403, 409), (move, response.status_code)
    refused = [
        post_form(client, base + "/extension", {"requested_due": "2018-06-30", "reason": "纪委"}),
        post_form(client, f"/problems/{problem_id}/dispatch", {"lead": "1"}),
        post_form(
            client,
            f"/problems/{problem_id}/attachments",
            {},
            files={"file": ("x.png", b"\x89PNG\r\n\x1a\n", "image/png")},
        ),
    ]
    assert all(r.status_code in (403, 422) for r in refused), [r.status_code for r in refused]
    with rt.sessions() as s:
        assert s.get_one(Assignment, assignment_id).version == version
        assert s.get_one(Problem, problem_id).state == "assigned"


# -- 人工移送 --------------------------------------------------------------------------------------


def test_the_city_office_hands_a_unit_over_by_hand_with_errors_by_the_field(
    client: TestClient, as_user: Any, rt: Runtime
) -> None:
    with as_user("city") as ctx:
        problem = register(ctx, title="千灯镇某河道黑臭反复")
        dispatch(ctx, problem.id, lead="昆山市环保局")
    page_login(client, "city")
    assert 'id="manual-link"' in client.get("/supervision").text
    form = client.get(f"/supervision/clues/new?problem={problem.id}").text
    assert "千灯镇某河道黑臭反复" in form and "昆山市环保局（牵头）" in form
    bad = post_form(
        client, "/supervision/clues/new", {"problem_id": str(problem.id), "summary": "长期不作为"}
    )
    assert bad.status_code == 422
    assert re.search(r'data-field="duty_failure">请选择失职类型<', bad.text)
    assert "长期不作为" in bad.text  # nothing typed is lost
    data = {
        "problem_id": str(problem.id),
        "duty_failure": "主动履职不到位",
        "summary": "群众反复投诉，责任单位长期未见实质整改",
    }
    done = post_form(client, "/supervision/clues/new", data)
    assert done.status_code == 303, done.text
    page = client.get(done.headers["location"]).text
    assert "线索已生成" in page and "人工移送" in page and "市263办 张科长" in page
    twice = post_form(client, "/supervision/clues/new", data)
    assert twice.status_code == 409 and "已移送" in twice.text
    missing = post_form(client, "/supervision/clues/new", {**data, "problem_id": "999999"})
    assert missing.status_code == 422 and "问题不存在" in missing.text
    page_login(client, "jiwei")
    assert client.get("/supervision/clues/new").status_code == 403
    assert post_form(client, "/supervision/clues/new", data).status_code == 403


# -- bounded queries ----------------------------------------------------------------------------


def test_the_list_runs_a_bounded_number_of_statements(
    client: TestClient, as_user: Any, rt: Runtime
) -> None:
    from tests.supervision.making import make_clues

    first = make_clues(rt, 2)[0]
    page_login(client, "jiwei")

    def count(url: str) -> int:
        with counting(rt.engine) as statements:
            assert client.get(url).status_code == 200
        return len(statements)

    small = count("/supervision"), count(f"/supervision/clues/{first}")
    make_clues(rt, 30)
    deliver(rt, httpx.Response(201, json={"receipt_id": "R"}))
    large = count("/supervision"), count(f"/supervision/clues/{first}")
    assert small == large, (small, large)
    assert large[0] <= LIST_MAX and large[1] <= DETAIL_MAX, large


def test_the_problem_timeline_links_its_clue_for_clue_readers_only(
    client: TestClient, as_user: Any, rt: Runtime, clock: FixedClock
) -> None:
    """生成线索 on the problem page leads to the clue for the 纪委; the unit the clue accuses
    does not see it at all (an accusation never reaches the party concerned)."""
    clue_id = red_card(as_user, rt, clock)
    with rt.sessions() as s:
        problem_id = s.scalar(select(Clue.problem_id).where(Clue.id == clue_id))
    link = f'href="/supervision/clues/{clue_id}"'
    page_login(client, "jiwei")
    assert link in client.get(f"/problems/{problem_id}").text
    page_login(client, "ks_epb")  # the unit holding the assignment
    html = client.get(f"/problems/{problem_id}").text
    assert f"线索 #{clue_id}" not in html and "生成线索" not in html and link not in html
