"""The staff pages of 信访 (menu 信访): registration of a 来访, the path to the 处理意见书 through
the forms, the masked contact, duplicates with their score, the ledger problem, the workbench,
hot spots — and the bad inputs (accepting twice, an extension approved by its requester, a 复核
after 终结), each with a Chinese refusal and nothing changed."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from eco263.audit.models import AuditEvent
from eco263.clock import FixedClock, parse_now
from eco263.petitions import actions
from eco263.petitions.models import Petition
from eco263.petitions.schemas import AnswerIn, ContactIn, IntakeIn, PetitionIn
from eco263.problems.models import Problem
from eco263.registry.models import Enterprise
from eco263.runtime import Runtime
from tests.petitions.conftest import ANSWER
from tests.web.conftest import page_login, post_form

VISIT = {
    "channel": "来访",
    "kind": "申诉求决",
    "topic": "噪声",
    "division_code": "320583",
    "location": "昆山某热电厂东侧",
    "received_on": "2018-05-09",
    "description": "夜间厂界噪声扰民，开机时冒黄烟。",
    "name": "王小明",
    "phone": "13812345678",
    "address": "昆山市玉山镇某小区3幢",
}
_ENGLISH = re.compile(r">[^<]*\b(?:None|True|False|registered|accepted|answer)\b[^<]*<")


def _register(client: TestClient, **change: str) -> int:
    answer = post_form(client, "/petitions/new", {**VISIT, **change})
    assert answer.status_code == 303, answer.text[:400]
    return int(answer.headers["location"].rsplit("/", 1)[1])


def _state(rt: Runtime, pid: int) -> tuple[str, int]:
    with rt.sessions() as s:
        p = s.get(Petition, pid)
        assert p is not None
        return p.state, p.version


def _events(rt: Runtime) -> int:
    with rt.sessions() as s:
        return int(s.scalar(select(func.count()).select_from(AuditEvent)) or 0)


def _main(html: str) -> str:
    return html.split("<main", 1)[1] if "<main" in html else html


def test_from_registration_to_the_answer_through_the_pages(client: TestClient, rt: Runtime) -> None:
    page_login(client, "kunshan")
    menu = client.get("/petitions")
    assert menu.status_code == 200 and 'href="/petitions"' in menu.text
    form = client.get("/petitions/new")
    assert "登记来信来访" in form.text and "来访" in form.text
    pid = _register(client)
    page = client.get(f"/petitions/{pid}").text
    # The registering officer handles it: the contact in full, the 15-day clock with its basis.
    assert "13812345678" in page and "王小明" in page
    assert "2018-05-24" in page and "信访工作条例第22、23条" in page
    assert 'id="intake-form"' in page and 'id="opinion-form"' not in page
    assert post_form(client, f"/petitions/{pid}/intake", {"decision": "accept"}).status_code == 303
    page = client.get(f"/petitions/{pid}").text
    assert "已受理，办理中" in page and "2018-07-09" in page and "第34条" in page
    assert 'id="opinion-form"' in page and 'id="extension-form"' in page
    ext = post_form(client, f"/petitions/{pid}/extension", {"reason": "需委托第三方监测夜间噪声"})
    assert ext.status_code == 303
    page = client.get(f"/petitions/{pid}").text
    assert "待批准" in page and 'id="approve-form"' not in page  # not by its requester
    # Another officer (市263办) approves; the contact is masked for them.
    page_login(client, "city")
    page = client.get(f"/petitions/{pid}").text
    assert "138****5678" in page and "13812345678" not in page and "王小明" not in page
    assert 'id="approve-form"' in page
    assert post_form(client, f"/petitions/{pid}/extension/approve", {}).status_code == 303
    page_login(client, "kunshan")
    page = client.get(f"/petitions/{pid}").text
    assert "2018-08-08" in page and "（已批准）" in page
    answer = post_form(client, f"/petitions/{pid}/opinions/answer", ANSWER)
    assert answer.status_code == 303, answer.text[:300]
    page = client.get(f"/petitions/{pid}").text
    assert "信访处理意见书" in page and "加装隔声屏障" in page and "已答复" in page
    history = page.split('id="history"', 1)[1]
    for step in ("信访登记", "受理", "申请延长办理期限", "批准延长办理期限", "出具信访处理意见书"):
        assert step in history
    assert not _ENGLISH.search(_main(page)), _ENGLISH.search(_main(page))


def test_accepting_twice_is_refused_and_changes_nothing(client: TestClient, rt: Runtime) -> None:
    page_login(client, "kunshan")
    pid = _register(client)
    assert post_form(client, f"/petitions/{pid}/intake", {"decision": "accept"}).status_code == 303
    before, events = _state(rt, pid), _events(rt)
    again = post_form(client, f"/petitions/{pid}/intake", {"decision": "accept"})
    assert again.status_code == 409 and "该信访件已作出受理决定" in again.text
    assert _state(rt, pid) == before and _events(rt) == events


def test_refusals_need_a_reason_and_a_transfer_its_body(client: TestClient, rt: Runtime) -> None:
    page_login(client, "kunshan")
    pid = _register(client)
    before = _state(rt, pid)
    bare = post_form(client, f"/petitions/{pid}/intake", {"decision": "not_accept"})
    assert bare.status_code == 422 and "须写明理由" in bare.text
    nowhere = post_form(
        client, f"/petitions/{pid}/intake", {"decision": "transfer", "reason": "不属本机关职责"}
    )
    assert nowhere.status_code == 422 and "有权处理的机关" in nowhere.text
    assert _state(rt, pid) == before
    done = post_form(
        client,
        f"/petitions/{pid}/intake",
        {"decision": "transfer", "reason": "属住建部门职责", "transferred_to": "昆山市住建局"},
    )
    assert done.status_code == 303
    assert "已转送有权处理机关" in client.get(f"/petitions/{pid}").text


def test_an_extension_approved_by_its_requester_is_refused(client: TestClient, rt: Runtime) -> None:
    page_login(client, "kunshan")
    pid = _register(client)
    post_form(client, f"/petitions/{pid}/intake", {"decision": "accept"})
    post_form(client, f"/petitions/{pid}/extension", {"reason": "需委托监测"})
    before, events = _state(rt, pid), _events(rt)
    refused = post_form(client, f"/petitions/{pid}/extension/approve", {})
    assert refused.status_code == 403 and "不能批准自己的延期申请" in refused.text
    assert _state(rt, pid) == before and _events(rt) == events
    short = post_form(client, f"/petitions/{pid}/extension", {"reason": ""})
    assert short.status_code == 422 and "延期理由" in short.text


def test_a_recheck_after_the_final_answer_is_refused(
    client: TestClient, rt: Runtime, as_user: Any
) -> None:
    page_login(client, "kunshan")
    pid = _register(client)
    body = AnswerIn(**ANSWER)
    with as_user("kunshan") as ctx:
        actions.do_intake(ctx, pid, IntakeIn(decision="accept"))
        actions.do_answer(ctx, pid, body)
        code = ctx.session.get(Petition, pid).tracking_code
        actions.do_request_review(ctx, code, "仍有噪声")
        actions.do_answer(ctx, pid, body, step="review")
        actions.do_request_review(ctx, code, "复查意见不当")
    recheck = post_form(client, f"/petitions/{pid}/opinions/recheck", ANSWER)
    assert recheck.status_code == 303
    page = client.get(f"/petitions/{pid}").text
    assert "已复核（终结）" in page and "不再受理" in page and 'id="opinion-form"' not in page
    before, events = _state(rt, pid), _events(rt)
    again = post_form(client, f"/petitions/{pid}/opinions/recheck", ANSWER)
    assert again.status_code == 409 and "没有待办的复核请求" in again.text
    public = client.post(f"/api/v1/public/petitions/{code}/review", json={"reason": "再次申请"})
    assert public.status_code == 409 and "终结" in public.json()["error"]["message"]
    assert _state(rt, pid) == before and _events(rt) == events
    unknown = post_form(client, f"/petitions/{pid}/opinions/other", ANSWER)
    assert unknown.status_code == 422


def test_bad_registration_inputs_store_nothing(client: TestClient, rt: Runtime) -> None:
    page_login(client, "kunshan")
    with rt.sessions() as s:
        count = s.scalar(select(func.count()).select_from(Petition))
    for change, message in (
        ({"description": "太短"}, "来信来访内容"),
        ({"channel": "12345"}, "来信或来访"),
        ({"phone": "abc"}, "联系电话"),
        ({"received_on": "2018-13-01"}, "日期格式"),
        ({"received_on": "2018-06-01"}, "不能晚于今天"),
        ({"division_code": "320509"}, ""),  # 吴江: outside 昆山's jurisdiction
    ):
        answer = post_form(client, "/petitions/new", {**VISIT, **change})
        assert answer.status_code in {403, 404, 422}, (change, answer.status_code)
        assert message in answer.text
    with rt.sessions() as s:
        assert s.scalar(select(func.count()).select_from(Petition)) == count


def test_list_filters_and_who_sees_what(
    client: TestClient, rt: Runtime, as_user: Any, clock: FixedClock
) -> None:
    page_login(client, "kunshan")
    first = _register(client)
    second = _register(client, description="河道黑臭，沿岸有排污口。", topic="黑臭水体")
    post_form(client, f"/petitions/{first}/intake", {"decision": "accept"})
    with as_user("jiwei") as ctx:
        accused = actions.do_register(
            ctx,
            PetitionIn(
                channel="来信",
                kind="检举控告",
                topic="其他",
                description="举报某干部包庇违法排污企业。",
                division_code="320583",
            ),
        ).id

    def rows(query: str) -> set[int]:
        html = client.get(f"/petitions{query}").text
        return {int(i) for i in re.findall(r'data-petition="(\d+)"', html)}

    assert {first, second} <= rows("") and accused not in rows("")
    assert rows("?state=accepted") >= {first} and second not in rows("?state=accepted")
    assert second in rows("?q=黑臭") and first not in rows("?q=黑臭")
    assert rows("?channel=来信") & {first, second} == set()
    assert rows("?kind=检举控告") == set()
    assert first not in rows("?overdue=1")
    clock.set(parse_now("2018-08-01T09:00"))
    page_login(client, "kunshan")  # the session of May has expired
    assert {first, second} <= rows("?overdue=1")
    assert "逾期" in client.get("/petitions?overdue=1").text
    # The 检举控告 reaches the 纪委监委 only; a department has no 信访 menu and no petition.
    page_login(client, "jiwei")
    assert accused in rows("")
    page_login(client, "ks_epb")
    assert 'href="/petitions"' not in client.get("/workbench").text
    assert client.get(f"/petitions/{first}").status_code == 404


def test_duplicates_with_their_score_and_a_ledger_problem(
    client: TestClient, rt: Runtime, as_user: Any
) -> None:
    with rt.sessions() as s:
        enterprise = s.scalar(select(Enterprise.id).where(Enterprise.division_code == "320583"))
    page_login(client, "kunshan")
    first = _register(client, enterprise_id=str(enterprise))
    second = _register(
        client, enterprise_id=str(enterprise), description="该厂夜里噪声很大，开机冒黄烟。"
    )
    page = client.get(f"/petitions/{second}").text
    dup = page.split('id="duplicates"', 1)[1].split("</section>", 1)[0]
    assert f'data-duplicate="{first}"' in dup and "同一企业" in dup and "100.0" in dup
    post_form(client, f"/petitions/{second}/intake", {"decision": "accept"})
    opened = post_form(
        client,
        f"/petitions/{second}/problems",
        {
            "title": "某厂夜间噪声扰民（信访件）",
            "category_code": "6T.vocs",
            "due_date": "2018-05-31",
        },
    )
    assert opened.status_code == 303, opened.text[:300]
    with rt.sessions() as s:
        problem = s.scalar(select(Problem).where(Problem.title == "某厂夜间噪声扰民（信访件）"))
        assert problem is not None and problem.source == "信访举报"
        assert problem.due_date.isoformat() == "2018-05-31"
        assert "13812345678" not in problem.description
    page = client.get(f"/petitions/{second}").text
    assert f'href="/problems/{problem.id}"' in page and "2018-05-31" in page
    # Hot spots: the enterprise with its two petitions.
    spots = client.get("/petitions/hotspots").text
    assert "企业" in spots and f"#{first}" in spots and f"#{second}" in spots
    bad = client.get("/petitions/hotspots?start=2018-06-01&end=2018-05-01")
    assert bad.status_code == 422 and "开始日期" in bad.text


def test_the_workbench_lists_petitions_to_accept_handle_and_review(
    client: TestClient, rt: Runtime
) -> None:
    page_login(client, "kunshan")
    registered = _register(client)
    accepted = _register(client, description="工地夜间施工噪声扰民。")
    post_form(client, f"/petitions/{accepted}/intake", {"decision": "accept"})
    html = client.get("/workbench").text
    assert f'href="/petitions/{registered}"' in html and "待受理信访" in html
    assert f'href="/petitions/{accepted}"' in html and "待办理信访" in html
    page_login(client, "ks_epb")
    assert f'href="/petitions/{registered}"' not in client.get("/workbench").text


def test_contact_is_stored_but_never_in_the_audit_chain(client: TestClient, rt: Runtime) -> None:
    page_login(client, "kunshan")
    pid = _register(client)
    client.get(f"/petitions/{pid}")
    with rt.sessions() as s:
        events = s.scalars(
            select(AuditEvent).where(
                AuditEvent.subject_type == "petition", AuditEvent.subject_id == str(pid)
            )
        ).all()
    assert {e.action for e in events} >= {"petition.register", "petition.personal_view"}
    assert all("13812345678" not in str(e.after) for e in events)
    with rt.sessions() as s:
        contact = s.get(Petition, pid)
        assert contact is not None and contact.complainant_phone == "13812345678"
    assert ContactIn(phone="13812345678").phone == "13812345678"


def _csv(*rows: str) -> bytes:
    return ("工单编号,诉求内容,来电时间,诉求分类,事发地址\n" + "\n".join(rows) + "\n").encode()


def test_the_import_page_is_idempotent_and_refuses_a_missing_column(
    client: TestClient, rt: Runtime
) -> None:
    page_login(client, "kunshan")
    assert "列映射" in client.get("/petitions/import").text
    data = _csv(
        "A001,夜间工地施工噪声扰民严重,2018-05-08,噪声,昆山市玉山镇",
        "A002,河道发黑发臭有异味,2018-05-09,黑臭水体,昆山市周市镇",
    )
    form = {
        "hotline": "12345",
        "division": "320583",
        "col_hotline_no": "工单编号",
        "col_description": "诉求内容",
        "col_received_on": "来电时间",
        "col_topic": "诉求分类",
        "col_location": "事发地址",
    }
    files = {"file": ("export.csv", data, "text/csv")}
    first = post_form(client, "/petitions/import", form, files=files)
    assert first.status_code == 200, first.text[:300]
    assert 'id="created">2<' in first.text and 'id="skipped">0<' in first.text
    again = post_form(client, "/petitions/import", form, files=files)
    assert 'id="created">0<' in again.text and 'id="skipped">2<' in again.text
    with rt.sessions() as s:
        count = s.scalar(select(func.count()).select_from(Petition))
    missing = post_form(client, "/petitions/import", {**form, "col_phone": "来电号码"}, files=files)
    assert missing.status_code == 422 and "文件中没有列：来电号码" in missing.text
    wrong = post_form(
        client, "/petitions/import", form, files={"file": ("x.png", b"\x89PNG", "image/png")}
    )
    assert wrong.status_code == 422 and "只支持 xlsx 或 csv" in wrong.text
    with rt.sessions() as s:
        assert s.scalar(select(func.count()).select_from(Petition)) == count
