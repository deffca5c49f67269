"""A case from the clue to 结案 through the real actions, on both databases; every bad input the
issue names is refused in Chinese and changes nothing."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from eco263.audit.models import AuditEvent
from eco263.enforcement import actions, service
from eco263.enforcement.enums import CaseSource, CaseState, Outcome, PauseKind
from eco263.enforcement.models import PenaltyCase
from eco263.errors import Conflict, DomainError, Forbidden, InvalidInput, NotFound
from eco263.runtime import Runtime

TZ = ZoneInfo("Asia/Shanghai")
ARTICLE = "水污染防治法第83条"


def at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 10, 0, tzinfo=TZ)


def _case(rt: Runtime, case_id: int) -> PenaltyCase:
    with rt.sessions() as s:
        found = s.get(PenaltyCase, case_id)
        assert found is not None
        s.expunge(found)
        return found


def _audits(rt: Runtime, case_id: int) -> list[str]:
    with rt.sessions() as s:
        return list(
            s.scalars(
                select(AuditEvent.action)
                .where(AuditEvent.subject_type == "penalty_case")
                .where(AuditEvent.subject_id == str(case_id))
                .order_by(AuditEvent.id)
            )
        )


def _refused(rt, as_user, user, day, error, words, call):  # type: ignore[no-untyped-def]
    """``call(ctx)`` is refused with ``error`` whose message holds ``words``; nothing changed."""
    before_audits = None
    with rt.sessions() as s:
        before_audits = s.scalar(select(func.count()).select_from(AuditEvent))
        before_rows = [
            (c.id, c.version, c.state)
            for c in s.scalars(select(PenaltyCase).order_by(PenaltyCase.id))
        ]
    with pytest.raises(error) as exc, as_user(user, at(day)) as ctx:
        call(ctx)
    assert words in exc.value.message
    with rt.sessions() as s:
        assert s.scalar(select(func.count()).select_from(AuditEvent)) == before_audits
        assert [
            (c.id, c.version, c.state)
            for c in s.scalars(select(PenaltyCase).order_by(PenaltyCase.id))
        ] == before_rows


def _open(as_user, found_on: date = date(2018, 5, 2)) -> int:  # type: ignore[no-untyped-def]
    with as_user("ks_epb", at(date(2018, 5, 8))) as ctx:
        case = actions.do_open_case(
            ctx,
            source=CaseSource.INSPECTION,
            title="依利安达电子 超标排放水污染物",
            party_name="依利安达电子（昆山）有限公司",
            found_on=found_on,
        )
        return case.id


def test_case_from_clue_to_closure(rt: Runtime, as_user) -> None:  # type: ignore[no-untyped-def]
    case_id = _open(as_user)
    case = _case(rt, case_id)
    assert case.state == CaseState.CLUE and case.filing_due == date(2018, 5, 17)

    # The investigator may not approve his own 立案.
    _refused(
        rt,
        as_user,
        "ks_epb",
        date(2018, 5, 10),
        Forbidden,
        "负责人",
        lambda ctx: actions.do_file_case(ctx, case_id, filed_on=date(2018, 5, 10)),
    )
    with as_user("ks_epb_head", at(date(2018, 5, 10))) as ctx:
        actions.do_file_case(ctx, case_id, filed_on=date(2018, 5, 10))
    assert _case(rt, case_id).decision_due == date(2018, 8, 8)

    # A fine outside the article's range; a decision before 事先告知.
    _refused(
        rt,
        as_user,
        "ks_epb",
        date(2018, 5, 10),
        InvalidInput,
        "超出",
        lambda ctx: actions.do_finish_investigation(
            ctx, case_id, article=ARTICLE, proposed_fine=50_000, facts="总铜超标"
        ),
    )
    _refused(
        rt,
        as_user,
        "ks_epb",
        date(2018, 5, 10),
        InvalidInput,
        "未知的处罚依据",
        lambda ctx: actions.do_finish_investigation(
            ctx, case_id, article="不存在的条款", proposed_fine=150_000, facts="总铜超标"
        ),
    )
    with as_user("ks_epb", at(date(2018, 5, 10))) as ctx:
        actions.do_finish_investigation(
            ctx, case_id, article=ARTICLE, proposed_fine=150_000, facts="总铜超标 2.3 倍"
        )
    _refused(
        rt,
        as_user,
        "ks_epb_head",
        date(2018, 5, 10),
        Conflict,
        "事先告知",
        lambda ctx: actions.do_decide(
            ctx, case_id, outcome=Outcome.PENALTY, decided_on=date(2018, 5, 10), fine=150_000
        ),
    )

    with as_user("ks_epb", at(date(2018, 5, 10))) as ctx:
        actions.do_notify(ctx, case_id, received_on=date(2018, 5, 10))
    case = _case(rt, case_id)
    assert case.hearing_right and case.statement_until == date(2018, 5, 17)

    # Before the 陈述申辩/听证 window closes.
    _refused(
        rt,
        as_user,
        "ks_epb_head",
        date(2018, 5, 15),
        Conflict,
        "届满前",
        lambda ctx: actions.do_decide(
            ctx, case_id, outcome=Outcome.PENALTY, decided_on=date(2018, 5, 15), fine=150_000
        ),
    )
    with as_user("ks_epb", at(date(2018, 5, 14))) as ctx:
        actions.do_request_hearing(ctx, case_id, requested_on=date(2018, 5, 14))
    _refused(
        rt,
        as_user,
        "ks_epb_head",
        date(2018, 5, 20),
        Conflict,
        "状态",
        lambda ctx: actions.do_decide(
            ctx, case_id, outcome=Outcome.PENALTY, decided_on=date(2018, 5, 20), fine=150_000
        ),
    )
    with as_user("ks_epb", at(date(2018, 5, 24))) as ctx:
        actions.do_hold_hearing(ctx, case_id, held_on=date(2018, 5, 24))
    assert _case(rt, case_id).decision_due == date(2018, 8, 20)  # 10 days of 听证 excluded

    _refused(
        rt,
        as_user,
        "ks_epb_head",
        date(2018, 5, 25),
        InvalidInput,
        "超出",
        lambda ctx: actions.do_decide(
            ctx, case_id, outcome=Outcome.PENALTY, decided_on=date(2018, 5, 25), fine=2_000_000
        ),
    )
    _refused(
        rt,
        as_user,
        "ks_epb_head",
        date(2018, 5, 25),
        Conflict,
        "集体讨论",
        lambda ctx: actions.do_decide(
            ctx, case_id, outcome=Outcome.PENALTY, decided_on=date(2018, 5, 25), fine=300_000
        ),
    )
    _refused(
        rt,
        as_user,
        "ks_epb",
        date(2018, 5, 25),
        Forbidden,
        "负责人",
        lambda ctx: actions.do_decide(
            ctx, case_id, outcome=Outcome.PENALTY, decided_on=date(2018, 5, 25), fine=150_000
        ),
    )
    with as_user("ks_epb_head", at(date(2018, 5, 25))) as ctx:
        actions.do_decide(
            ctx, case_id, outcome=Outcome.PENALTY, decided_on=date(2018, 5, 25), fine=150_000
        )
    with as_user("ks_epb", at(date(2018, 5, 28))) as ctx:
        actions.do_serve(ctx, case_id, served_on=date(2018, 5, 28))
    assert _case(rt, case_id).payment_due == date(2018, 6, 12)

    # Two days late: 加处罚款 3 % a day.
    _refused(
        rt,
        as_user,
        "ks_epb",
        date(2018, 6, 14),
        InvalidInput,
        "加处罚款 9000 元",
        lambda ctx: actions.do_record_payment(
            ctx, case_id, paid_on=date(2018, 6, 14), amount=150_000
        ),
    )
    with as_user("ks_epb", at(date(2018, 6, 14))) as ctx:
        actions.do_record_payment(ctx, case_id, paid_on=date(2018, 6, 14), amount=159_000)
    with as_user("ks_epb_head", at(date(2018, 6, 15))) as ctx:
        actions.do_close_case(ctx, case_id, closed_on=date(2018, 6, 15))
    case = _case(rt, case_id)
    assert case.state == CaseState.CLOSED and case.surcharge == 9_000
    assert _audits(rt, case_id) == [
        "case.open",
        "case.file",
        "case.investigated",
        "case.notify",
        "case.hearing_request",
        "case.hearing_held",
        "case.decide",
        "case.serve",
        "case.pay",
        "case.close",
    ]


def test_pauses_and_extension_move_the_clock_on_the_record(rt: Runtime, as_user) -> None:  # type: ignore[no-untyped-def]
    case_id = _open(as_user)
    with as_user("ks_epb_head", at(date(2018, 5, 10))) as ctx:
        actions.do_file_case(ctx, case_id, filed_on=date(2018, 5, 10))
    with as_user("ks_epb", at(date(2018, 5, 11))) as ctx:
        actions.do_pause_clock(
            ctx, case_id, kind=PauseKind.MONITORING, started_on=date(2018, 5, 11)
        )
    _refused(
        rt,
        as_user,
        "ks_epb",
        date(2018, 5, 12),
        Conflict,
        "未结束",
        lambda ctx: actions.do_pause_clock(
            ctx, case_id, kind=PauseKind.APPRAISAL, started_on=date(2018, 5, 12)
        ),
    )
    _refused(
        rt,
        as_user,
        "ks_epb",
        date(2018, 5, 12),
        InvalidInput,
        "不能扣除",
        lambda ctx: actions.do_pause_clock(
            ctx, case_id, kind="holiday", started_on=date(2018, 5, 12)
        ),
    )
    with as_user("ks_epb", at(date(2018, 5, 21))) as ctx:
        actions.do_resume_clock(ctx, case_id, ended_on=date(2018, 5, 21))
    assert _case(rt, case_id).decision_due == date(2018, 8, 20)

    with as_user("ks_epb", at(date(2018, 7, 1))) as ctx:
        extension = actions.do_request_extension(ctx, case_id, reason="需补充鉴定")
    assert _case(rt, case_id).decision_due == date(2018, 8, 20)  # nothing moves until approved
    _refused(
        rt,
        as_user,
        "ks_epb",
        date(2018, 7, 2),
        Forbidden,
        "负责人",
        lambda ctx: actions.do_decide_extension(ctx, extension.id, approve=True),
    )
    with as_user("ks_epb_head", at(date(2018, 7, 2))) as ctx:
        actions.do_decide_extension(ctx, extension.id, approve=True)
    assert _case(rt, case_id).decision_due == date(2018, 9, 17)
    with as_user("ks_epb", at(date(2018, 7, 3))) as ctx:
        second = actions.do_request_extension(ctx, case_id, reason="案情复杂")
    _refused(
        rt,
        as_user,
        "ks_epb_head",
        date(2018, 7, 4),
        Conflict,
        "集体讨论",
        lambda ctx: actions.do_decide_extension(ctx, second.id, approve=True),
    )
    with as_user("ks_epb_head", at(date(2018, 7, 4))) as ctx:
        actions.do_decide_extension(ctx, second.id, approve=True, collective=True)
    assert _case(rt, case_id).extension_count == 2

    # The transfers domain notes a hand-over to the police: the clock pauses again.
    with as_user("ks_epb_head", at(date(2018, 7, 5))) as ctx:
        actions.do_note_transfer(
            ctx, case_id, transferred_on=date(2018, 7, 5), reference="昆环移〔2018〕1号"
        )
    with rt.sessions() as s:
        assert service.open_pause(s, case_id) is not None
    assert "case.transfer_noted" in _audits(rt, case_id)


def test_endings_without_a_penalty_and_refused_filing(rt: Runtime, as_user) -> None:  # type: ignore[no-untyped-def]
    first, second = _open(as_user), _open(as_user)
    with as_user("ks_epb_head", at(date(2018, 5, 10))) as ctx:
        actions.do_file_case(ctx, first, filed_on=date(2018, 5, 10))
    _refused(
        rt,
        as_user,
        "ks_epb_head",
        date(2018, 5, 11),
        InvalidInput,
        "理由",
        lambda ctx: actions.do_decide(
            ctx, first, outcome=Outcome.NOT_ESTABLISHED, decided_on=date(2018, 5, 11)
        ),
    )
    with as_user("ks_epb_head", at(date(2018, 5, 11))) as ctx:
        actions.do_decide(
            ctx,
            first,
            outcome=Outcome.NOT_ESTABLISHED,
            decided_on=date(2018, 5, 11),
            reason="复测达标，事实不能成立",
        )
        actions.do_refuse_filing(ctx, second, reason="不属于本机关管辖")
    assert _case(rt, first).state == CaseState.CLOSED
    assert _case(rt, second).state == CaseState.NOT_FILED


def test_scope_other_units_and_the_enterprise_never_see_a_case(rt: Runtime, as_user) -> None:  # type: ignore[no-untyped-def]
    case_id = _open(as_user)
    for user in ("yld", "gusu_water", "wujiang"):
        with as_user(user) as ctx, pytest.raises(NotFound):
            service.get_case(ctx.session, ctx.actor, case_id)
    with as_user("kunshan") as ctx:
        assert service.get_case(ctx.session, ctx.actor, case_id).id == case_id
    _refused(
        rt,
        as_user,
        "kunshan",
        date(2018, 5, 10),
        Forbidden,
        "执法部门",
        lambda ctx: actions.do_file_case(ctx, case_id, filed_on=date(2018, 5, 10)),
    )


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"title": " "}, "案由"),
        ({"party_name": ""}, "当事人"),
        ({"found_on": date(2018, 6, 1)}, "不能晚于今天"),
        ({"source": "rumour"}, "未知的案件来源"),
        ({"source": CaseSource.PETITION}, "信访件编号"),
        ({"source": CaseSource.PROBLEM}, "须指明问题"),
    ],
)
def test_bad_clues_are_refused(rt: Runtime, as_user, kwargs: dict, words: str) -> None:  # type: ignore[no-untyped-def,type-arg]
    data = {
        "source": CaseSource.INSPECTION,
        "title": "案由",
        "party_name": "某公司",
        "found_on": date(2018, 5, 2),
        **kwargs,
    }
    _refused(
        rt,
        as_user,
        "ks_epb",
        date(2018, 5, 8),
        DomainError,
        words,
        lambda ctx: actions.do_open_case(ctx, **data),
    )
