"""Registry vocabularies: the kinds of responsible units (organizations.yaml ``kind``)."""

from __future__ import annotations

from enum import StrEnum

from eco263.vocabulary import LabelledAction


class OrgKind(StrEnum):
    OFFICE = "office"  # 263办
    DEPARTMENT = "department"  # 生态环境局、水务局、公安局 …
    SUPERVISOR = "supervisor"  # 纪委监委: receives clues, never carries out a rectification
    CONGRESS = "congress"  # 人大
    TOWN = "town"  # 镇/街道
    POLICE = "police"  # 公安机关: receives transfers (行刑衔接); a co-unit on the ledger too
    PROCURATORATE = "procuratorate"  # 人民检察院: copied on every transfer


ORG_KIND_LABELS = {
    OrgKind.OFFICE: "263办",
    OrgKind.DEPARTMENT: "职能部门",
    OrgKind.SUPERVISOR: "纪委监委",
    OrgKind.CONGRESS: "人大",
    OrgKind.TOWN: "镇/街道",
    OrgKind.POLICE: "公安机关",
    OrgKind.PROCURATORATE: "人民检察院",
}

#: Units a problem may be dispatched to.
ASSIGNABLE_KINDS = frozenset({OrgKind.OFFICE, OrgKind.DEPARTMENT, OrgKind.TOWN, OrgKind.POLICE})


class AuditAction(LabelledAction):
    ENTERPRISE_CREATE = ("enterprise.create", "登记企业")
    ORGANIZATION_CREATE = ("organization.create", "登记单位")
    ORGANIZATION_RENAME = ("organization.rename", "单位更名")
    ORGANIZATION_LEADER = ("organization.set_leader", "设置单位负责人")
    ORGANIZATION_DEACTIVATE = ("organization.deactivate", "停用单位")
    SEED_DIVISIONS = ("registry.seed_divisions", "导入行政区划")
    SEED_ORGANIZATIONS = ("registry.seed_organizations", "导入单位")
