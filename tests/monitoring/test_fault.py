"""Fault drill: ``kill -9`` the gateway process mid-stream; nothing it acknowledged is lost.

``eco263 gateway`` runs as a subprocess on the test database (SQLite file or PostgreSQL); the
simulated loggers stream at full speed; when about a third of the records are answered the
gateway is killed with SIGKILL and started again on the same port.  The loggers reconnect and
resend what was not answered (补传).  Every record in the ack log must be in the database.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from eco263.gateway.sim_logger import SimulatorConfig, read_ack_log
from eco263.gateway.simulator import Plan, SimReport, simulate
from eco263.monitoring import signals
from eco263.monitoring.models import MonitoringPoint, Reading
from eco263.runtime import Runtime
from tests.factories.monitoring import register_point

SEED = 9
LOGGERS = 20


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class GatewayProcess:
    """``eco263 gateway`` in a child process."""

    def __init__(self, url: str, port: int, log: Path) -> None:
        self.url, self.port, self.log = url, port, log
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        env = {**os.environ, "ECO263_DATABASE_URL": self.url}
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(  # noqa: S603 - our own CLI
                [sys.executable, "-m", "eco263", "gateway", "--host", "127.0.0.1",
                 "--port", str(self.port)],
                env=env, stdout=out, stderr=subprocess.STDOUT,
            )  # fmt: skip
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, self.log.read_text()
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            time.sleep(0.05)
        raise AssertionError("gateway did not start: " + self.log.read_text())

    def kill9(self) -> None:
        assert self.proc is not None
        os.kill(self.proc.pid, signal.SIGKILL)
        assert self.proc.wait(10) == -signal.SIGKILL

    def stop(self) -> int:
        if self.proc is None or self.proc.poll() is not None:
            return self.proc.returncode if self.proc else 0
        self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(20)


def _plan() -> Plan:
    points = signals.make_points(LOGGERS, seed=SEED, medium="mixed")
    scenarios = [
        signals.scenario("tamper-dilution" if i == 0 else "normal") for i in range(LOGGERS)
    ]
    return Plan(
        tuple(zip(points, scenarios, strict=True)),
        datetime(2018, 4, 20, 8, 0, tzinfo=signals.SHANGHAI),
        timedelta(hours=2),
        seed=SEED,
        cns=("2011", "2051", "2061"),
        rtd_interval=60,
        min_interval=1,
    )


@pytest.mark.slow
def test_kill_9_mid_stream_loses_nothing_acknowledged(rt: Runtime, tmp_path: Path) -> None:
    plan = _plan()
    with rt.unit_of_work() as ctx:
        for point, _ in plan.loggers:
            register_point(ctx, mn=point.mn, password=point.password, medium=point.medium)
    expected = plan.expected()
    port = _free_port()
    gateway = GatewayProcess(rt.settings.database_url, port, tmp_path / "gateway.log")
    ack_log = tmp_path / "acks.jsonl"
    config = SimulatorConfig(port=port, speedup=0, window=8, ack_timeout=2.0, backoff_max=0.3)
    acked = [0]
    acked_at_kill: list[int] = []

    async def drill() -> SimReport:
        killed = asyncio.Event()

        def on_ack() -> None:
            acked[0] += 1
            if acked[0] >= expected // 3 and not acked_at_kill:
                acked_at_kill.append(acked[0])
                killed.set()

        sim = asyncio.create_task(simulate(plan, config, ack_log_path=ack_log, on_ack=on_ack))
        await asyncio.wait_for(killed.wait(), 40)
        await asyncio.to_thread(gateway.kill9)
        await asyncio.sleep(0.5)  # loggers find the door shut and back off
        await asyncio.to_thread(gateway.start)
        return await asyncio.wait_for(sim, 40)

    started = time.monotonic()
    gateway.start()
    try:
        report = asyncio.run(drill())
    finally:
        exit_code = gateway.stop()
    assert time.monotonic() - started < 60
    assert exit_code == 0, gateway.log.read_text()[-2000:]

    assert report.complete and report.total("acked") == expected
    assert 0 < acked_at_kill[0] < expected  # the kill came mid-stream
    assert report.total("connection_losses") >= LOGGERS // 2  # the kill cut live connections
    assert report.total("connect_failures") > 0  # and the loggers knocked while it was down

    entries = read_ack_log(ack_log)
    acknowledged = {(e["mn"], e["cn"], datetime.fromisoformat(e["data_time"])) for e in entries}
    assert len(acknowledged) == len(entries) == expected
    with rt.sessions() as s:
        rows = s.execute(
            select(MonitoringPoint.mn, Reading.cn, Reading.data_time)
            .join(MonitoringPoint, MonitoringPoint.id == Reading.point_id)
            .distinct()
        ).all()
    stored = {(mn, cn, data_time) for mn, cn, data_time in rows}
    missing = acknowledged - stored
    assert not missing, sorted(missing)[:5]
    assert stored == acknowledged
