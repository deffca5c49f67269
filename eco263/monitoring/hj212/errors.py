"""The typed failures of the HJ 212 protocol package: every one is an :class:`Hj212Error`.

``reason`` is a stable machine-readable code (dead-letter records and metrics use it) and
``position`` the byte offset where the problem was found. Decoding raises them (see
:mod:`.decode`); the framer reports its own subclasses as values (see :mod:`.framer`).
"""

from __future__ import annotations

__all__ = [
    "BadCrcError",
    "BadFieldError",
    "BadHeaderError",
    "BadLengthError",
    "Hj212Error",
    "LengthMismatchError",
    "OversizeError",
    "TruncatedError",
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
