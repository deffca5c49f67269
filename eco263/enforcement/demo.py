"""The 常熟 "全过程" enforcement story of the demo (``eco263/data/demo_changshu.yaml``): a case
opened on site, its 现场检查（勘察）笔录 and 调查询问笔录 made by two officers with their 执法证
numbers, time, place and coordinates and the party present, its evidence listed (one item a
monitoring report kept as a file), filed, investigated, notified, decided and served — every step
through the real actions, as the real demo user, at the story's time, in time order.

Idempotent: a case with the story's title already there means nothing is replayed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select

from eco263.actor import SYSTEM
from eco263.auth.service import actor_for_username
from eco263.clock import ensure_aware
from eco263.context import Ctx
from eco263.enforcement import actions
from eco263.enforcement.models import PenaltyCase
from eco263.enforcement.schemas import EvidenceIn, RecordIn
from eco263.registry.actions import do_create_enterprise
from eco263.registry.models import Enterprise
from eco263.web.pdf import Block, Fields, Grid, Text, form_pdf

STEPS: dict[str, Callable[..., object]] = {
    "file": actions.do_file_case,
    "investigated": actions.do_finish_investigation,
    "notify": actions.do_notify,
    "decide": actions.do_decide,
    "serve": actions.do_serve,
}


def load_story() -> dict[str, Any]:
    path = Path(str(resources.files("eco263") / "data" / "demo_changshu.yaml"))
    story: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return story


def _when(value: datetime | str) -> datetime:
    return ensure_aware(value if isinstance(value, datetime) else datetime.fromisoformat(value))


def _as(ctx: Ctx, step: dict[str, Any]) -> Ctx:
    return replace(ctx, now=_when(step["at"]), actor=actor_for_username(ctx.session, step["user"]))


def _args(step: dict[str, Any], *drop: str) -> dict[str, Any]:
    return {k: v for k, v in step.items() if k not in ("user", "at", "move", "key", *drop)}


def _enterprise(ctx: Ctx, row: dict[str, Any]) -> int:
    found = ctx.session.scalar(select(Enterprise.id).where(Enterprise.uscc == row["uscc"]))
    if found is not None:
        return int(found)
    return do_create_enterprise(
        replace(ctx, actor=SYSTEM),
        uscc=row["uscc"],
        name=row["name"],
        division_code=row["division"],
        address=row.get("address"),
        industry=row.get("industry"),
    ).id


def monitoring_report(title: str) -> bytes:
    """The monitoring station's report kept as the evidence file (a PDF)."""
    rows = [
        ["CS20180420-01", "化学需氧量", "236", "80", "超标 1.95 倍"],
        ["CS20180420-02", "化学需氧量", "228", "80", "超标 1.85 倍"],
    ]
    blocks: list[Block] = [
        Fields([("委托单位", "常熟市环保局"), ("采样日期", "2018年4月20日")]),
        Grid(["样品编号", "项目", "结果（mg/L）", "标准限值", "评价"], rows, [34, 30, 34, 30, 42]),
        Text("执行《纺织染整工业水污染物排放标准》（GB 4287-2012）表2直接排放限值。"),
    ]
    return form_pdf(title, "常环监（水）字〔2018〕第0420号", blocks, "常熟市环境监测站")


def replay(ctx: Ctx) -> int:
    """Replay the 常熟 case once; 1 when replayed, 0 when it was there already."""
    story = load_story()
    opening = dict(story["case"]["open"])
    title = str(opening["title"])
    if ctx.session.scalar(select(PenaltyCase.id).where(PenaltyCase.title == title)) is not None:
        return 0
    enterprise_id = _enterprise(ctx, story["enterprise"])
    case = actions.do_open_case(_as(ctx, opening), enterprise_id=enterprise_id, **_args(opening))
    timeline: list[tuple[datetime, str, dict[str, Any]]] = []
    timeline += [(_when(r["at"]), "record", r) for r in story["case"]["records"]]
    timeline += [(_when(e["at"]), "evidence", e) for e in story["case"]["evidence"]]
    timeline += [(_when(s["at"]), "step", s) for s in story["case"]["steps"]]
    records: dict[str, int] = {}
    for _, what, item in sorted(timeline, key=lambda x: x[0]):
        acting = _as(ctx, item)
        if what == "record":
            record = actions.do_add_record(acting, case.id, RecordIn.model_validate(_args(item)))
            records[item["key"]] = record.id
        elif what == "evidence":
            body = _args(item, "record", "report")
            if item.get("record"):
                body["record_id"] = records[item["record"]]
            data = monitoring_report(item["title"]) if item.get("report") else None
            actions.do_add_evidence(
                acting,
                case.id,
                EvidenceIn.model_validate(body),
                filename="监测报告.pdf" if data else None,
                data=data,
            )
        else:
            STEPS[item["move"]](acting, case.id, **_args(item))
    return 1
