"""行刑衔接 vocabulary: a transfer's kinds, states, sources, the police's decisions, the audit
actions (confidential: never read by the enterprise concerned) and their Chinese labels."""

from __future__ import annotations

from enum import StrEnum
from typing import Final

from eco263.actor import Role
from eco263.vocabulary import LabelledAction

#: Who may read a transfer's audit events on a timeline (each within the transfer's own scope,
#: :func:`eco263.transfers.rules.may_read`): never the enterprise, never the leaders' view.
TRANSFER_READERS: Final = frozenset(
    {Role.CITY_OFFICE, Role.DISTRICT_OFFICE, Role.SUPERVISOR, Role.DEPARTMENT, Role.POLICE}
)


class TransferKind(StrEnum):
    CRIMINAL = "criminal"  # 涉嫌环境污染犯罪（刑法338条，两高解释）
    DETENTION = "detention"  # 行政拘留（环保法第63条）


KIND_LABELS: Final[dict[str, str]] = {
    TransferKind.CRIMINAL: "涉嫌犯罪案件移送",
    TransferKind.DETENTION: "行政拘留案件移送",
}


class TransferSource(StrEnum):
    ALARM = "alarm"
    CASE = "case"
    PROBLEM = "problem"


SOURCE_LABELS: Final[dict[str, str]] = {
    TransferSource.ALARM: "在线监测报警",
    TransferSource.CASE: "执法案件",
    TransferSource.PROBLEM: "台账问题",
}


class TransferState(StrEnum):
    PROPOSED = "proposed"  # 待负责人决定
    DECLINED = "declined"  # 决定不移送
    APPROVED = "approved"  # 决定移送，待移交
    HANDED_OVER = "handed_over"  # 已移交，待公安签收
    RECEIVED = "received"  # 公安已签收，待立案决定
    MATERIAL_REQUESTED = "material_requested"  # 公安要求补充材料
    FILED = "filed"  # 公安已立案
    REFUSED = "refused"  # 公安不予立案
    REVIEW_REQUESTED = "review_requested"  # 环保部门提请复议
    REFUSAL_UPHELD = "refusal_upheld"  # 复议维持不予立案
    CONCLUDED = "concluded"  # 处理结果已记录


STATE_LABELS: Final[dict[str, str]] = {
    TransferState.PROPOSED: "待负责人决定",
    TransferState.DECLINED: "决定不移送",
    TransferState.APPROVED: "决定移送，待移交",
    TransferState.HANDED_OVER: "已移交，待公安签收",
    TransferState.RECEIVED: "公安已签收，待立案决定",
    TransferState.MATERIAL_REQUESTED: "公安要求补充材料",
    TransferState.FILED: "公安已立案",
    TransferState.REFUSED: "公安不予立案",
    TransferState.REVIEW_REQUESTED: "已提请复议",
    TransferState.REFUSAL_UPHELD: "复议维持不予立案",
    TransferState.CONCLUDED: "已记录处理结果",
}

#: States in which nothing more is expected of anyone.
FINAL_STATES: Final = frozenset(
    {TransferState.DECLINED, TransferState.REFUSAL_UPHELD, TransferState.CONCLUDED}
)


class Complexity(StrEnum):
    """How long the police have to decide on 立案 (XJ Art 9: 3, 7 or 30 days)."""

    PLAIN = "plain"
    CHECK = "check"
    COMPLEX = "complex"


COMPLEXITY_LABELS: Final[dict[str, str]] = {
    Complexity.PLAIN: "一般（3日）",
    Complexity.CHECK: "线索需查证（7日）",
    Complexity.COMPLEX: "重大复杂（30日）",
}

#: The outcome measures a police unit records against named persons.
MEASURES: Final = ("刑事拘留", "逮捕", "取保候审", "监视居住", "行政拘留", "移送审查起诉", "其他")


class TransferAction(LabelledAction):
    """The audit actions of a transfer; read only by :data:`TRANSFER_READERS`."""

    PROPOSE = ("transfer.propose", "提议移送公安", TRANSFER_READERS)
    DECIDE = ("transfer.decide", "负责人决定移送", TRANSFER_READERS)
    DECLINE = ("transfer.decline", "负责人决定不移送", TRANSFER_READERS)
    HAND_OVER = ("transfer.hand_over", "移交公安（抄送检察院）", TRANSFER_READERS)
    RECEIVE = ("transfer.receive", "公安签收", TRANSFER_READERS)
    REQUEST_MATERIAL = ("transfer.request_material", "公安要求补充材料", TRANSFER_READERS)
    SUPPLY_MATERIAL = ("transfer.supply_material", "补充移送材料", TRANSFER_READERS)
    FILE = ("transfer.file", "公安立案", TRANSFER_READERS)
    REFUSE = ("transfer.refuse", "公安不予立案", TRANSFER_READERS)
    REQUEST_REVIEW = ("transfer.request_review", "提请复议不予立案决定", TRANSFER_READERS)
    ANSWER_REVIEW = ("transfer.answer_review", "公安复议决定", TRANSFER_READERS)
    RECORD_OUTCOME = ("transfer.record_outcome", "记录处理结果", TRANSFER_READERS)
    WARN = ("transfer.warn", "移送时限预警", TRANSFER_READERS)
    OVERDUE = ("transfer.overdue", "移送超过时限", TRANSFER_READERS)


AuditAction = TransferAction
