"""Who may manage which accounts, and what a password must be (pure: no database).

* The 市263办 manages every account.  A 区县263办 manages only the accounts of its own
  division's subtree whose role is 责任部门 or 区县263办 — never a city, 纪委, police, leader or
  enterprise account, so it cannot create or take over anyone above or beside its own reach.
* Nobody deactivates or resets their own account here (their own password is changed on the
  password page, with the current one), and there is no way to change a role once created,
  so no one can raise their own role.
"""

from __future__ import annotations

from eco263.actor import Actor, Role

#: Roles a district office may create and manage inside its division.
DISTRICT_MANAGED = frozenset({Role.DEPARTMENT, Role.DISTRICT_OFFICE})

#: A password shorter than this is refused (an administrator's or a user's choice alike).
MIN_PASSWORD_LENGTH = 8
#: The login form accepts at most this many characters.
MAX_PASSWORD_LENGTH = 256


def may_administer(actor: Actor) -> bool:
    """The actor may open user administration at all."""
    return actor.is_system or actor.role in (Role.CITY_OFFICE, Role.DISTRICT_OFFICE)


def may_manage(actor: Actor, role: Role, division_code: str) -> bool:
    """The actor may create, deactivate or reset an account of ``role`` in ``division_code``."""
    if actor.is_system or actor.role == Role.CITY_OFFICE:
        return True
    if actor.role == Role.DISTRICT_OFFICE:
        return role in DISTRICT_MANAGED and actor.covers(division_code)
    return False


def grantable_roles(actor: Actor) -> list[Role]:
    """The roles the actor may give a new account, in the order of :class:`Role`."""
    if actor.is_system or actor.role == Role.CITY_OFFICE:
        return list(Role)
    if actor.role == Role.DISTRICT_OFFICE:
        return [r for r in Role if r in DISTRICT_MANAGED]
    return []


def password_problem(password: str) -> str | None:
    """Why ``password`` may not be used, in Chinese, or None."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"密码太短：至少 {MIN_PASSWORD_LENGTH} 位"
    if len(password) > MAX_PASSWORD_LENGTH:
        return f"密码太长：最多 {MAX_PASSWORD_LENGTH} 位"
    if not password.isprintable():
        return "密码不能包含控制字符"
    if not password.strip():
        return "密码不能全是空格"
    return None
