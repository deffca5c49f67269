"""What the decoder produces and is told: :class:`Packet`, its :class:`Flag`, the answer codes
and the per-device :class:`DecodeOptions`.

Pure: no I/O and no database. The CP data area of a packet is a :class:`~.cp.Cp` (module
:mod:`.cp`). Section numbers (§n) refer to ``/work/shared/reference/HJ212.md``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum
from typing import TYPE_CHECKING, Final, Literal, TypeAlias
from zoneinfo import ZoneInfo

if TYPE_CHECKING:
    from eco263.monitoring.hj212.cp import Cp

__all__ = [
    "DEFAULT_OPTIONS",
    "FLAGS",
    "MAX_LENGTH_FIELD",
    "MAX_STANDARD_LENGTH",
    "SHANGHAI",
    "STANDARD_DIALECT",
    "CrcMode",
    "CrcVariant",
    "DecodeOptions",
    "Dialect",
    "ExeRtn",
    "Flag",
    "Packet",
    "QnRtn",
]

SHANGHAI: Final = ZoneInfo("Asia/Shanghai")
"""DataTime and every other HJ 212 time is device-local China time without a zone (§12.7)."""

MAX_STANDARD_LENGTH: Final = 1024
"""Largest data segment the standard allows (§1); longer ones are tolerated and flagged."""

MAX_LENGTH_FIELD: Final = 9999

CrcMode: TypeAlias = Literal[
    "hj212", "accept_modbus", "accept_modbus_swapped", "accept_modbus_plain", "ignore"
]

CrcVariant: TypeAlias = Literal["hj212", "modbus", "modbus_swapped"]
"""How a CRC field is computed (§2): the standard's; CRC-16/MODBUS printed high byte first
(``modbus``, the ``crc_modbus`` tolerance); or printed low byte first (``modbus_swapped``)."""


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


@dataclass(frozen=True, slots=True)
class Dialect:
    """The wire form a logger writes in, recorded by the decoder so that answers match it.

    A logger built on a non-standard HJ 212 library checks our answers with its own CRC: answer
    it in the standard's CRC and it rejects the answer and retransmits for ever. ``crc`` is the
    variant the packet's CRC field verified under; ``version_bits`` its Flag version bits
    (V5..V0, §4), None when it had no Flag. An answer's Flag is ``version_bits << 2`` (no A, no
    D) and its CRC is ``crc`` (see :func:`.encode.data_answer`).

    The decoder records a non-standard dialect only where the point's ``crc_mode`` tolerates
    one (any mode but ``"hj212"``). A strict point is always answered in the standard form of
    its version: the standard CRC, Flag=4 for 2017 (unknown version bits included: they are
    read as 2017, §4) and Flag=0 or none for 2005. Under ``"ignore"`` the CRC variant is not
    identified, so the standard CRC is used.
    """

    crc: CrcVariant = "hj212"
    version_bits: int | None = 1


STANDARD_DIALECT: Final = Dialect()
"""HJ 212-2017 as written: the standard CRC, Flag version bits 000001."""


@dataclass(frozen=True, slots=True)
class Packet:
    """A decoded HJ 212 packet.

    ``qn`` is the header QN (2005 devices often put it inside CP instead: see ``request_qn``).
    ``version`` is ``"2017"`` when the Flag version bits are 000001 (or an unknown non-zero
    value, flagged ``unknown_version_bits``) and ``"2005"`` when they are zero or Flag is absent.
    ``data`` is the data segment text (UTF-8, invalid bytes replaced); ``raw`` the whole frame as
    received, kept as evidence. ``extra`` keeps unknown header fields in wire order.
    ``dialect`` is the wire form to answer it in (see :class:`Dialect`).
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
    dialect: Dialect = STANDARD_DIALECT

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
