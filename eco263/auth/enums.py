"""Roles (角色) from DESIGN.md."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    CITY_OFFICE = "city_office"  # 市263办
    DISTRICT_OFFICE = "district_office"  # 区/县(市) 263办
    DEPARTMENT = "department"  # 生态环境局、水务局、海事局、镇/街道 …
    SUPERVISOR = "supervisor"  # 纪委监委
    ENTERPRISE = "enterprise"  # 企业
    VIEWER = "viewer"  # 领导（只读）


ROLE_LABELS = {
    Role.CITY_OFFICE: "市263办",
    Role.DISTRICT_OFFICE: "区县263办",
    Role.DEPARTMENT: "责任部门",
    Role.SUPERVISOR: "纪委监委",
    Role.ENTERPRISE: "企业",
    Role.VIEWER: "领导（只读）",
}

OFFICE_ROLES = frozenset({Role.CITY_OFFICE, Role.DISTRICT_OFFICE})
