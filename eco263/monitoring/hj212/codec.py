"""Pure HJ 212-2017 codec (tolerating HJ/T 212-2005): bytes <-> :class:`Packet`.

No I/O and no database here. See ``/work/shared/reference/HJ212.md`` for the protocol summary;
section numbers below (§n) refer to it.

Decoding is a pipeline of checks, each raising a specific :class:`Hj212Error` subclass:
framing (``##``, 4-digit length, trailer) -> length -> CRC -> header fields -> CP area. What a
tolerant receiver accepts (§11) is recorded in :attr:`Packet.tolerances` instead of being
silently repaired, so the gateway can log it and count it per device.

Performance: decoding a 740-byte minute packet is on the gateway's hot path
(bench/hj212_codec.py). The CRC is C (crc.py); the CP area is split with ``str`` methods and
converted with ``map``/``zip`` (C loops) instead of a Python loop per field, behind a one-pass
``bytes.translate`` check that the area is clean; a slower, careful path handles anything
unusual (whitespace, ``//`` log text, empty fields, values that do not convert) and produces
the same result (a property test compares the two). Typed values are computed eagerly;
:meth:`Cp.items` only regroups values that are already parsed. Three bounded caches exploit
repetition on a real link: the analysis of a field-name sequence (``_LAYOUTS``, one entry per
device type), parsed DataTime texts (``_TIME_CACHE``: every logger reports the same minutes) and
the canonical header order (a regex fast path, not a cache).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import IntEnum
from operator import call, methodcaller
from typing import Final, Literal, NamedTuple, TypeAlias
from zoneinfo import ZoneInfo

from eco263.monitoring.hj212 import crc as _crc

__all__ = [
    "SHANGHAI",
    "BadCrcError",
    "BadFieldError",
    "BadHeaderError",
    "BadLengthError",
    "Cp",
    "CpValue",
    "CrcMode",
    "DecodeOptions",
    "ExeRtn",
    "Flag",
    "Hj212Error",
    "Item",
    "LengthMismatchError",
    "OversizeError",
    "Packet",
    "QnRtn",
    "TruncatedError",
    "build_cp",
    "data_answer",
    "decode",
    "encode",
    "encode_packet",
    "execution_result",
    "format_time",
    "frame",
    "make_qn",
    "notification_answer",
    "parse_time",
    "request_answer",
    "split_name",
    "time_query",
    "time_set",
]

SHANGHAI: Final = ZoneInfo("Asia/Shanghai")
"""DataTime and every other HJ 212 time is device-local China time without a zone (§12.7)."""

MAX_STANDARD_LENGTH: Final = 1024
"""Largest data segment the standard allows (§1); longer ones are tolerated and flagged."""

MAX_LENGTH_FIELD: Final = 9999
_MIN_FRAME: Final = 10  # "##" + 4 digits + 0-byte segment + 4 CRC digits
_EARLIEST_PLAUSIBLE_YEAR: Final = 2005  # nothing can be measured under HJ/T 212 before it existed

CpValue: TypeAlias = float | int | str | datetime | None
"""A typed CP value: float (measurements), int (codes, intervals), datetime (times), str."""

CrcMode: TypeAlias = Literal[
    "hj212", "accept_modbus", "accept_modbus_swapped", "accept_modbus_plain", "ignore"
]


# --------------------------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------------------------


class Hj212Error(Exception):
    """Base of every decoding/framing failure.

    ``reason`` is a stable machine-readable code (used for dead-letter records and metrics);
    ``position`` is the byte offset in the frame (or in the stream, for framer errors) where the
    problem was found.
    """

    reason: str = "hj212_error"

    def __init__(self, detail: str, position: int = 0) -> None:
        super().__init__(f"{self.reason} at byte {position}: {detail}")
        self.detail = detail
        self.position = position


class TruncatedError(Hj212Error):
    """The frame is too short to contain header, length and CRC."""

    reason = "truncated"


class BadHeaderError(Hj212Error):
    """The frame does not start with ``##``."""

    reason = "bad_header"


class BadLengthError(Hj212Error):
    """The length field is not 4 ASCII digits."""

    reason = "bad_length"


class OversizeError(Hj212Error):
    """Declared or actual size above ``DecodeOptions.max_length``."""

    reason = "oversize"


class LengthMismatchError(Hj212Error):
    """The data segment does not have the declared length (bytes lost or added in transit)."""

    reason = "length_mismatch"

    def __init__(self, detail: str, position: int, declared: int, actual: int) -> None:
        super().__init__(detail, position)
        self.declared = declared
        self.actual = actual


class BadCrcError(Hj212Error):
    """The CRC field is not 4 hex digits or does not match the data segment."""

    reason = "bad_crc"

    def __init__(self, detail: str, position: int, received: str, expected: str) -> None:
        super().__init__(detail, position)
        self.received = received
        self.expected = expected


class BadFieldError(Hj212Error):
    """A header or CP field is missing, malformed or has an unusable value."""

    reason = "bad_field"

    def __init__(self, detail: str, position: int, field_name: str | None = None) -> None:
        super().__init__(detail, position)
        self.field_name = field_name


# --------------------------------------------------------------------------------------------
# Codes
# --------------------------------------------------------------------------------------------


class QnRtn(IntEnum):
    """Request answer codes (2017 table 7), carried by 9011."""

    READY = 1
    REFUSED = 2
    WRONG_PW = 3
    WRONG_MN = 4
    WRONG_ST = 5
    WRONG_FLAG = 6
    WRONG_QN = 7
    WRONG_CN = 8
    CRC_ERROR = 9
    UNKNOWN_ERROR = 100


class ExeRtn(IntEnum):
    """Execution result codes (2017 table 6), carried by 9012."""

    SUCCESS = 1
    FAILED = 2
    CONDITION_ERROR = 3
    TIMEOUT = 4
    BUSY = 5
    FAULT = 6
    NO_DATA = 100


# --------------------------------------------------------------------------------------------
# Value types
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DecodeOptions:
    """Per-device decoding policy (pass a different instance per MN if needed).

    ``crc_mode``: ``"hj212"`` accepts only the standard CRC; ``"accept_modbus_swapped"`` /
    ``"accept_modbus_plain"`` also accept one Modbus form, ``"accept_modbus"`` both; ``"ignore"``
    accepts any well-formed CRC (forensics only). Never enable the Modbus forms globally (§2).
    ``max_length``: largest declared data segment accepted (the field allows 9999; the standard
    1024, and longer segments are flagged ``oversize_segment``).
    """

    crc_mode: CrcMode = "hj212"
    max_length: int = MAX_LENGTH_FIELD


DEFAULT_OPTIONS: Final = DecodeOptions()


@dataclass(frozen=True, slots=True)
class Flag:
    """The Flag header field, bits ``V5..V0 D A`` (§4)."""

    value: int
    version_bits: int
    ack_requested: bool
    segmented: bool

    @classmethod
    def from_value(cls, value: int) -> Flag:
        """Decode 0..255 (use the cached instances in ``FLAGS`` on hot paths)."""
        return cls(value, value >> 2, bool(value & 1), bool(value & 2))


FLAGS: Final = tuple(Flag.from_value(v) for v in range(256))


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


@dataclass(frozen=True, slots=True)
class Packet:
    """A decoded HJ 212 packet.

    ``qn`` is the header QN (2005 devices often put it inside CP instead: see ``request_qn``).
    ``version`` is ``"2017"`` when the Flag version bits are 000001 (or an unknown non-zero
    value, flagged ``unknown_version_bits``) and ``"2005"`` when they are zero or Flag is absent.
    ``data`` is the data segment text (UTF-8, invalid bytes replaced); ``raw`` the whole frame as
    received, kept as evidence. ``extra`` keeps unknown header fields in wire order.
    """

    qn: str | None
    st: str
    cn: str
    pw: str
    mn: str
    flag: Flag | None
    pnum: int | None
    pno: int | None
    cp: Cp
    data: str
    raw: bytes
    crc: int
    version: Literal["2017", "2005"]
    tolerances: tuple[str, ...] = ()
    extra: tuple[tuple[str, str], ...] = field(default=())

    @property
    def ack_requested(self) -> bool:
        """Flag bit A: the receiver must answer (9014 for uploads, 9011 for requests)."""
        return self.flag is not None and self.flag.ack_requested

    @property
    def segmented(self) -> bool:
        """Part of a PNUM/PNO multi-packet message (bit D, or PNUM/PNO without Flag, §4)."""
        return self.pnum is not None

    @property
    def request_qn(self) -> str | None:
        """The QN this packet carries: header QN, else the 2005 habit of QN inside CP."""
        if self.qn is not None:
            return self.qn
        value = self.cp.param("QN")
        return value if isinstance(value, str) else None


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

_SPLIT_EQ: Final = methodcaller("split", "=", 1)
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


# --------------------------------------------------------------------------------------------
# Frame, CRC and header
# --------------------------------------------------------------------------------------------

_HEX4: Final = re.compile(rb"[0-9A-Fa-f]{4}")
_NOT_HEADER_STRUCTURE: Final = bytes(b for b in range(256) if b not in b"=;")
_MODBUS_TOLERANCE: Final[Mapping[str, tuple[tuple[str, Callable[[bytes], int]], ...]]] = {
    "accept_modbus": (("crc_modbus_swapped", _crc.modbus_swapped), ("crc_modbus", _crc.modbus)),
    "accept_modbus_swapped": (("crc_modbus_swapped", _crc.modbus_swapped),),
    "accept_modbus_plain": (("crc_modbus", _crc.modbus),),
}


def _check_start(frame: bytes, options: DecodeOptions) -> int:
    """Check ``##`` and the length field; return the declared data-segment length."""
    if frame[:2] != b"##":
        if len(frame) < 2 and b"##".startswith(frame):
            raise TruncatedError(f"{len(frame)} bytes is not a frame", len(frame))
        raise BadHeaderError(f"frame starts with {frame[:2]!r}, not b'##'", 0)
    length_field = frame[2:6]
    if len(length_field) < 4 and (not length_field or length_field.isdigit()):
        raise TruncatedError(f"{len(frame)} bytes is not a frame", len(frame))
    if len(length_field) != 4 or not length_field.isdigit():
        raise BadLengthError(f"length field {length_field!r} is not 4 digits", 2)
    declared = int(length_field)
    if declared > options.max_length:
        raise OversizeError(f"declared length {declared} > {options.max_length}", 2)
    return declared


def _strip_trailer(frame: bytes, tolerances: list[str]) -> int:
    """Index where the CRC field ends (before ``\\r\\n``, a lone ``\\n``, or nothing)."""
    if frame.endswith(b"\r\n"):
        return len(frame) - 2
    if frame.endswith(b"\n"):
        tolerances.append("lone_lf")
        return len(frame) - 1
    tolerances.append("missing_crlf")
    return len(frame)


def _check_length(body: bytes, declared: int, tolerances: list[str]) -> None:
    """Declared length counts bytes (§1); some senders count characters: tolerate, flag."""
    actual = len(body)
    if actual == declared:
        return
    # UTF-8 needs at most 4 bytes per character, so longer bodies cannot match: skip decoding
    if (
        actual <= 4 * declared
        and not body.isascii()
        and len(body.decode("utf-8", "replace")) == declared
    ):
        tolerances.append("length_counts_chars")
        return
    raise LengthMismatchError(
        f"declared {declared} bytes, data segment has {actual}",
        6 + min(actual, declared),
        declared,
        actual,
    )


def _check_crc(
    body: bytes, crc_field: bytes, position: int, options: DecodeOptions, tolerances: list[str]
) -> int:
    """Verify the CRC field; return the received CRC value."""
    value: int = _crc.hj212(body)
    expected = b"%04X" % value
    if crc_field == expected:
        return value
    if _HEX4.fullmatch(crc_field) is None:
        raise BadCrcError(
            f"CRC field {crc_field!r} is not 4 hex digits",
            position,
            repr(crc_field),
            expected.decode(),
        )
    if crc_field.upper() != crc_field:
        tolerances.append("crc_lowercase")
    received = int(crc_field, 16)
    if received == value:
        return value
    for tolerance, function in _MODBUS_TOLERANCE.get(options.crc_mode, ()):
        if received == function(body):
            tolerances.append(tolerance)
            return received
    if options.crc_mode == "ignore":
        tolerances.append("crc_ignored")
        return received
    raise BadCrcError(
        f"CRC {crc_field.decode()} != {expected.decode()}",
        position,
        crc_field.decode(),
        expected.decode(),
    )


def _decode_text(body: bytes, tolerances: list[str]) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:  # e.g. GBK log text from old loggers (§12.2); raw stays as evidence
        tolerances.append("invalid_utf8")
        return body.decode("utf-8", "replace")


def _byte_position(text: str, index: int) -> int:
    """Byte offset in the frame of character ``index`` of the data segment."""
    return 6 + len(text[:index].encode("utf-8", "replace"))


class _Header(NamedTuple):
    qn: str | None
    st: str
    cn: str
    pw: str
    mn: str
    flag: Flag | None
    pnum: int | None
    pno: int | None
    extra: tuple[tuple[str, str], ...]


def _header_fields(header: str, tolerances: list[str]) -> dict[str, str]:
    """``KEY=value;...`` before ``CP=`` as a dict (any order, §3); bad fields raise."""
    if header.endswith(";"):
        header = header[:-1]
    elif header:
        tolerances.append("cp_without_semicolon")  # "Flag=5CP=&&" is in the standard itself
    if "," in header:
        tolerances.append("header_comma")  # "QN=...,ST=32" (standard C.22)
        header = header.replace(",", ";")
    skeleton = header.encode("utf-8", "replace").translate(None, _NOT_HEADER_STRUCTURE)
    if len(skeleton) & 1 and _ALTERNATING.startswith(skeleton):  # one "=" per field
        parts = header.replace("=", ";").split(";")
        pairs = iter(parts)
        fields = dict(zip(pairs, pairs, strict=False))  # checked on the next line
        if len(fields) * 2 == len(parts) and "" not in fields:
            return fields
    return _header_fields_careful(header)


def _header_fields_careful(header: str) -> dict[str, str]:
    """Slow path of :func:`_header_fields`: find the offending field for the error."""
    parts = header.split(";")
    for part in parts:
        name, eq, _ = part.partition("=")
        if not (name and eq):
            raise BadFieldError(f"bad header field {part[:40]!r}", header.find(part), part[:8])
    fields = dict(map(_SPLIT_EQ, parts))
    if len(fields) != len(parts):
        names = [part.partition("=")[0] for part in parts]
        twice = next(name for name in names if names.count(name) > 1)
        raise BadFieldError(f"header field {twice} repeated", header.rfind(f"{twice}="), twice)
    return fields


def _number(text: str, key: str, low: int, high: int, header: str) -> int:
    """A header number; zero padding allowed (``PNUM=0002``), nothing else."""
    # the length bound also keeps int() away from its 4300-digit limit (a ValueError)
    if not (text.isascii() and text.isdigit() and len(text) <= 8 and low <= int(text) <= high):
        raise BadFieldError(
            f"{key}={text[:20]!r} out of {low}..{high}", header.find(f"{key}="), key
        )
    return int(text)


def _digits(fields: dict[str, str], key: str, low: int, high: int, header: str) -> int | None:
    text = fields.pop(key, None)
    return None if text is None else _number(text, key, low, high, header)


def _required(fields: dict[str, str], key: str, header: str) -> str:
    value = fields.pop(key, None)
    if value is None:
        raise BadFieldError(f"header field {key} missing", len(header), key)
    return value


def _segmentation(
    fields: dict[str, str], flag: Flag | None, header: str, tolerances: list[str]
) -> tuple[int | None, int | None]:
    """PNUM/PNO (any order). Present without Flag bit D: tolerated and flagged (§4)."""
    pnum = _digits(fields, "PNUM", 1, 9999, header)
    pno = _digits(fields, "PNO", 1, 9999, header)
    if pnum is None or pno is None:
        if pnum is not None or pno is not None:
            raise BadFieldError("PNUM and PNO must come together", len(header), "PNUM")
        if flag is not None and flag.segmented:
            raise BadFieldError("Flag bit D set but PNUM/PNO missing", header.find("Flag="), "Flag")
        return None, None
    if pno > pnum:
        raise BadFieldError(f"PNO {pno} > PNUM {pnum}", header.find("PNO="), "PNO")
    if flag is None or not flag.segmented:
        tolerances.append("segmented_without_flag")
    return pnum, pno


_FLAG_BY_TEXT: Final = {str(value): FLAGS[value] for value in range(256)}


# The header as the standard writes it (QN ST CN PW MN Flag, no PNUM/PNO): one C-level match.
# Anything else takes the general path, which accepts a superset and gives the same result here.
_CANONICAL_HEADER: Final = re.compile(
    r"QN=([0-9]{17});ST=([0-9A-Z]{2,3});CN=([0-9]{4});PW=([^;,=]*);MN=([^;,=]+);Flag=([0-9]{1,3});"
)


def _parse_header(header: str, tolerances: list[str]) -> _Header:
    match = _CANONICAL_HEADER.fullmatch(header)
    if match is not None:
        qn, st, cn, pw, mn, flag_text = match.groups()
        flag = _FLAG_BY_TEXT.get(flag_text)
        if flag is not None and not flag.segmented:
            return _Header(qn, st, cn, pw, mn, flag, None, None, ())
    return _parse_header_general(header, tolerances)


def _parse_header_general(header: str, tolerances: list[str]) -> _Header:
    fields = _header_fields(header, tolerances)
    pop = fields.pop
    qn = pop("QN", None)
    st = _required(fields, "ST", header)
    cn = _required(fields, "CN", header)
    pw = _required(fields, "PW", header)
    mn = _required(fields, "MN", header)
    if len(cn) != 4 or not (cn.isascii() and cn.isdigit()):
        raise BadFieldError(f"CN={cn[:20]!r} is not 4 digits", header.find("CN="), "CN")
    if not mn:
        raise BadFieldError("MN is empty", header.find("MN="), "MN")
    flag_text = pop("Flag", None)
    if flag_text is None:
        flag = None
        tolerances.append("flag_missing")
    else:
        flag = _FLAG_BY_TEXT.get(flag_text) or FLAGS[_number(flag_text, "Flag", 0, 255, header)]
    if (flag is not None and flag.segmented) or "PNUM" in fields or "PNO" in fields:
        pnum, pno = _segmentation(fields, flag, header, tolerances)
    else:
        pnum = pno = None
    return _Header(qn, st, cn, pw, mn, flag, pnum, pno, tuple(fields.items()) if fields else ())


def _split_segment(text: str) -> tuple[str, str]:
    """Header text (before ``CP=``) and CP area (between ``&&`` and ``&&``)."""
    cp_at = text.find("CP=&&")
    if cp_at < 0:
        raise BadFieldError("no CP=&& in data segment", len(text), "CP")
    if len(text) < cp_at + 7 or not text.endswith("&&"):
        raise BadFieldError("CP area not closed by &&", len(text), "CP")
    return text[:cp_at], text[cp_at + 5 : -2]


def _version(flag: Flag | None, tolerances: list[str]) -> Literal["2017", "2005"]:
    if flag is None or flag.version_bits == 0:
        return "2005"
    if flag.version_bits != 1:  # e.g. Flag=9: a draft revision or a confused sender (§4)
        tolerances.append("unknown_version_bits")
    return "2017"


# --------------------------------------------------------------------------------------------
# Decode
# --------------------------------------------------------------------------------------------


def decode(frame: _crc.BytesLike, options: DecodeOptions = DEFAULT_OPTIONS) -> Packet:
    """Decode one complete frame (``##`` … CRC, optional CRLF) into a :class:`Packet`.

    Raises a subclass of :class:`Hj212Error` for every malformed input, never anything else
    (a non-bytes-like argument is a programming error: TypeError). Checks run in wire order:
    header, length field, trailer, length, CRC, header fields, CP. Tolerated deviations (§11)
    are listed in ``Packet.tolerances``.
    """
    if type(frame) is not bytes:
        frame = bytes(memoryview(frame))  # bytearray/memoryview; anything else: TypeError
    tolerances: list[str] = []
    declared = _check_start(frame, options)
    crc_end = _strip_trailer(frame, tolerances)
    if crc_end < _MIN_FRAME:
        raise TruncatedError(f"{len(frame)} bytes is not a frame", len(frame))
    actual = crc_end - _MIN_FRAME
    if actual > 4 * declared:  # not even UTF-8 counted as characters fits: reject before copying
        message = f"declared {declared} bytes, data segment has {actual}"
        raise LengthMismatchError(message, 6 + declared, declared, actual)
    body = frame[6 : crc_end - 4]
    _check_length(body, declared, tolerances)
    if declared > MAX_STANDARD_LENGTH:
        tolerances.append("oversize_segment")
    crc = _check_crc(body, frame[crc_end - 4 : crc_end], crc_end - 4, options, tolerances)
    text = _decode_text(body, tolerances)
    return _decode_segment(text, frame, crc, tolerances)


def _decode_segment(text: str, frame: bytes, crc: int, tolerances: list[str]) -> Packet:
    header_text, area = _split_segment(text)
    try:
        header = _parse_header(header_text, tolerances)
    except BadFieldError as exc:
        raise BadFieldError(
            exc.detail, _byte_position(text, max(exc.position, 0)), exc.field_name
        ) from None
    cp_start = len(header_text) + 5

    def position(offset: int) -> int:
        return _byte_position(text, cp_start + offset)

    cp = _parse_cp(area, tolerances, position)
    if header.qn is None:  # 2005 habit: QN inside CP (9011/9012/1013), or none on uploads
        tolerances.append("qn_in_cp" if "QN" in cp.values else "qn_missing")
    version = _version(header.flag, tolerances)
    return Packet(
        header.qn,
        header.st,
        header.cn,
        header.pw,
        header.mn,
        header.flag,
        header.pnum,
        header.pno,
        cp,
        text,
        frame,
        crc,
        version,
        tuple(dict.fromkeys(tolerances)) if tolerances else (),
        header.extra,
    )


# --------------------------------------------------------------------------------------------
# Encode
# --------------------------------------------------------------------------------------------

CpScalar: TypeAlias = str | int | float | Decimal | datetime | None
CpGroup: TypeAlias = Sequence[tuple[str, CpScalar]]
"""One CP item: its fields are joined by ``,``; items are joined by ``;`` (§5)."""

_HEADER_FORBIDDEN: Final = frozenset(";,=&\r\n")
_NAME_FORBIDDEN: Final = frozenset(";,=&/\r\n\t ")
_TEXT_FORBIDDEN: Final = frozenset(";,\r\n")


def format_time(value: datetime) -> str:
    """``YYYYMMDDhhmmss`` in China local time; ``value`` must be timezone-aware."""
    if value.tzinfo is None:
        raise ValueError("HJ 212 times must be built from aware datetimes")
    return value.astimezone(SHANGHAI).strftime("%Y%m%d%H%M%S")


def make_qn(now: datetime) -> str:
    """A QN (``YYYYMMDDhhmmsszzz``, China local time with milliseconds) for ``now`` (aware)."""
    return format_time(now) + f"{now.microsecond // 1000:03d}"


def _format_number(value: float | Decimal) -> str:
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"HJ 212 has no representation for {value!r}")
        text = repr(value)
        if "e" not in text:
            return text
        value = Decimal(text)
    if not value.is_finite():
        raise ValueError(f"HJ 212 has no representation for {value!r}")
    return format(value, "f")


def format_value(value: CpScalar) -> str:
    """Wire text of a CP value: numbers without exponent, times as ``YYYYMMDDhhmmss``."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, datetime):
        return format_time(value)
    if isinstance(value, bool):
        raise TypeError("booleans are not HJ 212 values; use 0/1")
    if isinstance(value, int):
        return str(value)
    return _format_number(value)


def _check_cp_text(name: str, text: str) -> None:
    """Raise ValueError if ``name=text`` cannot be written so that it decodes back the same."""
    if not name or not _NAME_FORBIDDEN.isdisjoint(name):
        raise ValueError(f"invalid CP field name {name!r}")
    if text.startswith("//") and text.endswith("//") and len(text) >= 4:
        inner = text[2:-2]
        if "//" in inner or "\r" in inner or "\n" in inner:
            raise ValueError(f"invalid log text for {name}")
        return
    if not _TEXT_FORBIDDEN.isdisjoint(text) or "&&" in text or "//" in text or text != text.strip():
        raise ValueError(f"invalid CP value for {name}: {text!r}")


def format_cp(groups: Iterable[CpGroup]) -> str:
    """CP area text (without the ``&&`` delimiters) from groups of ``(name, value)`` pairs.

    Raises ValueError for a name or value that would not decode back to itself.
    """
    parts: list[str] = []
    names: list[str] = []
    texts: list[str] = []
    for group in groups:
        fields = []
        for name, value in group:
            text = value if value.__class__ is str else format_value(value)
            names.append(name)
            texts.append(text)
            fields.append(f"{name}={text}")
        if fields:
            parts.append(",".join(fields))
    area = ";".join(parts)
    # Cheap check of the whole area: the decoder's fast path must read back exactly what we wrote
    tokens = _tokenize_fast(area) if area else ((), ())
    if tokens is None or list(tokens[0]) != names or list(tokens[1]) != texts:
        for name, text in zip(names, texts, strict=True):
            _check_cp_text(name, text)
    return area


def frame(segment: str, *, max_length: int = MAX_STANDARD_LENGTH) -> bytes:
    """Wrap a data segment: ``##`` + 4-digit byte length + segment + HJ 212 CRC + CRLF."""
    body = segment.encode("utf-8")
    if len(body) > max_length:
        raise ValueError(f"data segment of {len(body)} bytes > {max_length}; split it (PNUM/PNO)")
    return b"##%04d%b%04X\r\n" % (len(body), body, _crc.hj212(body))


def _header_text(pairs: Iterable[tuple[str, str | int | None]]) -> str:
    out = []
    for key, value in pairs:
        if value is None:
            continue
        text = str(value)
        if _HEADER_FORBIDDEN.intersection(text) or _HEADER_FORBIDDEN.intersection(key):
            raise ValueError(f"invalid header field {key}={text!r}")
        out.append(f"{key}={text};")
    return "".join(out)


def encode(
    *,
    st: str,
    cn: str,
    pw: str,
    mn: str,
    cp: str | Iterable[CpGroup] = "",
    qn: str | None = None,
    flag: int | None = 4,
    pnum: int | None = None,
    pno: int | None = None,
    extra: Iterable[tuple[str, str]] = (),
    max_length: int = MAX_STANDARD_LENGTH,
) -> bytes:
    """Encode one packet. ``cp`` is CP area text, or groups of ``(name, value)`` pairs.

    Header fields are written in the standard order (QN ST CN PW MN Flag PNUM PNO); a None
    QN/Flag is omitted (2005 style). Raises ValueError for values that would break the grammar
    or a segment longer than ``max_length`` bytes.
    """
    if flag is not None and not 0 <= flag <= 255:
        raise ValueError(f"Flag {flag} out of 0..255")
    if len(cn) != 4 or not cn.isdigit():
        raise ValueError(f"CN {cn!r} is not 4 digits")
    if (pnum is None) != (pno is None):
        raise ValueError("PNUM and PNO go together")
    area = cp if isinstance(cp, str) else format_cp(cp)
    pairs: list[tuple[str, str | int | None]] = [
        ("QN", qn), ("ST", st), ("CN", cn), ("PW", pw), ("MN", mn), ("Flag", flag),
        ("PNUM", pnum), ("PNO", pno), *extra,
    ]  # fmt: skip
    return frame(f"{_header_text(pairs)}CP=&&{area}&&", max_length=max_length)


def _canonical_groups(cp: Cp) -> list[list[tuple[str, CpScalar]]]:
    """Fields regrouped the standard way: ``,`` within one code, ``;`` between codes."""
    groups: list[list[tuple[str, CpScalar]]] = []
    last: str | None = None
    for name, text in zip(cp.names, cp.texts, strict=True):
        head, dash, _ = name.partition("-")
        code = head if dash else None
        if code is None or code != last or not groups:
            groups.append([])
        groups[-1].append((name, text))
        last = code
    return groups


def encode_packet(packet: Packet, *, max_length: int = MAX_LENGTH_FIELD) -> bytes:
    """Re-encode a decoded packet in canonical form (tolerated deviations repaired).

    Decoding the result gives the same header and CP values, without the tolerances that the
    original wire form needed.
    """
    return encode(
        st=packet.st,
        cn=packet.cn,
        pw=packet.pw,
        mn=packet.mn,
        cp=_canonical_groups(packet.cp),
        qn=packet.qn,
        flag=None if packet.flag is None else packet.flag.value,
        pnum=packet.pnum,
        pno=packet.pno,
        extra=packet.extra,
        max_length=max_length,
    )


# --------------------------------------------------------------------------------------------
# Answers and commands (§8)
# --------------------------------------------------------------------------------------------


def _answer(packet: Packet, cn: str, cp: list[tuple[str, CpScalar]], qn_in_cp: bool) -> bytes:
    """Answer ``packet``: same QN/PW/MN, ST=91, Flag=4 (2017).

    2005 devices get Flag=0 (or no Flag if they sent none) and, for 9011/9012, the QN inside CP
    (``CP=&&QN=...;QnRtn=1&&``), as 2005 loggers do; their 9013/9014 keep QN where it came.
    """
    qn = packet.request_qn
    if packet.version == "2017":
        return encode(
            st="91", cn=cn, pw=packet.pw, mn=packet.mn, qn=qn, flag=4, cp=[cp] if cp else ""
        )
    flag = None if packet.flag is None else 0
    header_qn = packet.qn
    groups: list[CpGroup] = [[pair] for pair in cp]
    if qn is not None and (qn_in_cp or packet.qn is None):
        header_qn = None
        groups.insert(0, [("QN", qn)])
    return encode(st="91", cn=cn, pw=packet.pw, mn=packet.mn, qn=header_qn, flag=flag, cp=groups)


def request_answer(request: Packet, qn_rtn: int = QnRtn.READY) -> bytes:
    """9011 request answer (``QnRtn``, table 7) to a server-side request."""
    return _answer(request, "9011", [("QnRtn", int(qn_rtn))], qn_in_cp=True)


def execution_result(request: Packet, exe_rtn: int = ExeRtn.SUCCESS) -> bytes:
    """9012 execution result (``ExeRtn``, table 6) of a request."""
    return _answer(request, "9012", [("ExeRtn", int(exe_rtn))], qn_in_cp=True)


def notification_answer(notice: Packet) -> bytes:
    """9013 notification answer (empty CP), e.g. to a 1013 time-calibration notice."""
    return _answer(notice, "9013", [], qn_in_cp=False)


def data_answer(upload: Packet) -> bytes:
    """9014 data answer (empty CP, never QnRtn/ExeRtn) to an upload with Flag bit A set."""
    return _answer(upload, "9014", [], qn_in_cp=False)


def _command_flag(version: Literal["2017", "2005"]) -> int:
    return 5 if version == "2017" else 1  # version bits + A: the device must answer


def time_query(
    *,
    qn: str,
    st: str,
    mn: str,
    pw: str,
    pol_id: str | None = None,
    version: Literal["2017", "2005"] = "2017",
) -> bytes:
    """1011 request: ask the logger (or instrument ``pol_id``) for its clock."""
    cp: list[tuple[str, CpScalar]] = [] if pol_id is None else [("PolId", pol_id)]
    return encode(st=st, cn="1011", pw=pw, mn=mn, qn=qn, flag=_command_flag(version), cp=[cp])


def time_set(
    *,
    qn: str,
    st: str,
    mn: str,
    pw: str,
    system_time: datetime,
    pol_id: str | None = None,
    version: Literal["2017", "2005"] = "2017",
) -> bytes:
    """1012 request: set the logger (or instrument ``pol_id``) clock to ``system_time``."""
    cp: list[CpGroup] = [[("PolId", pol_id)]] if pol_id is not None else []
    cp.append([("SystemTime", system_time)])
    return encode(st=st, cn="1012", pw=pw, mn=mn, qn=qn, flag=_command_flag(version), cp=cp)
