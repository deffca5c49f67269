"""Detection at scale (issue 4): 1,000 points × 30 days of minute data through `eco263 detect`.

Writes a Parquet file ordered by point (as a history export by point is), ≈ 43 M readings of
one pollutant per point (add ``--flow`` for a flow series beside it, ≈ 86 M), then times the
real command with 1 and 2 local Dask workers.  The data is cheap to make but not trivial for
the detectors: a daily cycle, day-to-day level changes, noise at the instrument's resolution,
weekly calibration and monthly maintenance flags, and a handful of flatlines and dilutions so
the rules have something to find.

    .venv/bin/python bench/detect_scale.py [--points 1000 --days 30] [--workers 1,2] \
        [--write-results]
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parents[1]
START = np.datetime64("2018-03-31T16:00:00", "s")  # 2018-04-01 00:00 Asia/Shanghai


def _chunk(rng: np.random.Generator, first: int, n_pts: int, days: int, flow: bool) -> pa.Table:
    n = days * 1440
    minute = np.arange(n)
    cycle = 1 + 0.2 * np.sin(2 * np.pi * (minute % 1440) / 1440 - rng.uniform(0, 6, (n_pts, 1)))
    hourly = np.repeat(rng.normal(0, 0.08, (n_pts, n // 60)), 60, axis=1)
    level = rng.uniform(0.03, 0.15, (n_pts, 1))
    v = level * cycle * np.exp(hourly + rng.normal(0, 0.05, (n_pts, n)))
    flags = np.full((n_pts, n), ord("N"), dtype=np.uint8)
    for i in range(n_pts):
        for d in range(int(rng.integers(0, 7)), days, 7):  # weekly calibration
            a = d * 1440 + 600
            flags[i, a : a + 30] = ord("C")
        a = int(rng.integers(1, days - 1)) * 1440 + 540
        flags[i, a : a + 120] = ord("M")
        if rng.random() < 0.05:  # a constant stretch
            a = int(rng.integers(5, days - 3)) * 1440
            v[i, a : a + 600] = v[i, a]
        if rng.random() < 0.05:  # a dilution
            a = int(rng.integers(5, days - 3)) * 1440 + 1200
            v[i, a : a + 2880] /= 5
    v = np.round(v, 3)
    mns = np.array([f"32058300{first + i:08d}" for i in range(n_pts)])
    times = START + np.arange(n).astype("timedelta64[m]")
    series = [("w20122", v, flags)]
    if flow:
        q = np.round(50 * cycle * np.exp(rng.normal(0, 0.03, (n_pts, n))), 2)
        series.append(("w00000", q, np.full((n_pts, n), ord("N"), dtype=np.uint8)))
    cols: dict[str, list[np.ndarray]] = {
        "mn": [],
        "time": [],
        "pollutant": [],
        "value": [],
        "flag": [],
    }
    for i in range(n_pts):
        for code, val, fl in series:
            cols["mn"].append(np.repeat(mns[i], n))
            cols["time"].append(times)
            cols["pollutant"].append(np.repeat(code, n))
            cols["value"].append(val[i])
            cols["flag"].append(fl[i].view("S1").astype(str))
    return pa.table(
        {
            "mn": pa.array(np.concatenate(cols["mn"])).dictionary_encode(),
            "time": pa.array(np.concatenate(cols["time"]), type=pa.timestamp("s")).cast(
                pa.timestamp("us", tz="UTC")
            ),
            "pollutant": pa.array(np.concatenate(cols["pollutant"])).dictionary_encode(),
            "value": pa.array(np.concatenate(cols["value"])),
            "flag": pa.array(np.concatenate(cols["flag"])).dictionary_encode(),
        }
    )


def make(path: Path, points: int, days: int, flow: bool, seed: int = 7) -> int:
    rng = np.random.default_rng(seed)
    rows = 0
    writer: pq.ParquetWriter | None = None
    try:
        for first in range(0, points, 20):
            t = _chunk(rng, first, min(20, points - first), days, flow)
            if writer is None:
                writer = pq.ParquetWriter(path, t.schema)
            writer.write_table(t, row_group_size=days * 1440 * (2 if flow else 1) * 5)
            rows += t.num_rows
    finally:
        if writer is not None:
            writer.close()
    return rows


def make_csv(path: Path, points: int, days: int, flow: bool, seed: int = 7) -> int:
    """The same data as a CSV a user would export: ISO times with their +08:00 offset."""
    import pyarrow.compute as pc
    import pyarrow.csv as pacsv

    rng = np.random.default_rng(seed)
    rows = 0
    with path.open("wb") as fh:
        for first in range(0, points, 10):
            t = _chunk(rng, first, min(10, points - first), days, flow)
            local = pc.add(t["time"].cast(pa.timestamp("s")), pa.scalar(8 * 3600, pa.duration("s")))
            text = pc.binary_join_element_wise(
                pc.strftime(local, format="%Y-%m-%dT%H:%M:%S"), "+08:00", ""
            )
            out = pa.table(
                {
                    "mn": t["mn"].cast(pa.string()),
                    "time": text,
                    "pollutant": t["pollutant"].cast(pa.string()),
                    "value": t["value"],
                    "flag": t["flag"].cast(pa.string()),
                }
            )
            pacsv.write_csv(
                out, fh, pacsv.WriteOptions(include_header=first == 0, quoting_style="none")
            )
            rows += out.num_rows
    return rows


def run_csv(path: Path, out: Path) -> tuple[float, float, int, str]:
    """The real command on the CSV, with the progress bar drawn (a terminal-like stderr):
    wall seconds, peak RSS (MiB) of the command's process, bar frames seen, last line."""
    import os
    import resource

    env = {**os.environ, "TTY_COMPATIBLE": "1", "COLUMNS": "120"}
    cmd = [sys.executable, "-m", "eco263", "detect", "-i", str(path), "-o", str(out)]
    t0 = time.perf_counter()
    res = subprocess.run(  # noqa: S603 - our own command
        cmd, check=True, cwd=ROOT, env=env, capture_output=True, text=True
    )
    wall = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    frames = res.stderr.count("\x1b[2K")
    text = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", res.stderr).strip()
    last = " ".join(text.split("\n")[-3:])
    return wall, peak, frames, last


def _load() -> str:
    """The machine's load average (1, 5, 15 min): others share these 2 cores."""
    try:
        one, five, fifteen = Path("/proc/loadavg").read_text().split()[:3]
    except OSError:
        return "load average unknown"
    return f"load average {one}, {five}, {fifteen}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--points", type=int, default=1000)
    ap.add_argument("--days", type=int, default=30)
    ap.add_argument("--workers", default="1,2")
    ap.add_argument("--flow", action="store_true", help="a flow series beside the pollutant")
    ap.add_argument("--write-results", action="store_true")
    ap.add_argument(
        "--data", type=Path, help="keep the generated Parquet here (reused if it exists)"
    )
    ap.add_argument(
        "--csv",
        type=Path,
        help="instead: write (or reuse) this CSV and time `eco263 detect` on it, bar drawn",
    )
    args = ap.parse_args()
    if args.csv:
        if not args.csv.exists():
            t0 = time.perf_counter()
            rows = make_csv(args.csv, args.points, args.days, args.flow)
            print(f"wrote {rows:,} readings in {time.perf_counter() - t0:.0f} s")
        size = args.csv.stat().st_size / 2**20
        print(f"csv: {size:.0f} MiB; before: {_load()}", flush=True)
        with tempfile.TemporaryDirectory(prefix="eco263-scale-") as tmp:
            wall, peak, frames, last = run_csv(args.csv, Path(tmp) / "alarms.jsonl")
            n_eps = len((Path(tmp) / "alarms.jsonl").read_text(encoding="utf-8").splitlines())
        print(f"after: {_load()}")
        print(
            f"| {size:.0f} MiB CSV | {wall:.1f} s | peak RSS {peak:.0f} MiB | "
            f"bar updates {frames} | {n_eps} episodes |"
        )
        print(last)
        return
    with tempfile.TemporaryDirectory(prefix="eco263-scale-") as tmp:
        data = args.data or Path(tmp) / "readings.parquet"
        t0 = time.perf_counter()
        if data.exists():
            rows = pq.ParquetFile(data).metadata.num_rows
        else:
            rows = make(data, args.points, args.days, args.flow)
        gen = time.perf_counter() - t0
        size = data.stat().st_size / 2**20
        print(f"data: {rows:,} readings ({size:.0f} MiB Parquet), {gen:.0f} s to make or open")
        lines = []
        for w in (int(x) for x in args.workers.split(",")):
            print(f"before workers={w}: {_load()}", flush=True)
            out = Path(tmp) / f"alarms-{w}.jsonl"
            cmd = [sys.executable, "-m", "eco263", "detect", "-i", str(data), "-o", str(out)]
            cmd += ["--workers", str(w)]
            t0 = time.perf_counter()
            subprocess.run(cmd, check=True, cwd=ROOT)  # noqa: S603 - our own command
            wall = time.perf_counter() - t0
            alarms = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
            rules: dict[str, int] = {}
            for a in alarms:
                rules[a["rule"]] = rules.get(a["rule"], 0) + 1
            print(f"workers={w}: {wall:.1f} s wall, {rows / wall / 1e6:.2f} M readings/s, {rules}")
            print(f"after workers={w}: {_load()}", flush=True)
            lines.append(
                f"| {args.points} × {args.days} d | {rows / 1e6:.1f} M | {w} | {wall:.1f} | "
                f"{rows / wall / 1e6:.2f} | {len(alarms)} |"
            )
    text = "\n".join(
        [
            "Parquet input ordered by point, one pollutant"
            + (" plus flow" if args.flow else "")
            + " per point, all rules, `eco263 detect --workers N` "
            "(local Dask cluster, one thread per worker; wall time includes start-up, reading, "
            "writing the alarms). Machine: 2 cores, 24 GiB.",
            "",
            "| input | readings | workers | wall (s) | M readings/s | alarms |",
            "|---|---|---|---|---|---|",
            *lines,
        ]
    )
    print(text)
    if args.write_results:
        with (ROOT / "bench" / "RESULTS.md").open("a", encoding="utf-8") as fh:
            fh.write("\n## Detection at scale (issue 4)\n\n" + text + "\n")


if __name__ == "__main__":
    main()
