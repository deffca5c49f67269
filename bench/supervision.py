"""Supervision docking benchmark (issue 5): clues through the outbox to the reference receiver.

Everything is real and separate, as deployed: a fresh eco263 database (SQLite file, or a new
``eco263_bench_*`` PostgreSQL database), the worker as ``eco263 outbox run`` in its own process,
the reference receiver as ``eco263 supervision-receiver`` in its own process with its own
SQLite store, and this script as the producer opening clues through ``do_open_clue`` (one
transaction per clue: clue + evidence + outbox row + audit event).  Not a test: it measures.

    .venv/bin/python bench/supervision.py --backend sqlite --clues 10000
    .venv/bin/python bench/supervision.py --backend postgres --clues 10000 --outage 60

Phases (each with its own ``--clues`` clues):

  1. **burst** — open all clues with the worker stopped, then start it: drain throughput;
  2. **steady** — worker and receiver up, clues opened at ``--rate``/s: cause→delivery latency
     (cause = the clue's commit, delivery = the receiver's commit, both wall clock);
  3. **outage** — the same, with the receiver down for the first ``--outage`` seconds.

Each phase ends by checking exactly-once: the receiver holds each clue once and eco263 has every
outbox row ``delivered``.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC
from pathlib import Path

from sqlalchemy import create_engine, func, select, text

from eco263 import migrate
from eco263.actor import SYSTEM
from eco263.audit.actions import ensure_head
from eco263.clock import SystemClock
from eco263.config import Settings
from eco263.outbox.models import OutboxEvent
from eco263.registry.models import Organization
from eco263.runtime import Runtime
from eco263.seed import seed_reference
from eco263.supervision.actions.rules_checks import TamperingFacts, do_open_tampering_clue
from eco263.supervision.receiver.store import rx_clue
from eco263.wiring import build_runtime

ROOT = Path(__file__).resolve().parents[1]
PG_ADMIN = os.environ.get(
    "ECO263_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def eco263_database(backend: str, workdir: Path) -> Iterator[str]:
    if backend == "sqlite":
        yield f"sqlite:///{workdir / 'eco263.db'}"
        return
    name = f"eco263_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield PG_ADMIN.rsplit("/", 1)[0] + "/" + name
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


class Process:
    """An eco263 command in its own process (worker or receiver)."""

    def __init__(self, args: list[str], env: dict[str, str], log: Path) -> None:
        self.log = log.open("ab")
        self.proc = subprocess.Popen(  # noqa: S603 - our own CLI
            [sys.executable, "-m", "eco263", *args],
            cwd=ROOT,
            env={**os.environ, **env},
            stdout=self.log,
            stderr=self.log,
        )

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(5)
        self.log.close()


@dataclass
class Bench:
    rt: Runtime
    env: dict[str, str]
    receiver_db: str
    receiver_port: int
    workdir: Path
    org_id: int
    serial: int = 0

    def open_clue(self) -> tuple[int, float]:
        """One cause, one transaction; returns the clue id and its commit time (wall clock)."""
        self.serial += 1
        with self.rt.unit_of_work(SYSTEM) as ctx:
            clue = do_open_tampering_clue(
                ctx,
                TamperingFacts(
                    point_mn=f"BENCH{self.serial:09d}",
                    division_code="320583",
                    responsible_org_id=self.org_id,
                    detector="bench",
                    detected_at=ctx.now,
                    evidence_pack={"sha256": f"{self.serial:064x}", "bench": True},
                ),
            )
            assert clue is not None
            clue_id = clue.id
        return clue_id, time.time()

    def start_receiver(self) -> Process:
        proc = Process(
            [
                "supervision-receiver",
                "--port",
                str(self.receiver_port),
                "--database",
                self.receiver_db,
            ],
            self.env,
            self.workdir / "receiver.log",
        )
        wait_port(self.receiver_port)
        return proc

    def start_worker(self) -> Process:
        return Process(["outbox", "run"], self.env, self.workdir / "worker.log")

    def received(self, clue_ids: set[int]) -> dict[int, float]:
        engine = create_engine(self.receiver_db)
        with engine.connect() as conn:
            rows = conn.execute(select(rx_clue.c.clue_id, rx_clue.c.received_at)).all()
        engine.dispose()
        out: dict[int, float] = {}
        for clue_id, at in rows:
            if clue_id in clue_ids:
                assert clue_id not in out, f"clue {clue_id} stored twice"
                # UTCDateTime gives aware UTC; a naive value would be UTC too
                out[clue_id] = at.replace(tzinfo=at.tzinfo or UTC).timestamp()
        return out

    def pending(self) -> int:
        with self.rt.sessions() as s:
            return int(s.scalar(select(func.count()).where(OutboxEvent.state != "delivered")) or 0)

    def count_received(self, clue_ids: set[int]) -> int:
        engine = create_engine(self.receiver_db)
        with engine.connect() as conn:
            n = conn.scalar(
                select(func.count()).where(
                    rx_clue.c.clue_id >= min(clue_ids), rx_clue.c.clue_id <= max(clue_ids)
                )
            )
        engine.dispose()
        return int(n or 0)

    def wait_drained(self, clue_ids: set[int], timeout: float) -> float:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.count_received(clue_ids) >= len(clue_ids) and self.pending() == 0:
                if len(self.received(clue_ids)) != len(clue_ids):
                    raise SystemExit("receiver holds other clues than those sent")
                return time.time()
            time.sleep(0.25)
        raise SystemExit(f"not drained within {timeout} s: {self.pending()} pending")


def wait_port(port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise SystemExit(f"port {port} did not open")


def produce(bench: Bench, count: int, rate: float | None) -> dict[int, float]:
    """Open ``count`` clues, at ``rate`` per second if given (else as fast as possible)."""
    causes: dict[int, float] = {}
    start = time.monotonic()
    for i in range(count):
        if rate:
            delay = start + i / rate - time.monotonic()
            if delay > 0:
                time.sleep(delay)
        clue_id, at = bench.open_clue()
        causes[clue_id] = at
    return causes


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def latency_line(name: str, causes: dict[int, float], received: dict[int, float]) -> str:
    lat = [received[c] - causes[c] for c in causes]
    return (
        f"| {name} | {len(causes):,} | {pct(lat, 0.50):.2f} | {pct(lat, 0.99):.2f} | "
        f"{max(lat):.2f} | {statistics.mean(lat):.2f} |"
    )


def run(args: argparse.Namespace) -> None:
    workdir = Path(tempfile.mkdtemp(prefix="eco263_bench_supervision_"))
    with eco263_database(args.backend, workdir) as url:
        migrate.upgrade(url)
        settings = Settings(database_url=url, data_dir=workdir)
        rt = build_runtime(settings, SystemClock())
        with rt.unit_of_work(SYSTEM) as ctx:
            ensure_head(ctx.session)
            seed_reference(ctx)
            org = ctx.session.scalar(
                select(Organization.id).where(Organization.name == "昆山市环保局")
            )
        assert org is not None
        port = free_port()
        env = {
            "ECO263_DATABASE_URL": url,
            "ECO263_DATA_DIR": str(workdir),
            "ECO263_SUPERVISION_URL": f"http://127.0.0.1:{port}",
            "PYTHONPATH": str(ROOT),
        }
        bench = Bench(rt, env, f"sqlite:///{workdir / 'receiver.db'}", port, workdir, org)
        print(f"# supervision bench — {args.backend}, {args.clues:,} clues per phase")
        print(f"machine: {platform.platform()}, {os.cpu_count()} CPUs, load {os.getloadavg()}")
        rows: list[str] = []

        # 1. burst: everything queued, then the worker starts
        receiver = bench.start_receiver()
        t0 = time.time()
        causes = produce(bench, args.clues, None)
        made = time.time() - t0
        print(f"burst: opened {args.clues:,} clues in {made:.1f} s ({args.clues / made:.0f}/s)")
        worker = bench.start_worker()
        started = time.time()
        done = bench.wait_drained(set(causes), args.timeout)
        drain = done - started
        print(f"burst: drained in {drain:.1f} s → {args.clues / drain:.0f} clues/s")
        burst = latency_line(
            "burst (queued, then worker started)", causes, bench.received(set(causes))
        )

        # 2. steady: worker and receiver up, a steady rate of causes
        causes = produce(bench, args.clues, args.rate)
        bench.wait_drained(set(causes), args.timeout)
        steady = latency_line(
            f"steady, {args.rate:g}/s, receiver up", causes, bench.received(set(causes))
        )

        # 3. outage: receiver down for the first --outage seconds
        receiver.stop()
        t0 = time.monotonic()
        causes = {}
        back: Process | None = None
        start = time.monotonic()
        for i in range(args.clues):
            delay = start + i / args.rate - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            if back is None and time.monotonic() - t0 >= args.outage:
                back = bench.start_receiver()
            clue_id, at = bench.open_clue()
            causes[clue_id] = at
        while back is None:
            if time.monotonic() - t0 >= args.outage:
                back = bench.start_receiver()
            time.sleep(0.05)
        up_at = time.time()
        done = bench.wait_drained(set(causes), args.timeout)
        outage = latency_line(
            f"receiver down first {args.outage:g} s, {args.rate:g}/s",
            causes,
            bench.received(set(causes)),
        )
        worker.stop()
        back.stop()
        rows = [burst, steady, outage]
        print()
        print(
            f"Throughput (burst drain, one worker, concurrency {settings.outbox_concurrency}): "
            f"**{args.clues / drain:.0f} clues/s** ({args.clues:,} in {drain:.1f} s); "
            f"producer {args.clues / made:.0f} clues/s"
        )
        back_in = done - up_at
        print(f"Outage: all {args.clues:,} delivered {back_in:.1f} s after the receiver came back")
        print()
        print("| phase | clues | p50 s | p99 s | max s | mean s |")
        print("|---|---:|---:|---:|---:|---:|")
        for row in rows:
            print(row)
        print("\nexactly-once: each phase's clues stored once by the receiver, all rows delivered")
        rt.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--backend", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--clues", type=int, default=10_000)
    parser.add_argument(
        "--rate", type=float, default=100.0, help="causes per second (steady, outage)"
    )
    parser.add_argument("--outage", type=float, default=60.0, help="receiver down this long (s)")
    parser.add_argument("--timeout", type=float, default=900.0)
    run(parser.parse_args())


if __name__ == "__main__":
    main()
