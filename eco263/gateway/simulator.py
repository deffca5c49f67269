"""HJ 212 data-logger simulator: many loggers over TCP, driven by :mod:`eco263.monitoring.signals`.

The loggers themselves (transport, retransmission, the ack log) are in :mod:`.sim_logger`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from eco263.gateway.sim_logger import (
    AckLog,
    Builder,
    Built,
    LoggerSim,
    LoggerStats,
    SimClock,
    SimulatorConfig,
)
from eco263.monitoring import signals
from eco263.monitoring.signals import Due, PointSpec, Scenario, SignalGenerator

log = logging.getLogger(__name__)


@dataclass(slots=True)
class SimReport:
    loggers: list[LoggerStats]
    unacked: int
    wall_seconds: float
    latencies: list[tuple[float, float]] = field(default_factory=list)
    """(answer time, latency) in loop time, for answers to the latest transmission."""

    def total(self, name: str) -> int:
        return sum(int(getattr(s, name)) for s in self.loggers)

    @property
    def complete(self) -> bool:
        return self.unacked == 0


@dataclass(frozen=True, slots=True)
class Plan:
    """What to simulate: points (each with its scenario), the period and the record kinds."""

    loggers: tuple[tuple[PointSpec, Scenario], ...]
    start: datetime
    duration: timedelta
    seed: int = 263
    cns: tuple[str, ...] = signals.RECORD_CNS
    rtd_interval: int = 60
    min_interval: int = 10

    @property
    def end(self) -> datetime:
        return self.start + self.duration

    def generator(self, index: int) -> SignalGenerator:
        point, scenario = self.loggers[index]
        return SignalGenerator(point, scenario, self.seed)

    def schedule(self, gen: SignalGenerator) -> Iterator[Due]:
        return signals.schedule(
            self.start,
            self.end,
            cns=self.cns,
            rtd_interval=self.rtd_interval,
            min_interval=self.min_interval,
            offline=gen if gen.scenario.kind == "offline" else None,
        )

    def expected(self) -> int:
        """How many records the plan sends in all."""
        return sum(
            sum(1 for _ in self.schedule(self.generator(i))) for i in range(len(self.loggers))
        )


def record_builder(plan: Plan, gen: SignalGenerator) -> Builder:
    """Build a record's packet (and its damaged first transmission, under ``bad-crc``)."""

    def build(due: Due, qn: str) -> Built:
        record = gen.record(due.cn, due.data_time, min_interval=plan.min_interval)
        data = signals.packet(gen.point, record, qn)
        first = signals.packet(gen.point, record, qn, damaged=True) if gen.damaged(record) else None
        return data, first

    return build


async def run_loggers(
    loggers: Iterable[LoggerSim], config: SimulatorConfig, *, ack_log: AckLog
) -> SimReport:
    """Run loggers until every one is done; give up ``drain_timeout`` s after production ends."""
    sims = list(loggers)
    started = time.monotonic()
    tasks = [asyncio.create_task(s.run(), name=f"logger-{s.mn}") for s in sims]
    flusher = asyncio.create_task(_flush_every(ack_log, 0.5))
    try:
        await _wait_loggers(sims, tasks, config.drain_timeout)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        flusher.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await flusher
        ack_log.flush()
    return SimReport(
        [s.stats for s in sims], sum(s.unacked for s in sims), time.monotonic() - started
    )


async def _wait_loggers(
    sims: list[LoggerSim], tasks: list[asyncio.Task[None]], drain: float
) -> None:
    pending = set(tasks)
    drain_started: float | None = None
    while pending:
        _done, pending = await asyncio.wait(pending, timeout=0.2)
        if drain_started is None and all(s.produced_all for s in sims):
            drain_started = time.monotonic()
        if drain_started is not None and time.monotonic() - drain_started > drain:
            log.warning("simulator: %d loggers still unanswered after drain", len(pending))
            return


async def _flush_every(ack_log: AckLog, seconds: float) -> None:
    while True:
        await asyncio.sleep(seconds)
        ack_log.flush()


async def simulate(
    plan: Plan,
    config: SimulatorConfig,
    *,
    ack_log_path: Path | None = None,
    on_ack: Callable[[], None] | None = None,
) -> SimReport:
    """Simulate ``plan`` against the gateway at ``config.host:config.port``."""
    clock = SimClock(plan.start, config.speedup) if config.speedup > 0 else None
    ack_log = AckLog(ack_log_path)
    latencies: list[tuple[float, float]] | None = [] if config.collect_latency else None
    sims = []
    for i in range(len(plan.loggers)):
        gen = plan.generator(i)
        sims.append(
            LoggerSim(
                gen.point.mn,
                plan.schedule(gen),
                record_builder(plan, gen),
                config,
                clock,
                ack_log,
                offline=gen.offline if gen.scenario.kind == "offline" else None,
                latencies=latencies,
                on_ack=on_ack,
            )
        )
    try:
        report = await run_loggers(sims, config, ack_log=ack_log)
    finally:
        ack_log.close()
    if latencies is not None:
        report.latencies = latencies
    return report
