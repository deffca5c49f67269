"""The CP data area (§5): its typed form (:class:`Cp`, :class:`Item`) and how it is parsed.

Pure: no I/O and no database. The area is split with ``str`` methods and converted with
``map``/``zip`` (C loops) instead of a Python loop per field, behind a one-pass
``bytes.translate`` check that the area is clean; a slower, careful path handles anything
unusual (whitespace, ``//`` log text, empty fields, values that do not convert) and produces
the same result (a property test compares the two). Typed values are computed eagerly;
:meth:`Cp.items` only regroups values that are already parsed. Two bounded caches exploit
repetition on a real link: the analysis of a field-name sequence (``_LAYOUTS``, one entry per
device type) and parsed DataTime texts (``_TIME_CACHE``: every logger reports the same minutes).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from operator import call
from typing import Final, NamedTuple, TypeAlias

from eco263.monitoring.hj212.errors import BadFieldError
from eco263.monitoring.hj212.packet import MAX_LENGTH_FIELD, SHANGHAI

__all__ = ["Cp", "CpValue", "Item", "build_cp", "parse_time", "split_name"]

_EARLIEST_PLAUSIBLE_YEAR: Final = 2005  # nothing can be measured under HJ/T 212 before it existed

CpValue: TypeAlias = float | int | str | datetime | None
"""A typed CP value: float (measurements), int (codes, intervals), datetime (times), str."""


class Item(NamedTuple):
    """Typed values of one factor/facility code (``w01018``, ``SB1``, ``B02`` ...).

    A view built by :meth:`Cp.item` from already-typed values. Each attribute holds the first
    occurrence of its sub-key; repeated sub-keys (the 2005 ``02-Flag`` after ``02-ZsRtd``, §5) and
    sub-keys without an attribute are kept in ``other`` in wire order, so nothing is lost.
    """

    code: str
    rtd: float | None = None
    avg: float | None = None
    min: float | None = None
    max: float | None = None
    cou: float | None = None
    zs_rtd: float | None = None
    zs_avg: float | None = None
    zs_min: float | None = None
    zs_max: float | None = None
    flag: str | None = None
    eflag: str | None = None
    sample_time: datetime | None = None
    rs: int | None = None
    rt: float | None = None
    info: str | None = None
    sn: str | None = None
    other: tuple[tuple[str, CpValue], ...] = ()


_ITEM_ATTRIBUTES: Final[Mapping[str, str]] = {
    "Rtd": "rtd",
    "Avg": "avg",
    "Min": "min",
    "Max": "max",
    "Cou": "cou",
    "ZsRtd": "zs_rtd",
    "ZsAvg": "zs_avg",
    "ZsMin": "zs_min",
    "ZsMax": "zs_max",
    "Flag": "flag",
    "EFlag": "eflag",
    "SampleTime": "sample_time",
    "RS": "rs",
    "RT": "rt",
    "Info": "info",
    "SN": "sn",
}


@dataclass(frozen=True, slots=True)
class Cp:
    """The parsed CP data area.

    ``names``/``texts`` are every ``name=value`` field in wire order, whitespace stripped,
    duplicates and unknown names included (the evidence and the basis for re-encoding).
    ``values`` maps each name to the typed value of its first occurrence (``"DataTime"``,
    ``"w01018-Avg"`` ...); see :func:`split_name` for how names split into code and sub-key.
    ``codes`` lists factor/facility codes (``w01018``, ``SB1`` ...) in order of first appearance.
    """

    names: tuple[str, ...]
    texts: tuple[str, ...]
    values: Mapping[str, CpValue]
    codes: tuple[str, ...]
    data_time: datetime | None

    @property
    def fields(self) -> tuple[tuple[str, str], ...]:
        """``(name, text)`` pairs in wire order."""
        return tuple(zip(self.names, self.texts, strict=True))

    def param(self, name: str) -> CpValue:
        """Typed value of a field (``SystemTime``, ``QnRtn``, ``w01018-Avg`` ...) or None."""
        return self.values.get(name)

    def get(self, code: str, sub: str) -> CpValue:
        """Typed value of ``code-sub`` (first occurrence) or None."""
        return self.values.get(f"{code}-{sub}")

    def item(self, code: str) -> Item:
        """All values of one code as an :class:`Item` (KeyError if the code is absent)."""
        if code not in self.codes:
            raise KeyError(code)
        return self.items()[code]

    def items(self) -> dict[str, Item]:
        """Every code's :class:`Item`, in order of first appearance."""
        layout = _layout_of(self.names)
        plan = layout.item_plan
        if plan is None:
            plan = layout.item_plan = _item_plan(self.names, self.codes)
        get = self.values.get
        out: dict[str, Item] = {}
        for code, slot_names, others in plan:
            other = (
                tuple((s, _convert_lenient(s, self.texts[i])) for s, i in others) if others else ()
            )
            out[code] = Item._make((code, *map(get, slot_names), other))  # type: ignore[arg-type]
        return out


# --------------------------------------------------------------------------------------------
# Typed conversion of CP values
# --------------------------------------------------------------------------------------------


def parse_time(text: str) -> datetime:
    """``YYYYMMDDhhmmss`` (or 17 digits with milliseconds) as an aware Asia/Shanghai datetime.

    Raises ValueError for anything else, including impossible dates.
    """
    n = len(text)
    if n not in (14, 17) or not (text.isascii() and text.isdigit()):
        raise ValueError(f"not a 14-digit HJ 212 time: {text!r}")
    value = _time14(text[:14])
    if n == 17:
        value = value.replace(microsecond=int(text[14:]) * 1000)
    return value


_TIME_CACHE: dict[str, datetime] = {}
_TIME_CACHE_LIMIT: Final = 4096


def _time14(text: str) -> datetime:
    """Exactly 14 ASCII digits -> aware datetime (the hot-path converter).

    Cached: every logger reports the same minute and hour boundaries, so DataTime texts repeat
    across packets and devices (datetimes are immutable, so sharing them is safe).
    """
    value = _TIME_CACHE.get(text)
    if value is None:
        if len(text) != 14 or not (text.isascii() and text.isdigit()):
            raise ValueError(f"not a 14-digit HJ 212 time: {text!r}")
        # fromisoformat() accepts the ISO basic format YYYYMMDDThhmmss and is implemented in C
        value = datetime.fromisoformat(f"{text[:8]}T{text[8:]}").replace(tzinfo=SHANGHAI)
        if len(_TIME_CACHE) >= _TIME_CACHE_LIMIT:
            _TIME_CACHE.clear()
        _TIME_CACHE[text] = value
    return value


def _info_text(text: str) -> str:
    """Log text of ``xxxxxx-Info`` sits between ``//`` and ``//`` (§5); drop the delimiters."""
    if len(text) >= 4 and text.startswith("//") and text.endswith("//"):
        return text[2:-2]
    return text


_FLOAT_KEYS: Final = (
    *("Rtd", "Avg", "Min", "Max", "Cou", "ZsRtd", "ZsAvg", "ZsMin", "ZsMax"),
    *("RT", "Ala", "Data", "DayData", "NightData"),
)
_INT_KEYS: Final = (
    *("RS", "QnRtn", "ExeRtn", "RtdInterval", "MinInterval", "OverTime", "ReCount"),
    *("VaseNo", "Ctime", "Stime", "HeartbeatTime", "AlarmType"),
)
_TIME_KEYS: Final = (
    *("DataTime", "SystemTime", "BeginTime", "EndTime", "RestartTime", "SampleTime"),
    "AlarmTime",
)

_Converter: TypeAlias = Callable[[str], CpValue]

# Keyed by the sub-key of ``code-sub`` names and by plain names alike; they do not collide.
# Anything not listed stays text (Flag, EFlag, PolId, InfoId, SN, NewPW, CstartTime, QN ...).
_CONVERTERS: Final[dict[str, _Converter]] = {
    **dict.fromkeys(_FLOAT_KEYS, float),
    **dict.fromkeys(_INT_KEYS, int),
    **dict.fromkeys(_TIME_KEYS, _time14),
    "Info": _info_text,
}


def _convert_careful(key: str, text: str) -> tuple[CpValue, str | None]:
    """Convert one value; returns ``(value, tolerance or None)``; raises ValueError if unusable."""
    converter = _CONVERTERS.get(key, str)
    if converter is _time14:
        if len(text) == 17:
            return parse_time(text), "time_with_ms"
        return _time14(text), None
    value = converter(text)
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"not a finite number: {text!r}")
    return value, None


def _convert_lenient(key: str, text: str) -> CpValue:
    """Typed value, or None when the text does not convert (used by :meth:`Cp.item`)."""
    try:
        return _convert_careful(key, text)[0]
    except ValueError:
        return None


def split_name(name: str) -> tuple[str, str]:
    """``w01018-Avg`` -> ``("w01018", "Avg")`` (first ``-``, §5); ``DataTime`` -> ``("", name)``."""
    head, dash, sub = name.partition("-")
    return (head, sub) if dash else ("", name)


_ItemPlan: TypeAlias = tuple[tuple[str, tuple[str | None, ...], tuple[tuple[str, int], ...]], ...]


@dataclass(slots=True)
class _Layout:
    """What depends only on the sequence of CP field names.

    Every packet of a device type repeats the same names in the same order, so this analysis
    (codes, converter per field, how to build :class:`Item` views) is done once per layout.
    """

    codes: tuple[str, ...]
    converters: tuple[_Converter, ...]
    item_plan: _ItemPlan | None = None


_LAYOUTS: dict[tuple[str, ...], _Layout] = {}
_LAYOUT_LIMIT: Final = 1024  # names come from the network: bound the cache


def _layout_of(names: tuple[str, ...]) -> _Layout:
    layout = _LAYOUTS.get(names)
    if layout is None:
        keys = [split_name(name) for name in names]
        codes = tuple(dict.fromkeys(code for code, _ in keys if code))
        converters = tuple(_CONVERTERS.get(sub, str) for _, sub in keys)
        layout = _Layout(codes, converters)
        if len(_LAYOUTS) >= _LAYOUT_LIMIT:
            _LAYOUTS.clear()
        _LAYOUTS[names] = layout
    return layout


_SLOT_SUBS: Final = tuple(_ITEM_ATTRIBUTES)  # in the order of Item's fields


def _item_plan(names: tuple[str, ...], codes: tuple[str, ...]) -> _ItemPlan:
    """Per code: the field name for each Item slot (None if absent) and the ``other`` fields.

    ``other`` lists (sub, index) of sub-keys without a slot and of repeated sub-keys.
    """
    slots: dict[str, dict[str, str]] = {code: {} for code in codes}
    others: dict[str, list[tuple[str, int]]] = {code: [] for code in codes}
    for index, name in enumerate(names):
        code, sub = split_name(name)
        if not code:
            continue
        if sub in _ITEM_ATTRIBUTES and sub not in slots[code]:
            slots[code][sub] = name
        else:
            others[code].append((sub, index))
    return tuple(
        (code, tuple(slots[code].get(sub) for sub in _SLOT_SUBS), tuple(others[code]))
        for code in codes
    )


# --------------------------------------------------------------------------------------------
# CP area
# --------------------------------------------------------------------------------------------

_TO_SEMICOLON: Final = bytes.maketrans(b",", b";")
_NOT_STRUCTURE: Final = bytes(b for b in range(256) if b not in b"=;, \t\r\n/&")
_ALTERNATING: Final = b"=;" * (MAX_LENGTH_FIELD // 2 + 1)
# A separator, or an Info log value ``=//...//`` (which may contain separators) to step over.
_SEP_OR_SPAN: Final = re.compile(r"[;,]|=\s*//.*?//", re.DOTALL)
_EMPTY_VALUES: Final[Mapping[str, CpValue]] = {}


def _tokenize_fast(area: str) -> tuple[Sequence[str], Sequence[str]] | None:
    """Split a clean CP area into names and texts with C string methods.

    Returns None when the area needs the careful path. The gate is one ``bytes.translate``
    pass that keeps only ``= ; ,`` (commas mapped to ``;``), whitespace, ``/`` and ``&``: a clean
    area reduces to exactly ``=;=;…=``, i.e. every field has one ``=``, nothing is empty and there
    is no whitespace, ``//`` log text or stray ``&``. Only then is splitting on all three
    characters at once guaranteed to alternate name, text, name, text.
    """
    skeleton = area.encode("utf-8", "replace").translate(_TO_SEMICOLON, _NOT_STRUCTURE)
    if not (len(skeleton) & 1 and _ALTERNATING.startswith(skeleton)):
        return None
    if area[0] == "=" or ";=" in area or ",=" in area:  # a field with an empty name
        return None
    parts = area.replace(",", ";").replace("=", ";").split(";")
    return parts[0::2], parts[1::2]


def _raw_fields(area: str) -> list[tuple[int, str]]:
    """Split on ``;`` and ``,`` outside ``//…//`` log text; returns (char offset, field)."""
    out: list[tuple[int, str]] = []
    start = 0
    for match in _SEP_OR_SPAN.finditer(area):
        if match.group() in (";", ","):
            out.append((start, area[start : match.start()]))
            start = match.end()
    out.append((start, area[start:]))
    return out


def _tokenize_careful(
    area: str, tolerances: list[str], position: Callable[[int], int]
) -> tuple[list[str], list[str]]:
    """Slow path: strip whitespace, skip empty fields, step over ``//…//``, report bad fields."""
    names: list[str] = []
    texts: list[str] = []
    for offset, raw in _raw_fields(area):
        stripped = raw.strip()
        if not stripped:
            tolerances.append("cp_whitespace" if raw else "cp_empty_field")
            continue
        name, eq, text = stripped.partition("=")
        name, text = name.strip(), text.strip()
        if not eq or not name:
            raise BadFieldError(
                f"CP field without name=value: {raw[:40]!r}", position(offset), "CP"
            )
        if len(name) + len(text) + 1 != len(raw):
            tolerances.append("cp_whitespace")
        names.append(name)
        texts.append(text)
    return names, texts


def _screen_text(texts: Sequence[str]) -> bool:
    """True when float() might accept a non-HJ 212 number (exponent, nan, inf)."""
    low = "".join(texts).lower()
    return "e" in low or "nan" in low or "inf" in low


def _convert_all(
    names: tuple[str, ...],
    texts: tuple[str, ...],
    converters: tuple[_Converter, ...],
    tolerances: list[str],
) -> list[CpValue]:
    """Typed values for every field: C loop first, careful per-field path on any doubt."""
    if not _screen_text(texts):
        try:
            return list(map(call, converters, texts))
        except ValueError:
            pass
    typed: list[CpValue] = []
    for name, text in zip(names, texts, strict=True):
        code, sub = split_name(name)
        try:
            value, tolerance = _convert_careful(sub, text)
        except ValueError:
            if not code:
                raise BadFieldError(f"{sub}={text[:40]!r} is not a valid value", 0, sub) from None
            value, tolerance = None, "unparsable_value"
        if tolerance:
            tolerances.append(tolerance)
        typed.append(value)
    return typed


def build_cp(names: Sequence[str], texts: Sequence[str], tolerances: list[str] | None = None) -> Cp:
    """Build a :class:`Cp` from field names and texts (wire order, already stripped).

    Raises :class:`BadFieldError` when a plain field such as DataTime has an unusable value;
    unusable measurement values become None and add ``unparsable_value`` to ``tolerances``.
    """
    if tolerances is None:
        tolerances = []
    names, texts = tuple(names), tuple(texts)
    layout = _layout_of(names)
    typed = _convert_all(names, texts, layout.converters, tolerances)
    values = dict(zip(names, typed, strict=True))
    if len(values) != len(names):  # repeated names: keep the first deliberately (§5)
        tolerances.append("duplicate_key")
        values = {}
        for name, value in zip(names, typed, strict=True):
            values.setdefault(name, value)
    data_time = values.get("DataTime")
    if not isinstance(data_time, datetime):
        data_time = None
    elif data_time.year < _EARLIEST_PLAUSIBLE_YEAR:
        tolerances.append("implausible_time")
    return Cp(names, texts, values, layout.codes, data_time)


_EMPTY_CP: Final = Cp((), (), _EMPTY_VALUES, (), None)


def _parse_cp(area: str, tolerances: list[str], position: Callable[[int], int]) -> Cp:
    if not area:
        return _EMPTY_CP
    tokens = _tokenize_fast(area)
    if tokens is None:
        tokens = _tokenize_careful(area, tolerances, position)
        if not tokens[0]:
            return _EMPTY_CP
    try:
        return build_cp(tokens[0], tokens[1], tolerances)
    except BadFieldError as exc:
        offset = area.find(f"{exc.field_name}=") if exc.field_name else 0
        raise BadFieldError(exc.detail, position(max(offset, 0)), exc.field_name) from None
