"""Supervision vocabularies: the four duty failures named in the bulletin (No. 70)."""

from __future__ import annotations

from enum import StrEnum


class DutyFailure(StrEnum):
    RESPONSIBILITY = "责任落实不到位"
    PRESSURE = "压力传导不到位"
    INITIATIVE = "主动履职不到位"
    ENFORCEMENT = "执法监管不到位"


class ClueCause(StrEnum):
    RED_CARD = "red_card"  # 红牌：逾期超过阈值
    FAILED_VERIFICATION = "failed_verification"  # 整改不到位：核查两次未通过
    RELAPSE = "relapse"  # 假整改：销号后同一企业/水体再次报警或被投诉
    REPEAT_FINES = "repeat_fines"  # 以罚代管
    ALARM_UNACKNOWLEDGED = "alarm_unacknowledged"  # 报警超时未响应
    EXTENSIONS = "extensions"  # 多次延期
    TAMPERING = "tampering"  # 干扰自动监测
    MANUAL = "manual"  # 人工移送


CAUSE_LABELS = {
    ClueCause.RED_CARD: "红牌（逾期）",
    ClueCause.FAILED_VERIFICATION: "整改不到位（核查未通过）",
    ClueCause.RELAPSE: "假整改（销号后复发）",
    ClueCause.REPEAT_FINES: "以罚代管",
    ClueCause.ALARM_UNACKNOWLEDGED: "报警超时未响应",
    ClueCause.EXTENSIONS: "多次延期",
    ClueCause.TAMPERING: "干扰自动监测",
    ClueCause.MANUAL: "人工移送",
}


class ClueStatus(StrEnum):
    GENERATED = "generated"  # 已生成（在发件箱中）
    DELIVERED = "delivered"  # 已送达（对方回执）
    RECEIVED = "received"  # 对方已签收
    ACCEPTED = "accepted"  # 已受理
    REJECTED = "rejected"  # 不予受理
    CONCLUDED = "concluded"  # 已办结


#: Statuses the platform may report (inbound), as the contract names them.
PLATFORM_STATUSES = (
    ClueStatus.RECEIVED,
    ClueStatus.ACCEPTED,
    ClueStatus.REJECTED,
    ClueStatus.CONCLUDED,
)


class AccountabilityForm(StrEnum):
    """监督执纪“四种形态”."""

    FIRST = "第一种形态"  # 批评教育、谈话提醒、诫勉
    SECOND = "第二种形态"  # 党纪轻处分、组织调整
    THIRD = "第三种形态"  # 党纪重处分、重大职务调整
    FOURTH = "第四种形态"  # 严重违纪涉嫌违法立案审查


class InboundKind(StrEnum):
    CLUE_STATUS = "clue_status"
    OPINION = "opinion"
    ACCOUNTABILITY = "accountability"
