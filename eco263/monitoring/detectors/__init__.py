"""Monitoring analytics: pure detectors over one point's readings (issue 4).

The public API for the live pipeline and the ``eco263 detect`` command::

    from eco263.monitoring.detectors import detect_point, load_config, Limit, Alarm
    alarms = detect_point(frame, limits, rules=ALL_RULES, config=load_config(), mn="...")

``frame`` is one point's readings in long form (``time``, ``pollutant``, ``value`` and optional
``flag``, ``cn``, ``received``); nothing here touches a database or reads the clock, so the
same call runs in a scheduler, a test, or on a Dask worker (``run.py``).  Methods and their
sources are in ``/work/shared/reference/TAMPER.md``; each rule module cites its section.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import pandas as pd

from eco263.monitoring.detectors import (
    aggregate,
    clock,
    exceedance,
    flatline,
    level,
    pinning,
    quality,
    replay,
)
from eco263.monitoring.detectors.base import (
    ALL_RULES,
    CATEGORY,
    Alarm,
    Category,
    ConfigError,
    DetectorConfig,
    Limit,
    load_config,
)
from eco263.monitoring.detectors.episodes import Episode, episodes
from eco263.monitoring.detectors.preparation import prepare
from eco263.monitoring.detectors.schedule import Schedule, ScheduleBook
from eco263.monitoring.detectors.validity import PointData
from eco263.workdays import WorkCalendar

__all__ = [
    "ALL_RULES",
    "CATEGORY",
    "Alarm",
    "Category",
    "ConfigError",
    "DetectorConfig",
    "Episode",
    "Limit",
    "Schedule",
    "ScheduleBook",
    "UnknownRuleError",
    "detect_point",
    "episodes",
    "load_config",
    "parse_rules",
    "prepare",
]

_SIMPLE: Mapping[str, Callable[[PointData], list[Alarm]]] = {
    "exceedance": exceedance.run,
    "missing_data": quality.run_missing,
    "flag_abuse": quality.run_flag_abuse,
    "flatline": flatline.run,
    "replay": replay.run,
    "pinning": pinning.run,
    "aggregate_mismatch": aggregate.run,
    "clock": clock.run,
}
_LEVEL = frozenset({"dilution", "parameter_edit"})


class UnknownRuleError(ValueError):
    """A rule name that does not exist (message in Chinese for the CLI)."""


def parse_rules(text: str | Sequence[str] | None) -> tuple[str, ...]:
    """``"r1,r2"`` or a list → validated rule names in canonical order; None/"" → all."""
    if text is None or text == "" or text == "all":
        return ALL_RULES
    names = [r.strip() for r in (text.split(",") if isinstance(text, str) else text)]
    names = [r for r in names if r]
    unknown = [r for r in names if r not in CATEGORY]
    if unknown:
        raise UnknownRuleError(f"未知规则：{'、'.join(unknown)}；可用规则：{', '.join(ALL_RULES)}")
    return tuple(r for r in ALL_RULES if r in names)


def detect_point(
    frame: pd.DataFrame,
    limits: Mapping[str, Limit],
    rules: Sequence[str] = ALL_RULES,
    config: DetectorConfig | None = None,
    *,
    mn: str | None = None,
    schedule: Schedule | None = None,
    calendar: WorkCalendar | None = None,
) -> list[Alarm]:
    """Run ``rules`` on one point's readings and return its alarms, sorted by start.

    ``limits`` maps pollutant code → :class:`Limit` (rules that need a limit skip pollutants
    without one).  ``mn`` defaults to the frame's ``mn`` column.  ``schedule`` is the point's
    production calendar (default: the official calendar, shift hours unknown); ``calendar``
    the official working-day calendar (default: the shipped one).  Pure: same input, same
    output.  :func:`episodes` merges the alarms into one per event.
    """
    cfg = config or load_config()
    wanted = set(parse_rules(list(rules)))
    if mn is None:
        mn = str(frame["mn"].iloc[0]) if "mn" in frame and len(frame) else ""
    point = prepare(frame, mn, dict(limits), cfg, schedule, calendar)
    if not point.series:
        return []
    alarms: list[Alarm] = []
    for name, fn in _SIMPLE.items():
        if name in wanted:
            alarms.extend(fn(point))
    if wanted & _LEVEL:
        alarms.extend(level.run(point, set(wanted & _LEVEL)))
    alarms.sort(key=lambda a: (a.start, a.pollutant, a.rule))
    return alarms
