"""Pure alarm rules: episodes, when an alarm opens a problem, what the problem says, who may
read a police transfer."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from eco263.actor import POLICE_FILE_READERS, Actor
from eco263.alarms.enums import RULE_LABELS, AlarmState, Category


@dataclass(frozen=True, slots=True)
class AlarmPolicy:
    sustained_exceedance_hours: float = 2
    opens_problem: tuple[str, ...] = (Category.TAMPER, Category.EXCEEDANCE)
    problem_category: tuple[tuple[str, str], ...] = (("water", "6T.taihu"), ("gas", "6T.vocs"))
    tamper_duty_failure: str = "执法监管不到位"
    history_days: int = 14
    recent_hours: int = 24
    minute_cn: str = "2051"

    def category_for(self, medium: str) -> str:
        return dict(self.problem_category).get(medium, "3I.enforcement")


@lru_cache(maxsize=2)
def load_policy(path: Path | None = None) -> AlarmPolicy:
    source = path or Path(str(resources.files("eco263") / "data" / "alarm_policy.yaml"))
    raw = yaml.safe_load(source.read_text(encoding="utf-8"))
    raw["opens_problem"] = tuple(raw["opens_problem"])
    raw["problem_category"] = tuple(sorted(raw["problem_category"].items()))
    return AlarmPolicy(**raw)


# --------------------------------------------------------------------------- episodes
#: How serious a category is: the episode takes its most serious rule's category and name.
SEVERITY: dict[str, int] = {Category.TAMPER: 2, Category.DATA_QUALITY: 1, Category.EXCEEDANCE: 0}
MAX_SPANS = 20


def episode_group(category: str, separate: Iterable[str]) -> tuple[str, ...]:
    """The categories an alarm of ``category`` may share an episode with: exceedances
    (``separate``) stay their own; tampering and data quality merge (as ``episodes.py``)."""
    apart = tuple(separate)
    if category in apart:
        return (category,)
    return tuple(c.value for c in Category if c.value not in apart)


def continues(
    open_start: datetime, open_end: datetime, start: datetime, end: datetime, gap_hours: float
) -> bool:
    """A detected episode continues a stored one when they overlap or come within the gap."""
    gap = timedelta(hours=gap_hours)
    return start <= open_end + gap and end >= open_start - gap


def _at(value: Any) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))


def merge_rules(
    old: Mapping[str, Mapping[str, Any]], new: Mapping[str, Mapping[str, Any]]
) -> dict[str, dict[str, Any]]:
    """The rules of a stored episode and of its re-detection, merged per rule: widest extent,
    earliest detection, strongest score with that detection's evidence.

    Every run sees the whole history again, so alarm counts are not added up (the larger
    count stands) and spans are a set.
    """
    out = {rule: dict(seen) for rule, seen in old.items()}
    for rule, seen in new.items():
        have = out.get(rule)
        if have is None:
            out[rule] = dict(seen)
            continue
        merged = dict(have)
        merged["start"] = min(_at(have["start"]), _at(seen["start"])).isoformat()
        merged["end"] = max(_at(have["end"]), _at(seen["end"])).isoformat()
        merged["detected_at"] = min(_at(have["detected_at"]), _at(seen["detected_at"])).isoformat()
        merged["alarms"] = max(int(have.get("alarms", 1)), int(seen.get("alarms", 1)))
        spans = [list(s) for s in have.get("spans", [])]
        spans += [list(s) for s in seen.get("spans", []) if list(s) not in spans]
        merged["spans"] = spans[-MAX_SPANS:]
        if float(seen["score"]) > float(have["score"]):
            merged["score"], merged["evidence"] = seen["score"], dict(seen.get("evidence", {}))
        out[rule] = merged
    order = {rule: i for i, rule in enumerate(RULE_LABELS)}
    return dict(sorted(out.items(), key=lambda kv: order.get(kv[0], len(order))))


def lead_rule(by_rule: Mapping[str, Mapping[str, Any]]) -> str:
    """The rule that names the episode: most serious category, then strongest score."""
    return max(
        by_rule,
        key=lambda r: (
            SEVERITY.get(str(by_rule[r].get("category")), 0),
            float(by_rule[r]["score"]),
        ),
    )


def opens_problem(category: str, start: datetime, end: datetime, policy: AlarmPolicy) -> bool:
    """Tampering always opens a problem; an exceedance once it is sustained; data quality never."""
    if category not in policy.opens_problem:
        return False
    if category == Category.EXCEEDANCE:
        return end - start >= timedelta(hours=policy.sustained_exceedance_hours)
    return True


def problem_title(enterprise: str | None, point: str, pollutant: str, rule: str) -> str:
    who = enterprise or point
    return f"{who}在线监测{RULE_LABELS.get(rule, rule)}（{pollutant}）"


def may_acknowledge(is_office: bool, state: str) -> bool:
    """确认报警: a 263 office, while the alarm is still open (as ``do_acknowledge_alarm``)."""
    return is_office and state == AlarmState.OPEN


#: Who may read a police transfer and its pack: see :data:`eco263.actor.POLICE_FILE_READERS`.
TRANSFER_READERS = POLICE_FILE_READERS


def may_read_transfer(actor: Actor, enterprise_id: int | None) -> bool:
    """The actor may see that a case was handed to the police, and its pack.

    ``enterprise_id`` is the enterprise the case concerns: a user of that enterprise is
    refused whatever its role.  Scope (the alarm's point) is checked by the read that found
    the alarm; a refusal must look like a missing record (404).
    """
    if actor.is_system:
        return True
    if actor.enterprise_id is not None and actor.enterprise_id == enterprise_id:
        return False
    return actor.role in TRANSFER_READERS
