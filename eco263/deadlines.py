"""The catalogue of time limits (时限目录): every rule a deadline is computed by, by stable key.

Each rule states its length, its unit (working days, calendar days, months, hours), the event it
runs from, whether the start day counts, whether an end on a rest day moves to the next working
day, its basis and how sure that basis is (VERIFIED or RECALLED, as in PROCEDURES.md).  The
catalogue is data: ``eco263/data/deadlines.yaml`` ships it, and the office's own file
(``ECO263_DEADLINE_RULES_FILE``) replaces rules by key or adds rules of known kinds.

A deadline is computed when its anchor event happens and stored with its rule key, its start
and its reason (:class:`Due`), so that it can be recomputed — on the record — when the calendar
changes (``eco263 workdays recompute``).

Counting (PROCEDURES.md §0):

1. The start day is not counted: *n* days from D ends on D + n (``start_day_counts`` says
   otherwise for a rule that does).
2. A working-day period ends on a working day by construction.
3. A calendar-day or month period that ends on a rest day ends on the next working day
   (民法典 §203), unless ``roll_forward`` is false; months follow 民法典 §202 (the same day of
   the final month, or its last day).
4. An hour period runs from the instant (:meth:`Catalogue.due_at`).

Kernel module: pure, no database; all date arithmetic is :mod:`eco263.workdays`'.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from eco263.workdays import WorkCalendar


class Unit(StrEnum):
    WORKDAYS = "workdays"  # 工作日 (holidays and 调休 on the official calendar)
    DAYS = "days"  # 日 (calendar days)
    MONTHS = "months"  # 个月
    HOURS = "hours"  # 小时


UNIT_LABELS = {
    Unit.WORKDAYS: "个工作日",
    Unit.DAYS: "日",
    Unit.MONTHS: "个月",
    Unit.HOURS: "小时",
}

CERTAINTY = ("VERIFIED", "RECALLED")


class DeadlineRuleError(ValueError):
    """The catalogue or the office's file is wrong (a configuration error, in Chinese)."""


@dataclass(frozen=True, slots=True)
class TimeLimit:
    key: str
    title: str  # what the limit is for, e.g. 联合执法落实方案
    n: int
    unit: Unit
    runs_from: str  # the event it runs from, e.g. 问题发现之日
    basis: str  # the rule it comes from
    certainty: str = "RECALLED"  # VERIFIED | RECALLED (then it is configuration to check)
    label: str = ""  # the short name in a deadline's reason, e.g. 联合执法
    start_day_counts: bool = False
    roll_forward: bool = True

    def describe(self, start: date, label: str | None = None) -> str:
        """``7 个工作日，自 2018-04-27 起算（联合执法）``."""
        name = label or self.label
        return f"{self.n} {UNIT_LABELS[self.unit]}，自 {start.isoformat()} 起算（{name}）"


@dataclass(frozen=True, slots=True)
class Due:
    """A computed deadline: the date, why, and what to recompute it from."""

    due: date
    reason: str
    rule: str | None = None  # the catalogue key; None for a date set by hand
    start: date | None = None


class Catalogue:
    def __init__(self, rules: Mapping[str, TimeLimit]) -> None:
        self.rules = dict(rules)

    def __contains__(self, key: object) -> bool:
        return key in self.rules

    def get(self, key: str) -> TimeLimit:
        try:
            return self.rules[key]
        except KeyError:
            raise DeadlineRuleError(f"时限目录中没有规则 {key}") from None

    def due(
        self, key: str, start: date, calendar: WorkCalendar, *, label: str | None = None
    ) -> Due:
        """The deadline of rule ``key`` for an event on ``start`` (a local date); ``label``
        names the case in the reason when the rule is a default (e.g. the problem's source)."""
        rule = self.get(key)
        if rule.unit == Unit.HOURS:
            raise DeadlineRuleError(f"{key} 以小时计，请用 due_at")
        first = start - timedelta(days=1) if rule.start_day_counts else start
        if rule.unit == Unit.WORKDAYS:
            end = calendar.add_workdays(first, rule.n)
        elif rule.unit == Unit.MONTHS:
            end = calendar.add_months(first, rule.n, roll_to_workday=rule.roll_forward)
        else:
            end = calendar.add_days(first, rule.n, roll_to_workday=rule.roll_forward)
        return Due(end, rule.describe(start, label), key, start)

    def due_at(self, key: str, start: datetime) -> datetime:
        """The deadline of an hour rule (e.g. 移送 24 小时) from an aware instant."""
        rule = self.get(key)
        if rule.unit != Unit.HOURS:
            raise DeadlineRuleError(f"{key} 不以小时计，请用 due")
        return start + timedelta(hours=rule.n)


def explicit_due(due: date, start: date, why: str) -> Due:
    """A deadline set by hand; it may not lie before the day it was set.  Never recomputed."""
    if due < start:
        raise ValueError(f"期限 {due.isoformat()} 早于起算日 {start.isoformat()}")
    return Due(due, f"{why}：限 {due.isoformat()} 前完成")


# -- loading -----------------------------------------------------------------------------------


def _shipped() -> Path:
    return Path(str(resources.files("eco263") / "data" / "deadlines.yaml"))


def _rule(key: str, raw: Any, where: str) -> TimeLimit:
    if not isinstance(raw, dict):
        raise DeadlineRuleError(f"{where}：规则 {key} 应为映射")
    try:
        rule = TimeLimit(
            key=key,
            title=str(raw["title"]),
            n=int(raw["n"]),
            unit=Unit(str(raw["unit"])),
            runs_from=str(raw["runs_from"]),
            basis=str(raw["basis"]),
            certainty=str(raw.get("certainty", "RECALLED")),
            label=str(raw.get("label") or raw["title"]),
            start_day_counts=bool(raw.get("start_day_counts", False)),
            roll_forward=bool(raw.get("roll_forward", True)),
        )
    except KeyError as exc:
        raise DeadlineRuleError(f"{where}：规则 {key} 缺少字段 {exc.args[0]}") from None
    except ValueError as exc:
        raise DeadlineRuleError(f"{where}：规则 {key} 无效（{exc}）") from None
    if rule.n <= 0 or rule.certainty not in CERTAINTY:
        raise DeadlineRuleError(f"{where}：规则 {key} 的时长或可靠性无效")
    return rule


def _read(path: Path) -> dict[str, TimeLimit]:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise DeadlineRuleError(f"无法读取时限规则文件 {path}：{exc}") from None
    if not isinstance(raw, dict):
        raise DeadlineRuleError(f"{path}：应为“规则键: 规则”的映射")
    return {str(k): _rule(str(k), v, str(path)) for k, v in raw.items()}


@lru_cache(maxsize=8)
def load_catalogue(office_file: Path | None = None) -> Catalogue:
    """The shipped catalogue, with the office's file replacing or adding rules by key.

    The office may add rules only under the prefixes the shipped catalogue uses, or as a
    refinement of a shipped key (``npc.report.320583``: one committee's own rule), so that a
    typo in a key does not silently create a rule nobody calls.
    """
    rules = _read(_shipped())
    if office_file is not None:
        prefixes = {k.rsplit(".", 1)[0] for k in rules}
        for key, rule in _read(office_file).items():
            prefix = key.rsplit(".", 1)[0]
            if key not in rules and prefix not in prefixes and prefix not in rules:
                raise DeadlineRuleError(f"{office_file}：未知的规则键 {key}")
            rules[key] = rule
    return Catalogue(rules)
