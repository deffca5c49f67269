"""联合执法 vocabularies."""

from __future__ import annotations

from enum import StrEnum

from eco263.vocabulary import LabelledAction


class JointState(StrEnum):
    """A request's life: 申请 → 组长批准 → 方案 → 组长批准方案 → 下达 → 结果 → 核查 → 办结."""

    REQUESTED = "requested"  # 待组长审批
    REJECTED = "rejected"  # 不予批准
    APPROVED = "approved"  # 已批准，待制定方案
    PLANNED = "planned"  # 方案待组长批准
    PLAN_APPROVED = "plan_approved"  # 方案已批准，待下达
    ACTING = "acting"  # 各单位落实中
    RESULTED = "resulted"  # 结果待核查
    CLOSED = "closed"  # 已办结（销号）


STATE_LABELS = {
    JointState.REQUESTED: "待组长审批",
    JointState.REJECTED: "不予批准",
    JointState.APPROVED: "已批准，待制定方案",
    JointState.PLANNED: "方案待组长批准",
    JointState.PLAN_APPROVED: "方案已批准，待下达",
    JointState.ACTING: "各单位落实中",
    JointState.RESULTED: "结果待核查",
    JointState.CLOSED: "已办结",
}


class Route(StrEnum):
    """散乱污 disposal routes (PROCEDURES.md §G)."""

    SHUT_DOWN = "关停取缔"
    RELOCATE = "整合搬迁"
    UPGRADE = "升级改造"


class Check(StrEnum):
    """两断三清: the five on-site checks, each with a photo."""

    CUT_WATER = "断水"
    CUT_POWER = "断电"
    CLEAR_MATERIALS = "清原料"
    CLEAR_PRODUCTS = "清产品"
    CLEAR_EQUIPMENT = "清设备"


class Reminder(StrEnum):
    """How far a pending leader decision has come to its deadline."""

    NONE = "none"
    DUE_SOON = "due_soon"  # 临期提醒
    OVERDUE = "overdue"  # 逾期催办


REMINDER_LABELS = {
    Reminder.NONE: "",
    Reminder.DUE_SOON: "临期",
    Reminder.OVERDUE: "逾期",
}


class AuditAction(LabelledAction):
    """What the joint enforcement domain records in the audit chain."""

    GRANT_LEADER = ("joint.grant_leader", "授予联合执法组长审批权")
    REQUEST = ("joint.request", "申请联合执法")
    APPROVE = ("joint.approve", "组长批准联合执法")
    REJECT = ("joint.reject", "组长不予批准联合执法")
    PLAN = ("joint.plan", "制定联合执法方案")
    APPROVE_PLAN = ("joint.approve_plan", "组长批准联合执法方案")
    RETURN_PLAN = ("joint.return_plan", "组长退回联合执法方案")
    ISSUE = ("joint.issue", "下达联合执法任务")
    RESULT = ("joint.result", "报送联合执法结果")
    VERIFY = ("joint.verify", "核查联合执法结果（办结）")
    RETURN_RESULT = ("joint.return_result", "退回联合执法结果")
    REMIND = ("joint.remind", "组长审批催办")
