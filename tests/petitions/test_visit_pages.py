"""The pages of 带案下访 and 一企一策 (信访 → 带案下访), both databases: the 高新区263办 ticks open
petitions on the form, records the visit, opens an 一企一策 on the visit's page; the visit and
the plan show on each petition; bad input gets a Chinese error page and nothing is stored.
And the demo: the bulletin's 高新区 visit replayed once, as the demo users."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from eco263.audit.models import AuditEvent
from eco263.demo import seed_story
from eco263.petitions import demo
from eco263.petitions.models import EnterprisePlan, Petition, PetitionVisit, PetitionVisitItem
from eco263.problems.models import Assignment, Problem
from eco263.registry.models import Enterprise, Organization
from eco263.runtime import Runtime
from tests.web.conftest import page_login, post_form

_ENGLISH = re.compile(r">[^<]*\b(?:None|True|False|registered|accepted|vocs)\b[^<]*<")


def _main(html: str) -> str:
    return html.split("<main", 1)[1] if "<main" in html else html


def _one(rt: Runtime, model: type, column: str, value: str) -> int:
    with rt.sessions() as s:
        found = s.scalar(select(model.id).where(getattr(model, column) == value))  # type: ignore[attr-defined]
    assert found is not None
    return int(found)


def _petition(client: TestClient, enterprise_id: int | str = "") -> int:
    made = post_form(
        client,
        "/petitions/new",
        {
            "channel": "来信",
            "kind": "申诉求决",
            "topic": "废气",
            "division_code": "320505",
            "enterprise_id": str(enterprise_id),
            "received_on": "2018-04-20",
            "description": "厂区有机废气异味扰民，傍晚尤甚。",
            "name": "陈女士",
            "phone": "13900000002",
        },
    )
    assert made.status_code == 303, made.text[:300]
    pid = int(made.headers["location"].rsplit("/", 1)[1])
    assert post_form(client, f"/petitions/{pid}/intake", {"decision": "accept"}).status_code == 303
    return pid


def _stored(rt: Runtime) -> tuple[int, ...]:
    with rt.sessions() as s:
        return tuple(
            int(s.scalar(select(func.count()).select_from(m)) or 0)
            for m in (PetitionVisit, PetitionVisitItem, EnterprisePlan, Problem, AuditEvent)
        )


VISIT = {
    "division_code": "320505",
    "visited_on": "2018-05-09",
    "place": "世联汽车内饰（苏州）有限公司",
    "leader_name": "赵鹏",
    "leader_post": "副局长",
    "team": "高新区环保局检查人员",
    "findings": "现场了解企业废气排放情况。",
    "agreed": "开展有机废气一企一策评估。",
}


def test_record_a_visit_and_a_plan_through_the_pages(client: TestClient, rt: Runtime) -> None:
    shilian = _one(rt, Enterprise, "uscc", "91320505MA1N2W3X10")
    epb = _one(rt, Organization, "name", "高新区环保局")
    page_login(client, "gaoxin")
    pid = _petition(client, shilian)
    other = _petition(client)
    listing = client.get("/petitions")
    assert 'href="/petitions/visits"' in listing.text
    form = client.get("/petitions/visits/new")
    assert form.status_code == 200 and "记录带案下访" in form.text
    assert f'value="{pid}"' in form.text and f'value="{other}"' in form.text
    assert "13900000002" not in form.text  # the complainant is not on the form
    made = post_form(
        client,
        "/petitions/visits/new",
        {
            **VISIT,
            "leader_org_id": str(epb),
            "petition_id": [str(pid)],
            f"finding_{pid}": "企业正在开展有机废气一企一策评估",
            f"agreed_{pid}": "5月底前完成评估",
        },
    )
    assert made.status_code == 303, made.text[:400]
    visit_url = made.headers["location"]
    page = client.get(visit_url)
    assert page.status_code == 200
    text = _main(page.text)
    for shown in (
        "赵鹏",
        "高新区环保局",
        "副局长",
        "企业正在开展有机废气一企一策评估",
        "尚未制定一企一策",
    ):
        assert shown in text, shown
    assert f'id="plan-form-{pid}"' in text and f'id="plan-form-{other}"' not in text
    assert not _ENGLISH.search(text), _ENGLISH.search(text)
    visit_id = visit_url.rsplit("/", 1)[1]
    plan = post_form(
        client,
        f"/petitions/{pid}/plans",
        {
            "visit_id": visit_id,
            "title": "世联汽车内饰有机废气一企一策评估",
            "owner_org_id": str(epb),
            "due_date": "2018-05-31",
            "category_code": "6T.vocs",
            "measures": "开展评估，评估后提升改造。",
        },
    )
    assert plan.status_code == 303 and plan.headers["location"] == visit_url
    text = _main(client.get(visit_url).text)
    assert "世联汽车内饰有机废气一企一策评估" in text and "2018-05-31" in text
    assert "已交办" in text and not _ENGLISH.search(text)
    # On the petition: the visit, its finding and the plan with its progress.
    detail = _main(client.get(f"/petitions/{pid}").text)
    assert 'id="visits"' in detail and "赵鹏带队" in detail and "5月底前完成评估" in detail
    assert 'id="plans"' in detail and "已交办" in detail
    assert not _ENGLISH.search(detail), _ENGLISH.search(detail)
    listed = _main(client.get("/petitions/visits").text)
    assert "2018-05-09" in listed and "1 件" in listed
    with rt.sessions() as s:
        (problem_id,) = s.scalars(select(EnterprisePlan.problem_id))
        a = s.scalars(select(Assignment).where(Assignment.problem_id == problem_id)).one()
        assert a.organization_id == epb and a.due_date.isoformat() == "2018-05-31"


def test_bad_page_input_shows_a_chinese_error_and_stores_nothing(
    client: TestClient, rt: Runtime
) -> None:
    shilian = _one(rt, Enterprise, "uscc", "91320505MA1N2W3X10")
    epb = _one(rt, Organization, "name", "高新区环保局")
    page_login(client, "gaoxin")
    pid = _petition(client, shilian)
    before = _stored(rt)
    none = post_form(client, "/petitions/visits/new", VISIT)
    assert none.status_code == 422 and "请至少选择一件" in none.text
    late = post_form(
        client,
        "/petitions/visits/new",
        {**VISIT, "visited_on": "2018-06-01", "petition_id": [str(pid)]},
    )
    assert late.status_code == 422 and "不能晚于今天" in late.text
    blank = post_form(
        client, "/petitions/visits/new", {**VISIT, "place": "", "petition_id": [str(pid)]}
    )
    assert blank.status_code == 422 and "下访地点" in blank.text
    past = post_form(
        client,
        f"/petitions/{pid}/plans",
        {"title": "评估", "owner_org_id": str(epb), "due_date": "2018-05-01", "measures": "评估"},
    )
    assert past.status_code == 422 and "早于今天" in past.text
    nodue = post_form(
        client,
        f"/petitions/{pid}/plans",
        {"title": "评估", "owner_org_id": str(epb), "due_date": "", "measures": "评估"},
    )
    assert nodue.status_code == 422 and "完成期限" in nodue.text
    assert _stored(rt) == before
    # Another district's office does not see the visit or the petition's plan form.
    made = post_form(client, "/petitions/visits/new", {**VISIT, "petition_id": [str(pid)]})
    assert made.status_code == 303
    page_login(client, "kunshan")
    assert client.get(made.headers["location"]).status_code == 404
    assert "赵鹏" not in client.get("/petitions/visits").text
    page_login(client, "snd_epb")  # a department: no 信访 pages at all
    assert client.get("/petitions/visits/new").status_code in (403, 422)


def test_the_demo_replays_the_gaoxin_visit_once(rt: Runtime) -> None:
    with rt.unit_of_work() as ctx:
        seed_story(ctx)
    with rt.sessions() as s:
        visit = s.scalars(select(PetitionVisit)).one()
        assert (visit.visited_on.isoformat(), visit.division_code) == ("2018-04-25", "320505")
        assert visit.leader_name == "赵鹏" and visit.leader_post == "副局长"
        items = s.scalars(select(PetitionVisitItem).where(PetitionVisitItem.visit_id == visit.id))
        taken = [s.get(Petition, i.petition_id) for i in items]
        assert len(taken) == 3 and all(p is not None and p.state == "accepted" for p in taken)
        plans = s.scalars(select(EnterprisePlan).order_by(EnterprisePlan.id)).all()
        assert [p.due_date.isoformat() for p in plans] == ["2018-05-31", "2018-05-31"]
        assert ["世联" in plans[0].title, "埃塞克斯" in plans[1].title] == [True, True]
        repeat = s.scalars(select(Petition).where(Petition.repeat_of_id.is_not(None))).one()
        assert repeat.hotline_no == "12345-20180508-1102"
        who = set(
            s.scalars(
                select(AuditEvent.actor_name).where(AuditEvent.action == "petition.visit_record")
            )
        )
        assert who == {"高新区263办 许主任"}
        titles = set(s.scalars(select(Problem.title).where(Problem.division_code == "320505")))
        assert len(titles) == 3 and any("华能" in t for t in titles)
    with rt.unit_of_work() as ctx:
        assert demo.replay(ctx) == 0
