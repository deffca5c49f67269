"""Pure clue rules: when a clue is born, its cause key, and how its status may move.

Thresholds are data (``clue_rules.yaml`` beside this file); nothing here touches the
database or reads the clock — ``now``/``today`` are parameters.  Each rule answers
"does this fire?" and, where the facts allow several episodes, "which episode?", so the
action can build a stable cause key: the same facts always give the same key, and a
clue is opened once per key.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from eco263.supervision.enums import ClueState, DutyFailure


@dataclass(frozen=True, slots=True)
class CluePolicy:
    failed_verification_returns: int = 2
    failed_verification_duty: DutyFailure = DutyFailure.RESPONSIBILITY
    relapse_window_days: int = 90
    relapse_duty: DutyFailure = DutyFailure.RESPONSIBILITY
    repeat_fines_count: int = 3
    repeat_fines_window_days: int = 365
    repeat_fines_duty: DutyFailure = DutyFailure.ENFORCEMENT
    alarm_limit_hours: Mapping[str, float] | None = None
    alarm_duty: DutyFailure = DutyFailure.INITIATIVE
    extensions_max: int = 2
    extensions_duty: DutyFailure = DutyFailure.PRESSURE
    tampering_duty: DutyFailure = DutyFailure.ENFORCEMENT
    opinion_grace_workdays: int = 5
    opinion_duty: DutyFailure = DutyFailure.INITIATIVE

    def alarm_limit(self, kind: str) -> timedelta:
        limits = self.alarm_limit_hours or {"default": 24.0}
        return timedelta(hours=float(limits.get(kind, limits.get("default", 24.0))))


def parse_policy(raw: Mapping[str, Any]) -> CluePolicy:
    """Build the policy from the YAML mapping; unknown duty failures are a config error."""
    fv, rl, rf = raw["failed_verification"], raw["relapse"], raw["repeat_fines"]
    al, ex, tp = raw["alarm_unacknowledged"], raw["extensions"], raw["tampering"]
    policy = CluePolicy(
        failed_verification_returns=int(fv["returns"]),
        failed_verification_duty=DutyFailure(fv["duty_failure"]),
        relapse_window_days=int(rl["window_days"]),
        relapse_duty=DutyFailure(rl["duty_failure"]),
        repeat_fines_count=int(rf["count"]),
        repeat_fines_window_days=int(rf["window_days"]),
        repeat_fines_duty=DutyFailure(rf["duty_failure"]),
        alarm_limit_hours={str(k): float(v) for k, v in al["limit_hours"].items()},
        alarm_duty=DutyFailure(al["duty_failure"]),
        extensions_max=int(ex["max"]),
        extensions_duty=DutyFailure(ex["duty_failure"]),
        tampering_duty=DutyFailure(tp["duty_failure"]),
        **_opinion_rule(raw.get("opinion_reply_overdue")),
    )
    counts = (
        policy.failed_verification_returns,
        policy.relapse_window_days,
        policy.repeat_fines_count,
        policy.repeat_fines_window_days,
    )
    if min(counts) < 1 or min(policy.extensions_max, policy.opinion_grace_workdays) < 0:
        raise ValueError(f"线索规则阈值无效：{raw}")
    return policy


def _opinion_rule(raw: Mapping[str, Any] | None) -> dict[str, Any]:
    """``opinion_reply_overdue`` (optional in an older file: the defaults then)."""
    if raw is None:
        return {}
    return {
        "opinion_grace_workdays": int(raw["grace_workdays"]),
        "opinion_duty": DutyFailure(raw["duty_failure"]),
    }


@lru_cache(maxsize=4)
def load_policy(path: Path | None = None) -> CluePolicy:
    source = path or Path(str(resources.files("eco263.supervision") / "clue_rules.yaml"))
    return parse_policy(yaml.safe_load(source.read_text(encoding="utf-8")))


# -- the rules -----------------------------------------------------------------------------------


def fails_verification(returned_count: int, policy: CluePolicy) -> bool:
    """整改不到位: the office has returned this unit's rectification ``returns`` times."""
    return returned_count >= policy.failed_verification_returns


def too_many_extensions(extension_count: int, policy: CluePolicy) -> bool:
    """多次延期: the deadline has been moved more than ``max`` times."""
    return extension_count > policy.extensions_max


@dataclass(frozen=True, slots=True)
class ProblemTarget:
    """What a problem is about, as far as 假整改 is concerned."""

    enterprise_id: int | None
    water_body: str | None
    division_code: str
    category_code: str


@dataclass(frozen=True, slots=True)
class ClosedProblem:
    id: int
    target: ProblemTarget
    closed_at: datetime


def relapsed(
    new: ProblemTarget, closed: Iterable[ClosedProblem], now: datetime, policy: CluePolicy
) -> list[ClosedProblem]:
    """假整改: closed problems of the same 263 category, on the same enterprise or on the same
    water body in the same division, closed within the window.

    The category and division keep a lake or river that spans districts (太湖, 长江) from
    turning every new problem on it into a clue against every unit that closed one there.
    Oldest closure first; every closure inside the window is named.
    """
    since = now - timedelta(days=policy.relapse_window_days)
    hits = [c for c in closed if since <= c.closed_at <= now and same_target(new, c.target)]
    return sorted(hits, key=lambda c: (c.closed_at, c.id))


def same_target(new: ProblemTarget, old: ProblemTarget) -> bool:
    if new.category_code != old.category_code:
        return False
    if new.enterprise_id is not None and new.enterprise_id == old.enterprise_id:
        return True
    water = (new.water_body or "").strip()
    same_water = bool(water) and (old.water_body or "").strip() == water
    return same_water and new.division_code == old.division_code


@dataclass(frozen=True, slots=True)
class Fine:
    """One administrative penalty (行政处罚), as the enforcement domain will report it."""

    case_no: str
    decided_on: date
    violation: str
    amount_yuan: float
    authority_org_id: int


def repeat_fines(fines: Sequence[Fine], today: date, policy: CluePolicy) -> list[Fine] | None:
    """以罚代管: ``count`` fines for the same violation within ``window_days``.

    Returns the fines of the first window (in date order) that reached the count — the
    last of them is the *trigger*, which fixes the episode — provided the trigger is
    itself within the window of ``today`` (an old series is history, not a clue).
    """
    window = timedelta(days=policy.repeat_fines_window_days)
    by_violation: dict[str, list[Fine]] = defaultdict(list)
    for fine in fines:
        if fine.decided_on <= today:
            by_violation[fine.violation.strip()].append(fine)
    found: list[list[Fine]] = []
    for group in by_violation.values():
        series = _first_full_window(
            sorted(group, key=lambda f: (f.decided_on, f.case_no)), window, policy
        )
        if series and series[-1].decided_on > today - window:
            found.append(series)
    if not found:
        return None
    return min(found, key=lambda s: (s[-1].decided_on, s[-1].case_no))


def _first_full_window(ordered: list[Fine], window: timedelta, policy: CluePolicy) -> list[Fine]:
    start = 0
    for end, fine in enumerate(ordered):
        while fine.decided_on - ordered[start].decided_on >= window:
            start += 1
        if end - start + 1 >= policy.repeat_fines_count:
            return ordered[start : end + 1]
    return []


def alarm_overdue(
    kind: str,
    raised_at: datetime,
    acknowledged_at: datetime | None,
    now: datetime,
    policy: CluePolicy,
) -> bool:
    """报警超时未响应: not acknowledged by its limit (acknowledging late still counts)."""
    deadline = raised_at + policy.alarm_limit(kind)
    if acknowledged_at is not None:
        return acknowledged_at > deadline
    return now > deadline


# -- cause keys (one clue per key; ASCII, ≤ 128, they become idempotency keys) -------------------


def short_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def key_red_card(assignment_id: int) -> str:
    return f"red_card:assignment:{assignment_id}"


def key_failed_verification(assignment_id: int) -> str:
    return f"failed_verification:assignment:{assignment_id}"


def key_relapse(closed_problem_id: int) -> str:
    return f"relapse:problem:{closed_problem_id}"


def key_extensions(assignment_id: int) -> str:
    return f"extensions:assignment:{assignment_id}"


def key_repeat_fines(enterprise_id: int, violation: str, trigger_case_no: str) -> str:
    return (
        f"repeat_fines:enterprise:{enterprise_id}:{short_hash(violation + '|' + trigger_case_no)}"
    )


def key_opinion_overdue(opinion_id: int) -> str:
    return f"opinion_reply_overdue:inspection_opinion:{opinion_id}"


def opinion_reply_clue_due(overdue_workdays: int, policy: CluePolicy) -> bool:
    """监督意见书逾期未回复: still no rectification plan ``grace_workdays`` after the reply
    deadline (working days counted after the due date)."""
    return overdue_workdays >= max(policy.opinion_grace_workdays, 1)


def key_alarm(alarm_id: int) -> str:
    return f"alarm_unacknowledged:alarm:{alarm_id}"


def key_tampering(point_mn: str, pack_sha256: str) -> str:
    return f"tampering:point:{short_hash(point_mn)}:{pack_sha256[:32]}"


def key_manual(problem_id: int, organization_id: int, duty: DutyFailure) -> str:
    return f"manual:problem:{problem_id}:org:{organization_id}:{duty.name.lower()}"


# -- clue status --------------------------------------------------------------------------------

STATE_MOVES: Mapping[ClueState, frozenset[ClueState]] = {
    ClueState.GENERATED: frozenset(
        {ClueState.DELIVERED, ClueState.RECEIVED, ClueState.ACCEPTED, ClueState.REJECTED}
    ),
    ClueState.DELIVERED: frozenset({ClueState.RECEIVED, ClueState.ACCEPTED, ClueState.REJECTED}),
    ClueState.RECEIVED: frozenset({ClueState.ACCEPTED, ClueState.REJECTED}),
    ClueState.ACCEPTED: frozenset({ClueState.CONCLUDED}),
    ClueState.REJECTED: frozenset(),
    ClueState.CONCLUDED: frozenset(),
}


def may_move_state(current: ClueState, target: ClueState) -> bool:
    """The platform's reports may skip steps (a status can overtake our delivery record),
    never go back; rejected and concluded are final."""
    return target in STATE_MOVES[current]
