"""The province's published scores of the 13 cities (pure): parse a CSV or YAML table of
city, score and rank, every row checked, with a clear Chinese error for the first bad one."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Any

import yaml

from eco263.errors import InvalidInput

#: The 13 设区市 of Jiangsu, in the province's usual order.
CITIES = (
    "南京市",
    "无锡市",
    "徐州市",
    "常州市",
    "苏州市",
    "南通市",
    "连云港市",
    "淮安市",
    "盐城市",
    "扬州市",
    "镇江市",
    "泰州市",
    "宿迁市",
)
MAX_TEXT = 50_000
HEADERS = {"城市": "city", "设区市": "city", "得分": "score", "名次": "rank", "排名": "rank"}


@dataclass(frozen=True, slots=True)
class CityScore:
    city: str
    score: float
    rank: int


def check_year(year: int) -> int:
    if not 2000 <= year <= 2100:
        raise InvalidInput(f"考核年度 {year} 不正确")
    return year


def _city(value: Any, line: str) -> str:
    name = str(value or "").strip()
    full = name if name.endswith("市") else f"{name}市"
    if full not in CITIES:
        raise InvalidInput(f"{line}：“{name}”不是江苏省的设区市")
    return full


def _score(value: Any, line: str) -> float:
    if isinstance(value, bool):
        raise InvalidInput(f"{line}：得分“{value}”不是数字")
    try:
        score = float(str(value).strip())
    except ValueError as exc:
        raise InvalidInput(f"{line}：得分“{value}”不是数字") from exc
    if not 0 <= score <= 100:
        raise InvalidInput(f"{line}：得分 {score:g} 不在 0—100 之间")
    return score


def _rank(value: Any, line: str) -> int:
    text = str(value if value is not None else "").strip()
    if isinstance(value, bool) or not text.isdigit() or not 1 <= int(text) <= len(CITIES):
        raise InvalidInput(f"{line}：名次“{text}”应为 1—{len(CITIES)} 的整数")
    return int(text)


def _rows_of(text: str, fmt: str) -> list[dict[str, Any]]:
    if fmt == "csv":
        reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
        lines = [r for r in reader if any(c.strip() for c in r)]
        if not lines:
            raise InvalidInput("文件中没有得分")
        keys = [HEADERS.get(h.strip(), h.strip()) for h in lines[0]]
        if not {"city", "score", "rank"} <= set(keys):
            raise InvalidInput("表头应为：城市,得分,名次")
        return [dict(zip(keys, r, strict=False)) for r in lines[1:]]
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise InvalidInput("文件不是有效的 YAML") from exc
    if isinstance(data, dict):
        data = data.get("cities")
    if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
        raise InvalidInput("YAML 应为 cities 列表，每项含 city、score、rank")
    return [{HEADERS.get(str(k), str(k)): v for k, v in r.items()} for r in data]


def parse_table(text: str, fmt: str) -> list[CityScore]:
    """The table's rows (``fmt`` is ``csv`` or ``yaml``); any bad row refuses the whole file."""
    if len(text) > MAX_TEXT:
        raise InvalidInput("文件过大")
    rows = _rows_of(text, fmt)
    if not rows:
        raise InvalidInput("文件中没有得分")
    out: list[CityScore] = []
    seen: set[str] = set()
    for n, row in enumerate(rows, start=1):
        line = f"第 {n} 行"
        city = _city(row.get("city"), line)
        if city in seen:
            raise InvalidInput(f"{line}：{city} 重复")
        seen.add(city)
        out.append(CityScore(city, _score(row.get("score"), line), _rank(row.get("rank"), line)))
    return sorted(out, key=lambda r: (r.rank, CITIES.index(r.city)))
