"""How an alarm reads on a page: a list row, the detector's statistics as labelled rows.

Shared by the alarm pages and the dashboard's 实时报警 card (pure formatting of what the
services return).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from eco263.alarms import enums
from eco263.alarms.models import Alarm
from eco263.clock import SHANGHAI
from eco263.monitoring import service as monitoring
from eco263.monitoring.enums import pollutant_label
from eco263.monitoring.presenters import format_value


def alarm_row(a: Alarm, points: dict[int, monitoring.PointRow]) -> dict[str, Any]:
    row = points.get(a.point_id)
    return {
        "id": a.id,
        "rule": a.rule,
        "rule_label": enums.RULE_LABELS.get(a.rule, a.rule),
        "category": a.category,
        "category_label": enums.CATEGORY_LABELS.get(a.category, a.category),
        "point_id": a.point_id,
        "point": row.point.name if row else f"#{a.point_id}",
        "enterprise": row.enterprise_name if row else None,
        "division": row.division_name if row else "",
        "pollutant": a.pollutant,
        "pollutant_label": pollutant_label(a.pollutant),
        "start": a.start,
        "end": a.end,
        "detected_at": a.detected_at,
        "score": a.score,
        "state": a.state,
        "state_label": enums.STATE_LABELS.get(a.state, a.state),
        "problem_id": a.problem_id,
    }


def _text(value: Any) -> str:
    """One evidence value, readable: numbers to four digits, times in Beijing time, lists joined."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, int | float):
        return format_value(float(value)) if isinstance(value, float) else str(value)
    if isinstance(value, str):
        return time_text(value) or value
    if isinstance(value, list):
        shown = "、".join(_text(v) for v in value[:30])
        return shown + ("…" if len(value) > 30 else "")
    if isinstance(value, dict):
        return "；".join(f"{k}：{_text(v)}" for k, v in value.items())
    return str(value)


def time_text(value: str) -> str | None:
    if len(value) < 16 or value[4:5] != "-" or "T" not in value:
        return None
    try:
        at = datetime.fromisoformat(value)
    except ValueError:
        return None
    if at.tzinfo is None:
        return None
    return at.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")


def _hours_text(value: Any) -> str | None:
    """A 24-slot count (``affected_hours_of_day``) as the hours that were hit."""
    if not isinstance(value, list) or len(value) != 24:
        return None
    hit = [f"{h}时（{n}）" for h, n in enumerate(value) if isinstance(n, int | float) and n]
    return "、".join(hit) or "无"


def evidence_rows(evidence: dict[str, Any]) -> list[dict[str, str]]:
    """The detector's statistics as labelled rows (known keys first, in the labels' order)."""
    order = {key: i for i, key in enumerate(enums.EVIDENCE_LABELS)}
    rows = []
    for key in sorted(evidence, key=lambda k: (order.get(k, len(order)), k)):
        value = evidence[key]
        text = _hours_text(value) if key == "affected_hours_of_day" else None
        rows.append(
            {
                "key": key,
                "label": enums.EVIDENCE_LABELS.get(key, key),
                "text": text or _text(value),
            }
        )
    return rows


def _local(value: Any) -> str:
    return time_text(str(value)) or _text(value) if value is not None else "—"


def episode_rules(a: Alarm) -> list[dict[str, Any]]:
    """Every rule that saw the episode: its label, category, extent, strongest score, first
    detection and its evidence as labelled rows (an alarm stored before episodes has one)."""
    evidence = dict(a.evidence or {})
    by_rule: dict[str, Any] = evidence.get("by_rule") or {
        a.rule: {
            "category": a.category,
            "start": a.start.isoformat(),
            "end": a.end.isoformat(),
            "score": a.score,
            "detected_at": evidence.get("detected_at", a.detected_at.isoformat()),
            "alarms": 1,
            "evidence": {k: v for k, v in evidence.items() if k != "detected_at"},
        }
    }
    # JSONB keeps no key order: the rules' order is the stored list (the detectors' order)
    order = [r for r in evidence.get("rules") or [] if r in by_rule]
    order += [r for r in by_rule if r not in order]
    rows = []
    for rule in order:
        seen = by_rule[rule]
        category = str(seen.get("category", a.category))
        rows.append(
            {
                "rule": rule,
                "label": enums.RULE_LABELS.get(rule, rule),
                "category": category,
                "category_label": enums.CATEGORY_LABELS.get(category, category),
                "start": _local(seen.get("start")),
                "end": _local(seen.get("end")),
                "score": float(seen.get("score", 0.0)),
                "detected_at": _local(seen.get("detected_at")),
                "alarms": int(seen.get("alarms", 1)),
                "lead": rule == a.rule,
                "evidence": evidence_rows(dict(seen.get("evidence") or {})),
            }
        )
    return rows
