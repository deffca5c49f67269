"""Reads of the registry: divisions, organizations, enterprises, categories."""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

from sqlalchemy import ColumnElement, select, true
from sqlalchemy.orm import InstrumentedAttribute, Session

from eco263.actor import Actor
from eco263.errors import InvalidInput, NotFound
from eco263.registry.models import Division, Enterprise, Organization
from eco263.registry.reference import load_categories


def in_jurisdiction(actor: Actor, column: InstrumentedAttribute[str]) -> ColumnElement[bool]:
    """``column`` (a division code) lies inside the actor's jurisdiction (its division subtree).

    The codes are the literal list resolved once per request (:attr:`Actor.division_codes`), so
    the planner sees constants, not a correlated subquery.
    """
    if actor.is_system:
        return true()
    return column.in_(sorted(actor.division_codes))


def get_division(session: Session, code: str) -> Division:
    division = session.get(Division, code)
    if division is None:
        raise InvalidInput(f"未知行政区划代码 {code}", field="division_code")
    return division


def require_in_jurisdiction(session: Session, actor: Actor, code: str) -> None:
    """Offices may only file problems inside their own division's subtree."""
    if actor.is_system:
        return
    division = get_division(session, code)
    if not division.path.startswith(actor.division_path):
        raise InvalidInput(f"行政区划 {code} 不在本单位辖区内", field="division_code")


def get_enterprise(session: Session, enterprise_id: int) -> Enterprise:
    enterprise = session.get(Enterprise, enterprise_id)
    if enterprise is None:
        raise InvalidInput(f"未知企业 {enterprise_id}", field="enterprise_id")
    return enterprise


def organization_in_scope(
    session: Session, actor: Actor, org_id: int, *, field: str = "organization_id"
) -> Organization:
    """A unit of the actor's jurisdiction; a unit elsewhere reads as unknown (no probing)."""
    org = session.get(Organization, org_id)
    if org is None or not actor.covers(org.division_code):
        raise InvalidInput(f"未知单位 {org_id}", field=field)
    if not org.active:
        raise InvalidInput(f"单位 {org.name} 已停用", field=field)
    return org


def enterprise_in_scope(
    session: Session, actor: Actor, enterprise_id: int, *, field: str = "enterprise_id"
) -> Enterprise:
    """An enterprise of the actor's jurisdiction; one elsewhere reads as unknown."""
    enterprise = session.get(Enterprise, enterprise_id)
    if enterprise is None or not actor.covers(enterprise.division_code):
        raise InvalidInput(f"未知企业 {enterprise_id}", field=field)
    return enterprise


def get_organization(session: Session, org_id: int) -> Organization:
    org = session.get(Organization, org_id)
    if org is None:
        raise NotFound("单位")
    return org


def organizations_by_id(session: Session, ids: Iterable[int]) -> dict[int, Organization]:
    """The organizations with these ids, read in one query."""
    wanted = set(ids)
    if not wanted:
        return {}
    return {
        o.id: o for o in session.scalars(select(Organization).where(Organization.id.in_(wanted)))
    }


@lru_cache(maxsize=1)
def category_names() -> dict[str, str]:
    """Category code → Chinese name, from the shipped 263 breakdown."""
    return {c.code: c.name for c in load_categories()}


def require_category(code: str) -> None:
    if code not in category_names():
        raise InvalidInput(f"未知的263分类 {code}", field="category_code")


def list_divisions(session: Session, under: str | None = None) -> list[Division]:
    query = select(Division).order_by(Division.code)
    if under:
        prefix = select(Division.path).where(Division.code == under).scalar_subquery()
        query = query.where(Division.path.startswith(prefix))
    return list(session.scalars(query))


def list_organizations(session: Session, *, inactive: bool = False) -> list[Organization]:
    """The units (the forms' choices): active ones only unless ``inactive``."""
    query = select(Organization).order_by(Organization.id)
    if not inactive:
        query = query.where(Organization.active.is_(True))
    return list(session.scalars(query))


def organization_names(session: Session, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = session.execute(
        select(Organization.id, Organization.name).where(Organization.id.in_(ids))
    )
    return {r.id: r.name for r in rows}


# -- reads for supervision -----------------------------------------------------------------------


def division_names(session: Session, codes: Iterable[str]) -> dict[str, str]:
    """Code → name of the known divisions among ``codes``, in one statement (unknown codes are
    absent)."""
    wanted = set(codes)
    if not wanted:
        return {}
    rows = session.execute(select(Division.code, Division.name).where(Division.code.in_(wanted)))
    return {r.code: r.name for r in rows}


def division_name(session: Session, code: str) -> str | None:
    """The division's name, or None for an unknown code (read through the identity map)."""
    division = session.get(Division, code)
    return division.name if division is not None else None
