"""巡察 vocabularies."""

from __future__ import annotations

from enum import StrEnum

from eco263.actor import Role
from eco263.vocabulary import LabelledAction


class TargetKind(StrEnum):
    VILLAGE = "village"  # 村（居）
    UNIT = "unit"  # 单位


TARGET_KIND_LABELS = {TargetKind.VILLAGE: "村（居）", TargetKind.UNIT: "单位"}


class OpinionState(StrEnum):
    """A 监督意见书 through its rectification: 下发 → 整改方案 → 整改报告 → 审核通过."""

    ISSUED = "issued"  # 待回复（待报整改方案）
    PLANNED = "planned"  # 整改中（方案已报，待报整改报告）
    REPORTED = "reported"  # 整改报告待审核
    ACCEPTED = "accepted"  # 整改完成


OPINION_STATE_LABELS = {
    OpinionState.ISSUED: "待回复",
    OpinionState.PLANNED: "整改中",
    OpinionState.REPORTED: "整改报告待审核",
    OpinionState.ACCEPTED: "整改完成",
}


class SubjectKind(StrEnum):
    PERSON = "person"  # 党员干部
    ORGANIZATION = "organization"  # 党组织


SUBJECT_KIND_LABELS = {SubjectKind.PERSON: "个人", SubjectKind.ORGANIZATION: "党组织"}

#: Dispositions are read by the 纪委 only (a conservative reading of PROCEDURES.md §E: the
#: first form is not published; the city office reads the campaign, not who was admonished).
DISPOSITION_READERS = frozenset({Role.SUPERVISOR})


class AuditAction(LabelledAction):
    """What the inspections domain records in the audit chain."""

    CREATE_CAMPAIGN = ("inspection.create_campaign", "创建巡察项目")
    ADD_TARGET = ("inspection.add_target", "确定巡察对象")
    VISIT = ("inspection.visit", "记录巡察走访")
    FINDING = ("inspection.finding", "记录巡察发现问题")
    FINISH_TARGET = ("inspection.finish_target", "巡察对象完成巡察")
    ISSUE_OPINION = ("inspection.issue_opinion", "下发监督意见书")
    REPLY_OVERDUE = ("inspection.reply_overdue", "监督意见书逾期未回复")
    PLAN = ("inspection.plan", "报送整改方案")
    REPORT = ("inspection.report", "报送整改报告")
    ACCEPT_REPORT = ("inspection.accept_report", "整改报告审核通过")
    RETURN_REPORT = ("inspection.return_report", "退回整改报告")
    OPEN_PROBLEM = ("inspection.open_problem", "巡察发现问题转入台账")
    DISPOSE = (
        "inspection.dispose",
        "作出处置（四种形态/问责）",
        DISPOSITION_READERS,
    )
