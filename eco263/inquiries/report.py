"""The government's 审议意见研究处理情况报告: assembled from the questions and the tasks'
outcomes, drafted by one city office user, approved by another (never its drafter), then
submitted to the standing committee — on time or late against ``report_due``.  Then the
optional 满意度测评 and the 跟踪监督 rounds."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from eco263.context import Ctx
from eco263.db import unique_or_conflict
from eco263.errors import Conflict, InvalidInput
from eco263.inquiries import rules, service
from eco263.inquiries.actions import SUBJECT, bump, snapshot
from eco263.inquiries.enums import AuditAction, ReportState
from eco263.inquiries.models import InquiryRating, InquirySitting, InquiryTracking
from eco263.inquiries.schemas import DraftIn, RatingsIn, SubmitIn, TrackingIn
from eco263.registry import service as registry


@dataclass(frozen=True, slots=True)
class Section:
    heading: str
    paragraphs: list[str]


def assemble(ctx: Ctx, sitting: InquirySitting) -> list[Section]:
    """The report's sections: the sitting and the 审议意见, each task's outcome from the
    ledger, and what remains open."""
    views = service.task_views(ctx.session, ctx.actor, sitting.id)
    questions = service.questions_of(ctx.session, sitting.id)
    names = registry.organization_names(
        ctx.session,
        {v.task.organization_id for v in views} | {q.organization_id for q in questions},
    )
    received = sitting.opinion_received_on
    intro = [
        f"{sitting.held_on.year}年{sitting.held_on.month}月{sitting.held_on.day}日，"
        f"{sitting.session_name}就{sitting.theme}开展专题询问，"
        f"{len(questions)}个问题由{len({q.organization_id for q in questions})}个部门应询答复。",
    ]
    if received is not None:
        intro.append(
            f"市政府于{received.year}年{received.month}月{received.day}日收到专题询问审议意见，"
            f"按要求应于{sitting.report_due.isoformat() if sitting.report_due else ''}前"
            "报告落实情况。现将研究处理情况报告如下。"
        )
    asked = [
        f"{q.asker}（{q.asker_title}）询问“{q.topic}”，由{names.get(q.organization_id, '')}"
        + (f"{q.answerer}答复。" if q.answerer else "应询（尚未登记答复）。")
        for q in questions
    ]
    done = [v for v in views if v.done]
    progress = [
        f"{i}. {v.task.title}（{names.get(v.task.organization_id, '')}，期限 "
        f"{v.due_date.isoformat()}，{v.state_label}）" + (f"：{v.outcome}" if v.outcome else "。")
        for i, v in enumerate(views, 1)
    ]
    summary = [
        f"审议意见分解任务 {len(views)} 项，已办结 {len(done)} 项，"
        f"正在落实 {len(views) - len(done)} 项。"
    ]
    opinion = [p for p in sitting.opinion_text.splitlines() if p.strip()] or ["（未登记）"]
    return [
        Section("一、基本情况", intro),
        Section("二、询问与应询", asked or ["（未登记询问问题）"]),
        Section("三、审议意见", opinion),
        Section("四、审议意见落实情况", summary + progress),
        Section(
            "五、下一步工作",
            [
                "对尚未办结的任务，继续按期限督办，纳入问题台账跟踪销号；"
                "自觉接受市人大常委会跟踪监督。"
            ],
        ),
    ]


def as_text(sections: list[Section]) -> str:
    return "\n\n".join(s.heading + "\n" + "\n".join(s.paragraphs) for s in sections)


def do_draft_report(ctx: Ctx, sitting_id: int, data: DraftIn) -> InquirySitting:
    """起草: the text given, or assembled from the tasks' outcomes now."""
    sitting = service.get_sitting(ctx.session, ctx.actor, sitting_id)
    rules.require_city_office(ctx.actor, "起草落实情况报告")
    rules.require_received(sitting.opinion_received_on, "起草落实情况报告")
    target = rules.next_report_state(sitting.report_state, "draft")
    text = data.text.strip() or as_text(assemble(ctx, sitting))
    before = snapshot(sitting)
    bump(ctx, sitting, data.version)
    sitting.report_state, sitting.report_text = target.value, text
    sitting.report_drafted_by, sitting.report_drafted_at = ctx.actor.user_id, ctx.now
    sitting.report_approved_by, sitting.report_approved_at = None, None
    ctx.audit(AuditAction.DRAFT, SUBJECT, sitting.id, before, snapshot(sitting))
    return sitting


def do_review_report(
    ctx: Ctx, sitting_id: int, approve: bool, *, version: int | None = None
) -> InquirySitting:
    """审核: another city office user approves the draft (or returns it); never its drafter."""
    sitting = service.get_sitting(ctx.session, ctx.actor, sitting_id)
    rules.require_city_office(ctx.actor, "审核落实情况报告")
    rules.require_other_approver(ctx.actor, sitting.report_drafted_by)
    target = rules.next_report_state(sitting.report_state, "approve" if approve else "return")
    before = snapshot(sitting)
    bump(ctx, sitting, version)
    sitting.report_state = target.value
    if approve:
        sitting.report_approved_by, sitting.report_approved_at = ctx.actor.user_id, ctx.now
    action = AuditAction.APPROVE if approve else AuditAction.RETURN
    ctx.audit(action, SUBJECT, sitting.id, before, snapshot(sitting))
    return sitting


def do_submit_report(ctx: Ctx, sitting_id: int, data: SubmitIn) -> InquirySitting:
    """报送: the approved report goes to the standing committee on ``submitted_on``."""
    sitting = service.get_sitting(ctx.session, ctx.actor, sitting_id)
    rules.require_city_office(ctx.actor, "报送落实情况报告")
    target = rules.next_report_state(sitting.report_state, "submit")
    received = rules.require_received(sitting.opinion_received_on, "报送")
    if not received <= data.submitted_on <= ctx.today:
        raise InvalidInput("报送日期应在收到审议意见之日与今天之间", field="submitted_on")
    before = snapshot(sitting)
    bump(ctx, sitting, data.version)
    sitting.report_state = target.value
    sitting.report_submitted_on, sitting.report_submitted_by = data.submitted_on, ctx.actor.user_id
    late = sitting.report_due is not None and data.submitted_on > sitting.report_due
    ctx.audit(
        AuditAction.SUBMIT,
        SUBJECT,
        sitting.id,
        before,
        {**snapshot(sitting), "submitted_on": data.submitted_on.isoformat(), "late": late},
    )
    return sitting


def do_record_ratings(ctx: Ctx, sitting_id: int, data: RatingsIn) -> dict[str, int]:
    """满意度测评 on the submitted report: one vote per member (a member's new vote replaces
    the old); returns the counts."""
    sitting = service.get_sitting(ctx.session, ctx.actor, sitting_id)
    rules.require_city_office(ctx.actor, "登记满意度测评")
    if sitting.report_state != ReportState.SUBMITTED.value:
        raise Conflict("落实情况报告报送后才能测评")
    members = [v.member.strip() for v in data.votes]
    if len(set(members)) != len(members):
        raise InvalidInput("同一委员在测评中出现了两次", field="votes")
    votes = {
        m: rules.parse_rating(v.rating).value for m, v in zip(members, data.votes, strict=True)
    }
    existing = {
        r.member: r
        for r in ctx.session.scalars(
            select(InquiryRating).where(
                InquiryRating.sitting_id == sitting.id, InquiryRating.member.in_(members)
            )
        )
    }
    with unique_or_conflict(ctx.session, "测评已被他人同时登记，请刷新后重试"):
        for member, rating in votes.items():
            row = existing.get(member)
            if row is None:
                row = InquiryRating(sitting_id=sitting.id, member=member)
                ctx.session.add(row)
            row.rating, row.recorded_by, row.recorded_at = rating, ctx.actor.user_id, ctx.now
    counts = service.rating_counts(ctx.session, sitting.id)
    ctx.audit(AuditAction.RATING, SUBJECT, sitting.id, None, {"votes": votes, "counts": counts})
    return counts


def do_record_tracking(ctx: Ctx, sitting_id: int, data: TrackingIn) -> InquiryTracking:
    """跟踪监督: one round of the committee's follow-up, after the 审议意见 arrived."""
    sitting = service.get_sitting(ctx.session, ctx.actor, sitting_id)
    rules.require_city_office(ctx.actor, "登记跟踪监督")
    received = rules.require_received(sitting.opinion_received_on, "登记跟踪监督")
    if not received <= data.held_on <= ctx.today:
        raise InvalidInput("跟踪监督日期应在收到审议意见之日与今天之间", field="held_on")
    row = InquiryTracking(
        sitting_id=sitting.id,
        held_on=data.held_on,
        note=data.note,
        outcome=data.outcome.strip(),
        recorded_by=ctx.actor.user_id,
        recorded_at=ctx.now,
    )
    ctx.session.add(row)
    ctx.session.flush()
    ctx.audit(
        AuditAction.TRACKING,
        SUBJECT,
        sitting.id,
        None,
        {"tracking_id": row.id, "held_on": data.held_on.isoformat(), "outcome": row.outcome},
    )
    return row
