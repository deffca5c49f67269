"""Build clues through the real actions (no rows written by hand)."""

from __future__ import annotations

import hashlib
import itertools
from typing import Any

from sqlalchemy import select

from eco263.actor import SYSTEM
from eco263.context import Ctx
from eco263.registry.models import Organization
from eco263.runtime import Runtime
from eco263.supervision.actions.rules_checks import TamperingFacts, do_open_tampering_clue
from eco263.supervision.models import Clue

_serial = itertools.count(1)

YLD = "91320583MA1MXXYL0H"  # 依利安达电子（昆山）, 320583


def org_id(ctx: Ctx, name: str = "昆山市环保局") -> int:
    found = ctx.session.scalar(select(Organization.id).where(Organization.name == name))
    assert found is not None, name
    return found


def evidence_pack(n: int) -> dict[str, Any]:
    digest = hashlib.sha256(f"pack-{n}".encode()).hexdigest()
    return {
        "sha256": digest,
        "detector": "flatline",
        "packets": [{"qn": f"20180510090000{n:03d}", "sha256": digest}],
        "statistics": {"window_minutes": 240, "distinct_values": 1},
    }


def tampering_clue(ctx: Ctx, n: int | None = None) -> Clue:
    """A 干扰自动监测 clue with its own evidence pack (a new cause each call)."""
    k = next(_serial) if n is None else n
    clue = do_open_tampering_clue(
        ctx,
        TamperingFacts(
            point_mn=f"320583{k:08d}",
            division_code="320583",
            responsible_org_id=org_id(ctx),
            detector="flatline",
            detected_at=ctx.now,
            evidence_pack=evidence_pack(k + 10_000_000 * (n is None)),
            description="COD 连续 4 小时恒定值",
        ),
    )
    assert clue is not None
    return clue


def make_clues(rt: Runtime, count: int) -> list[int]:
    """``count`` clues committed in one transaction (as the system)."""
    with rt.unit_of_work(SYSTEM) as ctx:
        return [tampering_clue(ctx).id for _ in range(count)]
