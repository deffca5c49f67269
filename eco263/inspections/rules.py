"""Pure rules of 巡察: who may act, which step follows which, and form × measure.

No database: the actions pass the facts in (the actor, ids, dates, the measure table).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from eco263.actor import Actor, Role
from eco263.errors import Conflict, Forbidden, InvalidInput
from eco263.inspections.enums import OPINION_STATE_LABELS, OpinionState, SubjectKind

#: Catalogue keys (eco263/data/deadlines.yaml).
REPLY_RULE = "opinion.reply"  # the rectification plan, from the opinion's service
REPORT_RULE = "inspection.report"  # the rectification report, from the 反馈 (the opinion)

#: step → the states it may start from, and the state it leads to.
STEPS: dict[str, tuple[frozenset[OpinionState], OpinionState]] = {
    "plan": (frozenset({OpinionState.ISSUED}), OpinionState.PLANNED),
    "report": (frozenset({OpinionState.PLANNED}), OpinionState.REPORTED),
    "accept": (frozenset({OpinionState.REPORTED}), OpinionState.ACCEPTED),
    "return": (frozenset({OpinionState.REPORTED}), OpinionState.PLANNED),
}

STEP_LABELS = {
    "plan": "报送整改方案",
    "report": "报送整改报告",
    "accept": "审核通过",
    "return": "退回整改报告",
}

OPEN_STATES = frozenset({OpinionState.ISSUED, OpinionState.PLANNED, OpinionState.REPORTED})


def next_state(state: str, step: str) -> OpinionState:
    """The state after ``step``, or Conflict (in Chinese) when it cannot be taken now."""
    starts, target = STEPS[step]
    if state not in starts:
        label = OPINION_STATE_LABELS.get(OpinionState(state), state)
        raise Conflict(f"监督意见书当前状态为“{label}”，不能{STEP_LABELS[step]}")
    return target


def require_jiwei(actor: Actor, what: str) -> None:
    """Only a 纪委监委 user runs a campaign, issues an opinion and decides a disposition."""
    if actor.role != Role.SUPERVISOR:
        raise Forbidden(f"只有纪委监委可以{what}")


def require_addressee(actor: Actor, organization_id: int, what: str) -> None:
    """The inspected body answers its own opinion (a user of the addressed unit)."""
    if actor.role != Role.DEPARTMENT or actor.organization_id != organization_id:
        raise Forbidden(f"只有被监督单位可以{what}")


def require_office(actor: Actor, what: str) -> None:
    """The ledger is the 263 office's: it opens problems from a finding (the 纪委 never edits
    a problem, DESIGN.md)."""
    if not actor.is_office:
        raise Forbidden(f"只有263办可以{what}")


def is_overdue(state: str, today: Any, reply_due: Any, report_due: Any) -> bool:
    """An open opinion is overdue when its plan (or its report) is late."""
    if state == OpinionState.ISSUED and reply_due is not None and today > reply_due:
        return True
    return state in OPEN_STATES and report_due is not None and today > report_due


# -- the four forms ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Measures:
    """The measure table: per form (1–4) its person measures; the 党组织问责 measures."""

    forms: Mapping[int, tuple[str, frozenset[str]]]
    organization: frozenset[str]
    organization_label: str

    def form_label(self, form: int | None) -> str:
        if form is None:
            return self.organization_label
        return self.forms[form][0] if form in self.forms else str(form)

    def form_of(self, measure: str) -> int | None:
        """The form a person measure belongs to (None when it is in none)."""
        return next((n for n, (_, m) in self.forms.items() if measure in m), None)


def _shipped() -> Path:
    return Path(str(resources.files("eco263") / "data" / "dispositions.yaml"))


@lru_cache(maxsize=4)
def load_measures(path: str | None = None) -> Measures:
    raw: dict[str, Any] = yaml.safe_load(Path(path or _shipped()).read_text(encoding="utf-8"))
    forms = {
        int(n): (str(spec["label"]), frozenset(str(m) for m in spec["measures"]))
        for n, spec in raw["forms"].items()
    }
    org = raw["organization"]
    return Measures(forms, frozenset(str(m) for m in org["measures"]), str(org["label"]))


def check_disposition(
    measures: Measures, subject_kind: str, form: int | None, measure: str
) -> SubjectKind:
    """Form × measure × subject: a person's measure must be one of its form's (诫勉 is a
    first-form measure, never a third); a party organization takes 问责 measures, no form."""
    try:
        kind = SubjectKind(subject_kind)
    except ValueError:
        raise InvalidInput("处置对象应为个人或党组织", field="subject_kind") from None
    if kind == SubjectKind.ORGANIZATION:
        if form is not None:
            raise InvalidInput("对党组织问责不适用“四种形态”，请不要填写形态", field="form")
        if measure not in measures.organization:
            allowed = "、".join(sorted(measures.organization))
            raise InvalidInput(f"对党组织的问责方式应为{allowed}之一", field="measure")
        return kind
    if form is None or form not in measures.forms:
        raise InvalidInput("对个人的处置须写明第一至第四种形态", field="form")
    label, allowed_measures = measures.forms[form]
    if measure not in allowed_measures:
        actual = measures.form_of(measure)
        where = (
            f"“{measure}”属于{measures.form_label(actual)}" if actual else f"未知措施“{measure}”"
        )
        raise InvalidInput(f"形态与措施不符：{where}，不是{label}的措施", field="measure")
    return kind


def check_authority(authority_path: str, target_path: str, actor: Actor) -> None:
    """管理权限: the subject is managed at its own level or above, and the deciding 纪委 user
    holds that level (a district 纪委 never decides on a cadre the city manages)."""
    if not target_path.startswith(authority_path):
        raise InvalidInput("管理权限所在区划应为巡察对象所在区划或其上级", field="authority")
    if not actor.is_system and not authority_path.startswith(actor.division_path):
        raise Forbidden("该对象不在本级纪委监委的管理权限内，不能作出处置")
