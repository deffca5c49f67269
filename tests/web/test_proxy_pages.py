"""Separation of duties on the problem page: an office sees no unit moves for a unit with an
account, and acts for a unit without one only with a reason and a file of evidence (代办)."""

from __future__ import annotations

from sqlalchemy import select

from eco263.problems.enums import AssignmentState
from eco263.problems.models import Assignment
from eco263.runtime import Runtime
from tests.factories.problems import PNG, dispatch, register
from tests.web.conftest import post_form

POLICE = "昆山市水务局"  # a unit without an account of its own in the demo
EPB = "昆山市环保局"  # has its own account (ks_epb)


def _state(rt: Runtime, assignment_id: int) -> str:
    with rt.sessions() as s:
        return str(s.scalar(select(Assignment.state).where(Assignment.id == assignment_id)))


def test_the_page_offers_no_unit_moves_to_an_office_for_a_unit_with_an_account(
    as_page_user, as_user
) -> None:  # type: ignore[no-untyped-def]
    with as_user("kunshan") as ctx:
        p = register(ctx)
        dispatch(ctx, p.id, EPB)
    page = as_page_user("kunshan").get(f"/problems/{p.id}")
    assert page.status_code == 200
    assert 'data-move="accept"' not in page.text and "申请延期" not in page.text


def test_the_page_asks_for_reason_and_evidence_when_an_office_acts_for_a_unit(
    rt: Runtime, as_page_user, as_user
) -> None:  # type: ignore[no-untyped-def]
    with as_user("kunshan") as ctx:
        p = register(ctx)
        (a,) = dispatch(ctx, p.id, POLICE)
    browser = as_page_user("kunshan")
    page = browser.get(f"/problems/{p.id}")
    assert "代办签收" in page.text and 'name="on_behalf_file"' in page.text
    url = f"/problems/{p.id}/assignments/{a.id}/move"
    refused = post_form(browser, url, {"move": "accept", "on_behalf_reason": "书面材料代办"})
    assert refused.status_code == 422 and "代办须附证明材料" in refused.text
    assert _state(rt, a.id) == AssignmentState.ASSIGNED
    done = post_form(
        browser,
        url,
        {"move": "accept", "on_behalf_reason": "水务局未开通账号，凭书面材料代办"},
        files={"on_behalf_file": ("书面材料.png", PNG, "image/png")},
    )
    assert done.status_code == 303, done.text
    shown = browser.get(f"/problems/{p.id}")
    assert "263办代办：水务局未开通账号" in shown.text and "tag proxy" in shown.text
    assert 'data-move="verify"' not in shown.text
