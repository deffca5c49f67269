"""From the clue to 结案: 立案 (the head approves), 调查终结, 法制审核, 事先告知, 听证, 决定,
送达, 缴纳 (加处罚款), 结案.  Each checks its rule, changes the case and audits it, in one
transaction; a refusal changes nothing."""

from __future__ import annotations

from datetime import date

from eco263.context import Ctx
from eco263.deadlines import load_catalogue
from eco263.enforcement import rules, service
from eco263.enforcement.actions._common import (
    bump,
    check_move,
    not_before,
    not_future,
    require_enforcer,
    require_head,
    snapshot,
)
from eco263.enforcement.enums import AuditAction, CaseSource, CaseState
from eco263.enforcement.models import PenaltyCase
from eco263.errors import Conflict, Forbidden, InvalidInput
from eco263.problems import service as problems
from eco263.registry import service as registry

SUBJECT = "penalty_case"


def do_open_case(
    ctx: Ctx,
    *,
    source: CaseSource | str,
    title: str,
    party_name: str,
    found_on: date,
    facts: str = "",
    enterprise_id: int | None = None,
    problem_id: int | None = None,
    alarm_id: int | None = None,
    source_ref: str | None = None,
) -> PenaltyCase:
    """登记线索: the enforcing department records a clue; the filing clock runs from discovery.

    The officer who opens it is the case's investigator (承办人); the head approves 立案.
    A petition (信访) passes its reference as ``source_ref``.
    """
    require_enforcer(ctx)
    try:
        source = CaseSource(source)
    except ValueError:
        raise InvalidInput(f"未知的案件来源 {source}", field="source") from None
    title, party_name = title.strip(), party_name.strip()
    if not title:
        raise InvalidInput("请填写案由", field="title")
    if not party_name:
        raise InvalidInput("请填写当事人", field="party_name")
    not_future(ctx, found_on, "found_on", "发现日期")
    organization_id = ctx.actor.organization_id
    if organization_id is None:
        raise Forbidden("系统账号不能登记案件，请以执法部门账号办理")
    org = registry.get_organization(ctx.session, organization_id)
    division_code = org.division_code
    if enterprise_id is not None:
        enterprise = registry.enterprise_in_scope(ctx.session, ctx.actor, enterprise_id)
        division_code = enterprise.division_code
    if source == CaseSource.PROBLEM:
        if problem_id is None:
            raise InvalidInput("来源为台账问题时须指明问题", field="problem_id")
        problem = problems.get_problem(ctx.session, ctx.actor, problem_id)
        division_code = problem.division_code
    elif problem_id is not None:
        raise InvalidInput("只有来源为台账问题的案件可关联问题", field="problem_id")
    if source == CaseSource.ALARM and alarm_id is None:
        raise InvalidInput("来源为在线监测报警时须指明报警", field="alarm_id")
    if source == CaseSource.PETITION and not (source_ref or "").strip():
        raise InvalidInput("来源为信访举报时须填写信访件编号", field="source_ref")
    filing = load_catalogue(ctx.settings.deadline_rules_file).due(
        "penalty.filing", found_on, ctx.calendar
    )
    case = PenaltyCase(
        title=title,
        source=source.value,
        source_ref=(source_ref or "").strip() or None,
        problem_id=problem_id,
        alarm_id=alarm_id,
        division_code=division_code,
        organization_id=organization_id,
        enterprise_id=enterprise_id,
        party_name=party_name,
        facts=facts.strip(),
        found_on=found_on,
        state=CaseState.CLUE.value,
        opened_by=ctx.actor.user_id,
        opened_at=ctx.now,
        investigator_id=ctx.actor.user_id,
        filing_due=filing.due,
        filing_due_reason=filing.reason,
    )
    ctx.session.add(case)
    ctx.session.flush()
    ctx.audit(
        AuditAction.OPEN,
        SUBJECT,
        case.id,
        None,
        {
            "title": title,
            "source": source.value,
            "party_name": party_name,
            "found_on": found_on,
            "filing_due": filing.due,
            "problem_id": problem_id,
            "alarm_id": alarm_id,
        },
    )
    return case


def do_file_case(ctx: Ctx, case_id: int, *, filed_on: date) -> PenaltyCase:
    """批准立案 (the head, never the investigator): the 90-day decision clock starts."""
    case = service.get_case(ctx.session, ctx.actor, case_id)
    require_head(ctx, case)
    check_move(case, "file")
    not_future(ctx, filed_on, "filed_on", "立案日期")
    not_before(filed_on, case.found_on, "filed_on", "立案日期", "发现日期")
    before = snapshot(case)
    due = rules.decision_due(
        load_catalogue(ctx.settings.deadline_rules_file), ctx.calendar, filed_on, [], 0, ctx.today
    )
    bump(
        ctx,
        case,
        state=CaseState.INVESTIGATING.value,
        filed_on=filed_on,
        filed_by=ctx.actor.user_id,
        decision_due=due.due,
        decision_due_reason=due.reason,
    )
    late = filed_on > case.filing_due
    ctx.audit(
        AuditAction.FILE,
        SUBJECT,
        case.id,
        before,
        {**snapshot(case), "filed_on": filed_on, **({"late_filing": True} if late else {})},
    )
    return case


def do_refuse_filing(ctx: Ctx, case_id: int, *, reason: str) -> PenaltyCase:
    """不予立案, with the reason, by the head."""
    case = service.get_case(ctx.session, ctx.actor, case_id)
    require_head(ctx, case)
    check_move(case, "not_file")
    if not reason.strip():
        raise InvalidInput("请填写不予立案的理由", field="reason")
    before = snapshot(case)
    bump(
        ctx, case, state=CaseState.NOT_FILED.value, closed_on=ctx.today, closed_by=ctx.actor.user_id
    )
    ctx.audit(AuditAction.NOT_FILE, SUBJECT, case.id, before, {**snapshot(case), "reason": reason})
    return case


def do_finish_investigation(
    ctx: Ctx, case_id: int, *, article: str, proposed_fine: int, facts: str
) -> PenaltyCase:
    """调查终结: the cited article and the proposed fine, checked against the article's range;
    the hearing right, 法制审核 and 集体讨论 follow from the thresholds (data)."""
    case = service.get_case(ctx.session, ctx.actor, case_id)
    require_enforcer(ctx, case)
    check_move(case, "investigated")
    cited = _article(article)
    refusal = rules.fine_refusal(cited, proposed_fine)
    if refusal:
        raise InvalidInput(refusal, field="proposed_fine")
    if not facts.strip():
        raise InvalidInput("请填写调查认定的违法事实", field="facts")
    before = snapshot(case)
    bump(
        ctx,
        case,
        state=CaseState.REVIEWING.value,
        article=cited.key,
        proposed_fine=proposed_fine,
        facts=facts.strip(),
        hearing_right=rules.hearing_right(cited, proposed_fine),
        legal_review_required=rules.needs_legal_review(cited, proposed_fine),
    )
    ctx.audit(
        AuditAction.INVESTIGATED,
        SUBJECT,
        case.id,
        before,
        {
            **snapshot(case),
            "article": cited.key,
            "proposed_fine": proposed_fine,
            "hearing_right": case.hearing_right,
            "legal_review_required": case.legal_review_required,
        },
    )
    return case


def do_legal_review(ctx: Ctx, case_id: int, *, opinion: str) -> PenaltyCase:
    """法制审核 (行政处罚法第58条): by someone other than the investigator."""
    case = service.get_case(ctx.session, ctx.actor, case_id)
    require_head(ctx, case)
    check_move(case, "legal_review")
    if not opinion.strip():
        raise InvalidInput("请填写法制审核意见", field="opinion")
    bump(ctx, case, legal_reviewed_by=ctx.actor.user_id, legal_review_opinion=opinion.strip())
    ctx.audit(AuditAction.LEGAL_REVIEW, SUBJECT, case.id, None, {"opinion": opinion.strip()})
    return case


def do_notify(ctx: Ctx, case_id: int, *, received_on: date) -> PenaltyCase:
    """事先告知: the party received the notice on ``received_on``; the 陈述申辩 (and 听证)
    window runs from then.  Refused while a required 法制审核 is missing."""
    case = service.get_case(ctx.session, ctx.actor, case_id)
    require_enforcer(ctx, case)
    check_move(case, "notify")
    if case.legal_review_required and case.legal_reviewed_by is None:
        raise Conflict("本案须先经法制审核，方可事先告知")
    not_future(ctx, received_on, "received_on", "送达事先告知书的日期")
    not_before(received_on, case.filed_on, "received_on", "告知日期", "立案日期")
    until = rules.statement_window_end(
        load_catalogue(ctx.settings.deadline_rules_file),
        ctx.calendar,
        received_on,
        case.hearing_right,
    )
    before = snapshot(case)
    bump(ctx, case, state=CaseState.NOTIFIED.value, notified_on=received_on, statement_until=until)
    ctx.audit(
        AuditAction.NOTIFY,
        SUBJECT,
        case.id,
        before,
        {**snapshot(case), "received_on": received_on, "statement_until": until},
    )
    return case


def _article(key: str) -> rules.Article:
    articles = rules.load_articles()
    if key not in articles:
        raise InvalidInput(f"未知的处罚依据条款：{key}", field="article")
    return articles[key]
