"""A data logger's own HJ 212 framing, written for the tests and independent of eco263.

Nothing here imports eco263: the CRCs are the bit-by-bit algorithms of the standard's Appendix A
and of CRC-16/MODBUS, not eco263's tables or its C extension. This is how a logger built on a
public HJ 212 client library with a Modbus CRC writes its frames and checks our answers; a
check that passes here means that logger accepts the answer.
"""

from __future__ import annotations

import re
from typing import Literal

Variant = Literal["hj212", "modbus", "modbus_swapped"]


def crc_hj212(data: bytes) -> int:
    """HJ 212-2017 Appendix A: before each byte the register's low byte is thrown away."""
    register = 0xFFFF
    for byte in data:
        register = (register >> 8) ^ byte
        for _ in range(8):
            register = (register >> 1) ^ 0xA001 if register & 1 else register >> 1
    return register


def crc_modbus(data: bytes) -> int:
    """CRC-16/MODBUS: init 0xFFFF, reflected polynomial 0xA001, the byte XORed into the low byte."""
    register = 0xFFFF
    for byte in data:
        register ^= byte
        for _ in range(8):
            register = (register >> 1) ^ 0xA001 if register & 1 else register >> 1
    return register


assert crc_hj212(b"123456789") == 0x2F80  # the check values of HJ212.md §2
assert crc_modbus(b"123456789") == 0x4B37


def crc_text(body: bytes, variant: Variant) -> str:
    """The 4 hex digits a logger of this variant writes after the data segment."""
    if variant == "hj212":
        return f"{crc_hj212(body):04X}"
    value = crc_modbus(body)
    if variant == "modbus_swapped":  # printed low byte first
        return f"{value & 0xFF:02X}{value >> 8:02X}"
    return f"{value:04X}"


def build(segment: str, variant: Variant) -> bytes:
    """``##`` + byte length + data segment + CRC of ``variant`` + CRLF."""
    body = segment.encode("utf-8")
    return b"##%04d" % len(body) + body + crc_text(body, variant).encode("ascii") + b"\r\n"


def upload(
    *,
    mn: str,
    pw: str = "123456",
    qn: str = "20180420100000123",
    flag: int = 9,
    data_time: str = "20180420100000",
    variant: Variant = "modbus_swapped",
) -> bytes:
    """A 2011 real-time upload as the Modbus-CRC client library writes it (Flag=9 by default)."""
    cp = f"DataTime={data_time};w01018-Rtd=12.5,w01018-Flag=N;w21003-Rtd=0.82,w21003-Flag=N"
    segment = f"QN={qn};ST=32;CN=2011;PW={pw};MN={mn};Flag={flag};CP=&&{cp}&&"
    return build(segment, variant)


_FRAME = re.compile(rb"##(\d{4})(.*)([0-9A-Fa-f]{4})\r\n", re.DOTALL)


def accepts(frame: bytes, variant: Variant) -> bool:
    """Whether a logger checking CRCs of ``variant`` accepts ``frame`` (length and CRC)."""
    match = _FRAME.fullmatch(frame)
    if match is None or int(match[1]) != len(match[2]):
        return False
    return match[3].decode("ascii").upper() == crc_text(match[2], variant)


def fields(frame: bytes) -> dict[str, str]:
    """The header fields of a frame (``QN``, ``CN``, ``Flag`` …) and ``CP`` (the area's text)."""
    match = _FRAME.fullmatch(frame)
    assert match is not None, frame
    header, _, area = match[2].decode("utf-8").partition("CP=&&")
    out = dict(part.split("=", 1) for part in header.rstrip(";").split(";") if part)
    out["CP"] = area.removesuffix("&&")
    return out
