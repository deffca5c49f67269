"""行政处罚案件 vocabularies: states, sources, outcomes, excluded periods, audit actions."""

from __future__ import annotations

from enum import StrEnum

from eco263.actor import Role
from eco263.vocabulary import LabelledAction


class CaseState(StrEnum):
    CLUE = "clue"  # 线索（待立案审批）
    INVESTIGATING = "investigating"  # 已立案，调查取证
    REVIEWING = "reviewing"  # 审查（含法制审核）
    NOTIFIED = "notified"  # 已事先告知（陈述申辩/听证告知）
    HEARING = "hearing"  # 听证
    DECIDED = "decided"  # 已作出处罚决定
    SERVED = "served"  # 决定书已送达，执行中
    EXECUTED = "executed"  # 已执行
    CLOSED = "closed"  # 已结案
    NOT_FILED = "not_filed"  # 不予立案


STATE_LABELS = {
    CaseState.CLUE: "线索待立案",
    CaseState.INVESTIGATING: "调查取证",
    CaseState.REVIEWING: "案件审查",
    CaseState.NOTIFIED: "已事先告知",
    CaseState.HEARING: "听证中",
    CaseState.DECIDED: "已决定",
    CaseState.SERVED: "已送达待执行",
    CaseState.EXECUTED: "已执行",
    CaseState.CLOSED: "已结案",
    CaseState.NOT_FILED: "不予立案",
}


class CaseSource(StrEnum):
    PROBLEM = "problem"  # 台账问题
    ALARM = "alarm"  # 在线监测报警
    PETITION = "petition"  # 信访举报
    INSPECTION = "inspection"  # 执法检查
    MANUAL = "manual"  # 其他（手工登记）


SOURCE_LABELS = {
    CaseSource.PROBLEM: "台账问题",
    CaseSource.ALARM: "在线监测报警",
    CaseSource.PETITION: "信访举报",
    CaseSource.INSPECTION: "执法检查",
    CaseSource.MANUAL: "其他",
}


class Outcome(StrEnum):
    PENALTY = "penalty"  # 给予处罚
    MINOR = "minor"  # 违法行为轻微，不予处罚
    NOT_ESTABLISHED = "not_established"  # 违法事实不成立，不予处罚
    TRANSFER = "transfer"  # 移送司法机关
    REVOKED = "revoked"  # 撤销立案


OUTCOME_LABELS = {
    Outcome.PENALTY: "给予行政处罚",
    Outcome.MINOR: "违法行为轻微，不予处罚",
    Outcome.NOT_ESTABLISHED: "违法事实不能成立，不予处罚",
    Outcome.TRANSFER: "移送司法机关",
    Outcome.REVOKED: "撤销立案",
}


class PauseKind(StrEnum):
    """Periods excluded from the 90-day decision clock."""

    MONITORING = "monitoring"  # 监测
    APPRAISAL = "appraisal"  # 鉴定
    HEARING = "hearing"  # 听证
    ANNOUNCEMENT = "announcement"  # 公告
    SERVICE = "service"  # 送达
    TRANSFER = "transfer"  # 移送（刑事）


PAUSE_LABELS = {
    PauseKind.MONITORING: "监测",
    PauseKind.APPRAISAL: "鉴定",
    PauseKind.HEARING: "听证",
    PauseKind.ANNOUNCEMENT: "公告",
    PauseKind.SERVICE: "送达",
    PauseKind.TRANSFER: "移送司法机关",
}


class RecordKind(StrEnum):
    """全过程记录: the structured records of an on-site act."""

    INSPECTION = "inspection"  # 现场检查（勘察）笔录
    INQUIRY = "inquiry"  # 调查询问笔录


RECORD_LABELS = {
    RecordKind.INSPECTION: "现场检查（勘察）笔录",
    RecordKind.INQUIRY: "调查询问笔录",
}


class EvidenceKind(StrEnum):
    """证据清单: the kinds of evidence a case lists."""

    PHOTO = "photo"  # 现场照片
    VIDEO = "video"  # 视听资料（录像）
    SAMPLING = "sampling"  # 采样记录（含流转）
    MONITORING = "monitoring"  # 监测数据摘录
    ALARM_PACK = "alarm_pack"  # 报警证据包
    DOCUMENT = "document"  # 书证
    STATEMENT = "statement"  # 当事人陈述
    OTHER = "other"  # 其他


EVIDENCE_LABELS = {
    EvidenceKind.PHOTO: "现场照片",
    EvidenceKind.VIDEO: "视听资料",
    EvidenceKind.SAMPLING: "采样记录",
    EvidenceKind.MONITORING: "监测数据",
    EvidenceKind.ALARM_PACK: "报警证据包",
    EvidenceKind.DOCUMENT: "书证",
    EvidenceKind.STATEMENT: "当事人陈述",
    EvidenceKind.OTHER: "其他证据",
}


class DocKind(StrEnum):
    """The documents generated from a case, in the order of the 案卷."""

    FILING = "filing"  # 立案审批表
    NOTICE = "notice"  # 行政处罚事先（听证）告知书
    DECISION = "decision"  # 行政处罚决定书
    SERVICE = "service"  # 送达回证
    TRANSFER = "transfer"  # 案件移送书
    CLOSING = "closing"  # 结案审批表
    DOSSIER = "dossier"  # 案卷


DOC_LABELS = {
    DocKind.FILING: "立案审批表",
    DocKind.NOTICE: "行政处罚事先（听证）告知书",
    DocKind.DECISION: "行政处罚决定书",
    DocKind.SERVICE: "送达回证",
    DocKind.TRANSFER: "案件移送书",
    DocKind.CLOSING: "结案审批表",
    DocKind.DOSSIER: "案卷",
}


class ExtensionState(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


#: Who reads a case's internal record: never the party (the enterprise concerned).
INTERNAL = frozenset(
    {Role.CITY_OFFICE, Role.DISTRICT_OFFICE, Role.DEPARTMENT, Role.SUPERVISOR, Role.VIEWER}
)


class AuditAction(LabelledAction):
    """What the enforcement domain records in the audit chain (internal: never the party)."""

    OPEN = ("case.open", "登记案件线索", INTERNAL)
    FILE = ("case.file", "批准立案", INTERNAL)
    NOT_FILE = ("case.not_file", "不予立案", INTERNAL)
    INVESTIGATED = ("case.investigated", "调查终结", INTERNAL)
    LEGAL_REVIEW = ("case.legal_review", "法制审核", INTERNAL)
    NOTIFY = ("case.notify", "事先告知", INTERNAL)
    HEARING_REQUEST = ("case.hearing_request", "申请听证", INTERNAL)
    HEARING_HELD = ("case.hearing_held", "举行听证", INTERNAL)
    DECIDE = ("case.decide", "作出决定", INTERNAL)
    SERVE = ("case.serve", "送达决定书", INTERNAL)
    PAY = ("case.pay", "缴纳罚款", INTERNAL)
    CLOSE = ("case.close", "结案", INTERNAL)
    PAUSE = ("case.pause", "期限中止", INTERNAL)
    RESUME = ("case.resume", "期限恢复", INTERNAL)
    EXTENSION_REQUEST = ("case.extension_request", "申请延长办案期限", INTERNAL)
    EXTENSION_APPROVE = ("case.extension_approve", "批准延长办案期限", INTERNAL)
    EXTENSION_REJECT = ("case.extension_reject", "驳回延长办案期限", INTERNAL)
    TRANSFER_NOTED = ("case.transfer_noted", "案件移送公安", INTERNAL)
    RECORD = ("case.record", "制作执法笔录", INTERNAL)
    EVIDENCE = ("case.evidence", "登记证据", INTERNAL)
