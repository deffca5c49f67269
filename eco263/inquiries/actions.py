"""专题询问 writes (``do_*``): check the rule, change, audit — one transaction.

The city 263 office records the sitting, its questions, the receipt of the 审议意见 (the
event the report's deadline runs from: ``npc.report``), the tasks and the report; each
answering department writes the answers to its own questions.  A task is a ledger problem
(source 人大询问) anchored on the receipt and dispatched to its department, never due after
the report.  The report is drafted by one office user and approved by another (:mod:`.report`
holds the draft and its DOCX).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import update

from eco263.context import Ctx
from eco263.deadlines import load_catalogue
from eco263.errors import Conflict, InvalidInput
from eco263.inquiries import rules, service
from eco263.inquiries.enums import AuditAction, ReportState
from eco263.inquiries.events import InquiryReportOverdue
from eco263.inquiries.models import InquiryQuestion, InquirySitting, InquiryTask
from eco263.inquiries.schemas import AnswerIn, OpinionIn, QuestionIn, SittingIn, TaskIn
from eco263.problems import actions as ledger
from eco263.problems.enums import Source
from eco263.problems.schemas import AssignmentSpec, ProblemCreate
from eco263.registry import service as registry
from eco263.registry.enums import ASSIGNABLE_KINDS, OrgKind

SUBJECT = "inquiry_sitting"


def snapshot(sitting: InquirySitting) -> dict[str, Any]:
    return {
        "opinion_received_on": (
            sitting.opinion_received_on.isoformat() if sitting.opinion_received_on else None
        ),
        "report_due": sitting.report_due.isoformat() if sitting.report_due else None,
        "report_state": sitting.report_state,
    }


def bump(ctx: Ctx, sitting: InquirySitting, version: int | None) -> None:
    """Claim ``sitting`` if nobody changed it since ``version`` was read."""
    expected = sitting.version if version is None else version
    result = ctx.session.execute(
        update(InquirySitting)
        .where(InquirySitting.id == sitting.id, InquirySitting.version == expected)
        .values(version=InquirySitting.version + 1)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict("该专题询问已被他人更新，请刷新后重试", current_version=sitting.version)
    ctx.session.refresh(sitting)


def _answering_unit(ctx: Ctx, org_id: int, field: str = "organization_id") -> str:
    org = registry.organization_in_scope(ctx.session, ctx.actor, org_id, field=field)
    if org.kind not in ASSIGNABLE_KINDS or org.kind == OrgKind.OFFICE:
        raise InvalidInput(f"{org.name}不是政府职能部门", field=field)
    return org.name


def do_record_sitting(ctx: Ctx, data: SittingIn) -> InquirySitting:
    """登记会议: the city office records a 专题询问 sitting of the standing committee."""
    rules.require_city_office(ctx.actor, "登记专题询问会议")
    registry.require_in_jurisdiction(ctx.session, ctx.actor, data.division_code)
    registry.require_category(data.category_code)
    committee = registry.organization_in_scope(
        ctx.session, ctx.actor, data.committee_org_id, field="committee_org_id"
    )
    if committee.kind != OrgKind.CONGRESS:
        raise InvalidInput(f"{committee.name}不是人大常委会", field="committee_org_id")
    rules.check_held_on(data.held_on, ctx.today)
    sitting = InquirySitting(
        division_code=data.division_code,
        committee_org_id=committee.id,
        session_name=data.session_name.strip(),
        held_on=data.held_on,
        theme=data.theme.strip(),
        category_code=data.category_code,
        recorded_by=ctx.actor.user_id,
        recorded_at=ctx.now,
        opinion_text="",
        report_state=ReportState.NONE.value,
        report_text="",
        version=1,
    )
    ctx.session.add(sitting)
    ctx.session.flush()
    ctx.audit(
        AuditAction.SITTING,
        SUBJECT,
        sitting.id,
        None,
        {"session_name": sitting.session_name, "held_on": data.held_on.isoformat()},
    )
    return sitting


def do_add_question(ctx: Ctx, sitting_id: int, data: QuestionIn) -> InquiryQuestion:
    """登记询问: who asked what, and which department answers."""
    sitting = service.get_sitting(ctx.session, ctx.actor, sitting_id)
    rules.require_city_office(ctx.actor, "登记询问问题")
    unit = _answering_unit(ctx, data.organization_id)
    question = InquiryQuestion(
        sitting_id=sitting.id,
        asker=data.asker.strip(),
        asker_title=data.asker_title.strip(),
        topic=data.topic.strip(),
        question=data.question,
        organization_id=data.organization_id,
        answerer="",
        answer="",
        recorded_by=ctx.actor.user_id,
        recorded_at=ctx.now,
    )
    ctx.session.add(question)
    ctx.session.flush()
    ctx.audit(
        AuditAction.QUESTION,
        SUBJECT,
        sitting.id,
        None,
        {"question_id": question.id, "asker": question.asker, "unit": unit},
    )
    return question


def do_answer(ctx: Ctx, question_id: int, data: AnswerIn) -> InquiryQuestion:
    """应询答复: the answering department writes (or, before the 审议意见, amends) its answer."""
    question = service.get_question(ctx.session, ctx.actor, question_id)
    rules.require_answerer(ctx.actor, question.organization_id)
    sitting = service.get_sitting(ctx.session, ctx.actor, question.sitting_id)
    if sitting.opinion_received_on is not None:
        raise Conflict("已收到审议意见，答复不能再修改")
    before = {"answered": question.answered_at is not None}
    question.answerer, question.answer = data.answerer.strip(), data.answer
    question.answered_by, question.answered_at = ctx.actor.user_id, ctx.now
    ctx.audit(
        AuditAction.ANSWER,
        SUBJECT,
        sitting.id,
        before,
        {"question_id": question.id, "answerer": question.answerer},
    )
    return question


def do_receive_opinion(ctx: Ctx, sitting_id: int, data: OpinionIn) -> InquirySitting:
    """收到审议意见: the day of receipt is the anchor of the report's deadline."""
    sitting = service.get_sitting(ctx.session, ctx.actor, sitting_id)
    rules.require_city_office(ctx.actor, "登记收到审议意见")
    if sitting.opinion_received_on is not None:
        raise Conflict("审议意见已登记收到")
    rules.check_received_on(data.received_on, sitting.held_on, ctx.today)
    catalogue = load_catalogue(ctx.settings.deadline_rules_file)
    key = rules.report_rule_key(catalogue.rules, sitting.division_code)
    due = catalogue.due(key, data.received_on, ctx.calendar)
    before = snapshot(sitting)
    bump(ctx, sitting, data.version)
    sitting.opinion_text, sitting.opinion_received_on = data.text, data.received_on
    sitting.report_due, sitting.report_due_reason, sitting.report_due_rule = (
        due.due,
        due.reason,
        due.rule,
    )
    ctx.audit(AuditAction.OPINION, SUBJECT, sitting.id, before, snapshot(sitting))
    return sitting


def do_add_task(ctx: Ctx, sitting_id: int, data: TaskIn) -> InquiryTask:
    """分解任务: one ledger problem (source 人大询问) anchored on the receipt, dispatched to
    the department, due by its own date, the ledger's rule, or the report's deadline —
    whichever comes first; never after the report."""
    sitting = service.get_sitting(ctx.session, ctx.actor, sitting_id)
    rules.require_city_office(ctx.actor, "分解审议意见任务")
    received = rules.require_received(sitting.opinion_received_on, "分解任务")
    if sitting.report_state == ReportState.SUBMITTED.value:
        raise Conflict("落实情况报告已报送，不能再分解任务")
    assert sitting.report_due is not None  # noqa: S101 - set with the receipt
    rules.check_task_due(data.due_date, sitting.report_due, ctx.today)
    _answering_unit(ctx, data.organization_id)
    problem = ledger.do_register_problem(
        ctx,
        ProblemCreate(
            title=f"{sitting.theme}专题询问审议意见：{data.title}"[:200],
            description=data.content,
            source=Source.CONGRESS_INQUIRY.value,
            category_code=sitting.category_code,
            division_code=sitting.division_code,
            found_on=sitting.held_on,
            anchored_on=received,
        ),
    )
    due = data.due_date
    if due is None and problem.due_date > sitting.report_due:
        due = sitting.report_due  # the committee's own, shorter rule
    (assignment,) = ledger.do_dispatch(
        ctx, problem.id, AssignmentSpec(organization_id=data.organization_id, due_date=due), []
    )
    task = InquiryTask(
        sitting_id=sitting.id,
        organization_id=data.organization_id,
        title=data.title.strip(),
        content=data.content,
        problem_id=problem.id,
        assignment_id=assignment.id,
        created_by=ctx.actor.user_id,
        created_at=ctx.now,
    )
    ctx.session.add(task)
    ctx.session.flush()
    ctx.audit(
        AuditAction.TASK,
        SUBJECT,
        sitting.id,
        None,
        {
            "task_id": task.id,
            "problem_id": problem.id,
            "organization_id": data.organization_id,
            "due_date": assignment.due_date.isoformat(),
            "anchored_on": received.isoformat(),
        },
    )
    return task


def do_flag_overdue_report(ctx: Ctx, sitting: InquirySitting) -> bool:
    """落实情况报告逾期 (the ``opinion_overdue`` job, as the system): the first time a sitting is
    seen past ``report_due`` without a submitted report, audit it and announce it (the
    office that reports and the committee are told).  Returns whether this call flagged it."""
    due, received = sitting.report_due, sitting.opinion_received_on
    action = AuditAction.REPORT_OVERDUE
    if due is None or received is None:
        return False
    if sitting.id in service.flagged(ctx.session, action.value, [sitting.id]):
        return False
    late = (ctx.today - due).days
    ctx.audit(action, SUBJECT, sitting.id, None, {**snapshot(sitting), "overdue_days": late})
    ctx.announce(
        InquiryReportOverdue(
            sitting.id,
            sitting.session_name,
            sitting.division_code,
            sitting.committee_org_id,
            received,
            due,
            late,
        )
    )
    return True
