"""The gateway's point directory: which MN may send, with which password and CRC mode.

Every packet needs its point, so the directory is a dict in memory and the hot path never
waits for the database. Yet what the office registers or changes through the API or the pages
must be known to every running gateway process at once. Three mechanisms, each for a reason:

1. **Read-through.** A packet the cached entry would refuse — unknown MN, wrong password, a
   CRC that fails under the cached ``crc_mode`` — is decided on a fresh read of its point, not
   on the cache (:meth:`PointDirectory.fresh`). A point registered a moment ago is accepted on
   its first packet, in its own CRC dialect; a logger that follows a password or CRC-mode
   change is accepted on its next one. Each fresh read *starts after* the packet arrived
   (a read already in flight is never shared), so it sees every registration committed before
   the packet came.
2. **Notification** (PostgreSQL). Read-through cannot notice a *revocation*: a password changed
   away from the one a logger still sends, a point deactivated — the stale entry still accepts.
   The monitoring actions ``NOTIFY eco263_points, '<MN>'`` in their transaction (delivered only
   on commit) and every gateway drops that MN's entry on receipt, so its next packet is read
   through. On SQLite (one machine, no notifications) the full reload applies a revocation.
3. **Full reload** every ``reload_every`` seconds (30): the backstop, and how deactivated or
   removed points leave the cache on SQLite. Updates that land while a reload runs are applied
   again on top of its snapshot, so a reload never resurrects what a notification dropped.

**Bounded under hostile load.** Fresh reads are batched and single-flight: at most one query
in flight per gateway process, at most one per ``lookup_interval`` (50 ms: ≤ 20 queries/s),
each of at most ``lookup_batch_max`` MNs (256) on the unique MN index. At most
``lookup_pending_max`` distinct MNs wait for the next round; a packet beyond that is decided on
the cache (refused if unknown: its logger retransmits) and counted ``point_lookup_shed``. A
flood of unknown MNs, however fast and however random, costs the database at most 20 small
indexed reads a second per gateway process; a legitimate new point waits at most one round.

**Why no negative cache.** A per-MN "not registered" cache saves nothing against a flood of
random MNs (every one is new), which the global bound above already caps; it only helps a
flood repeating one MN, which the bound caps just as well. Its price would be that a point
registered after its logger's first attempts stays refused until the entry expires, unless
every gateway were told to drop it — a cross-process invalidation SQLite cannot deliver. So
the bound is global, not per MN, and a registration never has to wait anything out.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import psycopg

from eco263.monitoring.service import POINT_CHANGES, PointAuth, point_directory, points_by_mn
from eco263.runtime import Runtime

log = logging.getLogger(__name__)

_Update = PointAuth | None


@dataclass(frozen=True, slots=True)
class DirectoryConfig:
    reload_every: float = 30.0
    lookup_interval: float = 0.05
    lookup_batch_max: int = 256
    lookup_pending_max: int = 4096
    listen: bool = True  # PostgreSQL: LISTEN for point changes
    listen_wait: float = 10.0  # start() waits this long for the LISTEN before loading


class PointDirectory:
    """Cached points by MN, read through to the database when the cache would refuse.

    ``start()`` loads everything and starts the background tasks; ``close()`` stops them.
    """

    def __init__(self, rt: Runtime, config: DirectoryConfig, counts: Counter[str]) -> None:
        self.rt = rt
        self.config = config
        self.counts = counts
        self._points: dict[str, PointAuth] = {}
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="hj212-points")
        self._waiting: dict[str, asyncio.Future[_Update]] = {}
        self._wake = asyncio.Event()
        self._reloading: dict[str, _Update] | None = None  # updates made during a reload
        self._tasks: list[asyncio.Task[None]] = []
        self._listening = asyncio.Event()

    def get(self, mn: str) -> PointAuth | None:
        """The cached point (the hot path: no I/O)."""
        return self._points.get(mn)

    def __len__(self) -> int:
        return len(self._points)

    async def start(self) -> None:
        """LISTEN first, then load: a change committed in between is in the load or announced."""
        if self.config.listen and self.rt.engine.dialect.name == "postgresql":
            self._tasks.append(asyncio.create_task(self._listen(), name="hj212-points-listen"))
            try:
                await asyncio.wait_for(self._listening.wait(), self.config.listen_wait)
            except TimeoutError:
                log.warning("not yet listening for point changes; the periodic reload applies them")
        await self.reload()
        self._tasks += [
            asyncio.create_task(self._lookup_loop(), name="hj212-points-lookup"),
            asyncio.create_task(self._reload_loop(), name="hj212-points-reload"),
        ]

    async def close(self) -> None:
        for task in self._tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        for future in self._waiting.values():
            future.cancel()
        self._executor.shutdown(wait=True)

    async def reload(self) -> None:
        """Load every active point; updates made meanwhile are applied again on top."""
        self._reloading = {}
        try:
            loaded = await self._run(self._load_all)
            for mn, point in self._reloading.items():
                _apply(loaded, mn, point)
            self._points = loaded
        finally:
            self._reloading = None

    async def fresh(self, mn: str) -> PointAuth | None:
        """The point as the database has it now (None: not registered or not active).

        Joins the next lookup round (never one in flight). When too many MNs are waiting, or
        the database cannot be read, answers from the cache instead.
        """
        future = self._waiting.get(mn)
        if future is None:
            if len(self._waiting) >= self.config.lookup_pending_max:
                self.counts["point_lookup_shed"] += 1
                return self._points.get(mn)
            future = self._waiting[mn] = asyncio.get_running_loop().create_future()
            self._wake.set()
        return await asyncio.shield(future)  # a closing connection must not cancel the others

    def forget(self, mn: str) -> None:
        """Drop an MN's entry (its point changed): its next packet is read through."""
        self._update(mn, None)
        self.counts["point_forgotten"] += 1

    # -- background -----------------------------------------------------------------------------

    async def _lookup_loop(self) -> None:
        """Rounds of batched lookups, one at a time, at most one per ``lookup_interval``."""
        loop = asyncio.get_running_loop()
        while True:
            await self._wake.wait()
            self._wake.clear()
            while self._waiting:
                started = loop.time()
                await self._lookup_round()
                await asyncio.sleep(max(0.0, started + self.config.lookup_interval - loop.time()))

    async def _lookup_round(self) -> None:
        batch: dict[str, asyncio.Future[_Update]] = {}
        for mn in list(self._waiting)[: self.config.lookup_batch_max]:
            batch[mn] = self._waiting.pop(mn)
        self.counts["point_lookups"] += 1
        try:
            found: dict[str, PointAuth] | None = await self._run(self._load_some, list(batch))
        except Exception:
            log.exception("reading %d points from the database failed", len(batch))
            self.counts["point_lookup_failed"] += 1
            found = None
        for mn, future in batch.items():
            if found is None:
                result = self._points.get(mn)  # nothing fresher is known
            else:
                result = found.get(mn)
                self._update(mn, result)
            if not future.done():
                future.set_result(result)

    async def _reload_loop(self) -> None:
        while True:
            await asyncio.sleep(self.config.reload_every)
            try:
                await self.reload()
            except Exception:
                log.exception("reloading the point directory failed")

    async def _listen(self) -> None:
        """PostgreSQL: forget an MN the moment a change to its point commits; reconnect on loss."""
        url = self.rt.engine.url.set(drivername="postgresql")
        conninfo = url.render_as_string(hide_password=False)
        backoff, reconnecting = 0.5, False
        while True:
            try:
                async with await psycopg.AsyncConnection.connect(conninfo, autocommit=True) as conn:
                    await conn.execute(f"LISTEN {POINT_CHANGES}")
                    self._listening.set()
                    backoff = 0.5
                    if reconnecting:  # changes committed while nobody listened
                        await self.reload()
                    async for note in conn.notifies():
                        self.forget(note.payload)
            except Exception:
                log.warning("listening for point changes failed; retrying", exc_info=True)
            reconnecting = True
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, 30.0)

    # -- helpers --------------------------------------------------------------------------------

    def _update(self, mn: str, point: _Update) -> None:
        _apply(self._points, mn, point)
        if self._reloading is not None:
            self._reloading[mn] = point

    async def _run(
        self, function: Callable[..., dict[str, PointAuth]], *args: Any
    ) -> dict[str, PointAuth]:
        return await asyncio.get_running_loop().run_in_executor(self._executor, function, *args)

    def _load_all(self) -> dict[str, PointAuth]:
        with self.rt.sessions() as session:
            return point_directory(session)

    def _load_some(self, mns: Sequence[str]) -> dict[str, PointAuth]:
        with self.rt.sessions() as session:
            return points_by_mn(session, mns)


def _apply(points: dict[str, PointAuth], mn: str, point: _Update) -> None:
    if point is None:
        points.pop(mn, None)
    else:
        points[mn] = point
