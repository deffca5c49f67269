"""Decode one HJ 212 frame (``##`` … CRC, optional CRLF) into a :class:`~.packet.Packet`.

Pure: no I/O and no database. Decoding is a pipeline of checks, each raising a specific
:class:`~.errors.Hj212Error` subclass: framing (``##``, 4-digit length, trailer) -> length ->
CRC -> header fields -> CP area (:mod:`.cp`). What a tolerant receiver accepts (§11) is
recorded in :attr:`Packet.tolerances` instead of being silently repaired, so the gateway can
log it and count it per device.

Performance: decoding a 740-byte minute packet is on the gateway's hot path
(bench/hj212_codec.py). The CRC is C (:mod:`.crc`); the header as the standard writes it is
matched by one regular expression (a fast path, not a cache); anything else takes the general
path, which accepts a superset and gives the same result.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from operator import methodcaller
from typing import Final, Literal, NamedTuple

from eco263.monitoring.hj212 import crc as _crc
from eco263.monitoring.hj212.cp import _ALTERNATING, _parse_cp
from eco263.monitoring.hj212.errors import (
    BadCrcError,
    BadFieldError,
    BadHeaderError,
    BadLengthError,
    LengthMismatchError,
    OversizeError,
    TruncatedError,
)
from eco263.monitoring.hj212.packet import (
    DEFAULT_OPTIONS,
    FLAGS,
    MAX_STANDARD_LENGTH,
    STANDARD_DIALECT,
    CrcMode,
    CrcVariant,
    DecodeOptions,
    Dialect,
    Flag,
    Packet,
)

__all__ = ["decode"]

_MIN_FRAME: Final = 10  # "##" + 4 digits + 0-byte segment + 4 CRC digits
_SPLIT_EQ: Final = methodcaller("split", "=", 1)


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
    return _decode_segment(text, frame, crc, tolerances, options.crc_mode)


def _decode_segment(
    text: str, frame: bytes, crc: int, tolerances: list[str], crc_mode: CrcMode
) -> Packet:
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
        _dialect(header.flag, tolerances, crc_mode),
    )


_STANDARD_BY_BITS: Final = {None: Dialect("hj212", None), 0: Dialect("hj212", 0)}
_CRC_BY_TOLERANCE: Final[tuple[tuple[str, CrcVariant], ...]] = (
    ("crc_modbus_swapped", "modbus_swapped"),
    ("crc_modbus", "modbus"),
)


def _dialect(flag: Flag | None, tolerances: list[str], crc_mode: CrcMode) -> Dialect:
    """The wire form to answer in: mirrored where ``crc_mode`` tolerates dialects (§2, §4)."""
    bits = None if flag is None else flag.version_bits
    if crc_mode == "hj212":  # a strict point: the standard form of its version
        return _STANDARD_BY_BITS.get(bits, STANDARD_DIALECT)
    for tolerance, variant in _CRC_BY_TOLERANCE:
        if tolerance in tolerances:
            return Dialect(variant, bits)
    return Dialect("hj212", bits)
