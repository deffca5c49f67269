"""Encode HJ 212 packets: frames, CP areas, the answers a gateway sends (§8) and commands.

Pure: no I/O and no database. Every encoder refuses (ValueError) what would not decode back to
itself; lengths count UTF-8 bytes and the CRC is the standard's (:mod:`.crc`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Final, Literal, TypeAlias

from eco263.monitoring.hj212 import crc as _crc
from eco263.monitoring.hj212.cp import Cp, _tokenize_fast
from eco263.monitoring.hj212.packet import (
    MAX_LENGTH_FIELD,
    MAX_STANDARD_LENGTH,
    SHANGHAI,
    STANDARD_DIALECT,
    CrcVariant,
    Dialect,
    ExeRtn,
    Packet,
    QnRtn,
)

__all__ = [
    "CpGroup",
    "CpScalar",
    "data_answer",
    "encode",
    "encode_packet",
    "execution_result",
    "format_cp",
    "format_time",
    "format_value",
    "frame",
    "make_qn",
    "notification_answer",
    "request_answer",
    "standard_dialect",
    "time_query",
    "time_set",
]

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


_CRC: Final[dict[str, _crc.Crc16]] = {
    "hj212": _crc.hj212,
    "modbus": _crc.modbus,
    "modbus_swapped": _crc.modbus_swapped,
}


def frame(
    segment: str, *, max_length: int = MAX_STANDARD_LENGTH, crc: CrcVariant = "hj212"
) -> bytes:
    """Wrap a data segment: ``##`` + 4-digit byte length + segment + CRC + CRLF.

    The CRC is the standard's unless ``crc`` names a variant (a logger's dialect, §2).
    """
    body = segment.encode("utf-8")
    if len(body) > max_length:
        raise ValueError(f"data segment of {len(body)} bytes > {max_length}; split it (PNUM/PNO)")
    value = _crc.hj212(body) if crc == "hj212" else _CRC[crc](body)
    return b"##%04d%b%04X\r\n" % (len(body), body, value)


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
    crc: CrcVariant = "hj212",
) -> bytes:
    """Encode one packet. ``cp`` is CP area text, or groups of ``(name, value)`` pairs.

    Header fields are written in the standard order (QN ST CN PW MN Flag PNUM PNO); a None
    QN/Flag is omitted (2005 style). ``crc`` picks the CRC variant (see :func:`frame`). Raises
    ValueError for values that would break the grammar or a segment longer than ``max_length``
    bytes.
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
    return frame(f"{_header_text(pairs)}CP=&&{area}&&", max_length=max_length, crc=crc)


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


_STANDARD_2005: Final = (Dialect("hj212", None), Dialect("hj212", 0))


def standard_dialect(packet: Packet) -> Dialect:
    """The standard form of ``packet``'s version: Flag=4 for 2017, Flag=0 (or none) for 2005."""
    if packet.version == "2017":
        return STANDARD_DIALECT
    return _STANDARD_2005[packet.flag is not None]


def _answer(
    packet: Packet,
    cn: str,
    cp: list[tuple[str, CpScalar]],
    qn_in_cp: bool,
    dialect: Dialect | None,
) -> bytes:
    """Answer ``packet``: same QN/PW/MN, ST=91, in ``dialect`` (default: the standard form).

    The Flag is the dialect's version bits without A and D: Flag=4 for 2017; 2005 devices get
    Flag=0 (or no Flag if they sent none) and, for 9011/9012, the QN inside CP
    (``CP=&&QN=...;QnRtn=1&&``), as 2005 loggers do; their 9013/9014 keep QN where it came.
    The CRC is the dialect's variant.
    """
    if dialect is None:
        dialect = standard_dialect(packet)
    flag = None if dialect.version_bits is None else dialect.version_bits << 2
    qn = packet.request_qn
    if packet.version == "2017":
        area: list[CpGroup] | str = [cp] if cp else ""
        return encode(
            st="91", cn=cn, pw=packet.pw, mn=packet.mn, qn=qn, flag=flag, cp=area, crc=dialect.crc
        )
    header_qn = packet.qn
    groups: list[CpGroup] = [[pair] for pair in cp]
    if qn is not None and (qn_in_cp or packet.qn is None):
        header_qn = None
        groups.insert(0, [("QN", qn)])
    return encode(
        st="91", cn=cn, pw=packet.pw, mn=packet.mn, qn=header_qn, flag=flag, cp=groups,
        crc=dialect.crc,
    )  # fmt: skip


def request_answer(
    request: Packet, qn_rtn: int = QnRtn.READY, dialect: Dialect | None = None
) -> bytes:
    """9011 request answer (``QnRtn``, table 7) to a server-side request.

    ``dialect``: the wire form to answer in, normally ``request.dialect`` as the decoder
    recorded it; None answers in the standard form (this holds for every answer below).
    """
    return _answer(request, "9011", [("QnRtn", int(qn_rtn))], True, dialect)


def execution_result(
    request: Packet, exe_rtn: int = ExeRtn.SUCCESS, dialect: Dialect | None = None
) -> bytes:
    """9012 execution result (``ExeRtn``, table 6) of a request."""
    return _answer(request, "9012", [("ExeRtn", int(exe_rtn))], True, dialect)


def notification_answer(notice: Packet, dialect: Dialect | None = None) -> bytes:
    """9013 notification answer (empty CP), e.g. to a 1013 time-calibration notice."""
    return _answer(notice, "9013", [], False, dialect)


def data_answer(upload: Packet, dialect: Dialect | None = None) -> bytes:
    """9014 data answer (empty CP, never QnRtn/ExeRtn) to an upload with Flag bit A set."""
    return _answer(upload, "9014", [], False, dialect)


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
