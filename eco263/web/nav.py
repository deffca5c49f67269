"""Role-aware navigation: which top-level pages each role sees.

Domains add their pages here as they land (monitoring 监测, supervision 监督 …); a role
only sees links to pages it may open.
"""

from __future__ import annotations

from dataclasses import dataclass

from eco263.auth.enums import Role
from eco263.auth.scope import Actor
from eco263.supervision.service import CLUE_READERS

ALL_ROLES = frozenset(Role)
OFFICES = frozenset({Role.CITY_OFFICE, Role.DISTRICT_OFFICE})


@dataclass(frozen=True, slots=True)
class NavItem:
    key: str
    label: str
    href: str
    roles: frozenset[Role]


NAV: list[NavItem] = [
    NavItem("dashboard", "驾驶舱", "/", ALL_ROLES - {Role.ENTERPRISE}),
    NavItem("ledger", "问题台账", "/problems", ALL_ROLES),
    NavItem("register", "登记问题", "/problems/new", OFFICES),
    NavItem("monitoring", "在线监测", "/monitoring", ALL_ROLES),
    NavItem("alarms", "监测告警", "/alarms", ALL_ROLES),
    NavItem("supervision", "智慧监督", "/supervision", CLUE_READERS),
]


def nav_for(actor: Actor) -> list[NavItem]:
    """The links this actor's role may follow, in menu order."""
    if actor.role is None:
        return list(NAV)
    return [item for item in NAV if actor.role in item.roles]


def has_dashboard(actor: Actor) -> bool:
    return any(item.key == "dashboard" for item in nav_for(actor))
