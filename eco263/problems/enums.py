"""Problem ledger vocabularies (问题台账)."""

from __future__ import annotations

from enum import IntEnum, StrEnum

from eco263.vocabulary import LabelledAction


class ProblemState(StrEnum):
    """The problem's state, derived from its assignments once dispatched."""

    REGISTERED = "registered"  # 登记
    ASSIGNED = "assigned"  # 已交办
    RECTIFYING = "rectifying"  # 整改中
    VERIFYING = "verifying"  # 待核查
    CLOSED = "closed"  # 已销号
    MERGED = "merged"  # 已合并（重复登记）


class AssignmentState(StrEnum):
    """One responsible unit's part of a problem (交办)."""

    ASSIGNED = "assigned"
    RECTIFYING = "rectifying"
    VERIFYING = "verifying"
    VERIFIED = "verified"


class Move(StrEnum):
    """Named transitions; the API and pages offer exactly these."""

    DISPATCH = "dispatch"  # 交办
    ACCEPT = "accept"  # 签收
    SUBMIT = "submit"  # 提交整改
    VERIFY = "verify"  # 核查通过
    RETURN = "return"  # 退回
    MERGE = "merge"  # 合并


class Source(StrEnum):
    """Where a problem came from (问题来源)."""

    MEDIA = "媒体曝光"
    LEADER_INSPECTION = "领导督查"
    PETITION = "信访举报"
    ONLINE_MONITORING = "在线监测"
    PATROL = "巡察"
    CONGRESS_INQUIRY = "人大询问"
    CENTRAL_INSPECTION = "中央环保督察"
    ENFORCEMENT_CHECK = "执法检查"
    JOINT_ENFORCEMENT = "联合执法"
    SUPERVISION_OPINION = "监督意见书"
    OTHER = "其他"


class Escalation(IntEnum):
    """Escalation ladder; ordered so a sweep only ever moves up."""

    NONE = 0
    DUE_SOON = 1  # 临期
    OVERDUE = 2  # 逾期
    YELLOW = 3  # 黄牌
    RED = 4  # 红牌


ESCALATION_LABELS = {
    Escalation.NONE: "正常",
    Escalation.DUE_SOON: "临期",
    Escalation.OVERDUE: "逾期",
    Escalation.YELLOW: "黄牌",
    Escalation.RED: "红牌",
}

STATE_LABELS = {
    ProblemState.REGISTERED: "已登记",
    ProblemState.ASSIGNED: "已交办",
    ProblemState.RECTIFYING: "整改中",
    ProblemState.VERIFYING: "待核查",
    ProblemState.CLOSED: "已销号",
    ProblemState.MERGED: "已合并",
    AssignmentState.VERIFIED: "核查通过",
}

MOVE_LABELS = {
    Move.DISPATCH: "交办",
    Move.ACCEPT: "签收",
    Move.SUBMIT: "提交整改",
    Move.VERIFY: "核查通过（销号）",
    Move.RETURN: "退回整改",
    Move.MERGE: "合并",
}


class ExtensionState(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


class AuditAction(LabelledAction):
    """What the ledger records in the audit chain."""

    REGISTER = ("problem.register", "登记问题")
    DISPATCH = ("problem.dispatch", "交办")
    MERGE = ("problem.merge", "合并")
    ACCEPT = ("assignment.accept", "签收")
    SUBMIT = ("assignment.submit", "提交整改")
    VERIFY = ("assignment.verify", "核查通过")
    RETURN = ("assignment.return", "退回整改")
    ESCALATE = ("assignment.escalate", "预警升级")
    EXTENSION_REQUEST = ("extension.request", "申请延期")
    EXTENSION_APPROVE = ("extension.approve", "批准延期")
    EXTENSION_REJECT = ("extension.reject", "驳回延期")
    DEADLINE_RECOMPUTE = ("deadline.recompute", "期限重算")
    URGE = ("assignment.urge", "催办")


#: The audit action of each assignment move.
MOVE_ACTIONS = {
    Move.ACCEPT: AuditAction.ACCEPT,
    Move.SUBMIT: AuditAction.SUBMIT,
    Move.VERIFY: AuditAction.VERIFY,
    Move.RETURN: AuditAction.RETURN,
}
