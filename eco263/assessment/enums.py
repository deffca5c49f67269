"""263 assessment vocabularies (考核)."""

from __future__ import annotations

from enum import StrEnum

from eco263.vocabulary import LabelledAction


class SchemeState(StrEnum):
    """A scheme's lifecycle: a draft is edited, one in use is only superseded."""

    DRAFT = "draft"
    IN_USE = "in_use"
    SUPERSEDED = "superseded"


SCHEME_STATE_LABELS = {
    SchemeState.DRAFT: "草稿",
    SchemeState.IN_USE: "在用",
    SchemeState.SUPERSEDED: "已被新版本取代",
}


class Level(StrEnum):
    """Who assesses whom."""

    PROVINCE_CITY = "province_city"  # 省考核设区市
    CITY_DISTRICT = "city_district"  # 市考核区县（市）、部门


LEVEL_LABELS = {
    Level.PROVINCE_CITY: "省对市考核",
    Level.CITY_DISTRICT: "市对区县考核",
}


class RuleKind(StrEnum):
    """The small set of scoring rules an indicator may use."""

    RATIO = "ratio"  # 比例折算：得分 = 权重 × min(比例 / 目标, 1)
    DEDUCTION = "deduction"  # 逐项扣分，封顶
    BONUS = "bonus"  # 加分项，封顶
    ENTERED = "entered"  # 录入或导入的完成率（%）


RULE_LABELS = {
    RuleKind.RATIO: "比例折算",
    RuleKind.DEDUCTION: "逐项扣分（封顶）",
    RuleKind.BONUS: "加分项（封顶）",
    RuleKind.ENTERED: "录入值（完成率）",
}


class AuditAction(LabelledAction):
    """What the assessment records in the audit chain."""

    SCHEME_IMPORT = ("assessment.scheme_import", "导入考核方案")
    SCHEME_UPDATE = ("assessment.scheme_update", "修改考核方案草稿")
    SCHEME_ACTIVATE = ("assessment.scheme_activate", "启用考核方案")
    COMPUTE = ("assessment.compute", "计算考核得分")
    VALUE_ENTER = ("assessment.value_enter", "录入考核指标值")
    PUBLISHED_IMPORT = ("assessment.published_import", "导入省公布得分")
