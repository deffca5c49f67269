"""工作动态 rules, pure: who edits and who publishes, what an issue needs to be published, and
the draft text of an item generated from one record (the editor rewrites it).

No database here: the service hands in plain facts (:class:`Fact`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from eco263.actor import Actor, Role
from eco263.bulletin.enums import IssueState, ItemSource, ItemState
from eco263.errors import Conflict, Forbidden, InvalidInput

TITLE_MAX = 60
BODY_MAX = 6000


def cn_date(d: date) -> str:
    """``2018年4月30日`` (Arabic numerals, no leading zeros, as GB/T 9704 writes dates)."""
    return f"{d.year}年{d.month}月{d.day}日"


def md(d: date) -> str:
    """``4月23日``."""
    return f"{d.month}月{d.day}日"


def number_text(n: int) -> str:
    return f"第 {n} 期"


def require_editor(actor: Actor) -> None:
    """The city office compiles the bulletin (编印)."""
    if not (actor.is_system or actor.role == Role.CITY_OFFICE):
        raise Forbidden("仅市263办可以编辑工作动态")


def require_draft(state: str) -> None:
    if state != IssueState.DRAFT.value:
        raise Conflict("该期工作动态已印发，不能再修改")


def check_publish(actor: Actor, editor_id: int | None, item_states: Sequence[str]) -> None:
    """Published only by someone other than the editor, with ≥1 item, every item approved."""
    require_editor(actor)
    if actor.user_id is not None and actor.user_id == editor_id:
        raise Forbidden("工作动态须由编辑以外的人审核印发（编辑不能印发自己编辑的一期）")
    if not item_states:
        raise InvalidInput("该期没有任何稿件，不能印发", field="items")
    pending = sum(1 for s in item_states if s != ItemState.APPROVED.value)
    if pending:
        raise InvalidInput(f"还有 {pending} 篇稿件未审定，不能印发", field="items")


def check_period(period_from: date, period_to: date, issue_date: date) -> None:
    if period_from > period_to:
        raise InvalidInput("统计期间的起始日期晚于结束日期", field="period_from")
    if issue_date < period_from:
        raise InvalidInput("印发日期早于统计期间", field="issue_date")


def clean_text(title: str, body: str) -> tuple[str, str]:
    title, body = title.strip(), body.strip()
    if not title:
        raise InvalidInput("稿件标题不能为空", field="title")
    if len(title) > TITLE_MAX:
        raise InvalidInput(f"稿件标题不能超过 {TITLE_MAX} 字", field="title")
    if not body:
        raise InvalidInput("稿件正文不能为空", field="body")
    if len(body) > BODY_MAX:
        raise InvalidInput(f"稿件正文不能超过 {BODY_MAX} 字", field="body")
    return title, body


@dataclass(frozen=True, slots=True)
class Fact:
    """One record of the period, in the words a draft needs."""

    source: ItemSource
    ref: str
    division: str
    title: str
    detail: str
    began: date
    ended: date
    unit: str = ""
    amount: int | None = None
    ranking: tuple[tuple[str, float], ...] = ()
    topics: tuple[str, ...] = ()
    units: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Draft:
    source: ItemSource
    ref: str
    title: str
    body: str


def _sentence(text: str) -> str:
    text = text.strip().rstrip("。；;，,")
    return f"{text}。" if text else ""


def draft_of(fact: Fact) -> Draft:
    """The generated text of one item: a title under 60 characters and a short body."""
    if fact.source is ItemSource.MEDIA:
        title = f"{fact.division}媒体曝光问题整改销号"
        body = (
            f"{md(fact.began)}，媒体曝光{fact.division}“{fact.title}”。"
            f"{_sentence(fact.detail)}"
            f"经交办{fact.unit or '责任单位'}整改，该问题于{md(fact.ended)}通过核查，已销号。"
        )
    elif fact.source is ItemSource.CASE:
        title = f"{fact.unit or fact.division}查处{fact.title}"
        fine = f"，罚款 {fact.amount} 元" if fact.amount else ""
        body = (
            f"{md(fact.began)}，{fact.unit or fact.division}在执法检查中发现{fact.title}。"
            f"{_sentence(fact.detail)}"
            f"经立案调查，于{md(fact.ended)}依法作出处理{fine}，案件已办结。"
        )
    elif fact.source is ItemSource.PETITION:
        title = f"{fact.division}办结群众反映{fact.title}信访件"
        body = (
            f"{md(fact.began)}，{fact.division}受理群众反映{fact.title}问题"
            f"{'（' + fact.detail + '）' if fact.detail else ''}。"
            f"经调查处理，于{md(fact.ended)}出具处理意见书答复信访人。"
        )
    elif fact.source is ItemSource.ASSESSMENT:
        top = fact.ranking[0] if fact.ranking else ("", 0.0)
        title = f"“263”专项行动{fact.title}考核{top[0]}得分第一"
        table = "、".join(f"{name} {score:.2f} 分" for name, score in fact.ranking)
        body = (
            f"根据{fact.detail}，{fact.title}各地“263”专项行动考核得分依次为：{table}。"
            f"{top[0]}以 {top[1]:.2f} 分名列第一。"
        )
    elif fact.source is ItemSource.INQUIRY:
        title = f"{fact.unit}就{fact.detail}工作开展专题询问"
        asked = f"从{'、'.join(fact.topics)}等方面" if fact.topics else ""
        answered = f"{'、'.join(fact.units)}负责同志分别应询答复。" if fact.units else ""
        body = (
            f"{md(fact.began)}，{fact.title}召开，对{fact.detail}问题开展专题询问。\n"
            f"会上，{fact.amount or 0} 名委员和代表{asked}进行了询问，{answered}"
        )
    elif fact.source is ItemSource.JOINT:
        title = f"{fact.division}开展联合执法专治“散乱污”"
        units = "、".join(fact.units) or "相关单位"
        tasks = "；".join(fact.topics)
        body = (
            f"{md(fact.began)}，{fact.division}组织{units}对{fact.title}开展联合执法。"
            f"{_sentence(fact.detail)}"
            f"{'各单位分工：' + _sentence(tasks) if tasks else ''}"
        )
    elif fact.source is ItemSource.TRANSFER:
        title = f"{fact.division}查处一起涉嫌污染环境犯罪案件"
        held = (
            f"{fact.amount} 名犯罪嫌疑人已被依法{'、'.join(fact.topics)}，案件正进一步办理中。"
            if fact.amount
            else "案件正进一步办理中。"
        )
        body = (
            f"{md(fact.began)}，{fact.title}提请移送一起涉嫌环境犯罪案件：{_sentence(fact.detail)}"
            f"{fact.unit or '公安机关'}于{md(fact.ended)}立案侦查，{held}"
        )
    else:
        title, body = fact.title, fact.detail
    return Draft(fact.source, fact.ref, title[:TITLE_MAX], body[:BODY_MAX])
