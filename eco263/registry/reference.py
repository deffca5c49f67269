"""Reference data as data: divisions (行政区划/管理单元) and the 263 categories.

The data lives in ``eco263/data/divisions.yaml`` and ``eco263/data/categories.yaml``; this
module parses and validates it into frozen dataclasses. Loading is pure apart from reading the
shipped files once (cached). Seeding the database from these lists is the registry actions' job.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from importlib import resources
from typing import Any, Final

import yaml

__all__ = [
    "CategoryRef",
    "DivisionKind",
    "DivisionRef",
    "ReferenceDataError",
    "children",
    "descendants",
    "get_category",
    "get_division",
    "load_categories",
    "load_divisions",
    "parse_categories",
    "parse_divisions",
]

_CODE: Final = re.compile(r"\d{6}")
_CATEGORY_CODE: Final = re.compile(r"[0-9][A-Z]\.[a-z][a-z0-9_]*")
_DIVISION_KEYS: Final = frozenset(
    {"code", "name", "short_name", "aliases", "kind", "parent", "gb2260", "uscc_region_prefix"}
    | {"lon", "lat"}
)
_CATEGORY_REQUIRED: Final = frozenset({"code", "name", "full_name"})
_CATEGORY_KEYS: Final = _CATEGORY_REQUIRED | {"local"}
# Generous bounds around China, to catch swapped or mistyped coordinates.
_LON_RANGE: Final = (73.0, 136.0)
_LAT_RANGE: Final = (3.0, 54.0)


class ReferenceDataError(ValueError):
    """A reference data file is malformed; the message names the file and the entry."""


class DivisionKind(StrEnum):
    PROVINCE = "province"
    PREFECTURE = "prefecture"
    DISTRICT = "district"  # 市辖区
    COUNTY_CITY = "county_city"  # 县级市
    MANAGEMENT_UNIT = "management_unit"  # e.g. 苏州工业园区: a zone, not a GB/T 2260 division


@dataclass(frozen=True, slots=True)
class DivisionRef:
    """A division or management unit.

    ``code`` is the key used everywhere in eco263: the GB/T 2260 code, or the NBS statistical
    code for a unit without one (苏州工业园区 320571, whose ``gb2260`` is None).
    ``uscc_region_prefix`` is what positions 3–8 of its enterprises' credit codes hold.
    """

    code: str
    name: str
    kind: DivisionKind
    parent: str | None
    gb2260: str | None
    uscc_region_prefix: str
    lon: float
    lat: float
    short_name: str | None = None
    aliases: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        """The name lists show: the short name when there is one (高新区, 园区, 常熟)."""
        return self.short_name or self.name


@dataclass(frozen=True, slots=True)
class CategoryRef:
    """A 263 category, e.g. ``6T.black_water`` 黑臭水体 under 六治."""

    code: str
    name: str
    full_name: str
    group_code: str
    group_name: str
    local: bool
    order: int


# -- divisions ---------------------------------------------------------------------------------


def load_divisions() -> list[DivisionRef]:
    """The shipped divisions, parents before children (file order)."""
    return list(_shipped_divisions())


def parse_divisions(text: str, source: str) -> list[DivisionRef]:
    """Parse and validate a divisions file: unique codes, known kinds, every parent present."""
    raw = _load_yaml(text, source)
    if not isinstance(raw, list):
        raise ReferenceDataError(f"{source}：顶层应为区划列表")
    divisions = [_parse_division(entry, source) for entry in raw]
    _check_tree(divisions, source)
    return divisions


def get_division(code: str, divisions: Iterable[DivisionRef] | None = None) -> DivisionRef:
    """The division with ``code``; :class:`KeyError` (Chinese message) when there is none."""
    index = _index(divisions)
    try:
        return index[code]
    except KeyError:
        raise KeyError(f"没有区划代码 {code}（unknown division code）") from None


def children(code: str, divisions: Iterable[DivisionRef] | None = None) -> list[DivisionRef]:
    """Direct children of ``code``, by code."""
    pool = _pool(divisions)
    get_division(code, pool)
    return sorted((d for d in pool if d.parent == code), key=lambda d: d.code)


def descendants(code: str, divisions: Iterable[DivisionRef] | None = None) -> list[DivisionRef]:
    """Every division below ``code`` (not ``code`` itself), depth first, children by code.

    ``divisions`` defaults to the shipped tree.
    """
    pool = _pool(divisions)
    found: list[DivisionRef] = []
    for child in children(code, pool):
        found.append(child)
        found.extend(descendants(child.code, pool))
    return found


@functools.cache
def _shipped_divisions() -> tuple[DivisionRef, ...]:
    return tuple(parse_divisions(_read_data("divisions.yaml"), "eco263/data/divisions.yaml"))


def _pool(divisions: Iterable[DivisionRef] | None) -> tuple[DivisionRef, ...]:
    return _shipped_divisions() if divisions is None else tuple(divisions)


def _index(divisions: Iterable[DivisionRef] | None) -> Mapping[str, DivisionRef]:
    return {d.code: d for d in _pool(divisions)}


def _parse_division(entry: object, source: str) -> DivisionRef:
    if not isinstance(entry, dict):
        raise ReferenceDataError(f"{source}：区划条目应为映射，实为 {entry!r}")
    where = f"{source}：区划 {entry.get('code')!r}"
    if set(entry) != _DIVISION_KEYS:
        missing, extra = _DIVISION_KEYS - set(entry), set(entry) - _DIVISION_KEYS
        raise ReferenceDataError(f"{where} 字段不符：缺少 {sorted(missing)}，多出 {sorted(extra)}")
    try:
        kind = DivisionKind(entry["kind"])
    except ValueError:
        raise ReferenceDataError(f"{where}：未知类型 {entry['kind']!r}") from None
    division = DivisionRef(
        code=_code(entry["code"], where),
        name=_text(entry["name"], where),
        kind=kind,
        parent=_optional_code(entry["parent"], where),
        gb2260=_optional_code(entry["gb2260"], where),
        uscc_region_prefix=_code(entry["uscc_region_prefix"], where),
        lon=_coordinate(entry["lon"], _LON_RANGE, where),
        lat=_coordinate(entry["lat"], _LAT_RANGE, where),
        short_name=None if entry["short_name"] is None else _text(entry["short_name"], where),
        aliases=tuple(_text(a, where) for a in entry["aliases"] or ()),
    )
    _check_division_kind(division, where)
    return division


def _check_division_kind(d: DivisionRef, where: str) -> None:
    if (d.parent is None) != (d.kind is DivisionKind.PROVINCE):
        raise ReferenceDataError(f"{where}：只有省级区划没有上级")
    if (d.gb2260 is None) != (d.kind is DivisionKind.MANAGEMENT_UNIT):
        raise ReferenceDataError(f"{where}：只有管理单元（如工业园区）没有 GB/T 2260 代码")
    if d.gb2260 is not None and d.gb2260 != d.code:
        raise ReferenceDataError(f"{where}：行政区划的 code 应与 gb2260 相同")


def _check_tree(divisions: list[DivisionRef], source: str) -> None:
    seen: set[str] = set()
    for d in divisions:
        if d.code in seen:
            raise ReferenceDataError(f"{source}：区划代码 {d.code} 重复")
        if d.parent is not None and d.parent not in seen:
            raise ReferenceDataError(f"{source}：{d.code} 的上级 {d.parent} 不存在或排在其后")
        seen.add(d.code)


def _code(value: object, where: str) -> str:
    if not isinstance(value, str) or not _CODE.fullmatch(value):
        raise ReferenceDataError(f"{where}：代码 {value!r} 应为加引号的 6 位数字")
    return value


def _optional_code(value: object, where: str) -> str | None:
    return None if value is None else _code(value, where)


def _text(value: object, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ReferenceDataError(f"{where}：名称 {value!r} 应为非空文本")
    return value.strip()


def _coordinate(value: object, bounds: tuple[float, float], where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ReferenceDataError(f"{where}：坐标 {value!r} 应为数字")
    if not bounds[0] <= value <= bounds[1]:
        raise ReferenceDataError(f"{where}：坐标 {value} 超出范围 {bounds}")
    return float(value)


# -- categories --------------------------------------------------------------------------------


def load_categories() -> list[CategoryRef]:
    """The shipped 263 categories in display order (两减, 六治, 三提升)."""
    return list(_shipped_categories())


def parse_categories(text: str, source: str) -> list[CategoryRef]:
    """Parse and validate a categories file: groups with items, unique well-formed codes."""
    raw = _load_yaml(text, source)
    if not isinstance(raw, list):
        raise ReferenceDataError(f"{source}：顶层应为分组列表")
    categories: list[CategoryRef] = []
    for group in raw:
        categories.extend(_parse_group(group, source, start=len(categories)))
    codes = [c.code for c in categories]
    duplicates = sorted({c for c in codes if codes.count(c) > 1})
    if duplicates:
        raise ReferenceDataError(f"{source}：分类代码重复 {duplicates}")
    return categories


def get_category(code: str) -> CategoryRef:
    for category in _shipped_categories():
        if category.code == code:
            return category
    raise KeyError(f"没有分类代码 {code}（unknown 263 category）")


@functools.cache
def _shipped_categories() -> tuple[CategoryRef, ...]:
    return tuple(parse_categories(_read_data("categories.yaml"), "eco263/data/categories.yaml"))


def _parse_group(group: object, source: str, *, start: int) -> list[CategoryRef]:
    if not isinstance(group, dict) or set(group) != {"code", "name", "items"}:
        raise ReferenceDataError(f"{source}：分组应含 code、name、items：{group!r}")
    group_code, group_name = str(group["code"]), _text(group["name"], source)
    items = group["items"]
    if not isinstance(items, list) or not items:
        raise ReferenceDataError(f"{source}：分组 {group_code} 没有分类")
    return [
        _parse_category(item, group_code, group_name, f"{source}：分组 {group_code}", start + i)
        for i, item in enumerate(items)
    ]


def _parse_category(
    item: object, group_code: str, group_name: str, where: str, order: int
) -> CategoryRef:
    keys = set(item) if isinstance(item, dict) else set()
    if not isinstance(item, dict) or not _CATEGORY_REQUIRED <= keys <= _CATEGORY_KEYS:
        raise ReferenceDataError(f"{where}：分类应含 code、name、full_name（可选 local）：{item!r}")
    code = str(item["code"])
    if not _CATEGORY_CODE.fullmatch(code) or not code.startswith(group_code + "."):
        raise ReferenceDataError(f"{where}：分类代码 {code!r} 应为「{group_code}.小写名」")
    local = item.get("local", False)
    if not isinstance(local, bool):
        raise ReferenceDataError(f"{where}：{code} 的 local 应为 true 或 false")
    return CategoryRef(
        code=code,
        name=_text(item["name"], where),
        full_name=_text(item["full_name"], where),
        group_code=group_code,
        group_name=group_name,
        local=local,
        order=order,
    )


# -- files -------------------------------------------------------------------------------------


def _read_data(name: str) -> str:
    return (resources.files("eco263") / "data" / name).read_text(encoding="utf-8")


def _load_yaml(text: str, source: str) -> Any:
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ReferenceDataError(f"{source}：不是有效的 YAML（{exc}）") from exc
