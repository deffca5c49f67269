"""The HJ 212 gateway: an asyncio TCP server that only frames, authenticates, stores, answers.

Per connection: bytes → :class:`Framer` → :func:`decode` (with the point's own options) →
password check → the shared writer → answer.  The writer groups the uploads of every
connection into one transaction (group commit) in a worker thread; an upload's 9014 answer
is written only after the transaction holding its packet has committed (invariant 2).
Anything malformed goes to the dead-letter store with its reason and never disturbs other
connections (invariant 3).

Points come from a cached directory that reads through to the database whenever the cache
would refuse a packet (:mod:`eco263.gateway.points`): a point registered a moment ago is served
on its first packet. Answers are written in the dialect the packet was accepted in (its CRC
variant and Flag version bits, where the point's ``crc_mode`` tolerates one), so a logger built
on a Modbus-CRC library accepts them instead of retransmitting for ever.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import sqlite3
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from typing import TypeAlias

import psycopg
from sqlalchemy import exc as sa_exc

from eco263.gateway.points import DirectoryConfig, PointDirectory
from eco263.monitoring.hj212 import (
    DEFAULT_OPTIONS,
    BadCrcError,
    Hj212Error,
    Packet,
    data_answer,
    decode,
    notification_answer,
)
from eco263.monitoring.hj212.framer import (
    Framer,
    FramingError,
    Message,
    Reassembler,
    ReassemblyError,
)
from eco263.monitoring.ingest import Rejected, Upload, ingest_batch, store_rejected
from eco263.monitoring.service import PointAuth
from eco263.runtime import Runtime

log = logging.getLogger(__name__)

ANSWER_CNS = frozenset({"9011", "9012", "9013", "9014"})
_MN = re.compile(rb"MN=([^;&]{1,32});")


@dataclass(frozen=True, slots=True)
class GatewayConfig:
    host: str = "127.0.0.1"
    port: int = 9212
    max_connections: int = 20000
    idle_timeout: float = 600.0  # HJ 212 loggers upload at least every few minutes
    flush_after: float = 2.0  # a frame without CRLF is taken as complete after this quiet time
    frame_timeout: float = 30.0  # a frame (or garbage) still incomplete after this: hang up
    max_buffer: int = 65536
    max_errors_per_connection: int = 50
    batch_max: int = 1000
    reuse_port: bool = False
    writers: int | None = None  # concurrent group-commit writers; None: 2 on PostgreSQL, else 1
    points: DirectoryConfig = field(default_factory=DirectoryConfig)  # reload, lookups, LISTEN


@dataclass(slots=True)
class _Job:
    upload: Upload | None
    rejected: Rejected | None
    done: asyncio.Future[None] | None


_Outcome: TypeAlias = tuple[asyncio.Future[None] | None, bytes | None]
"""What handling one frame gives: the store to wait for (if any), the answer (if any)."""


@dataclass(slots=True)
class GatewayStats:
    counts: Counter[str] = field(default_factory=Counter)
    connections: int = 0


class Gateway:
    """One gateway process.  ``start()``, then ``close()`` drains and stops."""

    def __init__(self, rt: Runtime, config: GatewayConfig) -> None:
        self.rt = rt
        self.config = config
        self.stats = GatewayStats()
        self.points = PointDirectory(rt, config.points, self.stats.counts)
        self._queue: asyncio.Queue[_Job] = asyncio.Queue()
        # SQLite has one writer at a time anyway; on PostgreSQL a second writer prepares and
        # sends the next batch while the server is still busy with (and fsyncing) the last one.
        self.writers = config.writers or (2 if rt.engine.dialect.name == "postgresql" else 1)
        self._executor = ThreadPoolExecutor(
            max_workers=self.writers, thread_name_prefix="hj212-writer"
        )
        self._server: asyncio.Server | None = None
        self._writer_tasks: list[asyncio.Task[None]] = []
        self._connections: set[asyncio.Task[None]] = set()
        self._closing = False

    @property
    def port(self) -> int:
        assert self._server is not None  # noqa: S101 - only after start()
        return int(self._server.sockets[0].getsockname()[1])

    async def start(self) -> None:
        await self.points.start()
        self._writer_tasks = [
            asyncio.create_task(self._write_loop(), name=f"hj212-writer-{i}")
            for i in range(self.writers)
        ]
        self._server = await asyncio.start_server(
            self._accept,
            self.config.host,
            self.config.port,
            reuse_port=self.config.reuse_port or None,
            backlog=4096,
        )
        log.info("HJ 212 gateway listening", extra={"port": self.port})

    async def close(self, drain_timeout: float = 10.0) -> None:
        """Stop accepting, let open connections finish what they have, commit, stop."""
        self._closing = True
        if self._server is not None:
            self._server.close()
        if self._connections:
            _done, pending = await asyncio.wait(self._connections, timeout=drain_timeout)
            for task in pending:
                task.cancel()
        await self._queue.join()
        for background in self._writer_tasks:
            background.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await background
        await self.points.close()
        self._executor.shutdown(wait=True)

    # -- connections -------------------------------------------------------------------------

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self._closing or self.stats.connections >= self.config.max_connections:
            self.stats.counts["refused_connection"] += 1
            writer.close()
            return
        task = asyncio.current_task()
        assert task is not None  # noqa: S101
        self._connections.add(task)
        self.stats.connections += 1
        try:
            await _Connection(self, reader, writer).run()
        except (ConnectionError, asyncio.IncompleteReadError):
            self.stats.counts["connection_reset"] += 1
        finally:
            self.stats.connections -= 1
            self._connections.discard(task)
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()

    @property
    def closing(self) -> bool:
        return self._closing

    def submit(self, job: _Job) -> None:
        self._queue.put_nowait(job)

    # -- the writer: group commit ------------------------------------------------------------

    async def _write_loop(self) -> None:
        while True:
            jobs = [await self._queue.get()]
            while len(jobs) < self.config.batch_max and not self._queue.empty():
                jobs.append(self._queue.get_nowait())
            try:
                await self._commit(jobs)
            finally:
                for _ in jobs:
                    self._queue.task_done()

    async def _commit(self, jobs: list[_Job]) -> None:
        """Write one batch and settle its futures.

        When the data, not the database, is at fault, one packet must not take the others of
        its batch down with it (nor, resent, the next batches): the batch is split in halves
        until the culprit is alone, and that one goes to the dead letters, unanswered.
        """
        loop = asyncio.get_running_loop()
        try:
            await loop.run_in_executor(self._executor, self._write, jobs)
        except Exception as exc:
            if _database_unavailable(exc) or len(jobs) == 1:
                log.exception("writing a batch of %d failed", len(jobs))
                if len(jobs) == 1 and not _database_unavailable(exc):
                    await self._store_failed(jobs[0], exc)
                _settle(jobs, exc)
                return
            self.stats.counts["batch_split"] += 1
            half = len(jobs) // 2
            await self._commit(jobs[:half])
            await self._commit(jobs[half:])
        else:
            _settle(jobs, None)

    async def _store_failed(self, job: _Job, exc: Exception) -> None:
        if job.upload is None:
            return  # a dead letter that could not be stored: logged above, nothing more to do
        u = job.upload
        letter = Rejected(
            u.received_at, u.peer, u.packet.raw, "store_failed", str(exc)[:500], None,
            u.packet.mn, None,
        )  # fmt: skip
        self.stats.counts["store_failed_dead_letter"] += 1
        try:
            await asyncio.get_running_loop().run_in_executor(
                self._executor, self._write, [_Job(None, letter, None)]
            )
        except Exception:
            log.exception("could not keep the refused packet as a dead letter")

    def _write(self, jobs: list[_Job]) -> None:
        uploads = [j.upload for j in jobs if j.upload is not None]
        rejected = [j.rejected for j in jobs if j.rejected is not None]
        with self.rt.sessions() as session, session.begin():
            result = ingest_batch(session, uploads)
            store_rejected(session, rejected)
        self.stats.counts["packets_stored"] += result.packets
        self.stats.counts["dead_letters"] += len(rejected)
        self.stats.counts["batches"] += 1


def _database_unavailable(exc: Exception) -> bool:
    """The database (not the batch's content) failed: splitting the batch would not help."""
    return isinstance(
        exc,
        sa_exc.OperationalError | sa_exc.InterfaceError | psycopg.OperationalError
        | psycopg.InterfaceError | sqlite3.OperationalError | OSError,
    )  # fmt: skip


def _settle(jobs: list[_Job], exc: Exception | None) -> None:
    for job in jobs:
        if job.done is not None and not job.done.done():
            if exc is None:
                job.done.set_result(None)
            else:
                job.done.set_exception(exc)


class _Connection:
    """One logger's TCP connection; answers go out in the order packets came in."""

    def __init__(
        self, gw: Gateway, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        self.gw = gw
        self.reader = reader
        self.writer = writer
        peer = writer.get_extra_info("peername")
        self.peer = f"{peer[0]}:{peer[1]}" if isinstance(peer, tuple) else str(peer)
        self.framer = Framer(max_buffer=gw.config.max_buffer)
        self.reassembler = Reassembler()
        self.errors = 0
        self.now: Callable[[], datetime] = gw.rt.clock.now

    async def run(self) -> None:
        """Read, frame, answer; hang up when idle, on a frame that never completes, on EOF.

        A frame is "in progress" from the first byte that did not complete anything until
        something completes.  Bytes trickling in (slow loris) do not extend its deadline
        (``frame_timeout``); a pause of ``flush_after`` with bytes pending ends the frame (senders
        that omit the CRLF wait for their 9014 after the last byte).
        """
        config = self.gw.config
        clock = asyncio.get_running_loop().time
        since: float | None = None  # when the frame in progress started
        while not self.gw.closing:
            timeout = config.idle_timeout
            if since is not None:
                timeout = min(timeout, since + config.frame_timeout - clock())
                if self.framer.pending:
                    timeout = min(timeout, config.flush_after)
            try:
                async with asyncio.timeout(max(timeout, 0.0)):  # no task per read, unlike wait_for
                    data = await self.reader.read(65536)
            except TimeoutError:
                if since is None:
                    self.gw.stats.counts["idle_timeout"] += 1
                    return
                expired = clock() - since >= config.frame_timeout
                items = self.framer.flush()
                since = None
                if not await self._finish(items) or expired:
                    self.gw.stats.counts["frame_timeout" if expired else "flushed"] += 1
                    return
                self.gw.stats.counts["flushed"] += 1
                continue
            if not data:
                await self._finish(self.framer.flush())
                return
            items = self.framer.feed(data)
            if items:
                since = clock() if self.framer.pending else None
            elif since is None and data.strip(b"\r\n"):
                since = clock()
            elif since is not None and clock() - since >= config.frame_timeout:
                await self._finish(self.framer.flush())
                self.gw.stats.counts["frame_timeout"] += 1
                return
            if items and not await self._finish(items):
                return

    async def _finish(self, items: list[bytes | FramingError]) -> bool:
        """Handle frames in order; False when the connection should be dropped."""
        waits: list[_Outcome] = []
        for item in items:
            if isinstance(item, FramingError):
                waits.append((self._reject(item.data, item, _mn_of(item.data)), None))
                continue
            outcome = self._handle(item)
            if outcome is None:  # only the point as the database has it now can decide
                outcome = await self._handle_fresh(item)
            waits.append(outcome)
        for done, answer in waits:
            if done is not None:
                try:
                    await done
                except Exception:
                    self.gw.stats.counts["store_failed"] += 1
                    continue
            if answer is not None:
                self.writer.write(answer)
                self.gw.stats.counts["answers"] += 1
        if waits:
            await self.writer.drain()
        return self.errors < self.gw.config.max_errors_per_connection

    def _handle(self, item: bytes) -> _Outcome | None:
        """Decide on the cached point (the hot path); None when the cache would refuse.

        An unknown MN, a CRC that fails under the cached ``crc_mode`` and a wrong password are
        decided on a fresh read instead: the point may have been registered or changed since.
        """
        mn = _mn_of(item)
        point = self.gw.points.get(mn) if mn is not None else None
        if point is None:
            return None
        try:
            packet = decode(item, point.options)
        except BadCrcError:
            return None
        except Hj212Error as exc:
            return self._reject(item, exc, mn), None
        if packet.pw != point.password or packet.mn != point.mn:
            return None
        return self._accept(packet, point)

    async def _handle_fresh(self, item: bytes) -> _Outcome:
        """Decide on the point as the database has it now (bounded: see ``points.py``)."""
        mn = _mn_of(item)
        if mn is None:  # not where the quick scan looks: the strict decoder finds it, or says why
            try:
                mn = decode(item).mn
            except Hj212Error as exc:
                return self._reject(item, exc, None), None
        return self._decide(item, mn, await self.gw.points.fresh(mn))

    def _decide(self, item: bytes, mn: str, point: PointAuth | None) -> _Outcome:
        try:
            packet = decode(item, point.options if point else DEFAULT_OPTIONS)
        except Hj212Error as exc:
            return self._reject(item, exc, mn), None
        if point is not None and packet.mn != point.mn:
            point = None
        if point is None or packet.pw != point.password:
            self._refuse(packet, point)
            return None, None
        return self._accept(packet, point)

    def _accept(
        self, packet: Packet, point: PointAuth
    ) -> tuple[asyncio.Future[None], bytes | None]:
        received = self.now()
        uploads = self._uploads(packet, point, received)
        futures = [self._enqueue(u) for u in uploads]
        answer = self._answer(packet, point)
        self.gw.stats.counts[f"cn_{packet.cn}"] += 1
        return futures[-1], answer

    def _uploads(self, packet: Packet, point: PointAuth, received: datetime) -> list[Upload]:
        if packet.cn in ANSWER_CNS or packet.cp.data_time is None:
            return [Upload(point.id, packet, self.peer, received, None)]
        cp = None
        for outcome in self.reassembler.add(packet, time.monotonic()):
            if isinstance(outcome, Message):
                cp = outcome.cp
            else:
                self._reassembly_failed(outcome, received)
        return [Upload(point.id, packet, self.peer, received, cp)]

    def _reassembly_failed(self, error: ReassemblyError, received: datetime) -> None:
        detail = {"key": [str(k) for k in error.key], "parts": [p.pno for p in error.parts]}
        rejected = Rejected(
            received, self.peer, b"", error.reason, str(error), None, error.key[0], detail
        )
        self.gw.submit(_Job(None, rejected, None))

    def _enqueue(self, upload: Upload) -> asyncio.Future[None]:
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.gw.submit(_Job(upload, None, done))
        return done

    @staticmethod
    def _answer(packet: Packet, point: PointAuth) -> bytes | None:
        """9013 to a 1013, 9014 to an upload that asks; in the packet's own dialect."""
        if packet.cn in ANSWER_CNS:
            return None  # never answer an answer
        if packet.cn == "1013":
            return notification_answer(packet, packet.dialect)
        if packet.ack_requested or (point.always_ack and packet.qn is not None):
            return data_answer(packet, packet.dialect)
        return None

    def _reject(self, data: bytes, exc: Hj212Error, mn: str | None) -> asyncio.Future[None]:
        self.errors += 1
        self.gw.stats.counts[f"rejected_{exc.reason}"] += 1
        rejected = Rejected(
            self.now(), self.peer, data, exc.reason, str(exc), exc.position, mn, None
        )
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.gw.submit(_Job(None, rejected, done))
        return done

    def _refuse(self, packet: Packet, point: PointAuth | None) -> None:
        """Unknown MN or wrong password: refused and logged, nothing stored."""
        self.errors += 1
        reason = "unknown_mn" if point is None else "bad_password"
        self.gw.stats.counts[reason] += 1
        log.warning("HJ 212 packet refused: %s", reason, extra={"mn": packet.mn, "peer": self.peer})


def _mn_of(data: bytes) -> str | None:
    match = _MN.search(data, 0, 200)
    return match.group(1).decode("ascii", "replace") if match else None


async def serve(rt: Runtime, config: GatewayConfig, stop: asyncio.Event) -> Gateway:
    """Run until ``stop`` is set, then drain and close."""
    gateway = Gateway(rt, config)
    await gateway.start()
    await stop.wait()
    await gateway.close()
    return gateway
