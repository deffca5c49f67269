"""One alarm per event: the rules' alarms on one point and pollutant merged into episodes.

A clean-water substitution of a few days makes ``flatline`` fire on every quiet stretch, and a
pinned analyser is seen by ``pinning``, ``flatline`` and ``parameter_edit`` at once; each of
those used to become its own problem and its own clue.  An officer needs one alarm per event,
with its extent and every rule that saw it.  So the alarms of one point and pollutant (``*``
for whole-point rules such as ``clock``) that overlap or come within ``merge_gap_hours`` of
each other form one :class:`Episode`: its start and end, the rules that fired, the strongest
score, when it was first detected, and the evidence of each rule.

Exceedances (``separate_categories``) form their own episodes: an exceedance is a breach of
the limit with its own procedure, tampering a case for supervision and the police, and one
must not hide the other.  Pure: same alarms, same episodes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from eco263.monitoring.detectors.base import ALL_RULES, Alarm, Category, EpisodeConfig

__all__ = ["Episode", "episodes"]

SEVERITY = {Category.TAMPER: 2, Category.DATA_QUALITY: 1, Category.EXCEEDANCE: 0}
MAX_SPANS = 20


@dataclass(frozen=True)
class Episode:
    """One event on one point and pollutant, seen by one or more rules."""

    mn: str
    pollutant: str
    start: datetime
    end: datetime
    alarms: tuple[Alarm, ...]

    @property
    def category(self) -> Category:
        """The most serious category among its rules (tamper > data quality > exceedance)."""
        return max((a.category for a in self.alarms), key=SEVERITY.__getitem__)

    @property
    def rules(self) -> tuple[str, ...]:
        seen = {a.rule for a in self.alarms}
        return tuple(r for r in ALL_RULES if r in seen)

    @property
    def lead(self) -> Alarm:
        """The alarm that speaks for the episode: the most serious category, then the
        strongest score, then the earliest detection."""
        return max(
            self.alarms,
            key=lambda a: (SEVERITY[a.category], a.score, -a.detected_at.timestamp()),
        )

    @property
    def rule(self) -> str:
        return self.lead.rule

    @property
    def score(self) -> float:
        return max(a.score for a in self.alarms)

    @property
    def detected_at(self) -> datetime:
        """The earliest moment one of its rules crossed its threshold."""
        return min(a.detected_at for a in self.alarms)

    def by_rule(self) -> dict[str, dict[str, Any]]:
        """Per rule: how many alarms, their extent, strongest score, first detection and the
        evidence of its strongest alarm."""
        out: dict[str, dict[str, Any]] = {}
        for rule in self.rules:
            mine = [a for a in self.alarms if a.rule == rule]
            best = max(mine, key=lambda a: a.score)
            out[rule] = {
                "alarms": len(mine),
                "start": min(a.start for a in mine).isoformat(),
                "end": max(a.end for a in mine).isoformat(),
                "score": round(best.score, 4),
                "detected_at": min(a.detected_at for a in mine).isoformat(),
                "spans": [[a.start.isoformat(), a.end.isoformat()] for a in mine][:MAX_SPANS],
                "evidence": dict(best.evidence),
            }
        return out

    def to_json(self) -> dict[str, Any]:
        """The JSON-lines record of ``eco263 detect``: one line per episode."""
        return {
            "mn": self.mn,
            "pollutant": self.pollutant,
            "category": self.category.value,
            "rule": self.rule,
            "rules": list(self.rules),
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "score": round(self.score, 4),
            "detected_at": self.detected_at.isoformat(),
            "alarms": len(self.alarms),
            "evidence": {**self.lead.evidence, "detected_at": self.detected_at.isoformat()},
            "by_rule": self.by_rule(),
        }


def _group(alarm: Alarm, separate: Iterable[str]) -> str:
    return alarm.category.value if alarm.category.value in separate else "integrity"


def episodes(alarms: Iterable[Alarm], config: EpisodeConfig) -> list[Episode]:
    """Merge alarms of one point and pollutant (and group) that overlap or lie within
    ``merge_gap_hours`` of each other; sorted by point, start and pollutant."""
    gap = timedelta(hours=config.merge_gap_hours)
    keyed: dict[tuple[str, str, str], list[Alarm]] = {}
    for a in alarms:
        keyed.setdefault((a.mn, a.pollutant, _group(a, config.separate_categories)), []).append(a)
    out: list[Episode] = []
    for (mn, pollutant, _), group in keyed.items():
        group.sort(key=lambda a: (a.start, a.end))
        current: list[Alarm] = [group[0]]
        end = group[0].end
        for a in group[1:]:
            if a.start <= end + gap:
                current.append(a)
                end = max(end, a.end)
                continue
            out.append(Episode(mn, pollutant, current[0].start, end, tuple(current)))
            current, end = [a], a.end
        out.append(Episode(mn, pollutant, current[0].start, end, tuple(current)))
    out.sort(key=lambda e: (e.mn, e.start, e.pollutant, e.rule))
    return out


def counts(items: Iterable[Mapping[str, Any]]) -> dict[str, int]:
    """Episodes per rule (an episode counts for every rule that fired in it)."""
    out: dict[str, int] = {}
    for item in items:
        for rule in item.get("rules") or [item["rule"]]:
            out[rule] = out.get(rule, 0) + 1
    return out
