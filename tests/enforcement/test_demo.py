"""The demo's enforcement stories replay through the real actions as the real users (both
databases): 张家港海事局's case closed with its fine, 依利安达's case transferred to 昆山市公安局,
filed there, three engineers detained; a second replay changes nothing."""

from __future__ import annotations

from sqlalchemy import select

from eco263.audit.models import AuditEvent
from eco263.demo import seed_story
from eco263.enforcement.models import CasePause, PenaltyCase
from eco263.runtime import Runtime
from eco263.transfers import demo
from eco263.transfers.models import Transfer


def test_the_demo_stories_replay_as_the_demo_users(rt: Runtime) -> None:
    with rt.unit_of_work() as ctx:
        seed_story(ctx)
    with rt.sessions() as s:
        zjg, yld, cs = s.scalars(select(PenaltyCase).order_by(PenaltyCase.id)).all()
        assert cs.party_name == "常熟市某印染有限公司" and cs.state == "served"
        assert (zjg.state, zjg.fine, zjg.paid_amount, zjg.outcome) == (
            "closed",
            18000,
            18000,
            "penalty",
        )
        assert yld.state == "investigating" and yld.enterprise_id is not None
        pauses = s.scalars(select(CasePause).where(CasePause.case_id == yld.id)).all()
        assert [p.kind for p in pauses] == ["transfer"]
        t = s.scalars(select(Transfer).where(Transfer.case_id == yld.id)).one()
        assert t.state == "concluded" and t.outcome is not None
        assert [p["measure"] for p in t.outcome] == ["刑事拘留"] * 3
        who = dict(
            s.execute(
                select(AuditEvent.action, AuditEvent.actor_name).where(
                    AuditEvent.action.in_(
                        ["case.file", "case.decide", "transfer.decide", "transfer.file"]
                    ),
                    AuditEvent.subject_id != str(cs.id),
                )
            ).all()
        )
    assert who["case.decide"] == "张家港海事局 吴局长"
    assert who["transfer.decide"] == "昆山市环保局 刘局长"
    assert who["transfer.file"] == "昆山市公安局 环食药侦大队 孙警官"
    with rt.unit_of_work() as ctx:
        assert demo.replay(ctx) == 0
