"""专题询问 vocabularies."""

from __future__ import annotations

from enum import StrEnum

from eco263.vocabulary import LabelledAction


class ReportState(StrEnum):
    """The government's 研究处理情况报告: none → drafted → approved → submitted."""

    NONE = "none"  # 未起草
    DRAFTED = "drafted"  # 已起草，待审核
    APPROVED = "approved"  # 已审核，待报送
    SUBMITTED = "submitted"  # 已报送人大常委会


REPORT_STATE_LABELS = {
    ReportState.NONE: "未起草",
    ReportState.DRAFTED: "已起草，待审核",
    ReportState.APPROVED: "已审核，待报送",
    ReportState.SUBMITTED: "已报送人大常委会",
}


#: A task's ledger assignment state, as the report and the pages name it.
TASK_STATE_LABELS = {
    "assigned": "已交办，待签收",
    "rectifying": "整改中",
    "verifying": "已报整改，待核查",
    "verified": "已办结",
}


class Rating(StrEnum):
    """满意度测评: one member's vote on the handling report."""

    SATISFIED = "满意"
    BASICALLY = "基本满意"
    UNSATISFIED = "不满意"


class AuditAction(LabelledAction):
    """What the 专题询问 domain records in the audit chain."""

    SITTING = ("inquiry.sitting", "登记专题询问会议")
    QUESTION = ("inquiry.question", "登记询问问题")
    ANSWER = ("inquiry.answer", "应询部门答复")
    OPINION = ("inquiry.opinion", "收到审议意见")
    TASK = ("inquiry.task", "分解审议意见任务")
    DRAFT = ("inquiry.draft", "起草审议意见落实情况报告")
    APPROVE = ("inquiry.approve", "审核落实情况报告")
    RETURN = ("inquiry.return", "退回落实情况报告")
    SUBMIT = ("inquiry.submit", "报送落实情况报告")
    REPORT_OVERDUE = ("inquiry.report_overdue", "落实情况报告逾期未报送")
    RATING = ("inquiry.rating", "登记满意度测评")
    TRACKING = ("inquiry.tracking", "登记跟踪监督")
