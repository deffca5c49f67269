"""Who acts: the roles of DESIGN.md and the acting user with the scope resolved once.

Pure kernel module: it imports nothing of the database, the web or any domain, so that every
``rules.py`` can take an :class:`Actor` without loading SQLAlchemy.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    CITY_OFFICE = "city_office"  # 市263办
    DISTRICT_OFFICE = "district_office"  # 区/县(市) 263办
    DEPARTMENT = "department"  # 生态环境局、水务局、海事局、镇/街道 …
    SUPERVISOR = "supervisor"  # 纪委监委
    ENTERPRISE = "enterprise"  # 企业
    VIEWER = "viewer"  # 领导（只读）
    POLICE = "police"  # 公安机关: receives the transfers (行刑衔接) addressed to its unit


ROLE_LABELS = {
    Role.CITY_OFFICE: "市263办",
    Role.DISTRICT_OFFICE: "区县263办",
    Role.DEPARTMENT: "责任部门",
    Role.SUPERVISOR: "纪委监委",
    Role.ENTERPRISE: "企业",
    Role.VIEWER: "领导（只读）",
    Role.POLICE: "公安机关",
}

#: The 263 offices: they file, dispatch, verify and close.
OFFICE_ROLES = frozenset({Role.CITY_OFFICE, Role.DISTRICT_OFFICE})

#: Who reads clues for the 智慧监督 platform (never the departments or enterprises they concern).
CLUE_READERS = frozenset({Role.CITY_OFFICE, Role.DISTRICT_OFFICE, Role.SUPERVISOR, Role.VIEWER})

#: Who may read a police transfer (行刑衔接) and its sealed evidence pack, each within the
#: scope of the points it may read: the 263 offices, who hand the case over, and the 纪委监委,
#: who supervise the hand-over and receive the tampering clue.  The police read a transfer
#: addressed to their unit in eco263.transfers, not the alarms' packs.  Not the enterprise
#: concerned (the suspect), not a department (the bureau answerable for the point is the unit
#: the tampering clue names), not the leaders' read-only view (a criminal file is not a
#: dashboard figure, and local leaders answer for their area under 党政同责): see the README.
POLICE_FILE_READERS: frozenset[Role] = frozenset(
    {Role.CITY_OFFICE, Role.DISTRICT_OFFICE, Role.SUPERVISOR}
)


@dataclass(frozen=True, slots=True)
class Actor:
    """The acting user (or the system), with the scope resolved once per request."""

    user_id: int | None
    name: str
    role: Role | None
    division_code: str
    division_path: str
    organization_id: int | None = None
    enterprise_id: int | None = None
    #: The codes of the actor's division subtree, resolved once per request so scoped
    #: queries carry a literal list the planner can use (not a correlated subquery).
    division_codes: frozenset[str] = frozenset()
    #: An administrator reset the password (or created the account): until the user chooses a
    #: new one, only the password change, the help pages and logout answer (eco263.web.deps).
    must_change_password: bool = False

    @property
    def is_system(self) -> bool:
        return self.role is None

    @property
    def is_office(self) -> bool:
        return self.role in OFFICE_ROLES or self.is_system

    def covers(self, division_code: str) -> bool:
        """``division_code`` lies inside this actor's jurisdiction (the system covers all)."""
        return self.is_system or division_code in self.division_codes


SYSTEM = Actor(user_id=None, name="系统", role=None, division_code="", division_path="")
