"""Role-aware navigation: the menu item type and the filter by role.

The menu itself (which pages exist) is the composition root's: :mod:`eco263.app` puts it on
``app.state.menu``; a role only sees links to pages it may open.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from fastapi import Request

from eco263.actor import Actor, Role


@dataclass(frozen=True, slots=True)
class NavItem:
    key: str
    label: str
    href: str
    roles: frozenset[Role]


def menu(request: Request) -> Sequence[NavItem]:
    items: Sequence[NavItem] = getattr(request.app.state, "menu", ())
    return items


def badges(request: Request, actor: Actor | None) -> dict[str, int]:
    """Counts shown beside menu links (e.g. unread messages): the composition root puts a
    ``(request, actor) -> {key: count}`` function on ``app.state.nav_badges``."""
    count = getattr(request.app.state, "nav_badges", None)
    if count is None or actor is None or actor.user_id is None:
        return {}
    found: dict[str, int] = count(request, actor)
    return found


def nav_for(items: Sequence[NavItem], actor: Actor) -> list[NavItem]:
    """The links this actor's role may follow, in menu order."""
    if actor.role is None:
        return list(items)
    return [item for item in items if actor.role in item.roles]


def may_open(request: Request, actor: Actor, key: str) -> bool:
    """The actor's menu has the page ``key`` (e.g. whether it has a dashboard)."""
    return any(item.key == key for item in nav_for(menu(request), actor))
