"""CRC16 variants met on HJ 212 links.

* :func:`hj212` is the CRC of HJ 212-2017 Appendix A (HJ/T 212-2005 uses the same one). The
  standard calls it "ANSI CRC16", but before each byte it discards the low byte of the register:
  ``R = T[(R >> 8) ^ b]``. It is *not* CRC-16/MODBUS; CRC("123456789") is 0x2F80.
* :func:`modbus` is plain CRC-16/MODBUS (``R = (R >> 8) ^ T[(R ^ b) & 0xFF]``), 0x4B37 for the
  same string. Some loggers print it high byte first (:func:`modbus`), others low byte first
  (:func:`modbus_swapped`). Accept those only per device (see ``DecodeOptions.crc_mode``).

The fast versions come from the C extension ``_crc16`` (built by setup.py). Without it the
pure-Python table versions below are used; they are also the reference the tests compare with.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeAlias

__all__ = [
    "HAVE_C_EXTENSION",
    "TABLE",
    "BytesLike",
    "Crc16",
    "crc_hex",
    "hj212",
    "hj212_pure",
    "modbus",
    "modbus_pure",
    "modbus_swapped",
]

BytesLike: TypeAlias = bytes | bytearray | memoryview
Crc16: TypeAlias = Callable[[BytesLike], int]


def _build_table() -> tuple[int, ...]:
    """Reflected table of polynomial 0xA001: each index shifted right 8 times."""
    table = []
    for i in range(256):
        r = i
        for _ in range(8):
            r = (r >> 1) ^ 0xA001 if r & 1 else r >> 1
        table.append(r)
    return tuple(table)


TABLE: tuple[int, ...] = _build_table()


def hj212_pure(data: BytesLike) -> int:
    """HJ 212 CRC16 of ``data`` in pure Python (reference implementation)."""
    table = TABLE
    r = 0xFFFF
    for b in data:
        r = table[(r >> 8) ^ b]
    return r


def modbus_pure(data: BytesLike) -> int:
    """CRC-16/MODBUS of ``data`` in pure Python (reference implementation)."""
    table = TABLE
    r = 0xFFFF
    for b in data:
        r = (r >> 8) ^ table[(r ^ b) & 0xFF]
    return r


hj212: Crc16
modbus: Crc16
try:
    from eco263.monitoring.hj212._crc16 import hj212, modbus  # type: ignore[import-not-found,no-redef]

    HAVE_C_EXTENSION = True
except ImportError:  # extension not built: fall back to the reference implementation
    hj212 = hj212_pure
    modbus = modbus_pure
    HAVE_C_EXTENSION = False


def modbus_swapped(data: BytesLike) -> int:
    """CRC-16/MODBUS with its two bytes exchanged (the "low byte first" printing)."""
    r = modbus(data)
    return ((r & 0xFF) << 8) | (r >> 8)


def crc_hex(value: int) -> str:
    """The 4-character upper-case hex form used on the wire (high byte first)."""
    return f"{value:04X}"
