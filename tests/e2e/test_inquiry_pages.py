"""专题询问 in a real browser: after the 2018-04-27 sitting (questions answered by the
departments), the office records the committee's 审议意见 with the day it was received (the
report falls due three months later), splits off a task, drafts the handling report; another
office user approves it, it is submitted to the standing committee, and the members' 满意度测评
accepts it.

Screenshots at 1366×768: docs/screenshots/inquiries-opinion.png and inquiries-report.png (from
the SQLite run).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest

from eco263.auth.service import actor_for_username
from eco263.clock import FixedClock, parse_now
from eco263.inquiries import actions
from eco263.inquiries import demo as story
from eco263.inquiries.schemas import AnswerIn, QuestionIn, SittingIn
from eco263.registry import service as registry
from eco263.runtime import Runtime
from tests.conftest import Database
from tests.e2e.conftest import SCREENSHOTS
from tests.e2e.test_workflow import Browser


@pytest.fixture
def web(browser: Any, server: str, database: Database) -> Iterator[Browser]:
    person = Browser(browser, server, shots=database.backend == "sqlite")
    yield person
    assert not person.outside, f"the page reached outside the server: {person.outside}"
    person.close()


def _sitting_answered(rt: Runtime) -> int:
    """The sitting of the demo with its three questions, each answered by its department."""
    data = story.load()
    with rt.unit_of_work() as ctx:
        units = {o.name: o.id for o in registry.list_organizations(ctx.session)}
        s = data["sitting"]
        office = replace(ctx, actor=actor_for_username(ctx.session, "city"))
        sitting = actions.do_record_sitting(
            office,
            SittingIn(
                committee_org_id=units[s["committee"]],
                session_name=s["session_name"],
                held_on=s["held_on"],
                theme=s["theme"],
                category_code=s["category"],
            ),
        )
        for q in data["questions"]:
            question = actions.do_add_question(
                office,
                sitting.id,
                QuestionIn(
                    asker=q["asker"],
                    asker_title=q["asker_title"],
                    topic=q["topic"],
                    question=q["question"],
                    organization_id=units[q["unit"]],
                ),
            )
            unit = replace(ctx, actor=actor_for_username(ctx.session, q["answer_by"]))
            actions.do_answer(
                unit, question.id, AnswerIn(answerer=q["answerer"], answer=q["answer"])
            )
        return sitting.id


def _shot_at(web: Browser, name: str, selector: str) -> None:
    """A screenshot of the viewport with ``selector`` at its top (the step just taken)."""
    if web.shots:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        web.page.locator(selector).evaluate("e => e.scrollIntoView({block: 'start'})")
        web.page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))


def _submit(web: Browser, form: str, button: str = "button[type=submit]") -> None:
    with web.page.expect_navigation():
        web.page.click(f"{form} >> {button}")
    web.page.wait_for_load_state("networkidle")


def test_the_opinion_is_recorded_and_the_report_submitted_and_accepted(
    rt: Runtime, web: Browser, clock: FixedClock
) -> None:
    sid = _sitting_answered(rt)

    # the office records the committee's 审议意见, received on Tue 2018-05-08
    web.login("city")
    with web.page.expect_navigation():
        web.page.click("nav.mainnav >> text=人大询问")
    with web.page.expect_navigation():
        web.page.click("text=苏州市十六届人大常委会第11次会议")
    assert "新能源汽车" in web.page.inner_text("#questions")
    web.page.fill("#opinion-form input[name=received_on]", "2018-05-08")
    web.page.fill("#f-opinion", "一、加大机动车污染防治力度。\n二、加快新能源汽车推广。")
    _submit(web, "#opinion-form")
    assert web.page.inner_text("#received") == "2018-05-08"
    assert "2018-08-08" in web.page.inner_text("#report-due")  # npc.report: 3 months
    assert "加快新能源汽车推广" in web.page.inner_text("#opinion")
    assert web.page.locator("#opinion-form").count() == 0  # recorded once
    web.page.fill("#task-form input[name=title]", "机动车污染防治")
    web.page.select_option("#f-task-unit", label="苏州市公安局")
    web.page.fill("#f-task-content", "严查冒黑烟车辆，推进老旧车辆淘汰")
    _submit(web, "#task-form")
    assert "苏州市公安局" in web.page.inner_text("#tasks")
    _shot_at(web, "inquiries-opinion", "#opinion")

    # two months on, the office drafts the report (assembled from the tasks)
    clock.set(parse_now("2018-07-20T10:00"))
    web.login("city")  # a new day, a new session
    web.goto(f"/inquiries/{sid}")
    _submit(web, "#draft-form")
    assert "已起草，待审核" in web.page.inner_text("#report")
    assert web.page.locator("#review-form").count() == 1  # shown, but the drafter may not approve

    # another office user approves; the report is submitted on time
    web.login("city_deputy")
    web.goto(f"/inquiries/{sid}")
    _submit(web, "#review-form", "button[value=approve]")
    assert "已审核，待报送" in web.page.inner_text("#report")
    web.page.fill("#submit-form input[name=submitted_on]", "2018-07-20")
    _submit(web, "#submit-form")
    state = web.page.inner_text("#report-state")
    assert "已报送人大常委会" in state and "2018-07-20" in state and "逾期" not in state

    # the members' 满意度测评 accepts it
    for member in ("委员甲", "代表乙"):
        web.page.fill("#rating-form input[name=member]", member)
        web.page.select_option("#f-rating", label="满意")
        _submit(web, "#rating-form")
    assert "满意 2 人" in web.page.inner_text("#rating-counts")
    history = web.page.inner_text("#history")
    assert "收到审议意见" in history and "报送落实情况报告" in history
    _shot_at(web, "inquiries-report", "#report")
