"""Reference data (`eco263 seed`): divisions with their paths, organizations, demo users.

Idempotent: rows that exist are left as they are, so seeding twice changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select

from eco263.auth.actions import do_create_user
from eco263.auth.models import User
from eco263.context import Ctx
from eco263.registry.enums import AuditAction as RegistryAction
from eco263.registry.models import Division, Enterprise, Organization
from eco263.registry.reference import DivisionRef, load_divisions

DEMO_PASSWORD = "eco263demo"  # noqa: S105 - documented demo login, never a production secret


@dataclass(slots=True)
class SeedReport:
    divisions: int = 0
    organizations: int = 0
    users: list[str] = field(default_factory=list)


def _data(name: str) -> Any:
    path = Path(str(resources.files("eco263") / "data" / name))
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def division_paths(divisions: list[DivisionRef]) -> dict[str, str]:
    """code → "root/…/code" for prefix queries over a subtree."""
    parent = {d.code: d.parent for d in divisions}
    paths: dict[str, str] = {}
    for code in parent:
        chain = [code]
        while (up := parent.get(chain[-1])) is not None:
            chain.append(up)
        paths[code] = "/".join(reversed(chain)) + "/"
    return paths


def seed_divisions(ctx: Ctx) -> int:
    divisions = load_divisions()
    paths = division_paths(divisions)
    added = 0
    for d in sorted(divisions, key=lambda d: paths[d.code].count("/")):
        if ctx.session.get(Division, d.code) is None:
            ctx.session.add(
                Division(
                    code=d.code,
                    name=d.name,
                    short_name=d.short_name,
                    kind=d.kind.value,
                    parent_code=d.parent,
                    path=paths[d.code],
                    lon=d.lon,
                    lat=d.lat,
                )
            )
            ctx.session.flush()
            added += 1
    if added:
        ctx.audit(RegistryAction.SEED_DIVISIONS, "registry", "divisions", None, {"added": added})
    return added


def seed_organizations(ctx: Ctx) -> int:
    added = 0
    for row in _data("organizations.yaml"):
        exists = ctx.session.scalar(select(Organization.id).where(Organization.name == row["name"]))
        if exists is None:
            ctx.session.add(
                Organization(
                    name=row["name"],
                    kind=row["kind"],
                    division_code=row["division"],
                    leader_name=row.get("leader"),
                )
            )
            added += 1
    ctx.session.flush()
    if added:
        ctx.audit(
            RegistryAction.SEED_ORGANIZATIONS, "registry", "organizations", None, {"added": added}
        )
    return added


def seed_users(ctx: Ctx, password: str = DEMO_PASSWORD) -> list[str]:
    """Demo users; an enterprise user is created only once its enterprise is registered."""
    created: list[str] = []
    for row in _data("demo_users.yaml"):
        if ctx.session.scalar(select(User.id).where(User.username == row["username"])):
            continue
        enterprise_id = None
        if row.get("enterprise_uscc"):
            enterprise_id = ctx.session.scalar(
                select(Enterprise.id).where(Enterprise.uscc == row["enterprise_uscc"])
            )
            if enterprise_id is None:
                continue
        org_id = None
        if row.get("org"):
            org_id = ctx.session.scalar(
                select(Organization.id).where(Organization.name == row["org"])
            )
        do_create_user(
            ctx.session,
            ctx.actor,
            username=row["username"],
            password=password,
            display_name=row["name"],
            role=row["role"],
            division_code=row["division"],
            organization_id=org_id,
            enterprise_id=enterprise_id,
            now=ctx.now,
        )
        created.append(row["username"])
    return created


def seed_reference(ctx: Ctx, password: str = DEMO_PASSWORD) -> SeedReport:
    """Divisions, organizations and the demo users, in one transaction."""
    report = SeedReport()
    report.divisions = seed_divisions(ctx)
    report.organizations = seed_organizations(ctx)
    report.users = seed_users(ctx, password)
    return report


def org_id(ctx: Ctx, name: str) -> int:
    found = ctx.session.scalar(select(Organization.id).where(Organization.name == name))
    if found is None:
        raise KeyError(f"没有单位 {name}")
    return found
