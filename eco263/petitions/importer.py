"""Import of 12345/12369 work-order exports (xlsx/csv) with a column mapping.

Idempotent by the hotline's own number (``hotline_no``): a row already imported is skipped.
All rows are checked first; one bad row stores nothing and names the row.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd
import yaml
from pydantic import ValidationError

from eco263.context import Ctx
from eco263.errors import InvalidInput
from eco263.petitions import actions, service
from eco263.petitions.enums import Channel
from eco263.petitions.schemas import ContactIn, PetitionIn

#: The fields a column can be mapped to, and what they mean (for the help text).
FIELDS = {
    "hotline_no": "工单编号（必填）",
    "description": "诉求内容（必填）",
    "received_on": "来电日期",
    "topic": "诉求分类",
    "location": "事发地点",
    "division_code": "区县代码",
    "kind": "信访类别",
    "name": "来电人",
    "phone": "联系电话",
    "address": "联系地址",
}
REQUIRED = ("hotline_no", "description")


@dataclass
class ImportResult:
    created: int = 0
    skipped: int = 0
    errors: list[str] = field(default_factory=list)


def parse_mapping(text: str) -> dict[str, str]:
    """``field=列名,field=列名`` or the path of a YAML file ``{field: 列名}``."""
    path = Path(text)
    if text.endswith((".yaml", ".yml")) and path.is_file():
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        pairs = {str(k): str(v) for k, v in dict(raw).items()}
    else:
        pairs = {}
        for part in text.replace("，", ",").split(","):
            if not part.strip():
                continue
            key, sep, column = part.partition("=")
            if not sep:
                raise InvalidInput(f"列映射格式应为 字段=列名：{part}", field="mapping")
            pairs[key.strip()] = column.strip()
    unknown = sorted(set(pairs) - set(FIELDS))
    if unknown:
        raise InvalidInput(f"未知字段：{'、'.join(unknown)}", field="mapping")
    missing = [f for f in REQUIRED if f not in pairs]
    if missing:
        raise InvalidInput(f"列映射缺少必填字段：{'、'.join(missing)}", field="mapping")
    return pairs


def read_table(path: Path) -> list[dict[str, str]]:
    """The rows of an xlsx or csv export, every cell as text ("" when empty)."""
    suffix = path.suffix.lower()
    try:
        if suffix in {".xlsx", ".xlsm"}:
            frame = pd.read_excel(path, dtype=str)
        elif suffix == ".csv":
            frame = pd.read_csv(path, dtype=str, encoding="utf-8-sig")
        else:
            raise InvalidInput("只支持 xlsx 或 csv 文件", field="file")
    except (OSError, ValueError) as exc:
        raise InvalidInput(f"无法读取文件：{exc}", field="file") from exc
    frame = frame.fillna("")
    return [{str(k): str(v).strip() for k, v in row.items()} for row in frame.to_dict("records")]


def _row(
    cells: dict[str, str], mapping: dict[str, str], channel: Channel, division: str | None
) -> PetitionIn:
    def get(name: str) -> str:
        column = mapping.get(name)
        return cells.get(column, "") if column else ""

    received = get("received_on")
    return PetitionIn(
        channel=channel.value,
        kind=get("kind") or "申诉求决",
        topic=get("topic") or "其他",
        description=get("description"),
        location=get("location") or None,
        division_code=get("division_code") or division or "",
        received_on=date.fromisoformat(received[:10]) if received else None,
        hotline_no=f"{channel.value}-{get('hotline_no')}" if get("hotline_no") else None,
        contact=ContactIn(
            name=get("name") or None, phone=get("phone") or None, address=get("address") or None
        ),
    )


def do_import(
    ctx: Ctx,
    rows: Iterable[dict[str, str]],
    mapping: dict[str, str],
    *,
    channel: Channel,
    division: str | None = None,
    progress: Callable[[int], None] | None = None,
) -> ImportResult:
    """Check every row, then register the new ones (one transaction: the caller's)."""
    if channel not in {Channel.HOTLINE_12345, Channel.HOTLINE_12369}:
        raise InvalidInput("热线只能是 12345 或 12369", field="channel")
    result = ImportResult()
    parsed: list[PetitionIn] = []
    for n, cells in enumerate(rows, start=2):  # row 1 is the header
        missing = [c for c in mapping.values() if c not in cells]
        if missing:
            raise InvalidInput(f"文件中没有列：{'、'.join(missing)}", field="mapping")
        try:
            data = _row(cells, mapping, channel, division)
        except (ValidationError, ValueError) as exc:
            result.errors.append(f"第 {n} 行：{_message(exc)}")
            continue
        if not data.hotline_no:
            result.errors.append(f"第 {n} 行：缺少工单编号")
            continue
        parsed.append(data)
    if result.errors:
        shown = "；".join(result.errors[:10])
        raise InvalidInput(f"导入失败，共 {len(result.errors)} 行有误：{shown}", field="file")
    seen: set[str] = set()
    for i, data in enumerate(parsed, start=1):
        assert data.hotline_no is not None  # noqa: S101 - checked above
        if data.hotline_no in seen or service.by_hotline_no(ctx.session, data.hotline_no):
            result.skipped += 1
        else:
            seen.add(data.hotline_no)
            actions.do_register(ctx, data)
            result.created += 1
        if progress is not None:
            progress(i)
    return result


def _message(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        first = exc.errors()[0]
        where = ".".join(str(x) for x in first["loc"])
        return f"{where} 无效"
    return "日期格式应为 YYYY-MM-DD"
