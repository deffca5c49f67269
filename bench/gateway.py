"""HJ 212 gateway benchmark (issue 3): acknowledged minute packets per second, end to end.

Loopback TCP, three kinds of process: the gateway (``eco263 gateway``'s code, 1 or more
processes with SO_REUSEPORT), the load generator (a separate process: 2,000 simulated data
loggers of ``eco263.gateway.simulator``, each sending 2051 minute packets of a water
point with 8 pollutants and waiting for the 9014 of each) and the database (PostgreSQL on
127.0.0.1:5432, or a SQLite file).  On a 2-core machine all three compete for the cores.

    .venv/bin/python bench/gateway.py --backend postgres --loggers 2000 --duration 30
    .venv/bin/python bench/gateway.py --backend postgres --rate 4000      # open loop: latency
    .venv/bin/python bench/gateway.py --backend sqlite --duration 30
    .venv/bin/python bench/gateway.py --backend postgres --profile prof.txt  # py-spy the gateway

Two modes.  Closed loop (default): every logger keeps ``--window`` packets in flight and sends
the next when one is answered: the figure is the saturation throughput (latency there is only
Little's law: in flight / throughput).  Open loop (``--rate R``): loggers send on a schedule,
R packets/s in all, each logger at its own phase in the minute: the figure is the ack latency
at that load.  Only the measurement window (after ``--warmup``) counts; afterwards the bench
checks that every acknowledged packet is in the database.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import json
import os
import platform
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Coroutine, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import create_engine, func, select, text

from eco263 import migrate
from eco263.audit.actions import ensure_head
from eco263.config import Settings
from eco263.gateway.sim_logger import (
    AckLog,
    LoggerSim,
    SimClock,
    SimulatorConfig,
    read_ack_log,
)
from eco263.monitoring import signals
from eco263.monitoring.actions import do_register_point
from eco263.monitoring.hj212 import frame
from eco263.monitoring.models import MonitoringPoint, RawPacket, Reading
from eco263.seed import seed_reference
from eco263.wiring import build_runtime

T = TypeVar("T")
PG_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
START = datetime(2026, 11, 1, tzinfo=signals.SHANGHAI)
TEMPLATES = 10  # distinct value sets per logger (DataTime is always new)
SEED = 212
HZ = os.sysconf("SC_CLK_TCK")


# -- processes and CPU ---------------------------------------------------------------------------


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process (and its threads)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except FileNotFoundError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / HZ


def postgres_pids() -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                if (entry / "comm").read_text().strip() == "postgres":
                    pids.append(int(entry.name))
    return pids


def machine_busy() -> tuple[float, float, float]:
    """(busy, softirq, total) jiffies of all CPUs, from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:8]]
    idle = values[3] + values[4]
    return float(sum(values) - idle), float(values[6]), float(sum(values))


@dataclass(slots=True)
class CpuSample:
    at: float
    gateway: float
    load: float
    postgres: float
    busy: float
    softirq: float
    total: float


def sample_cpu(gateways: Sequence[int], load: int, pg: Sequence[int]) -> CpuSample:
    busy, softirq, total = machine_busy()
    return CpuSample(
        time.monotonic(),
        sum(cpu_seconds(p) for p in gateways),
        cpu_seconds(load),
        sum(cpu_seconds(p) for p in pg),
        busy,
        softirq,
        total,
    )


# -- database --------------------------------------------------------------------------------------


@dataclass(slots=True)
class BenchDb:
    backend: str
    url: str
    drop: str | None = None
    directory: Path | None = None

    def cleanup(self) -> None:
        if self.drop:
            admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{self.drop}" WITH (FORCE)'))
            admin.dispose()
        if self.directory:
            shutil.rmtree(self.directory, ignore_errors=True)


def make_db(backend: str, points: Sequence[signals.PointSpec]) -> BenchDb:
    if backend == "postgres":
        name = f"eco263_bench_gw_{os.getpid()}_{uuid.uuid4().hex[:6]}"
        admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        db = BenchDb(backend, PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name, drop=name)
    else:
        directory = Path(tempfile.mkdtemp(prefix="eco263_bench_gw_"))
        db = BenchDb(backend, f"sqlite:///{directory / 'bench.db'}", directory=directory)
    migrate.upgrade(db.url)
    rt = build_runtime(Settings(database_url=db.url))
    with rt.unit_of_work() as ctx:
        ensure_head(ctx.session)
        seed_reference(ctx)
    with rt.unit_of_work() as ctx:
        for p in points:
            do_register_point(
                ctx, mn=p.mn, password=p.password, name=p.name, medium=p.medium,
                division_code="320583",
            )  # fmt: skip
    rt.engine.dispose()
    return db


# -- the gateway process ---------------------------------------------------------------------------


def serve(args: argparse.Namespace) -> None:
    """Child process: the gateway of ``eco263 gateway``, with the bench's configuration."""
    from eco263.gateway.cli import run_gateway
    from eco263.gateway.server import GatewayConfig

    wanted: dict[str, Any] = {
        "host": "127.0.0.1",
        "port": args.port,
        "reuse_port": args.reuse_port,
        "batch_max": args.batch_max,
        "writers": args.writers or None,
        "max_connections": 50_000,
    }
    known = {f.name for f in dataclasses.fields(GatewayConfig)}  # an older tree may lack some
    config = GatewayConfig(**{k: v for k, v in wanted.items() if k in known})
    _run_loop(run_gateway(build_runtime(Settings(database_url=args.url)), config), args.uvloop)


def _run_loop(main: Coroutine[Any, Any, T], fast: bool) -> T:
    """``asyncio.run``, or ``uvloop.run`` (libuv event loop) when asked for."""
    if fast:
        import uvloop

        return uvloop.run(main)
    return asyncio.run(main)


def start_gateways(args: argparse.Namespace, url: str, port: int) -> list[subprocess.Popen[bytes]]:
    procs = []
    for _ in range(args.gateways):
        command = [
            sys.executable, __file__, "serve", "--url", url, "--port", str(port),
            "--batch-max", str(args.batch_max), "--writers", str(args.writers),
        ]  # fmt: skip
        if args.gateways > 1:
            command.append("--reuse-port")
        if args.uvloop:
            command.append("--uvloop")
        env = dict(os.environ)
        if args.pythonpath:
            env["PYTHONPATH"] = args.pythonpath
        procs.append(subprocess.Popen(command, stderr=subprocess.DEVNULL, env=env))  # noqa: S603
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                time.sleep(0.5 * args.gateways)  # let every process bind
                return procs
        time.sleep(0.1)
    raise RuntimeError("the gateway did not start")


# -- the load generator process --------------------------------------------------------------------


def _templates(point: signals.PointSpec) -> list[str]:
    """CP areas after DataTime for a few minutes of the point (values from the signal model)."""
    gen = signals.SignalGenerator(point, signals.scenario("normal"), SEED)
    out = []
    for i in range(TEMPLATES):
        record = gen.record("2051", START + timedelta(hours=10, minutes=i), min_interval=1)
        out.append(signals.cp_text(point, record).split(";", 1)[1])
    return out


def _plan(index: int, count: int, rate: float) -> Iterator[signals.Due]:
    """Minute records from START; open loop: each logger at its own phase of the interval."""
    phase = timedelta(seconds=60.0 * index / count) if rate else timedelta(0)
    minute = timedelta(minutes=1)
    at = START
    while True:
        yield signals.Due(at + minute + phase, 1, "2051", at)
        at += minute


def _builder(point: signals.PointSpec) -> Any:
    templates = _templates(point)
    header_tail = f";ST={point.st};CN=2051;PW={point.password};MN={point.mn};Flag=5;CP=&&DataTime="

    def build(due: signals.Due, qn: str) -> tuple[bytes, None]:
        when = due.data_time.strftime("%Y%m%d%H%M%S")
        area = templates[due.data_time.minute % TEMPLATES]
        return frame(f"QN={qn}{header_tail}{when};{area}&&"), None

    return build


async def _load(args: argparse.Namespace) -> dict[str, Any]:
    points = signals.make_points(args.loggers, seed=SEED)
    speedup = 60.0 * args.rate / args.loggers if args.rate else 0.0
    config = SimulatorConfig(
        port=args.port, speedup=speedup, window=args.window, ack_timeout=30.0,
        collect_latency=True, backoff_max=1.0,
    )  # fmt: skip
    ack_log = AckLog(Path(args.acks) if args.acks else None)
    stamps: list[tuple[float, float]] = []  # (answer time, latency)
    clock = SimClock(START, speedup) if speedup else None
    sims = [
        LoggerSim(p.mn, _plan(i, len(points), args.rate), _builder(p), config, clock, ack_log,
                  latencies=stamps)
        for i, p in enumerate(points)
    ]  # fmt: skip
    tasks = [asyncio.create_task(s.run()) for s in sims]
    ready = time.monotonic()
    print(f"READY {ready}", flush=True)
    await asyncio.sleep(args.warmup + args.duration)
    for s in sims:
        s.stop_producing()
    drained = await asyncio.wait(tasks, timeout=60)
    for task in drained[1]:
        task.cancel()
    ack_log.close()
    # loop.time() is time.monotonic() on Linux; the window is in the same clock as READY
    start, end = ready + args.warmup, ready + args.warmup + args.duration
    window = [latency for t, latency in stamps if start <= t < end]
    return {
        "ready": ready,
        "acked_window": len(window),
        "acked_total": ack_log.count,
        "unacked": sum(s.unacked for s in sims),
        "produced": sum(s.stats.produced for s in sims),
        "retransmissions": sum(s.stats.retransmissions for s in sims),
        "connect_failures": sum(s.stats.connect_failures for s in sims),
        "p50_ms": _percentile(window, 50) * 1e3,
        "p99_ms": _percentile(window, 99) * 1e3,
        "max_ms": max(window, default=0.0) * 1e3,
    }


def _percentile(values: Sequence[float], q: float) -> float:
    if len(values) < 2:
        return values[0] if values else 0.0
    return statistics.quantiles(values, n=1000)[int(q * 10) - 1]


def load(args: argparse.Namespace) -> None:
    """Child process: the simulated loggers; prints READY, then one JSON line of results."""
    result = _run_loop(_load(args), args.load_uvloop)
    print(json.dumps(result), flush=True)


# -- one run ---------------------------------------------------------------------------------------


@dataclass(slots=True)
class RunResult:
    backend: str
    mode: str
    loggers: int
    gateways: int
    writers: str
    packets_per_s: float = 0.0
    points_per_s: float = 0.0
    p50_ms: float = 0.0
    p99_ms: float = 0.0
    gateway_cpu: float = 0.0
    load_cpu: float = 0.0
    postgres_cpu: float = 0.0
    machine_busy: float = 0.0
    softirq_cpu: float = 0.0
    others_cpu: float = 0.0
    durable: str = ""
    notes: list[str] = field(default_factory=list)


def run(args: argparse.Namespace, backend: str) -> RunResult:
    points = signals.make_points(args.loggers, seed=SEED)
    print(f"[{backend}] preparing database with {len(points)} points…", file=sys.stderr)
    db = make_db(backend, points)
    port = _free_port()
    gateways = start_gateways(args, db.url, port)
    writers = str(args.writers or ("2" if backend == "postgres" else "1"))
    mode = f"open loop {args.rate:.0f}/s" if args.rate else f"closed loop, window {args.window}"
    if args.uvloop:
        mode += ", uvloop"
    if args.label:
        mode += f", {args.label}"
    result = RunResult(backend, mode, args.loggers, args.gateways, writers)
    ack_path = Path(tempfile.mkstemp(prefix="eco263_bench_acks_", suffix=".jsonl")[1])
    spy: subprocess.Popen[bytes] | None = None
    loader: subprocess.Popen[str] | None = None
    try:
        command = [
            sys.executable, __file__, "load", "--port", str(port), "--loggers", str(args.loggers),
            "--duration", str(args.duration), "--warmup", str(args.warmup),
            "--window", str(args.window), "--rate", str(args.rate), "--acks", str(ack_path),
        ]  # fmt: skip
        if args.load_uvloop:
            command.append("--load-uvloop")
        loader = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)  # noqa: S603
        assert loader.stdout is not None
        ready = float(loader.stdout.readline().split()[1])
        pg = postgres_pids() if backend == "postgres" else []
        gw_pids = [g.pid for g in gateways]
        time.sleep(max(0.0, ready + args.warmup - time.monotonic()))
        first = sample_cpu(gw_pids, loader.pid, pg)
        if args.profile:
            spy = subprocess.Popen(  # noqa: S603
                [_py_spy(), "record", "-p", str(gw_pids[0]),
                 "-d", str(int(args.duration)), "-r", "100", "-f", "raw", "--threads",
                 "--gil", "-o", args.profile],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )  # fmt: skip
        time.sleep(max(0.0, ready + args.warmup + args.duration - time.monotonic()))
        last = sample_cpu(gw_pids, loader.pid, postgres_pids() if pg else [])
        out, _ = loader.communicate(timeout=120)
        figures = json.loads(out.strip().splitlines()[-1])
    except BaseException:
        db.cleanup()
        raise
    finally:
        if loader is not None and loader.poll() is None:
            loader.kill()
        if spy is not None:
            spy.wait(30)
        for g in gateways:
            g.send_signal(signal.SIGTERM)
        for g in gateways:
            try:
                g.wait(60)
            except subprocess.TimeoutExpired:
                g.kill()
    _fill(result, first, last, figures, args.duration)
    result.durable = durability(db.url, ack_path)
    ack_path.unlink(missing_ok=True)
    db.cleanup()
    return result


def _fill(
    result: RunResult, first: CpuSample, last: CpuSample, figures: dict[str, Any], duration: float
) -> None:
    seconds = last.at - first.at
    result.packets_per_s = figures["acked_window"] / duration
    result.points_per_s = result.packets_per_s * 8
    result.p50_ms, result.p99_ms = figures["p50_ms"], figures["p99_ms"]
    result.gateway_cpu = 100 * (last.gateway - first.gateway) / seconds
    result.load_cpu = 100 * (last.load - first.load) / seconds
    result.postgres_cpu = 100 * (last.postgres - first.postgres) / seconds
    share = 100 * (os.cpu_count() or 1) / (last.total - first.total)  # % of one core
    result.machine_busy = 100 * (last.busy - first.busy) / (last.total - first.total)
    result.softirq_cpu = (last.softirq - first.softirq) * share
    ours = result.gateway_cpu + result.load_cpu + result.postgres_cpu + result.softirq_cpu
    result.others_cpu = max(0.0, result.machine_busy * (os.cpu_count() or 1) - ours)
    if figures["unacked"]:
        result.notes.append(f"{figures['unacked']} packets unanswered at the end")
    if figures["retransmissions"]:
        result.notes.append(f"{figures['retransmissions']} retransmissions")


def durability(url: str, ack_path: Path) -> str:
    """Every acknowledged (MN, DataTime) must have its 8 readings in the database."""
    acked = {(e["mn"], datetime.fromisoformat(e["data_time"])) for e in read_ack_log(ack_path)}
    rt = build_runtime(Settings(database_url=url))
    with rt.sessions() as s:
        rows = s.execute(
            select(MonitoringPoint.mn, Reading.data_time, func.count())
            .join(MonitoringPoint, MonitoringPoint.id == Reading.point_id)
            .group_by(MonitoringPoint.mn, Reading.data_time)
        ).all()
        packets = int(s.scalar(select(func.count()).select_from(RawPacket)) or 0)
    rt.engine.dispose()
    complete = {(mn, at) for mn, at, n in rows if n == 8}
    missing = len(acked - complete)
    verdict = "all acked stored" if not missing else f"{missing} ACKED RECORDS MISSING"
    return f"{len(acked)} acked, {packets} packets / {sum(r[2] for r in rows)} readings: {verdict}"


def _py_spy() -> str:
    beside = Path(sys.executable).parent / "py-spy"
    return str(beside) if beside.exists() else shutil.which("py-spy") or "py-spy"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def table(results: Sequence[RunResult]) -> str:
    head = (
        "| backend | mode | gateway procs × writers | acked packets/s | data points/s | "
        "ack p50 ms | ack p99 ms | gateway CPU % | load gen CPU % | PostgreSQL CPU % | "
        "kernel softirq % | other processes % | machine busy % | durability check |"
    )
    lines = [head, "|" + "---|" * 14]
    for r in results:
        lines.append(
            f"| {r.backend} | {r.mode} | {r.gateways} × {r.writers} | {r.packets_per_s:,.0f} | "
            f"{r.points_per_s:,.0f} | {r.p50_ms:.0f} | {r.p99_ms:.0f} | {r.gateway_cpu:.0f} | "
            f"{r.load_cpu:.0f} | {r.postgres_cpu:.0f} | {r.softirq_cpu:.0f} | "
            f"{r.others_cpu:.0f} | {r.machine_busy:.0f} | {r.durable}"
            + ("; " + "; ".join(r.notes) if r.notes else "")
            + " |"
        )
    return "\n".join(lines)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("command", nargs="?", default="bench", choices=["bench", "serve", "load"])
    parser.add_argument("--backend", choices=["postgres", "sqlite", "both"], default="both")
    parser.add_argument("--loggers", type=int, default=2000)
    parser.add_argument("--duration", type=float, default=30.0, help="measured seconds")
    parser.add_argument("--warmup", type=float, default=8.0)
    parser.add_argument("--window", type=int, default=1, help="closed loop: in flight per logger")
    parser.add_argument("--rate", type=float, default=0.0, help="open loop: packets/s in all")
    parser.add_argument("--gateways", type=int, default=1, help="gateway processes (SO_REUSEPORT)")
    parser.add_argument("--writers", type=int, default=0, help="writer threads (0: by backend)")
    parser.add_argument("--batch-max", type=int, default=1000)
    parser.add_argument("--uvloop", action="store_true", help="run the gateway on uvloop")
    parser.add_argument(
        "--load-uvloop", action="store_true", help="run the load generator on uvloop"
    )
    parser.add_argument("--profile", help="py-spy raw output file for the (first) gateway")
    parser.add_argument(
        "--pythonpath", help="run the gateway from another tree (before/after figures)"
    )
    parser.add_argument("--label", default="", help="a note for the mode column")
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--acks", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--reuse-port", action="store_true", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.command == "serve":
        serve(args)
        return 0
    if args.command == "load":
        load(args)
        return 0
    backends = ["postgres", "sqlite"] if args.backend == "both" else [args.backend]
    load1, load5, _ = os.getloadavg()
    print(
        f"{platform.node()}: {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"load average {load1:.1f}/{load5:.1f} before the run",
        file=sys.stderr,
    )
    results = [run(args, backend) for backend in backends]
    print(table(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
