"""Each clue rule through the real ledger actions: it fires, it does not, it fires once."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from eco263.clock import parse_now
from eco263.errors import InvalidInput
from eco263.outbox.models import OutboxEvent
from eco263.problems import actions
from eco263.problems.enums import Move
from eco263.problems.models import Problem
from eco263.runtime import Runtime
from eco263.supervision.actions.rules_checks import (
    AlarmFacts,
    TamperingFacts,
    do_check_repeat_fines,
    do_check_unacknowledged_alarm,
    do_open_tampering_clue,
)
from eco263.supervision.models import Clue, ClueStateChange
from eco263.supervision.rules import Fine
from tests.factories.problems import dispatch, enterprise, register, work
from tests.supervision.making import YLD, evidence_pack, org_id, tampering_clue


def _clues(rt: Runtime) -> list[Clue]:
    with rt.sessions() as s:
        return list(s.scalars(select(Clue).order_by(Clue.id)))


def _count(rt: Runtime, model: type) -> int:
    with rt.sessions() as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


# -- 整改不到位: verification failed twice ---------------------------------------------------------


def _rectifying(as_user) -> int:  # type: ignore[no-untyped-def]
    with as_user("city") as ctx:
        p = register(ctx)
        (a,) = dispatch(ctx, p.id)
    with as_user("ks_epb") as ctx:
        actions.do_move(ctx, a.id, Move.ACCEPT)
    return a.id


def _submit_and_return(as_user, assignment_id: int) -> None:  # type: ignore[no-untyped-def]
    with as_user("ks_epb") as ctx:
        actions.do_move(ctx, assignment_id, Move.SUBMIT, note="已整改")
    with as_user("kunshan") as ctx:
        actions.do_move(ctx, assignment_id, Move.RETURN, note="现场复核仍有直排")


def test_one_failed_verification_is_not_a_clue(rt: Runtime, as_user) -> None:
    a = _rectifying(as_user)
    _submit_and_return(as_user, a)
    assert _clues(rt) == []


def test_the_second_failed_verification_opens_one_clue(rt: Runtime, as_user) -> None:
    a = _rectifying(as_user)
    _submit_and_return(as_user, a)
    _submit_and_return(as_user, a)
    _submit_and_return(as_user, a)  # a third return is the same cause
    (clue,) = _clues(rt)
    assert clue.cause_kind == "failed_verification" and clue.assignment_id == a
    assert clue.duty_failure == "责任落实不到位"
    assert "昆山市环保局" in clue.summary and "2 次未通过" in clue.summary
    assert clue.responsible_person == "昆山市环保局局长"
    actions_seen = [e["action"] for e in clue.evidence["audit_events"]]
    assert actions_seen.count("assignment.return") == 2
    with rt.sessions() as s:
        event = s.scalars(select(OutboxEvent)).one()
        assert event.payload["clue_id"] == clue.id
        assert event.payload["unit"]["name"] == "昆山市环保局"
        assert event.payload["problems"][0]["id"] == clue.problem_id
        history = s.scalars(select(ClueStateChange)).all()
        assert [h.state for h in history] == ["generated"]


# -- 假整改: a closed problem comes back -------------------------------------------------------


def _closed_problem(as_user, at: str, **fields: object) -> int:  # type: ignore[no-untyped-def]
    with as_user("city", parse_now(at)) as ctx:
        p = register(ctx, found_on=parse_now(at).date(), **fields)
        (a,) = dispatch(ctx, p.id)
    work(as_user, a.id, Move.ACCEPT, Move.SUBMIT, Move.VERIFY, note="整改完成", at=parse_now(at))
    return p.id


def test_a_problem_back_on_the_same_enterprise_within_the_window_is_a_relapse(
    rt: Runtime, as_user
) -> None:
    with as_user("city") as ctx:
        ent = enterprise(ctx, YLD)
    old = _closed_problem(as_user, "2018-04-02T10:00", enterprise_id=ent)
    with as_user("city") as ctx:
        new = register(ctx, source="信访举报", enterprise_id=ent, title="群众再次投诉依利安达废水")
        register(ctx, source="在线监测", enterprise_id=ent, title="在线监测再次超标")
    (clue,) = _clues(rt)  # one clue per closed problem, however often it comes back
    assert clue.cause_kind == "relapse" and clue.problem_id == old
    assert clue.duty_failure == "责任落实不到位" and clue.organization_id is not None
    assert "疑似假整改" in clue.summary and "同一企业" in clue.summary
    assert clue.evidence["facts"]["new_problem_id"] == new.id
    with rt.sessions() as s:
        doc = s.scalars(select(OutboxEvent)).one().payload
    assert [p["id"] for p in doc["problems"]] == [old, new.id]
    assert doc["problems"][0]["state"] == "closed"


def test_a_water_body_relapse_is_found_too(rt: Runtime, as_user) -> None:
    _closed_problem(as_user, "2018-04-20T10:00", water_body="学士河")
    with as_user("city") as ctx:
        register(ctx, water_body="学士河", source="媒体曝光")
    (clue,) = _clues(rt)
    assert "同一水体" in clue.summary


def test_no_relapse_for_another_category_or_the_same_lake_elsewhere(rt: Runtime, as_user) -> None:
    _closed_problem(as_user, "2018-04-20T10:00", water_body="太湖", category_code="6T.taihu")
    with as_user("city") as ctx:
        register(ctx, water_body="太湖", category_code="6T.black_water")  # another category
        register(ctx, water_body="太湖", category_code="6T.taihu", division_code="320506")
    assert _clues(rt) == []
    with as_user("city") as ctx:
        register(ctx, water_body="太湖", category_code="6T.taihu")  # same lake, same 昆山
    assert [c.cause_kind for c in _clues(rt)] == ["relapse"]


def test_no_relapse_outside_the_window_or_for_another_enterprise(rt: Runtime, as_user) -> None:
    with as_user("city") as ctx:
        ent = enterprise(ctx, YLD)
        other = enterprise(ctx, "913205051377412342")
    _closed_problem(as_user, "2018-01-08T10:00", enterprise_id=ent)  # > 90 days before 05-10
    _closed_problem(as_user, "2018-04-02T10:00", enterprise_id=other)
    with as_user("city") as ctx:
        register(ctx, enterprise_id=ent)
    assert _clues(rt) == []


def test_a_merged_duplicate_is_not_a_closed_problem(rt: Runtime, as_user) -> None:
    with as_user("city") as ctx:
        ent = enterprise(ctx, YLD)
        keep = register(ctx, enterprise_id=ent)
        dup = register(ctx, enterprise_id=ent)
        actions.do_merge(ctx, dup.id, keep.id)
        register(ctx, enterprise_id=ent, category_code="6T.vocs")
    assert _clues(rt) == []


# -- 多次延期 ----------------------------------------------------------------------------------


def _extend(as_user, assignment_id: int, to: date) -> None:  # type: ignore[no-untyped-def]
    with as_user("ks_epb") as ctx:
        ext = actions.do_request_extension(ctx, assignment_id, to, "汛期施工受阻")
    with as_user("kunshan") as ctx:
        actions.do_decide_extension(ctx, ext.id, approve=True, note="同意")


def test_a_deadline_extended_more_than_k_times_opens_a_clue(rt: Runtime, as_user) -> None:
    with as_user("city") as ctx:
        p = register(ctx)
        (a,) = dispatch(ctx, p.id, due=date(2018, 5, 31))
    _extend(as_user, a.id, date(2018, 6, 15))
    _extend(as_user, a.id, date(2018, 6, 29))
    assert _clues(rt) == []  # two extensions are within the rule
    _extend(as_user, a.id, date(2018, 7, 13))
    (clue,) = _clues(rt)
    assert clue.cause_kind == "extensions" and clue.duty_failure == "压力传导不到位"
    assert "延期 3 次" in clue.summary and clue.assignment_id == a.id


def test_a_rejected_extension_does_not_count(rt: Runtime, as_user) -> None:
    with as_user("city") as ctx:
        p = register(ctx)
        (a,) = dispatch(ctx, p.id, due=date(2018, 5, 31))
    for to in (date(2018, 6, 15), date(2018, 6, 29), date(2018, 7, 13)):
        with as_user("ks_epb") as ctx:
            ext = actions.do_request_extension(ctx, a.id, to, "理由")
        with as_user("kunshan") as ctx:
            actions.do_decide_extension(ctx, ext.id, approve=False)
    assert _clues(rt) == []


# -- 以罚代管 (pure rule + action; the enforcement domain will call it) ------------------------


def _fines(ctx, n: int) -> list[Fine]:  # type: ignore[no-untyped-def]
    authority = org_id(ctx)
    days = [300, 120, 8][:n]
    return [
        Fine(
            f"昆环罚〔2018〕{i}号",
            ctx.today - timedelta(days=d),
            "废水超标排放",
            50000.0,
            authority,
        )
        for i, d in enumerate(days, 1)
    ]


def test_repeat_fines_open_a_clue_naming_the_authority(rt: Runtime, as_user) -> None:
    with as_user("city") as ctx:
        ent = enterprise(ctx, YLD)
        clue = do_check_repeat_fines(ctx, ent, _fines(ctx, 3))
        again = do_check_repeat_fines(ctx, ent, _fines(ctx, 3))
    assert clue is not None and again is None
    assert clue.cause_kind == "repeat_fines" and clue.duty_failure == "执法监管不到位"
    assert clue.division_code == "320583" and "处罚 3 次" in clue.summary
    assert len(clue.evidence["facts"]["fines"]) == 3
    assert len(_clues(rt)) == 1


def test_two_fines_are_not_a_clue(rt: Runtime, as_user) -> None:
    with as_user("city") as ctx:
        assert do_check_repeat_fines(ctx, enterprise(ctx, YLD), _fines(ctx, 2)) is None
    assert _clues(rt) == []


def test_repeat_fines_for_an_unknown_enterprise_are_refused(rt: Runtime, as_user) -> None:
    with pytest.raises(InvalidInput), as_user("city") as ctx:
        do_check_repeat_fines(ctx, 999_999, _fines(ctx, 3))


# -- 报警超时未响应 ----------------------------------------------------------------------------


def _alarm(ctx, acknowledged_after_hours: float | None) -> AlarmFacts:  # type: ignore[no-untyped-def]
    raised = ctx.now - timedelta(hours=6)
    return AlarmFacts(
        alarm_id=41,
        kind="exceedance",
        point_mn="32058300000041",
        division_code="320583",
        responsible_org_id=org_id(ctx),
        raised_at=raised,
        acknowledged_at=None
        if acknowledged_after_hours is None
        else raised + timedelta(hours=acknowledged_after_hours),
        evidence_pack=evidence_pack(41),
    )


def test_an_alarm_left_unacknowledged_opens_a_clue_with_its_evidence(rt: Runtime, as_user) -> None:
    with as_user("city") as ctx:
        clue = do_check_unacknowledged_alarm(ctx, _alarm(ctx, None))
    assert clue is not None and clue.duty_failure == "主动履职不到位"
    assert clue.evidence["monitoring"]["sha256"] == evidence_pack(41)["sha256"]
    assert "至今未确认" in clue.summary


def test_an_alarm_acknowledged_in_time_is_not_a_clue(rt: Runtime, as_user) -> None:
    with as_user("city") as ctx:
        assert do_check_unacknowledged_alarm(ctx, _alarm(ctx, 3.5)) is None
    assert _clues(rt) == []


# -- 干扰自动监测 ------------------------------------------------------------------------------


def test_a_tampering_finding_opens_one_clue_per_evidence_pack(rt: Runtime, as_user) -> None:
    with as_user("city") as ctx:
        clue = tampering_clue(ctx, 7)
        facts = TamperingFacts(
            point_mn="32058300000099",
            division_code="320583",
            responsible_org_id=org_id(ctx),
            detector="flatline",
            detected_at=ctx.now,
            evidence_pack=evidence_pack(7),
        )
        assert do_open_tampering_clue(ctx, facts) is not None  # another point, same pack
        assert do_open_tampering_clue(ctx, facts) is None
        with pytest.raises(InvalidInput):
            do_open_tampering_clue(ctx, replace(facts, evidence_pack={"sha256": "bad"}))
    assert clue.cause_kind == "tampering" and clue.duty_failure == "执法监管不到位"
    assert clue.evidence["monitoring"]["statistics"]["distinct_values"] == 1
    assert len(_clues(rt)) == 2 and _count(rt, OutboxEvent) == 2


def test_a_clue_is_on_the_problem_timeline(rt: Runtime, as_user, client) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import login

    a = _rectifying(as_user)
    _submit_and_return(as_user, a)
    _submit_and_return(as_user, a)
    (clue,) = _clues(rt)
    with rt.sessions() as s:
        problem_id = s.get_one(Problem, clue.problem_id).id
    timeline = client.get(f"/api/v1/problems/{problem_id}/timeline", headers=login(client, "city"))
    assert timeline.status_code == 200
    assert "clue.open" in [e["action"] for e in timeline.json()]


def test_the_delivery_board_shows_a_district_only_its_own_clues(rt: Runtime, client) -> None:  # type: ignore[no-untyped-def]
    """GET /supervision/deliveries: a 昆山 clue's delivery counts for 昆山 and the city, not for
    吴江 (whose office must not learn other districts' cause keys from the dead list)."""
    from eco263.actor import SYSTEM
    from tests.conftest import login

    with rt.unit_of_work(SYSTEM) as ctx:
        tampering_clue(ctx)  # 昆山 (320583), pending delivery

    def pending(username: str) -> int:
        board = client.get("/api/v1/supervision/deliveries", headers=login(client, username))
        assert board.status_code == 200, board.text
        return int(board.json()["pending"])

    assert pending("city") == 1
    assert pending("kunshan") == 1
    assert pending("wujiang") == 0
