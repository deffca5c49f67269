"""Stream framing and PNUM/PNO reassembly for HJ 212 over TCP (pure, no I/O).

:class:`Framer` turns the bytes of one connection into candidate frames: TCP delivers several
frames in one read, one frame over several reads, and garbage or damaged frames in between
(§1, §12 of HJ212.md). Frames are returned as ``bytes`` for :func:`.decode.decode` (which does
all validation, so the gateway can pick ``DecodeOptions`` per device); bytes the framer has to
throw away are reported as :class:`FramingError` values, never raised.

:class:`Reassembler` joins the parts of a split message (Flag bit D, PNUM/PNO).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Final

from eco263.monitoring.hj212.cp import Cp, build_cp
from eco263.monitoring.hj212.errors import (
    BadLengthFieldError,
    BufferOverflowError,
    FramingError,
    GarbageError,
    ReassemblyError,
    ReassemblyEvictedError,
    ReassemblyTimeoutError,
    SegmentError,
    UnterminatedFrameError,
)
from eco263.monitoring.hj212.packet import Packet

__all__ = [
    "BadLengthFieldError",
    "BufferOverflowError",
    "Framer",
    "FramingError",
    "GarbageError",
    "Message",
    "Reassembler",
    "ReassemblyError",
    "ReassemblyEvictedError",
    "ReassemblyTimeoutError",
    "SegmentError",
    "UnterminatedFrameError",
]

SAMPLE_LIMIT: Final = 1024
"""At most this many dropped bytes are kept in an error (for the dead-letter store)."""

# Where a frame most plausibly ends when the length field is wrong: the CP's closing "&&",
# the 4 CRC digits and a line end. Never inside a valid data segment, which has no line ends.
_PLAUSIBLE_END: Final = re.compile(rb"&&[0-9A-Fa-f]{4}\r?\n")
_SKIPPED: Final = b"\r\n"  # line ends between frames are not garbage (a late CRLF, keepalives)


class Framer:
    """Incremental framer for one connection.

    ``feed(data)`` returns, in stream order, complete candidate frames (``bytes`` starting with
    ``##``, including the trailing CRLF / LF when there is one) and :class:`FramingError` values.
    Rules, in order:

    1. skip CR/LF between frames silently; report anything else before ``##`` as garbage;
    2. ``##`` must be followed by 4 digits, else drop up to the next ``##`` (bad_length);
    3. if CRLF sits where the length field says the frame ends, that is the frame (fast path);
    4. else (a lying length field, a sender counting characters, a lone LF or no CRLF) the frame
       ends at the first ``&&XXXX`` + line end, or just before the next ``##``; ``decode()``
       then accepts or rejects it with the precise reason;
    5. a frame whose end has not come after the longest span its length allows (UTF-8: 4 bytes
       per character) is dropped (unterminated), so a lying length cannot stall the stream
       forever and memory stays bounded; ``max_buffer`` caps everything else.

    A frame without CRLF that is the last thing received stays pending until more bytes come
    or :meth:`flush` is called: call it after a short read timeout (e.g. 1 s without data).
    """

    def __init__(self, *, max_buffer: int = 65536) -> None:
        self.max_buffer = max_buffer
        self._buf = bytearray()
        self._pos = 0  # scan position in _buf
        self._base = 0  # stream offset of _buf[0]
        self._scanned = 0  # _buf index up to which no plausible end was found for _pos
        self._run: _DropRun | None = None  # contiguous dropped bytes not reported yet

    @property
    def pending(self) -> int:
        """Bytes buffered, waiting for the rest of a frame."""
        return len(self._buf) - self._pos

    @property
    def offset(self) -> int:
        """Stream offset of the next byte to be fed."""
        return self._base + len(self._buf)

    def feed(self, data: bytes) -> list[bytes | FramingError]:
        """Add bytes read from the connection; return the frames and errors they complete."""
        if not self._buf and self._run is None and _is_exact_frame(data):  # the common case
            self._base += len(data)
            return [bytes(data)]
        self._buf += data
        out: list[bytes | FramingError] = []
        while self._step(out):
            pass
        if self.pending > self.max_buffer:
            self._close_run(out)
            self._drop(self._pos, len(self._buf), BufferOverflowError, out)
            self._close_run(out)
        elif self._run is not None and self._run.size >= self.max_buffer:
            self._close_run(out)  # report endless garbage now, memory is bounded anyway
        self._compact()
        return out

    def flush(self) -> list[bytes | FramingError]:
        """Emit what is pending as a frame (or garbage): the connection went quiet or closed."""
        out: list[bytes | FramingError] = []
        while self._step(out):
            pass
        start, end = self._pos, len(self._buf)
        if end > start:
            if self._buf.startswith(b"##", start):
                self._emit(start, end, out)
            else:
                self._drop(start, end, GarbageError, out)
        self._close_run(out)
        self._compact()
        return out

    # -- internals ----------------------------------------------------------------------------

    def _step(self, out: list[bytes | FramingError]) -> bool:
        """Consume one frame or one run of garbage; False when more bytes are needed."""
        buf, n = self._buf, len(self._buf)
        pos = self._pos
        while pos < n and buf[pos] in _SKIPPED:
            pos += 1
        self._advance(pos)
        start = buf.find(b"##", pos)
        if start < 0:
            keep = 1 if n > pos and buf[n - 1] == 0x23 else 0  # a lone "#" may start "##"
            if n - keep > pos:
                self._drop(pos, n - keep, GarbageError, out)
            return False
        if start > pos:
            self._drop(pos, start, GarbageError, out)
        if n - start < 6:
            return False
        length_field = bytes(buf[start + 2 : start + 6])
        if not length_field.isdigit():
            after = buf.find(b"##", start + 1)
            self._drop(start, after if after >= 0 else n, BadLengthFieldError, out)
            return True
        end = start + 6 + int(length_field) + 4  # where the CRC should end
        if buf[end : end + 2] == b"\r\n":
            return self._emit(start, end + 2, out)
        frame_end = self._find_end(start, end, int(length_field))
        if frame_end is None:
            return False
        if frame_end < 0:
            limit = min(n, -frame_end)
            self._close_run(out)
            self._drop(start, limit, UnterminatedFrameError, out)
            return True
        return self._emit(start, frame_end, out)

    def _find_end(self, start: int, end: int, declared: int) -> int | None:
        """End of a frame whose CRLF is not where its length says.

        Returns the end index, None to wait for more bytes, or ``-limit`` when the frame can
        no longer be valid (dropped up to ``limit``).
        """
        buf, n = self._buf, len(self._buf)
        if n > end and buf[end] == 0x0A:  # lone LF
            return end + 1
        if buf[end : end + 2] == b"##":  # no CRLF, next frame follows at once
            return end
        longest = start + 6 + 4 * declared + 6  # UTF-8 counted as characters: <= 4 bytes each
        after = buf.find(b"##", max(start + 2, self._scanned - 1))
        limit = min(after if after >= 0 else n, longest)
        match = _PLAUSIBLE_END.search(buf, max(start + 6, self._scanned - 7), limit)
        if match is not None:
            return match.end()
        if 0 <= after < longest:
            return after  # cut short by the next frame: decode() will say why
        if n >= longest:
            return -longest
        self._scanned = n  # nothing before n: do not rescan it on the next feed
        return None

    def _emit(self, start: int, end: int, out: list[bytes | FramingError]) -> bool:
        self._close_run(out)
        out.append(bytes(self._buf[start:end]))
        self._advance(end)
        return True

    def _advance(self, pos: int) -> None:
        if pos != self._pos:
            self._pos = pos
            self._scanned = 0

    def _drop(
        self, start: int, end: int, kind: type[FramingError], out: list[bytes | FramingError]
    ) -> None:
        """Drop ``_buf[start:end]``; contiguous drops are reported as one error (first kind)."""
        run = self._run
        if run is not None and run.end != self._base + start:
            self._close_run(out)
            run = None
        if run is None:
            run = self._run = _DropRun(kind, self._base + start)
        room = SAMPLE_LIMIT - len(run.sample)
        if room > 0:
            run.sample += self._buf[start : min(end, start + room)]
        run.end = self._base + end
        self._advance(end)

    def _close_run(self, out: list[bytes | FramingError]) -> None:
        run, self._run = self._run, None
        if run is not None:
            size = run.end - run.start
            detail = f"{size} bytes dropped"
            out.append(run.kind(detail, run.start, bytes(run.sample), size))

    def _compact(self) -> None:
        if self._pos:
            del self._buf[: self._pos]
            self._base += self._pos
            self._scanned = max(0, self._scanned - self._pos)
            self._pos = 0


@dataclass(slots=True)
class _DropRun:
    kind: type[FramingError]
    start: int  # stream offsets
    end: int = 0
    sample: bytearray = field(default_factory=bytearray)

    @property
    def size(self) -> int:
        return self.end - self.start


def _is_exact_frame(data: bytes) -> bool:
    """``data`` is exactly one frame whose length field and CRLF agree."""
    length_field = data[2:6]
    return (
        data[:2] == b"##"
        and length_field.isdigit()
        and len(length_field) == 4
        and len(data) == int(length_field) + 12
        and data[-2:] == b"\r\n"
    )


# --------------------------------------------------------------------------------------------
# Reassembly of PNUM/PNO messages
# --------------------------------------------------------------------------------------------

MessageKey = tuple[str, str, datetime | None, int]


@dataclass(frozen=True, slots=True)
class Message:
    """A complete upload: one packet, or the PNUM parts of a split message in PNO order.

    ``cp`` merges the parts' CP fields in order (each part repeats DataTime: kept once).
    ``duplicates`` counts parts received more than once (retransmissions; the first is kept).
    """

    parts: tuple[Packet, ...]
    cp: Cp
    tolerances: tuple[str, ...] = ()
    duplicates: int = 0

    @property
    def first(self) -> Packet:
        return self.parts[0]

    @property
    def mn(self) -> str:
        return self.parts[0].mn

    @property
    def cn(self) -> str:
        return self.parts[0].cn


@dataclass(slots=True)
class _Pending:
    first_seen: float
    parts: dict[int, Packet] = field(default_factory=dict)
    duplicates: int = 0


class Reassembler:
    """Joins the parts of PNUM/PNO messages of one or more devices.

    Parts are grouped by (MN, CN, DataTime, PNUM): the standard gives every part its own QN
    (incremented by 1 ms, 2017 C.50), so QN cannot group them (HJ212.md §4). ``now`` is a
    monotonic time in seconds, injected by the caller. The default timeout is the standard's
    10 s GPRS timeout times its 3 retries. Memory is bounded by ``max_pending`` messages of at
    most ``max_parts`` parts.
    """

    def __init__(
        self, *, timeout: float = 30.0, max_pending: int = 256, max_parts: int = 64
    ) -> None:
        self.timeout = timeout
        self.max_pending = max_pending
        self.max_parts = max_parts
        self._pending: dict[MessageKey, _Pending] = {}

    @property
    def pending(self) -> int:
        """Number of incomplete messages held."""
        return len(self._pending)

    def add(self, packet: Packet, now: float) -> list[Message | ReassemblyError]:
        """Add a decoded packet; returns completed messages and given-up ones (oldest first).

        An unsegmented packet comes straight back as a one-part :class:`Message`.
        """
        out: list[Message | ReassemblyError] = list(self.expire(now))
        if packet.pnum is None or packet.pno is None:
            out.append(Message((packet,), packet.cp, packet.tolerances))
            return out
        key: MessageKey = (packet.mn, packet.cn, packet.cp.data_time, packet.pnum)
        if packet.pnum > self.max_parts:
            out.append(SegmentError(f"PNUM {packet.pnum} > {self.max_parts}", key, (packet,)))
            return out
        entry = self._pending.get(key)
        if entry is None:
            if len(self._pending) >= self.max_pending:
                old_key, old = next(iter(self._pending.items()))
                del self._pending[old_key]
                out.append(ReassemblyEvictedError("too many pending", old_key, _ordered(old)))
            entry = self._pending[key] = _Pending(now)
        if packet.pno in entry.parts:
            entry.duplicates += 1
        else:
            entry.parts[packet.pno] = packet
        if len(entry.parts) == packet.pnum:
            del self._pending[key]
            out.append(_merge(_ordered(entry), entry.duplicates))
        return out

    def expire(self, now: float) -> list[ReassemblyError]:
        """Give up messages older than the timeout (call it periodically)."""
        out: list[ReassemblyError] = []
        while self._pending:
            key, entry = next(iter(self._pending.items()))
            if now - entry.first_seen < self.timeout:
                break
            del self._pending[key]
            have = f"{len(entry.parts)} of {key[3]} parts after {self.timeout:g} s"
            out.append(ReassemblyTimeoutError(have, key, _ordered(entry)))
        return out


def _ordered(entry: _Pending) -> tuple[Packet, ...]:
    return tuple(entry.parts[pno] for pno in sorted(entry.parts))


def _merge(parts: tuple[Packet, ...], duplicates: int) -> Message:
    names: list[str] = []
    texts: list[str] = []
    for index, part in enumerate(parts):
        for name, text in zip(part.cp.names, part.cp.texts, strict=True):
            if index and name == "DataTime":
                continue
            names.append(name)
            texts.append(text)
    tolerances = list(dict.fromkeys(t for part in parts for t in part.tolerances))
    cp = build_cp(names, texts, tolerances)
    return Message(parts, cp, tuple(dict.fromkeys(tolerances)), duplicates)
