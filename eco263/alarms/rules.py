"""Pure alarm rules: episodes, when an alarm opens a problem, what the problem says, who may
read a police transfer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from importlib import resources
from pathlib import Path

import yaml

from eco263.actor import POLICE_FILE_READERS, Actor
from eco263.alarms.enums import RULE_LABELS, AlarmState, Category


@dataclass(frozen=True, slots=True)
class AlarmPolicy:
    episode_gap_hours: float = 6
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


def same_episode(open_end: datetime, new_start: datetime, policy: AlarmPolicy) -> bool:
    """A detection that starts within the gap after an open alarm's end continues it."""
    return new_start <= open_end + timedelta(hours=policy.episode_gap_hours)


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
