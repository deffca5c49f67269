"""Ledger actions on real SQLite and PostgreSQL: lifecycle, deadlines, guards, audit."""

from __future__ import annotations

import threading
from datetime import date

import pytest
from sqlalchemy import func, select

from eco263.audit.models import AuditEvent
from eco263.audit.service import verify_chain
from eco263.errors import Conflict, Forbidden, InvalidInput, NotFound
from eco263.problems import actions
from eco263.problems.enums import AssignmentState, Move, ProblemState
from eco263.problems.models import Assignment, Problem
from eco263.runtime import Runtime
from tests.factories.problems import dispatch, on_behalf, org, register, work


def _events(rt: Runtime, problem_id: int) -> list[str]:
    with rt.sessions() as s:
        return list(
            s.scalars(
                select(AuditEvent.action)
                .where(
                    AuditEvent.subject_type == "problem", AuditEvent.subject_id == str(problem_id)
                )
                .order_by(AuditEvent.seq)
            )
        )


def test_register_stores_the_rule_deadline_with_its_reason_and_audits(rt: Runtime, as_user) -> None:
    with as_user("city") as ctx:
        p = register(ctx, source="联合执法", division_code="320507", found_on=date(2018, 4, 27))
    assert p.due_date == date(2018, 5, 9)
    assert p.due_reason == "7 个工作日，自 2018-04-27 起算（联合执法）"
    assert p.state == ProblemState.REGISTERED
    assert _events(rt, p.id) == ["problem.register"]


def test_full_lifecycle_closes_only_when_every_unit_is_verified(rt: Runtime, as_user) -> None:
    with as_user("city") as ctx:
        p = register(ctx)
        lead, co = dispatch(ctx, p.id, "昆山市环保局", ("昆山市水务局",))
    with as_user("ks_epb") as ctx:
        actions.do_move(ctx, lead.id, Move.ACCEPT)
        actions.do_move(ctx, lead.id, Move.SUBMIT, note="已整改，附照片")
    with as_user("kunshan") as ctx:  # 昆山市水务局 has no account: 昆山市263办 acts for it
        actions.do_move(ctx, co.id, Move.ACCEPT, on_behalf=on_behalf(ctx, p.id))
        actions.do_move(ctx, co.id, Move.SUBMIT, note="已立案", on_behalf=on_behalf(ctx, p.id))
        actions.do_move(ctx, lead.id, Move.VERIFY)
    with rt.sessions() as s:
        assert s.get_one(Problem, p.id).state == ProblemState.VERIFYING
    with as_user("city") as ctx:  # not the office that submitted for the unit
        actions.do_move(ctx, co.id, Move.VERIFY)
    with rt.sessions() as s:
        closed = s.get_one(Problem, p.id)
        assert closed.state == ProblemState.CLOSED
        assert closed.closed_at is not None
    assert _events(rt, p.id) == [
        "problem.register",
        "problem.dispatch",
        "assignment.accept",
        "assignment.submit",
        "attachment.add",
        "assignment.accept",
        "attachment.add",
        "assignment.submit",
        "assignment.verify",
        "assignment.verify",
    ]
    with rt.sessions() as s:
        assert verify_chain(s).ok


def test_return_sends_the_unit_back_to_rectifying_and_counts(rt: Runtime, as_user) -> None:
    with as_user("city") as ctx:
        p = register(ctx)
        (a,) = dispatch(ctx, p.id)
    work(as_user, a.id, Move.ACCEPT, Move.SUBMIT, note="整改完成")
    with as_user("city") as ctx:
        back = actions.do_move(ctx, a.id, Move.RETURN, note="现场仍有排口")
    assert back.state == AssignmentState.RECTIFYING
    assert back.returned_count == 1


def test_illegal_move_is_409_naming_the_allowed_moves_and_changes_nothing(
    rt: Runtime, as_user
) -> None:
    with as_user("city") as ctx:
        p = register(ctx)
        (a,) = dispatch(ctx, p.id)
    before = _events(rt, p.id)
    with pytest.raises(Conflict) as err, as_user("city") as ctx:
        actions.do_move(ctx, a.id, Move.VERIFY)
    assert "签收" in err.value.message
    assert err.value.details["allowed"] == ["accept"]
    assert _events(rt, p.id) == before


def test_department_cannot_verify_its_own_work(rt: Runtime, as_user) -> None:
    with as_user("city") as ctx:
        p = register(ctx)
        (a,) = dispatch(ctx, p.id)
    work(as_user, a.id, Move.ACCEPT, Move.SUBMIT, note="done")
    with pytest.raises(Forbidden), as_user("ks_epb") as ctx:
        actions.do_move(ctx, a.id, Move.VERIFY)


def test_supervisor_never_writes_a_problem(rt: Runtime, as_user) -> None:
    with as_user("city") as ctx:
        p = register(ctx)
        (a,) = dispatch(ctx, p.id)
    with pytest.raises(Forbidden), as_user("jiwei") as ctx:
        actions.do_move(ctx, a.id, Move.ACCEPT)
    with pytest.raises(Forbidden), as_user("jiwei") as ctx:
        register(ctx)


def test_out_of_scope_assignment_is_not_found(rt: Runtime, as_user) -> None:
    with as_user("city") as ctx:
        p = register(ctx)
        (a,) = dispatch(ctx, p.id)
    with pytest.raises(NotFound), as_user("wujiang") as ctx:
        actions.do_move(ctx, a.id, Move.ACCEPT)


def test_stale_version_gets_409(rt: Runtime, as_user) -> None:
    with as_user("city") as ctx:
        p = register(ctx)
        (a,) = dispatch(ctx, p.id)
        version = a.version
    with as_user("ks_epb") as ctx:
        actions.do_move(ctx, a.id, Move.ACCEPT, version=version)
    with pytest.raises(Conflict, match="已被他人更新"), as_user("ks_epb") as ctx:
        actions.do_move(ctx, a.id, Move.SUBMIT, note="x", version=version)


def test_concurrent_moves_on_one_row_one_wins_the_other_409(rt: Runtime, as_user) -> None:
    with as_user("city") as ctx:
        p = register(ctx)
        (a,) = dispatch(ctx, p.id)
        version = a.version
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def attempt() -> None:
        barrier.wait()
        try:
            with as_user("ks_epb") as ctx:
                actions.do_move(ctx, a.id, Move.ACCEPT, version=version)
            outcomes.append("ok")
        except Conflict:
            outcomes.append("409")

    threads = [threading.Thread(target=attempt) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["409", "ok"]
    assert _events(rt, p.id).count("assignment.accept") == 1


def test_deadline_before_today_is_refused(rt: Runtime, as_user) -> None:
    with pytest.raises(InvalidInput, match="早于"), as_user("city") as ctx:
        register(ctx, due_date=date(2018, 5, 1))
    with as_user("city") as ctx:
        p = register(ctx)
    with pytest.raises(InvalidInput, match="早于"), as_user("city") as ctx:
        dispatch(ctx, p.id, due=date(2018, 5, 9))


def test_unknown_division_source_and_category_are_refused(rt: Runtime, as_user) -> None:
    with pytest.raises(InvalidInput, match="320584"), as_user("city") as ctx:
        register(ctx, division_code="320584")
    with pytest.raises(InvalidInput, match="来源"), as_user("city") as ctx:
        register(ctx, source="小道消息")
    with pytest.raises(InvalidInput, match="分类"), as_user("city") as ctx:
        register(ctx, category_code="9X.none")
    with rt.sessions() as s:
        assert s.scalar(select(func.count()).select_from(Problem)) == 0


def test_district_office_cannot_file_outside_its_division(rt: Runtime, as_user) -> None:
    with pytest.raises(InvalidInput, match="辖区"), as_user("kunshan") as ctx:
        register(ctx, division_code="320509")


def test_a_date_outside_every_calendar_is_a_clear_error(rt: Runtime, as_user) -> None:
    from datetime import UTC, datetime

    with (
        pytest.raises(InvalidInput, match="2029"),
        as_user("city", datetime(2029, 3, 1, tzinfo=UTC)) as ctx,
    ):
        register(ctx, found_on=date(2029, 3, 1))


def test_duplicate_intake_is_flagged_and_can_be_merged(rt: Runtime, as_user) -> None:
    with as_user("city") as ctx:
        first = register(ctx, water_body="学士河", division_code="320508")
        second = register(ctx, water_body="学士河", division_code="320508", source="领导督查")
        other = register(ctx, water_body="护城河", division_code="320508")
    assert second.possible_duplicate_of_id == first.id
    assert other.possible_duplicate_of_id is None
    with as_user("city") as ctx:
        merged = actions.do_merge(ctx, second.id, first.id)
    assert merged.state == ProblemState.MERGED
    assert merged.duplicate_of_id == first.id
    with pytest.raises(Conflict), as_user("city") as ctx:
        actions.do_merge(ctx, second.id, first.id)


def test_extension_moves_the_deadline_only_when_approved(rt: Runtime, as_user) -> None:
    with as_user("city") as ctx:
        p = register(ctx)
        (a,) = dispatch(ctx, p.id, due=date(2018, 5, 14))
    with as_user("ks_epb") as ctx:
        req = actions.do_request_extension(ctx, a.id, date(2018, 6, 15), "设备采购周期长")
    with rt.sessions() as s:
        assert s.get_one(Assignment, a.id).due_date == date(2018, 5, 14)
    with pytest.raises(Forbidden), as_user("ks_epb") as ctx:
        actions.do_decide_extension(ctx, req.id, approve=True)
    with as_user("city") as ctx:
        actions.do_decide_extension(ctx, req.id, approve=True, note="同意")
    with rt.sessions() as s:
        moved = s.get_one(Assignment, a.id)
        assert moved.due_date == date(2018, 6, 15)
        assert moved.extension_count == 1
        assert "延期至 2018-06-15" in moved.due_reason
    assert _events(rt, p.id)[-2:] == ["extension.request", "extension.approve"]
    with pytest.raises(InvalidInput), as_user("ks_epb") as ctx:
        actions.do_request_extension(ctx, a.id, date(2018, 6, 1), "更早的期限不是延期")


def test_a_unit_is_not_assigned_twice(rt: Runtime, as_user) -> None:
    with as_user("city") as ctx:
        p = register(ctx)
        dispatch(ctx, p.id)
    with pytest.raises(Conflict), as_user("city") as ctx:
        actions.do_dispatch(ctx, p.id, None, [_spec(ctx, "昆山市环保局")])


def _spec(ctx, name: str):  # type: ignore[no-untyped-def]
    from eco263.problems.schemas import AssignmentSpec

    return AssignmentSpec(organization_id=org(ctx, name))
