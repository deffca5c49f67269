"""One simulated HJ 212 data logger over TCP (see :mod:`.simulator` for running many).

The signal (values, scenarios, which records exist) is pure and lives in ``signals``; this
module is only the transport, written the way real data loggers behave:

* each logger connects to the platform (it is the TCP client), sends every record with
  Flag bit A set and keeps it in its own queue until the 9014 answer with the same QN comes
  back; a record not answered within ``ack_timeout`` is sent again (same bytes, same QN), and
  after ``retries`` unanswered attempts the connection is taken as dead and re-opened;
* a lost connection puts everything unanswered back into the queue (补传 after reconnecting,
  oldest first), and reconnecting backs off exponentially while the platform is down;
* up to ``window`` records may be in flight on a connection (uploads are not stop-and-wait).

Time: a simulated clock runs ``speedup`` times faster than the wall clock from ``start``; a
record is produced when the clock passes the end of its interval, and its QN is the simulated
send time.  ``speedup=0`` drops the pacing: records are produced as fast as answers allow.

Every answered record is appended to the ack log (JSON lines: mn, cn, qn, data_time); a test or
the fault drill compares it with the database: nothing answered may be missing.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import json
import logging
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import IO, Final

from eco263.monitoring import signals
from eco263.monitoring.hj212 import Hj212Error, crc, decode
from eco263.monitoring.signals import Due

log = logging.getLogger(__name__)

#: (packet to keep sending, damaged bytes for the first transmission or None)
Built = tuple[bytes, bytes | None]
Builder = Callable[[Due, str], Built]


@dataclass(frozen=True, slots=True)
class SimulatorConfig:
    """Transport settings (wall-clock seconds unless said otherwise)."""

    host: str = "127.0.0.1"
    port: int = 9212
    speedup: float = 60.0
    window: int = 16
    ack_timeout: float = 5.0
    retries: int = 3
    backoff_min: float = 0.05
    backoff_max: float = 2.0
    connect_timeout: float = 5.0
    drain_timeout: float = 60.0
    collect_latency: bool = False


@dataclass(slots=True)
class LoggerStats:
    mn: str
    produced: int = 0
    transmissions: int = 0
    retransmissions: int = 0
    damaged: int = 0
    acked: int = 0
    connects: int = 0
    connect_failures: int = 0
    connection_losses: int = 0


class SimClock:
    """Simulated time: ``start`` at creation, then ``speedup`` × wall time."""

    def __init__(self, start: datetime, speedup: float) -> None:
        if start.tzinfo is None:
            raise ValueError("the simulated clock needs an aware start time")
        self.start = start
        self.speedup = speedup
        self._t0 = time.monotonic()

    def now(self) -> datetime:
        return self.start + timedelta(seconds=(time.monotonic() - self._t0) * self.speedup)

    def wall_until(self, at: datetime) -> float:
        """Wall seconds until the simulated clock reaches ``at`` (≤ 0 if it has)."""
        return (at - self.now()).total_seconds() / self.speedup


class AckLog:
    """JSON lines of answered records, buffered and flushed by :meth:`flush`."""

    def __init__(self, path: Path | None) -> None:
        self._file: IO[str] | None = path.open("a", encoding="utf-8") if path else None
        self._lines: list[str] = []
        self.count = 0

    def add(self, mn: str, cn: str, qn: str, data_time: datetime, attempts: int) -> None:
        self.count += 1
        if self._file is not None:
            entry = {
                "mn": mn,
                "cn": cn,
                "qn": qn,
                "data_time": data_time.isoformat(),
                "attempts": attempts,
            }
            self._lines.append(json.dumps(entry, ensure_ascii=False))

    def flush(self) -> None:
        if self._file is not None and self._lines:
            self._file.write("\n".join(self._lines) + "\n")
            self._file.flush()
            self._lines.clear()

    def close(self) -> None:
        self.flush()
        if self._file is not None:
            self._file.close()


def read_ack_log(path: Path) -> list[dict[str, str]]:
    """The entries of an ack log."""
    with path.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


@dataclass(slots=True)
class _Outgoing:
    seq: int
    cn: str
    data_time: datetime
    qn: str
    data: bytes
    first: bytes | None  # damaged bytes for the first transmission
    attempts: int = 0
    sent_at: float = 0.0
    acked: bool = False
    in_flight: bool = False

    def __lt__(self, other: _Outgoing) -> bool:
        return self.seq < other.seq


class LoggerSim:
    """One data logger: produces records from ``plan``, sends them, resends until answered."""

    def __init__(
        self,
        mn: str,
        plan: Iterator[Due],
        build: Builder,
        config: SimulatorConfig,
        clock: SimClock | None,
        ack_log: AckLog,
        *,
        offline: Callable[[datetime], bool] | None = None,
        latencies: list[tuple[float, float]] | None = None,
        on_ack: Callable[[], None] | None = None,
    ) -> None:
        self.mn = mn
        self.stats = LoggerStats(mn)
        self._plan = plan
        self._build = build
        self._config = config
        self._clock = clock if config.speedup > 0 else None
        self._ack_log = ack_log
        self._offline = offline
        self._latencies = latencies
        self._on_ack = on_ack
        self._queue: list[_Outgoing] = []  # heap by seq: retransmissions go first
        self._unacked: dict[str, _Outgoing] = {}
        self._in_flight: dict[str, _Outgoing] = {}
        self._wake = asyncio.Event()
        self._room = asyncio.Event()
        self._produced_all = False
        self._stop_producing = False
        self._seq = 0
        self._last_qn = ""

    @property
    def unacked(self) -> int:
        return len(self._unacked)

    @property
    def produced_all(self) -> bool:
        return self._produced_all

    @property
    def done(self) -> bool:
        return self._produced_all and not self._unacked

    def stop_producing(self) -> None:
        """Produce nothing more; keep sending what is queued (used for timed load runs)."""
        self._stop_producing = True
        self._wake.set()
        self._room.set()

    async def run(self) -> None:
        producer = asyncio.create_task(self._produce(), name=f"produce-{self.mn}")
        try:
            await self._connect_loop()
        finally:
            producer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await producer

    # -- producing -----------------------------------------------------------------------------

    async def _produce(self) -> None:
        for due in self._plan:
            if self._stop_producing:
                break
            if self._clock is not None:
                wait = self._clock.wall_until(due.due)
                if wait > 0:
                    await asyncio.sleep(wait)
                sent = self._clock.now()
            else:
                while len(self._unacked) >= self._config.window and not self._stop_producing:
                    self._room.clear()
                    await self._room.wait()
                sent = due.due
            if self._stop_producing:
                break
            qn = self._next_qn(sent)
            data, first = self._build(due, qn)
            out = _Outgoing(self._seq, due.cn, due.data_time, qn, data, first)
            self._seq += 1
            self._unacked[qn] = out
            heapq.heappush(self._queue, out)
            self.stats.produced += 1
            self._wake.set()
        self._produced_all = True
        self._wake.set()

    def _next_qn(self, at: datetime) -> str:
        qn = signals.make_qn(at)
        while qn <= self._last_qn:  # QNs of one logger are unique and increasing
            at += timedelta(milliseconds=1)
            qn = signals.make_qn(at)
        self._last_qn = qn
        return qn

    # -- connection ----------------------------------------------------------------------------

    def _is_offline(self) -> bool:
        return (
            self._offline is not None
            and self._clock is not None
            and self._offline(self._clock.now())
        )

    def _offline_pause(self) -> float:
        """Wall seconds to wait before looking again whether the logger is back on."""
        speedup = self._clock.speedup if self._clock is not None else 1.0
        return min(1.0, max(0.01, 60.0 / speedup))

    async def _connect_loop(self) -> None:
        cfg = self._config
        backoff = cfg.backoff_min
        while not self.done:
            if self._is_offline():
                await asyncio.sleep(self._offline_pause())
                continue
            if not self._unacked:
                self._wake.clear()
                if self.done:
                    break
                await self._wake.wait()
                continue
            try:
                reader, writer = await asyncio.wait_for(
                    asyncio.open_connection(cfg.host, cfg.port), cfg.connect_timeout
                )
            except (OSError, TimeoutError):
                self.stats.connect_failures += 1
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, cfg.backoff_max)
                continue
            backoff = cfg.backoff_min
            self.stats.connects += 1
            try:
                await self._session(reader, writer)
            finally:
                self._requeue_in_flight()
                writer.close()
                with contextlib.suppress(Exception):
                    await writer.wait_closed()

    async def _session(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """Send and resend on one connection until done, offline, or the connection dies."""
        lost = asyncio.Event()
        acks = asyncio.create_task(self._read_answers(reader, lost))
        try:
            await self._send_loop(writer, lost)
        finally:
            acks.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await acks

    async def _send_loop(self, writer: asyncio.StreamWriter, lost: asyncio.Event) -> None:
        cfg = self._config
        loop = asyncio.get_running_loop()
        while not self.done and not lost.is_set():
            if self._is_offline():
                return
            self._wake.clear()
            now = loop.time()
            if self._expire(now):
                self.stats.connection_losses += 1
                return  # answers stopped coming: the connection is half-open
            sent = False
            while self._queue and len(self._in_flight) < cfg.window:
                out = heapq.heappop(self._queue)
                if out.acked or out.in_flight:
                    continue
                self._transmit(writer, out, now)
                sent = True
            try:
                if sent:
                    await writer.drain()
            except (ConnectionError, RuntimeError):
                self.stats.connection_losses += 1
                return
            timeout = self._next_deadline(loop.time())
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout)
        if lost.is_set():
            self.stats.connection_losses += 1

    def _transmit(self, writer: asyncio.StreamWriter, out: _Outgoing, now: float) -> None:
        data = out.data
        if out.attempts == 0 and out.first is not None:
            data = out.first
            self.stats.damaged += 1
        if out.attempts > 0:
            self.stats.retransmissions += 1
        out.attempts += 1
        out.sent_at = now
        out.in_flight = True
        self._in_flight[out.qn] = out
        self.stats.transmissions += 1
        writer.write(data)

    def _expire(self, now: float) -> bool:
        """Put unanswered packets back in the queue; True if the connection looks dead."""
        timeout = self._config.ack_timeout
        expired = [o for o in self._in_flight.values() if now - o.sent_at >= timeout]
        dead = False
        for out in expired:
            del self._in_flight[out.qn]
            out.in_flight = False
            heapq.heappush(self._queue, out)
            if out.attempts >= self._config.retries:
                dead = True
        return dead

    def _next_deadline(self, now: float) -> float:
        if not self._in_flight:
            return self._config.ack_timeout
        oldest = min(o.sent_at for o in self._in_flight.values())
        return max(0.001, oldest + self._config.ack_timeout - now)

    def _requeue_in_flight(self) -> None:
        for out in self._in_flight.values():
            out.in_flight = False
            heapq.heappush(self._queue, out)
        self._in_flight.clear()

    async def _read_answers(self, reader: asyncio.StreamReader, lost: asyncio.Event) -> None:
        try:
            while True:
                line = await reader.readuntil(b"\r\n")
                self._answer(line)
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError, OSError):
            pass
        finally:
            lost.set()
            self._wake.set()

    def _answer(self, line: bytes) -> None:
        qn = _data_answer_qn(line)
        if qn is None:
            return
        out = self._unacked.pop(qn, None)
        if out is None:
            return  # a late answer to a packet answered already
        out.acked = True
        if self._in_flight.pop(out.qn, None) is not None and self._latencies is not None:
            now = asyncio.get_running_loop().time()
            self._latencies.append((now, now - out.sent_at))
        self.stats.acked += 1
        self._ack_log.add(self.mn, out.cn, out.qn, out.data_time, out.attempts)
        if self._on_ack is not None:
            self._on_ack()
        self._room.set()
        self._wake.set()


_ANSWER: Final = re.compile(
    rb"##(\d{4})QN=(\d{17});ST=91;CN=(\d{4});PW=[^;]*;MN=[^;]*;Flag=\d+;CP=&&"
)


def _data_answer_qn(line: bytes) -> str | None:
    """The QN a 9014 data answer acknowledges, None for anything else (or a broken answer)."""
    match = _ANSWER.match(line)
    if match is not None and line.endswith(b"\r\n"):  # the usual form: check it cheaply
        body = line[6:-6]
        if int(match[1]) == len(body) and line[-6:-2] == b"%04X" % crc.hj212(body):
            return match[2].decode() if match[3] == b"9014" else None
    try:
        answer = decode(line)
    except Hj212Error:
        log.warning("simulated logger: undecodable answer %r", line[:80])
        return None
    return answer.request_qn if answer.cn == "9014" else None
