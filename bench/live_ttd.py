"""Time to detect through the real live pipeline (issue 17, step 6): socket, store, detect, alarm.

For each event: a fresh SQLite database (migrated, reference data seeded), one registered
point, ``--history-days`` of its minute data stored before the onset, then the data from the
onset on streamed through the real HJ 212 gateway socket in 15-minute chunks (every packet
answered 9014 after it is stored), and ``detect_recent`` — the scheduler's job — run after each
chunk, every 15 min for the first 6 h, then hourly.  The first run whose alarm episode
(tampering or data quality) overlaps the event gives the time to detect and the rules of that
alarm.  Source: the continuous-analyser events (COD, minute data) of the evaluation
generator's first points (the demo's loggers are in ``detect_ttd.py``'s replay only).

    .venv/bin/python bench/live_ttd.py --seed 1701 --points 20 --history-days 3
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import select

from eco263 import migrate
from eco263.alarms.models import Alarm
from eco263.alarms.scheduled import detect_recent
from eco263.audit.actions import ensure_head
from eco263.config import Settings
from eco263.gateway.server import Gateway, GatewayConfig
from eco263.monitoring.actions import do_register_point
from eco263.monitoring.detectors.synthetic import Event, generate
from eco263.monitoring.hj212 import decode, encode, format_time
from eco263.monitoring.ingest import Upload, ingest_batch
from eco263.runtime import Runtime
from eco263.seed import seed_reference
from eco263.wiring import build_runtime

sys.path.insert(0, str(Path(__file__).resolve().parent))
from detect_ttd import run_times  # a sibling script

MN = "010000A8900016F000169DC0"
PW = "123456"
CHUNK = timedelta(minutes=15)


def packets(frame: pd.DataFrame) -> Iterator[tuple[datetime, bytes]]:
    """One 2051 packet per minute of a long frame (time, pollutant, value, flag)."""
    frame = frame.sort_values("time")
    by_minute: dict[datetime, list[tuple[str, float, str]]] = defaultdict(list)
    for at, code, value, flag in zip(
        frame["time"].dt.to_pydatetime(),
        frame["pollutant"].astype(str),
        frame["value"].astype(float),
        frame["flag"].astype(str),
        strict=True,
    ):
        by_minute[at].append((code, float(value), flag))
    for when, rows in by_minute.items():
        groups: list[list[tuple[str, object]]] = [[("DataTime", format_time(when))]]
        for code, value, flag in rows:
            groups.append([(f"{code}-Avg", round(value, 4)), (f"{code}-Flag", flag)])
        qn = when.strftime("%Y%m%d%H%M%S") + "000"
        yield when, encode(st="32", cn="2051", pw=PW, mn=MN, cp=groups, qn=qn, flag=5)  # type: ignore[arg-type]


def fresh_runtime(folder: Path) -> tuple[Runtime, int]:
    url = f"sqlite:///{folder / 'ttd.db'}"
    migrate.upgrade(url)
    rt = build_runtime(Settings(database_url=url, data_dir=folder))
    with rt.unit_of_work() as ctx:
        ensure_head(ctx.session)
        seed_reference(ctx)
    with rt.unit_of_work() as ctx:
        p = do_register_point(
            ctx, mn=MN, password=PW, name="时效测试 排口", medium="water", division_code="320583"
        )
        return rt, p.id


async def _send(rt: Runtime, batch: list[bytes]) -> None:
    gw = Gateway(rt, GatewayConfig(port=0))
    await gw.start()
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", gw.port)
        writer.write(b"".join(batch))
        await writer.drain()
        for _ in batch:
            answer = await asyncio.wait_for(reader.readuntil(b"\r\n"), 60)
            assert decode(answer).cn == "9014"
        writer.close()
    finally:
        await gw.close()


def live_ttd(
    frame: pd.DataFrame, ev: Event, history_days: float, max_hours: float
) -> tuple[float, str] | None:
    """Hours from the event's start to the first live run whose alarm covers it, and its rules."""
    frame = frame[(frame["time"] >= ev.start - timedelta(days=history_days))]
    frame = frame[frame["time"] < ev.start + timedelta(hours=max_hours)]
    with tempfile.TemporaryDirectory() as folder:
        rt, point_id = fresh_runtime(Path(folder))
        stream = list(packets(frame))
        with rt.sessions() as s, s.begin():
            ups = []
            for at, raw in stream:
                if at < ev.start:
                    packet = decode(raw)
                    received = at + timedelta(seconds=5)
                    ups.append(Upload(point_id, packet, "127.0.0.1:9", received, packet.cp))
            ingest_batch(s, ups)
        sent = ev.start
        for now in run_times(ev.start, max_hours):
            batch = [p for at, p in stream if sent <= at < now]
            sent = now
            if batch:
                asyncio.run(_send(rt, batch))
            detect_recent(rt, now)
            with rt.sessions() as s:
                for a in s.scalars(select(Alarm).where(Alarm.category != "exceedance")):
                    if a.end >= ev.start - timedelta(hours=1) and a.start <= ev.end:
                        return (now - ev.start).total_seconds() / 3600, "+".join(
                            a.evidence.get("rules", [a.rule])
                        )
    return None


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seed", type=int, default=1701)
    ap.add_argument("--points", type=int, default=20)
    ap.add_argument("--history-days", type=float, default=3)
    ap.add_argument("--max-hours", type=float, default=24)
    args = ap.parse_args()
    t0 = time.perf_counter()
    ds = generate(args.seed, n_points=60, days=40)
    rows: list[tuple[str, float | None, str]] = []
    for mn in ds.points[: args.points]:
        minute = ds.frame[(ds.frame["mn"] == mn) & (ds.frame.get("cn", "2051") == "2051")]
        for ev in ds.events:
            if ev.mn != mn or ev.label == "benign" or ev.pollutant != "w21003":
                continue
            hit = live_ttd(
                minute.assign(flag=minute["flag"].fillna("N")),
                ev,
                args.history_days,
                args.max_hours,
            )
            rows.append((ev.kind, hit[0] if hit else None, hit[1] if hit else "—"))
            print(f"{ev.kind}: {hit}", flush=True)
    by_rule: dict[str, list[float]] = defaultdict(list)
    for kind, hours, _ in rows:
        if hours is not None:
            by_rule[kind].append(hours)
    within = f"reported within {args.max_hours:g} h"
    print(f"| injected rule | events | {within} | median (h) | p90 (h) | alarm rules |")
    print("|---|---|---|---|---|---|")
    for kind in sorted({r[0] for r in rows}):
        h = by_rule.get(kind, [])
        mine = [r for r in rows if r[0] == kind]
        rules = sorted({r[2] for r in mine if r[1] is not None})
        med = f"{np.median(h):.2f}" if h else "—"
        p90 = f"{np.percentile(h, 90):.2f}" if h else "—"
        print(f"| {kind} | {len(mine)} | {len(h)} | {med} | {p90} | {', '.join(rules)} |")
    h = [r[1] for r in rows if r[1] is not None]
    if h:
        print(
            f"all: {len(h)}/{len(rows)}, median {float(np.median(h)):.2f} h, "
            f"p90 {float(np.percentile(h, 90)):.2f} h"
        )
    print(f"({time.perf_counter() - t0:.0f} s)")


if __name__ == "__main__":
    main()
