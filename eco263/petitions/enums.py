"""信访 vocabularies: channels, the three classes of matter (XFTL 2022), states and outcomes."""

from __future__ import annotations

from enum import StrEnum

from eco263.actor import Role
from eco263.vocabulary import LabelledAction

#: Who reads a petition's record: the 263 offices that handle it and the 纪委监委 (检举控告);
#: never a department or an enterprise (the complainant's identity is confidential, HBF 57).
PETITION_READERS = frozenset({Role.CITY_OFFICE, Role.DISTRICT_OFFICE, Role.SUPERVISOR})

#: 检举控告 goes to 纪检监察 and is never passed to the person accused (XFTL 30).
ACCUSATION_READERS = frozenset({Role.SUPERVISOR})


class Channel(StrEnum):
    ONLINE = "网上信访"
    LETTER = "来信"
    VISIT = "来访"
    HOTLINE_12345 = "12345"
    HOTLINE_12369 = "12369"


class Kind(StrEnum):
    """XFTL 2022 Art 29: the three classes of matter."""

    SUGGESTION = "建议意见"
    ACCUSATION = "检举控告"
    CLAIM = "申诉求决"


class PetitionState(StrEnum):
    REGISTERED = "registered"  # 已登记
    ACCEPTED = "accepted"  # 已受理（办理中）
    NOT_ACCEPTED = "not_accepted"  # 不予受理
    TRANSFERRED = "transferred"  # 已转送
    ANSWERED = "answered"  # 已出具处理意见书
    REVIEW_REQUESTED = "review_requested"  # 复查中
    REVIEWED = "reviewed"  # 已复查
    RECHECK_REQUESTED = "recheck_requested"  # 复核中
    RECHECKED = "rechecked"  # 已复核（终结）


STATE_LABELS = {
    PetitionState.REGISTERED: "已登记，待受理",
    PetitionState.ACCEPTED: "已受理，办理中",
    PetitionState.NOT_ACCEPTED: "不予受理",
    PetitionState.TRANSFERRED: "已转送有权处理机关",
    PetitionState.ANSWERED: "已答复",
    PetitionState.REVIEW_REQUESTED: "复查中",
    PetitionState.REVIEWED: "已复查",
    PetitionState.RECHECK_REQUESTED: "复核中",
    PetitionState.RECHECKED: "已复核（终结）",
}


class Intake(StrEnum):
    """The 15-day decision on a registered petition (XFTL 22–23)."""

    ACCEPT = "accept"
    NOT_ACCEPT = "not_accept"
    TRANSFER = "transfer"


INTAKE_LABELS = {Intake.ACCEPT: "受理", Intake.NOT_ACCEPT: "不予受理", Intake.TRANSFER: "转送"}


class Opinion(StrEnum):
    """信访处理意见书: one of support / explain / not support (XFTL 32)."""

    SUPPORT = "支持"
    EXPLAIN = "解释说明"
    NOT_SUPPORT = "不支持"


class Satisfaction(StrEnum):
    SATISFIED = "满意"
    BASICALLY = "基本满意"
    DISSATISFIED = "不满意"


class AuditAction(LabelledAction):
    """What the 信访 domain records; only the offices and the 纪委监委 read it.  The records
    never carry the complainant's name, phone or address (only whether there is a contact)."""

    REGISTER = ("petition.register", "信访登记", PETITION_READERS)
    ACCEPT = ("petition.accept", "受理", PETITION_READERS)
    NOT_ACCEPT = ("petition.not_accept", "不予受理", PETITION_READERS)
    TRANSFER = ("petition.transfer", "转送", PETITION_READERS)
    EXTENSION_REQUEST = ("petition.extension_request", "申请延长办理期限", PETITION_READERS)
    EXTENSION_APPROVE = ("petition.extension_approve", "批准延长办理期限", PETITION_READERS)
    ANSWER = ("petition.answer", "出具信访处理意见书", PETITION_READERS)
    RATE = ("petition.rate", "满意度评价", PETITION_READERS)
    REVIEW_REQUEST = ("petition.review_request", "申请复查", PETITION_READERS)
    REVIEW = ("petition.review", "复查意见", PETITION_READERS)
    RECHECK_REQUEST = ("petition.recheck_request", "申请复核", PETITION_READERS)
    RECHECK = ("petition.recheck", "复核意见", PETITION_READERS)
    OPEN_PROBLEM = ("petition.open_problem", "转入问题台账", PETITION_READERS)
    PERSONAL_VIEW = ("petition.personal_view", "查看信访人信息", PETITION_READERS)
    VISIT_RECORD = ("petition.visit_record", "记录带案下访", PETITION_READERS)
    VISIT_TAKEN = ("petition.visit_taken", "带案下访", PETITION_READERS)
    PLAN_OPEN = ("petition.plan_open", "制定一企一策", PETITION_READERS)
