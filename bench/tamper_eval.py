"""Tamper-detection evaluation (issue 4): labelled synthetic data → `eco263 detect` → scores.

For each seed: generate points with production calendars, daily cycles, noise, drift, logged
calibrations and maintenance, benign look-alikes (rain on an inflow, a logged recalibration, a
production stop) and injected manipulations of every tamper/data-quality rule at varied strength
(``eco263.monitoring.detectors.synthetic``); write them as Parquet plus a limits CSV; run the real
command in a subprocess; score:

* event recall — an injected event counts as found if an alarm of category tamper/data_quality on
  the same point and pollutant (``*`` matches any) overlaps it, with 24 h of tolerance;
* precision — the share of such alarms that overlap some injected event (24 h tolerance);
* false alarms per point-month on clean points (no injected event; benign look-alikes allowed);
* time to detect — alarm ``detected_at`` minus event start, median and 90th percentile.

Seeds are parameters; the thresholds are never tuned to one seed.  Usage::

    .venv/bin/python bench/tamper_eval.py --seeds 1,2,3 [--points 60 --days 40] [--write-results]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np

from eco263.monitoring.detectors.synthetic import Dataset, Event, generate

TOL = timedelta(hours=24)
ROOT = Path(__file__).resolve().parents[1]


@dataclass
class Scores:
    seed: int
    events: int
    found: int
    same_rule: int
    alarms: int
    true_alarms: int
    clean_points: int
    clean_alarms: int
    point_months: float
    benign_hits: int
    ttd_hours: list[float]
    per_kind: dict[str, tuple[int, int]]
    ttd_kind: dict[str, list[float]]
    missed: list[str]
    false: list[str]
    seconds: float

    @property
    def recall(self) -> float:
        return self.found / self.events if self.events else float("nan")

    @property
    def precision(self) -> float:
        return self.true_alarms / self.alarms if self.alarms else float("nan")

    @property
    def fa_rate(self) -> float:
        return self.clean_alarms / self.point_months if self.point_months else float("nan")


def _matches(alarm: dict[str, Any], ev: Event) -> bool:
    if alarm["mn"] != ev.mn:
        return False
    if "*" not in (alarm["pollutant"], ev.pollutant) and alarm["pollutant"] != ev.pollutant:
        return False
    a0 = datetime.fromisoformat(alarm["start"])
    a1 = datetime.fromisoformat(alarm["end"])
    return a0 <= ev.end + TOL and a1 >= ev.start - TOL


def run_detect(ds: Dataset, workdir: Path, extra: list[str]) -> tuple[list[dict[str, Any]], float]:
    data = workdir / "readings.parquet"
    limits = workdir / "limits.csv"
    out = workdir / "alarms.jsonl"
    ds.frame.sort_values(["mn", "time"], kind="stable").to_parquet(data, row_group_size=200_000)
    with limits.open("w", encoding="utf-8") as fh:
        fh.write("mn,pollutant,limit,unit,standard\n")
        for mn, lim in ds.limits:
            fh.write(f"{mn},{lim.pollutant},{lim.limit},{lim.unit},{lim.standard}\n")
    cmd = [sys.executable, "-m", "eco263", "detect", "--input", str(data), "--output", str(out)]
    cmd += ["--limits", str(limits), *extra]
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, cwd=ROOT)  # noqa: S603 - our own command
    elapsed = time.perf_counter() - t0
    alarms = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    return alarms, elapsed


def score(seed: int, ds: Dataset, alarms: list[dict[str, Any]], seconds: float) -> Scores:
    scored = [a for a in alarms if a["category"] in ("tamper", "data_quality")]
    injected = [e for e in ds.events if e.label != "benign"]
    benign = [e for e in ds.events if e.label == "benign"]
    dirty = {e.mn for e in injected}
    found = same = 0
    ttd: list[float] = []
    per_kind: dict[str, tuple[int, int]] = {}
    ttd_kind: dict[str, list[float]] = {}
    missed: list[str] = []
    for ev in injected:
        hits = [a for a in scored if _matches(a, ev)]
        n, f = per_kind.get(ev.kind, (0, 0))
        per_kind[ev.kind] = (n + 1, f + bool(hits))
        if not hits:
            missed.append(f"{ev.mn[-4:]} {ev.pollutant} {ev.kind} {ev.params}")
            continue
        found += 1
        same += any(a["rule"] == ev.kind for a in hits)
        delays = []
        for a in hits:
            det = datetime.fromisoformat(a["evidence"]["detected_at"])
            if det >= ev.start - TOL:
                delays.append(max(0.0, (det - ev.start).total_seconds() / 3600))
        if delays:
            ttd.append(min(delays))
            ttd_kind.setdefault(ev.kind, []).append(min(delays))
    true_alarms = 0
    false: list[str] = []
    for a in scored:
        if any(_matches(a, ev) for ev in injected):
            true_alarms += 1
        else:
            near = [e.kind for e in benign if _matches(a, e)]
            false.append(
                f"{a['mn'][-4:]} {a['pollutant']} {a['rule']} {a['start'][5:16]} "
                f"{ {k: v for k, v in a['evidence'].items() if k in ('kind', 'factor', 'hours')} }"
                f" benign={near}"
            )
    clean = [mn for mn in ds.points if mn not in dirty]
    clean_alarms = sum(1 for a in scored if a["mn"] in set(clean))
    benign_hits = sum(
        1 for a in scored if any(_matches(a, ev) for ev in benign) and a["mn"] in clean
    )
    return Scores(
        seed=seed,
        events=len(injected),
        found=found,
        same_rule=same,
        alarms=len(scored),
        true_alarms=true_alarms,
        clean_points=len(clean),
        clean_alarms=clean_alarms,
        point_months=len(clean) * ds.days / 30,
        benign_hits=benign_hits,
        ttd_hours=ttd,
        per_kind=per_kind,
        ttd_kind=ttd_kind,
        missed=missed,
        false=false,
        seconds=seconds,
    )


def table(results: list[Scores], points: int, days: int) -> str:
    lines = [
        f"Synthetic set per seed: {points} points × {days} days of minute data "
        "(`eco263.monitoring.detectors.synthetic`), shipped thresholds, all rules.",
        "",
        "| seed | events | recall | same-rule recall | alarms | precision | "
        "false alarms / clean point-month | TTD median (h) | TTD p90 (h) | detect wall (s) |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        med = float(np.median(r.ttd_hours)) if r.ttd_hours else float("nan")
        p90 = float(np.percentile(r.ttd_hours, 90)) if r.ttd_hours else float("nan")
        lines.append(
            f"| {r.seed} | {r.events} | {r.recall:.3f} | {r.same_rule / max(r.events, 1):.3f} | "
            f"{r.alarms} | {r.precision:.3f} | {r.fa_rate:.3f} ({r.clean_alarms}/"
            f"{r.point_months:.1f}) | {med:.2f} | {p90:.1f} | {r.seconds:.0f} |"
        )
    kinds = sorted({k for r in results for k in r.per_kind})
    lines += ["", "Recall by injected kind (found/events, all seeds):", ""]
    lines.append("| kind | " + " | ".join(kinds) + " |")
    lines.append("|---" * (len(kinds) + 1) + "|")
    cells = []
    for k in kinds:
        n = sum(r.per_kind.get(k, (0, 0))[0] for r in results)
        f = sum(r.per_kind.get(k, (0, 0))[1] for r in results)
        cells.append(f"{f}/{n}")
    lines.append("| found | " + " | ".join(cells) + " |")
    meds = []
    for k in kinds:
        v = [x for r in results for x in r.ttd_kind.get(k, [])]
        meds.append(f"{np.median(v):.1f}" if v else "–")
    lines.append("| TTD median (h) | " + " | ".join(meds) + " |")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seeds", default="1,2,3")
    ap.add_argument("--points", type=int, default=60)
    ap.add_argument("--days", type=int, default=40)
    ap.add_argument("--workers", type=int, default=0, help="Dask workers for detect (0: default)")
    ap.add_argument("--verbose", action="store_true", help="list missed events and false alarms")
    ap.add_argument("--write-results", action="store_true", help="append to bench/RESULTS.md")
    args = ap.parse_args()
    results: list[Scores] = []
    for seed in (int(s) for s in args.seeds.split(",")):
        ds = generate(seed, n_points=args.points, days=args.days)
        with tempfile.TemporaryDirectory(prefix="eco263-eval-") as tmp:
            extra = ["--workers", str(args.workers)] if args.workers else []
            alarms, seconds = run_detect(ds, Path(tmp), extra)
        r = score(seed, ds, alarms, seconds)
        results.append(r)
        if args.verbose:
            print(f"seed {seed}: missed {len(r.missed)}, false {len(r.false)}")
            for m in r.missed:
                print("  MISS", m)
            for f in r.false:
                print("  FALSE", f)
    text = table(results, args.points, args.days)
    print(text)
    if args.write_results:
        with (ROOT / "bench" / "RESULTS.md").open("a", encoding="utf-8") as fh:
            fh.write("\n## Tamper detection evaluation (issue 4)\n\n" + text + "\n")


if __name__ == "__main__":
    main()
