"""The typed failures of the HJ 212 protocol package: every one is an :class:`Hj212Error`.

``reason`` is a stable machine-readable code (dead-letter records and metrics use it) and
``position`` the byte offset where the problem was found. Decoding raises them (see
:mod:`.decode`); the framer reports its own subclasses as values (see :mod:`.framer`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from eco263.monitoring.hj212.framer import MessageKey
    from eco263.monitoring.hj212.packet import Packet

__all__ = [
    "BadCrcError",
    "BadFieldError",
    "BadHeaderError",
    "BadLengthError",
    "BadLengthFieldError",
    "BufferOverflowError",
    "FramingError",
    "GarbageError",
    "Hj212Error",
    "LengthMismatchError",
    "OversizeError",
    "ReassemblyError",
    "ReassemblyEvictedError",
    "ReassemblyTimeoutError",
    "SegmentError",
    "TruncatedError",
    "UnterminatedFrameError",
]


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


class FramingError(Hj212Error):
    """Bytes dropped from the stream. ``position`` is their stream offset (bytes since start).

    ``data`` holds the first :data:`.framer.SAMPLE_LIMIT` dropped bytes, ``size`` how many were
    dropped.
    """

    reason = "framing"

    def __init__(self, detail: str, position: int, data: bytes, size: int) -> None:
        super().__init__(detail, position)
        self.data = data
        self.size = size


class GarbageError(FramingError):
    """Bytes that are not part of any frame (no ``##``)."""

    reason = "garbage"


class BadLengthFieldError(FramingError):
    """``##`` not followed by 4 digits (the damaged ``##9ST=…``); skipped to the next ``##``."""

    reason = "bad_length"


class UnterminatedFrameError(FramingError):
    """A frame start whose end never came within the longest span its length allows."""

    reason = "unterminated"


class BufferOverflowError(FramingError):
    """The connection buffer passed its cap; its content was dropped."""

    reason = "overflow"


class ReassemblyError(Hj212Error):
    """An incomplete message was given up. ``parts`` holds what had arrived (PNO order)."""

    reason = "reassembly"

    def __init__(self, detail: str, key: MessageKey, parts: tuple[Packet, ...]) -> None:
        super().__init__(detail, 0)
        self.key = key
        self.parts = parts


class ReassemblyTimeoutError(ReassemblyError):
    """Not all parts arrived within the timeout."""

    reason = "reassembly_timeout"


class ReassemblyEvictedError(ReassemblyError):
    """Dropped to keep at most ``max_pending`` incomplete messages."""

    reason = "reassembly_evicted"


class SegmentError(ReassemblyError):
    """A part that cannot be reassembled (PNUM above ``max_parts``)."""

    reason = "bad_segment"
