"""工作动态 vocabularies."""

from __future__ import annotations

from enum import StrEnum

from eco263.vocabulary import LabelledAction


class IssueState(StrEnum):
    DRAFT = "draft"  # 编辑中
    PUBLISHED = "published"  # 已印发


ISSUE_STATE_LABELS = {IssueState.DRAFT: "编辑中", IssueState.PUBLISHED: "已印发"}


class ItemState(StrEnum):
    DRAFT = "draft"  # 待审定
    APPROVED = "approved"  # 已审定


ITEM_STATE_LABELS = {ItemState.DRAFT: "待审定", ItemState.APPROVED: "已审定"}


class ItemSource(StrEnum):
    """Where an item's draft came from (the record it was generated from), or 自撰."""

    MEDIA = "media"  # 媒体曝光问题整改销号（台账）
    CASE = "case"  # 行政处罚案件结案
    PETITION = "petition"  # 信访件办结答复
    ASSESSMENT = "assessment"  # 考核结果
    INQUIRY = "inquiry"  # 人大专题询问
    JOINT = "joint"  # 联合执法
    TRANSFER = "transfer"  # 行刑衔接：移送公安立案
    CAMPAIGN = "campaign"  # 专项行动（待专项行动模块）
    FREE = "free"  # 编辑自撰


SOURCE_LABELS = {
    ItemSource.MEDIA: "媒体曝光问题销号",
    ItemSource.CASE: "执法案件结案",
    ItemSource.PETITION: "信访件答复",
    ItemSource.ASSESSMENT: "考核结果",
    ItemSource.INQUIRY: "专题询问",
    ItemSource.JOINT: "联合执法",
    ItemSource.TRANSFER: "移送公安立案",
    ItemSource.CAMPAIGN: "专项行动",
    ItemSource.FREE: "编辑自撰",
}


class AuditAction(LabelledAction):
    """What the bulletin records in the audit chain."""

    CREATE = ("bulletin.create", "新建工作动态")
    DRAFT = ("bulletin.draft", "从记录生成工作动态稿件")
    ADD_ITEM = ("bulletin.add_item", "新增工作动态稿件")
    EDIT_ITEM = ("bulletin.edit_item", "修改工作动态稿件")
    MOVE_ITEM = ("bulletin.move_item", "调整工作动态稿件顺序")
    REMOVE_ITEM = ("bulletin.remove_item", "删除工作动态稿件")
    APPROVE_ITEM = ("bulletin.approve_item", "审定工作动态稿件")
    PUBLISH = ("bulletin.publish", "印发工作动态")
    READ = ("bulletin.read", "阅读工作动态")
