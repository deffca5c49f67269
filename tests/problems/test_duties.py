"""Separation of duties (issue #10): no one account closes a task alone.

- An office never makes a unit's move (签收, 提交, 申请延期) for a unit that has its own account.
- For a unit without one it acts as 代办: reason and evidence required, on the record, and then
  neither the person nor the office that submitted verifies.
- Whoever asks for an extension (or the office that asked for the unit) never decides it.

Through the actions here; through the API and the pages at the end of the file.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from eco263.audit.models import AuditEvent
from eco263.auth.actions import do_create_user
from eco263.errors import Forbidden, InvalidInput
from eco263.problems import actions
from eco263.problems.enums import AssignmentState, Move
from eco263.problems.models import Assignment, ExtensionRequest, Problem
from eco263.problems.schemas import OnBehalfIn
from eco263.runtime import Runtime
from tests.conftest import login
from tests.factories.problems import PNG, dispatch, evidence, on_behalf, org, register

POLICE = "昆山市水务局"  # a unit without an account of its own in the demo
EPB = "昆山市环保局"  # has its own account (ks_epb)


def _colleague(as_user) -> str:  # type: ignore[no-untyped-def]
    """A second user of 昆山市263办: the rules hold for the office, not only the person."""
    with as_user("city") as ctx:
        do_create_user(
            ctx.session,
            ctx.actor,
            username="kunshan2",
            password="eco263demo",
            display_name="昆山市263办 副主任",
            role="district_office",
            division_code="320583",
            organization_id=org(ctx, "昆山市263办"),
            now=ctx.now,
        )
    return "kunshan2"


def _state(rt: Runtime, assignment_id: int) -> tuple[str, int, bool]:
    with rt.sessions() as s:
        a = s.get_one(Assignment, assignment_id)
        return a.state, a.version, a.proxied


def _audit_count(rt: Runtime) -> int:
    with rt.sessions() as s:
        return int(s.scalar(select(func.count(AuditEvent.id))) or 0)


def _last_event(rt: Runtime, action: str) -> dict[str, Any]:
    with rt.sessions() as s:
        event = s.scalars(
            select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.seq.desc())
        ).first()
        assert event is not None
        return dict(event.after or {})


def test_an_office_never_acts_for_a_unit_with_its_own_account(rt: Runtime, as_user) -> None:
    with as_user("kunshan") as ctx:
        p = register(ctx)
        (a,) = dispatch(ctx, p.id, EPB)
        proxy = on_behalf(ctx, p.id)
    before = (_state(rt, a.id), _audit_count(rt))
    for details in (None, proxy):
        with pytest.raises(Forbidden, match="已开通账号"), as_user("kunshan") as ctx:
            actions.do_move(ctx, a.id, Move.ACCEPT, on_behalf=details)
    with pytest.raises(Forbidden, match="已开通账号"), as_user("kunshan") as ctx:
        actions.do_request_extension(ctx, a.id, a.due_date.replace(year=2019), "来不及")
    assert (_state(rt, a.id), _audit_count(rt)) == before


def test_acting_for_a_unit_without_account_needs_a_reason_and_evidence(
    rt: Runtime, as_user
) -> None:
    with as_user("kunshan") as ctx:
        p = register(ctx)
        other = register(ctx, title="另一个问题：工地扬尘")
        (a,) = dispatch(ctx, p.id, POLICE)
        foreign = OnBehalfIn(reason="凭书面材料代办", attachment_id=evidence(ctx, other.id))
    before = (_state(rt, a.id), _audit_count(rt))
    with pytest.raises(InvalidInput, match="代办须填写"), as_user("kunshan") as ctx:
        actions.do_move(ctx, a.id, Move.ACCEPT)
    with pytest.raises(InvalidInput, match="本问题的附件"), as_user("kunshan") as ctx:
        actions.do_move(ctx, a.id, Move.ACCEPT, on_behalf=foreign)
    assert (_state(rt, a.id), _audit_count(rt)) == before
    with as_user("kunshan") as ctx:
        actions.do_move(ctx, a.id, Move.ACCEPT, on_behalf=on_behalf(ctx, p.id))
    state, _, proxied = _state(rt, a.id)
    assert state == AssignmentState.RECTIFYING and proxied
    record = _last_event(rt, "assignment.accept")["on_behalf"]
    assert (
        record["reason"].startswith("该单位未开通账号") and len(record["attachment_sha256"]) == 64
    )
    with rt.sessions() as s:
        assert s.get_one(Problem, p.id).proxied


def test_the_unit_itself_gives_no_proxy_details(rt: Runtime, as_user) -> None:
    with as_user("city") as ctx:
        p = register(ctx)
        (a,) = dispatch(ctx, p.id, EPB)
        proxy = on_behalf(ctx, p.id)
    with pytest.raises(InvalidInput, match="无需填写代办"), as_user("ks_epb") as ctx:
        actions.do_move(ctx, a.id, Move.ACCEPT, on_behalf=proxy)


def test_the_office_that_submitted_for_the_unit_never_verifies_it(rt: Runtime, as_user) -> None:
    with as_user("kunshan") as ctx:
        p = register(ctx)
        (a,) = dispatch(ctx, p.id, POLICE)
        actions.do_move(ctx, a.id, Move.ACCEPT, on_behalf=on_behalf(ctx, p.id))
        actions.do_move(ctx, a.id, Move.SUBMIT, note="已查处", on_behalf=on_behalf(ctx, p.id))
    colleague = _colleague(as_user)
    before = (_state(rt, a.id), _audit_count(rt))
    for who, refusal in (("kunshan", "提交整改的人不能核查"), (colleague, "须由其他单位核查")):
        for move in (Move.VERIFY, Move.RETURN):
            with pytest.raises(Forbidden, match=refusal), as_user(who) as ctx:
                actions.do_move(ctx, a.id, move, note="自己核查")
    assert (_state(rt, a.id), _audit_count(rt)) == before
    with as_user("city") as ctx:
        done = actions.do_move(ctx, a.id, Move.VERIFY)
    assert done.state == AssignmentState.VERIFIED


def test_the_unit_submits_and_its_office_verifies(rt: Runtime, as_user) -> None:
    with as_user("kunshan") as ctx:
        p = register(ctx)
        (a,) = dispatch(ctx, p.id, EPB)
    with as_user("ks_epb") as ctx:
        actions.do_move(ctx, a.id, Move.ACCEPT)
        actions.do_move(ctx, a.id, Move.SUBMIT, note="已整改")
    with as_user("kunshan") as ctx:
        assert actions.do_move(ctx, a.id, Move.VERIFY).state == AssignmentState.VERIFIED
    with rt.sessions() as s:
        row = s.get_one(Assignment, a.id)
        assert row.submitted_by is not None and not row.proxied


def test_whoever_asks_for_an_extension_never_decides_it(rt: Runtime, as_user) -> None:
    with as_user("kunshan") as ctx:
        p = register(ctx)
        (a,) = dispatch(ctx, p.id, POLICE)
        later = a.due_date + timedelta(days=10)
        ext = actions.do_request_extension(
            ctx, a.id, later, "需要鉴定", on_behalf=on_behalf(ctx, p.id)
        )
    colleague = _colleague(as_user)
    before = _audit_count(rt)
    for who, refusal in (("kunshan", "申请延期的人不能审批"), (colleague, "须由其他单位审批")):
        with pytest.raises(Forbidden, match=refusal), as_user(who) as ctx:
            actions.do_decide_extension(ctx, ext.id, approve=True)
    assert _audit_count(rt) == before
    with as_user("city") as ctx:
        decided = actions.do_decide_extension(ctx, ext.id, approve=True)
    assert decided.state == "approved" and decided.proxied


def test_a_unit_asks_and_its_office_decides(rt: Runtime, as_user) -> None:
    with as_user("kunshan") as ctx:
        p = register(ctx)
        (a,) = dispatch(ctx, p.id, EPB)
    with as_user("ks_epb") as ctx:
        ext = actions.do_request_extension(ctx, a.id, a.due_date + timedelta(days=10), "需要鉴定")
    with as_user("kunshan") as ctx:
        assert actions.do_decide_extension(ctx, ext.id, approve=False).state == "rejected"


# -- through the REST API (the issue's own sequence) --------------------------------------------


def test_one_account_cannot_close_a_units_task_through_the_api(
    rt: Runtime, client: TestClient, as_user
) -> None:
    ks = login(client, "kunshan")
    with as_user("kunshan") as ctx:
        p = register(ctx)
    org_id = client.get("/api/v1/organizations", headers=ks).json()
    epb = next(o["id"] for o in org_id if o["name"] == EPB)
    sent = client.post(
        f"/api/v1/problems/{p.id}/dispatch",
        json={"lead": {"organization_id": epb}},
        headers=ks,
    )
    assert sent.status_code == 200, sent.text
    assignment = sent.json()["assignments"][0]
    before = (_state(rt, assignment["id"]), _audit_count(rt))
    for move in ("accept", "submit", "verify"):
        answer = client.post(
            f"/api/v1/assignments/{assignment['id']}/{move}", json={"note": "x"}, headers=ks
        )
        assert answer.status_code in (403, 409), (move, answer.text)
    assert (_state(rt, assignment["id"]), _audit_count(rt)) == before


def test_proxy_through_the_api_then_verification_by_another_office(
    rt: Runtime, client: TestClient, as_user
) -> None:
    ks, city = login(client, "kunshan"), login(client, "city")
    with as_user("kunshan") as ctx:
        p = register(ctx)
        (a,) = dispatch(ctx, p.id, POLICE)
    upload = client.post(
        f"/api/v1/problems/{p.id}/attachments",
        files={"file": ("书面材料.png", PNG, "image/png")},
        headers=ks,
    )
    assert upload.status_code == 201, upload.text
    proxy = {"reason": "水务局未开通账号，凭书面材料代办", "attachment_id": upload.json()["id"]}
    url = f"/api/v1/assignments/{a.id}"
    missing = client.post(f"{url}/accept", json={}, headers=ks)
    assert missing.status_code == 422 and missing.json()["error"]["details"]["field"] == "on_behalf"
    assert client.post(f"{url}/accept", json={"on_behalf": proxy}, headers=ks).status_code == 200
    body = {"note": "已查处", "on_behalf": proxy}
    submitted = client.post(f"{url}/submit", json=body, headers=ks)
    assert submitted.status_code == 200, submitted.text
    assert submitted.json()["proxied"] is True
    mine = client.post(f"{url}/verify", json={}, headers=ks)
    assert mine.status_code == 403 and "核查" in mine.json()["error"]["message"]
    assert client.post(f"{url}/verify", json={}, headers=city).status_code == 200
    detail = client.get(f"/api/v1/problems/{p.id}", headers=ks).json()
    assert detail["proxied"] is True


def test_the_api_refuses_an_office_deciding_its_own_extension_request(
    rt: Runtime, client: TestClient, as_user
) -> None:
    ks = login(client, "kunshan")
    with as_user("kunshan") as ctx:
        p = register(ctx)
        (a,) = dispatch(ctx, p.id, POLICE)
        ext = actions.do_request_extension(
            ctx, a.id, a.due_date + timedelta(days=10), "需要鉴定", on_behalf=on_behalf(ctx, p.id)
        )
    answer = client.post(
        f"/api/v1/extensions/{ext.id}/decision", json={"approve": True}, headers=ks
    )
    assert answer.status_code == 403
    with rt.sessions() as s:
        assert s.get_one(ExtensionRequest, ext.id).state == "pending"
