"""Supervision vocabularies: the four duty failures named in the bulletin (No. 70)."""

from __future__ import annotations

from enum import StrEnum

from eco263.actor import CLUE_READERS
from eco263.vocabulary import LabelledAction


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
    TRANSFER_DELAY = "transfer_delay"  # 行刑衔接超时（环保部门未按时决定/移交/补正）
    OPINION_OVERDUE = "opinion_reply_overdue"  # 监督意见书逾期未回复整改方案


CAUSE_LABELS = {
    ClueCause.RED_CARD: "红牌（逾期）",
    ClueCause.FAILED_VERIFICATION: "整改不到位（核查未通过）",
    ClueCause.RELAPSE: "假整改（销号后复发）",
    ClueCause.REPEAT_FINES: "以罚代管",
    ClueCause.ALARM_UNACKNOWLEDGED: "报警超时未响应",
    ClueCause.EXTENSIONS: "多次延期",
    ClueCause.TAMPERING: "干扰自动监测",
    ClueCause.MANUAL: "人工移送",
    ClueCause.TRANSFER_DELAY: "移送公安超过时限",
    ClueCause.OPINION_OVERDUE: "监督意见书逾期未回复",
}


class ClueState(StrEnum):
    GENERATED = "generated"  # 已生成（在发件箱中）
    DELIVERED = "delivered"  # 已送达（对方回执）
    RECEIVED = "received"  # 对方已签收
    ACCEPTED = "accepted"  # 已受理
    REJECTED = "rejected"  # 不予受理
    CONCLUDED = "concluded"  # 已办结


#: Statuses the platform may report (inbound), as the contract names them.
PLATFORM_STATUSES = (
    ClueState.RECEIVED,
    ClueState.ACCEPTED,
    ClueState.REJECTED,
    ClueState.CONCLUDED,
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


#: A clue's status as the pages show it.
STATE_LABELS = {
    ClueState.GENERATED: "已生成",
    ClueState.DELIVERED: "已送达",
    ClueState.RECEIVED: "已签收",
    ClueState.ACCEPTED: "已受理",
    ClueState.REJECTED: "不予受理",
    ClueState.CONCLUDED: "已办结",
}

#: Who wrote a step of a clue's history (``ClueStateChange.source``).
HISTORY_SOURCE_LABELS = {"eco263": "本平台", "platform": "智慧监督平台"}

#: The delivery of a clue (its outbox event's state: pending, delivered, dead).
DELIVERY_LABELS = {
    "pending": "待投递",
    "delivered": "已送达",
    "dead": "投递失败",
}

#: Keys of a clue's frozen evidence (its facts and monitoring pack); an unknown key is shown
#: as it is.
EVIDENCE_KEY_LABELS = {
    "due_date": "整改期限",
    "overdue_workdays": "逾期工作日",
    "returned_count": "退回次数",
    "extension_count": "延期次数",
    "closed_problem_id": "已销号问题",
    "closed_at": "销号时间",
    "new_problem_id": "复发问题",
    "days_after_closure": "销号后天数",
    "watch_window_days": "观察期（天）",
    "enterprise_id": "企业编号",
    "enterprise_uscc": "统一社会信用代码",
    "fines": "处罚记录",
    "alarm_id": "报警编号",
    "alarm_kind": "报警类型",
    "point_mn": "监测点位 MN",
    "raised_at": "报警时间",
    "acknowledged_at": "响应时间",
    "detector": "检测规则",
    "detected_at": "发现时间",
    "transferred_by": "移送人",
    "limit_hours": "响应时限（小时）",
    "sha256": "SHA-256",
    "size": "大小（字节）",
    "members": "包内文件",
    "readings.csv": "监测数据表（CSV）",
    "chart.png": "证据曲线图（PNG）",
    "packets": "原始报文",
    "statistics": "统计量",
    "qn": "请求编码 QN",
    "name": "名称",
    "case_no": "案号",
    "decided_on": "决定日期",
    "violation": "违法行为",
    "amount_yuan": "罚款（元）",
}

#: Audit actions that a clue's evidence names (the problem's record at the clue's birth).


class AuditAction(LabelledAction):
    """What supervision records; on a problem's timeline only the clue readers see it (a clue
    is an accusation, never shown to the unit or enterprise it concerns)."""

    CLUE_OPEN = ("clue.open", "生成线索", CLUE_READERS)
    CLUE_DELIVER = ("clue.deliver", "线索送达智慧监督平台", CLUE_READERS)
    CLUE_DELIVERY_DEAD = ("clue.delivery_dead", "线索投递失败", CLUE_READERS)
    CLUE_STATUS = ("clue.status", "线索状态变更", CLUE_READERS)
    OPINION = ("supervision.opinion", "收到监督意见书")
    ACCOUNTABILITY = ("supervision.accountability", "问责结果", CLUE_READERS)
