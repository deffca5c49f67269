"""行政处罚 rules, pure: the state machine, the cited articles' ranges and thresholds (data),
the 90-day decision clock with its excluded periods and approved extensions, the 陈述申辩/听证
window, 加处罚款 and separation of duties.

No database here: callers pass plain values (dates, ids, the catalogue and the calendar).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date
from functools import lru_cache
from importlib import resources
from pathlib import Path

import yaml

from eco263.actor import Role
from eco263.deadlines import Catalogue, Due
from eco263.enforcement.enums import CaseState, DocKind, Outcome
from eco263.workdays import WorkCalendar

#: Which moves each state allows (the API and pages offer exactly these).
MOVES: Mapping[str, frozenset[CaseState]] = {
    "file": frozenset({CaseState.CLUE}),
    "not_file": frozenset({CaseState.CLUE}),
    "investigated": frozenset({CaseState.INVESTIGATING}),
    "legal_review": frozenset({CaseState.REVIEWING}),
    "notify": frozenset({CaseState.REVIEWING}),
    "hearing_request": frozenset({CaseState.NOTIFIED}),
    "hearing_held": frozenset({CaseState.HEARING}),
    "decide": frozenset({CaseState.NOTIFIED, CaseState.INVESTIGATING, CaseState.REVIEWING}),
    "serve": frozenset({CaseState.DECIDED}),
    "pay": frozenset({CaseState.SERVED}),
    "close": frozenset({CaseState.EXECUTED}),
    "pause": frozenset(
        {
            CaseState.INVESTIGATING,
            CaseState.REVIEWING,
            CaseState.NOTIFIED,
            CaseState.HEARING,
        }
    ),
    "extend": frozenset(
        {
            CaseState.INVESTIGATING,
            CaseState.REVIEWING,
            CaseState.NOTIFIED,
            CaseState.HEARING,
        }
    ),
}

MOVE_LABELS = {
    "file": "批准立案",
    "not_file": "不予立案",
    "investigated": "调查终结",
    "legal_review": "法制审核",
    "notify": "事先告知",
    "hearing_request": "申请听证",
    "hearing_held": "举行听证",
    "decide": "作出决定",
    "serve": "送达决定书",
    "pay": "缴纳罚款",
    "close": "结案",
    "pause": "期限中止",
    "extend": "延长办案期限",
    "resume": "期限恢复",
}

#: Outcomes that end a case without a fine to collect (不予处罚、移送、撤销).
ENDINGS = frozenset({Outcome.MINOR, Outcome.NOT_ESTABLISHED, Outcome.TRANSFER, Outcome.REVOKED})

#: Who carries out a penalty case: the enforcing department (生态环境局、海事局 …).
ENFORCERS = frozenset({Role.DEPARTMENT})

#: At most this many extensions; the second needs 集体讨论 (2023 办法, RECALLED).
MAX_EXTENSIONS = 2

SURCHARGE_PERCENT_PER_DAY = 3  # 行政处罚法第72条：每日按罚款数额的3%加处罚款


def move_refusal(state: str, move: str) -> str | None:
    if CaseState(state) in MOVES[move]:
        return None
    allowed = [MOVE_LABELS[m] for m, states in MOVES.items() if CaseState(state) in states]
    return f"案件当前状态不能“{MOVE_LABELS[move]}”；可执行：{'、'.join(allowed) or '无'}"


# -- articles (data) ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Article:
    key: str
    title: str
    min: int  # 元
    max: int | None
    hearing: int  # 较大数额：from this fine the party may ask for a hearing
    collective: int  # from this fine the decision needs 集体讨论
    legal_review: int  # from this fine 法制审核 is required


class ArticleError(ValueError):
    """The articles file is wrong (configuration, in Chinese)."""


def _shipped_articles() -> Path:
    return Path(str(resources.files("eco263") / "data" / "penalty_articles.yaml"))


@lru_cache(maxsize=4)
def load_articles(path: Path | None = None) -> dict[str, Article]:
    source = path or _shipped_articles()
    raw = yaml.safe_load(source.read_text(encoding="utf-8")) or {}
    articles: dict[str, Article] = {}
    for key, item in raw.items():
        try:
            articles[str(key)] = Article(
                key=str(key),
                title=str(item["title"]),
                min=int(item["min"]),
                max=None if item.get("max") is None else int(item["max"]),
                hearing=int(item["hearing"]),
                collective=int(item["collective"]),
                legal_review=int(item["legal_review"]),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ArticleError(f"{source}：条款 {key} 无效（{exc}）") from None
    return articles


def fine_refusal(article: Article, fine: int) -> str | None:
    """Why ``fine`` (元) is outside the cited article's range, or None."""
    if fine < article.min or (article.max is not None and fine > article.max):
        top = "不设上限" if article.max is None else f"{article.max} 元"
        return f"罚款 {fine} 元超出{article.title}规定的幅度（{article.min} 元至{top}）"
    return None


def hearing_right(article: Article, fine: int) -> bool:
    return fine >= article.hearing


def needs_collective(article: Article, fine: int) -> bool:
    return fine >= article.collective


def needs_legal_review(article: Article, fine: int) -> bool:
    return fine >= article.legal_review


# -- separation of duties ----------------------------------------------------------------------


def duty_conflict(approver_id: int | None, investigator_ids: Iterable[int | None]) -> str | None:
    """The officer who investigates never approves the 立案 or the decision (the head does)."""
    if approver_id is not None and approver_id in set(investigator_ids):
        return "承办（调查）人员不得审批本案的立案或处罚决定，须由负责人审批"
    return None


# -- clocks ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Pause:
    started_on: date
    ended_on: date | None  # None: still running (the clock is stopped up to today)


def paused_days(pauses: Iterable[Pause], today: date) -> int:
    """Days excluded from the decision clock; overlapping periods count once."""
    days: set[int] = set()
    for pause in pauses:
        end = pause.ended_on or today
        days.update(range(pause.started_on.toordinal(), end.toordinal()))
    return len(days)


def decision_due(
    catalogue: Catalogue,
    calendar: WorkCalendar,
    filed_on: date,
    pauses: Iterable[Pause],
    extensions: int,
    today: date,
) -> Due:
    """The 90-day clock (``penalty.decision``) from 立案, plus the excluded days and each approved
    extension (``penalty.decision_extension``), all in calendar days; the reason says so."""
    base = catalogue.get("penalty.decision")
    extension = catalogue.get("penalty.decision_extension")
    excluded = paused_days(pauses, today)
    total = base.n + excluded + extensions * extension.n
    rule = replace(base, n=total)
    due = Catalogue({base.key: rule}).due(base.key, filed_on, calendar)
    reason = base.describe(filed_on)
    if excluded:
        reason += f"，扣除中止 {excluded} 日"
    if extensions:
        reason += f"，经批准延长 {extensions} 次共 {extensions * extension.n} 日"
    return Due(due.due, reason, base.key, filed_on)


def statement_window_end(
    catalogue: Catalogue, calendar: WorkCalendar, notified_on: date, with_hearing: bool
) -> date:
    """The last day of the 陈述申辩 (and, with a hearing right, the 听证申请) period."""
    end = catalogue.due("penalty.statement", notified_on, calendar).due
    if with_hearing:
        end = max(end, catalogue.due("penalty.hearing_request", notified_on, calendar).due)
    return end


def surcharge(fine: int, payment_due: date, paid_on: date) -> int:
    """加处罚款: 3 % of the fine for each day after the payment deadline, never above the fine
    (行政处罚法第72条；行政强制法第45条).  Whole 元, rounded down."""
    late = (paid_on - payment_due).days
    if late <= 0:
        return 0
    return min(fine, fine * SURCHARGE_PERCENT_PER_DAY * late // 100)


#: The moves an approval: taken by the head of the enforcing unit, never by the investigator.
HEAD_MOVES = frozenset({"file", "not_file", "legal_review", "decide", "close"})


def next_moves(
    state: str, *, hearing_right: bool, legal_review_pending: bool, pause_open: bool
) -> list[str]:
    """The moves a case in ``state`` allows now, in the order of the procedure (what the case
    page offers as forms and the API lists as ``next_steps``)."""
    moves = [m for m, states in MOVES.items() if CaseState(state) in states]
    if not hearing_right:
        moves = [m for m in moves if m != "hearing_request"]
    if not legal_review_pending:
        moves = [m for m in moves if m != "legal_review"]
    else:
        moves = [m for m in moves if m != "notify"]
    if pause_open:
        moves = [m for m in moves if m != "pause"] + ["resume"]
    return moves


# -- whole-process records (全过程记录) ----------------------------------------------------------

#: At least this many officers, each showing his 执法证 (行政处罚法第四十二条、第五十五条).
MIN_OFFICERS = 2

#: The states in which an on-site act may be recorded (from the clue to the decision).
RECORDABLE = frozenset(
    {
        CaseState.CLUE,
        CaseState.INVESTIGATING,
        CaseState.REVIEWING,
        CaseState.NOTIFIED,
        CaseState.HEARING,
    }
)


@dataclass(frozen=True, slots=True)
class Officer:
    name: str
    badge: str


def officers_refusal(officers: Iterable[Officer]) -> tuple[str, str] | None:
    """Why the officers of an on-site act do not make a lawful record (field, message), or None:
    fewer than two, one without his 执法证 number, the same officer or number twice."""
    listed = [Officer(o.name.strip(), o.badge.strip()) for o in officers if o.name.strip()]
    if len(listed) < MIN_OFFICERS:
        return (
            "officers",
            f"现场执法人员不得少于{MIN_OFFICERS}人（行政处罚法第四十二条、第五十五条），"
            f"本笔录只有{len(listed)}人",
        )
    for officer in listed:
        if not officer.badge:
            return "officers", f"执法人员“{officer.name}”缺少执法证号，须出示执法证件"
    if len({o.badge for o in listed}) < len(listed) or len({o.name for o in listed}) < len(listed):
        return "officers", "同一执法人员或执法证号不能重复登记"
    return None


# -- evidence list (证据清单) and documents ------------------------------------------------------


def evidence_refusal(
    *, source: str, collected_by: str, has_record: bool, has_file: bool
) -> tuple[str, str] | None:
    """Why an evidence item cannot be listed (field, message), or None: it must say where it
    came from and who collected it, and be an on-site record of the case or a file."""
    if not source.strip():
        return "source", "证据须注明来源（如现场拍摄、企业提供、自动监测系统导出）"
    if not collected_by.strip():
        return "collected_by", "证据须注明收集（提取）人"
    if not has_record and not has_file:
        return "file", "证据须关联本案的一份执法笔录或上传证据文件"
    return None


@dataclass(frozen=True, slots=True)
class CaseFacts:
    """What the documents need to know of a case (plain values, no table)."""

    filed_on: date | None
    notified_on: date | None
    outcome: str | None
    decided_on: date | None
    served_on: date | None
    closed_on: date | None
    #: The day the case went to the police (an ending 移送, or a transfer handed over).
    transferred_on: date | None = None


#: The documents the party concerned is served (告知书、决定书); never the internal approvals.
SERVED_TO_PARTY = frozenset({DocKind.NOTICE, DocKind.DECISION, DocKind.SERVICE})


def document_refusal(kind: DocKind, facts: CaseFacts) -> str | None:
    """Why the case has not reached the step that makes document ``kind`` (Chinese), or None."""
    if kind == DocKind.FILING and facts.filed_on is None:
        return "本案尚未批准立案，不能生成立案审批表"
    if kind == DocKind.NOTICE and facts.notified_on is None:
        return "本案尚未事先告知，不能生成行政处罚事先（听证）告知书"
    if kind == DocKind.DECISION and (facts.decided_on is None or facts.outcome != "penalty"):
        return "本案尚未作出行政处罚决定，不能生成行政处罚决定书"
    if kind == DocKind.SERVICE and (facts.served_on is None or facts.outcome != "penalty"):
        return "本案行政处罚决定书尚未送达，不能生成送达回证"
    if kind == DocKind.TRANSFER and facts.transferred_on is None:
        return "本案尚未移送，不能生成案件移送书"
    if kind == DocKind.CLOSING and facts.closed_on is None:
        return "本案尚未结案，不能生成结案审批表"
    if kind == DocKind.DOSSIER and facts.filed_on is None:
        return "本案尚未立案，尚无案卷"
    return None


def hidden_from_party(kind: DocKind, facts: CaseFacts) -> bool:
    """True when the party may not read document ``kind``: an internal one, or not served yet
    (the 告知书 once the party received it, the 决定书 once it was served)."""
    if kind == DocKind.NOTICE:
        return facts.notified_on is None
    if kind in (DocKind.DECISION, DocKind.SERVICE):
        return facts.served_on is None or facts.outcome != "penalty"
    return True  # the approvals, the 案卷 and the 移送书 (a transfer is never the party's)
