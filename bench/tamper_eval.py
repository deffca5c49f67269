"""Tamper-detection evaluation (issues 4 and 17): labelled synthetic data → `eco263 detect`.

For each seed: generate points (``eco263.monitoring.detectors.synthetic``) with production
calendars on the official 2018/2019 calendar (public holidays, 调休 make-up working days,
weekend and night-shift schedules), daily cycles, noise, drift, logged calibrations, and the
benign look-alikes of issue 17 — holidays and the eve of a holiday, planned stops (entered in
the schedule or not), rain spells, logged recalibrations, daily zero/span checks, maintenance
with and without gaps, a new analyser, outlets without a flow meter, exports without receive
times — plus injected manipulations of every tamper/data-quality rule; write them as Parquet
with a limits CSV and a schedule YAML; run the real command in a subprocess; score.

Scoring (each alarm line is one episode: ``rules`` lists every rule that saw it; a line of the
older one-rule format counts as an episode of one rule):

* event recall — an injected event is found when an alarm of category tamper/data_quality on
  the same point and pollutant (``*`` matches any) overlaps it, with 24 h of tolerance;
* precision — the share of those alarms that overlap an injected event (24 h tolerance);
* false alarms per clean point-month (points with no injected event);
* per look-alike category — the false alarms it explains: alarms matching no injected event
  that *began* during one of its events (2 h either side, same pollutant or ``*``), else the
  point's traits (schedule, no flow meter …), else "unexplained"; rate per clean point-month
  of the points that have the category;
* per rule — alarms in which the rule fired, and their precision;
* time to detect — the earliest ``detected_at`` of a rule in a matching alarm minus the event
  start; by kind, by analyser type (continuous / batch / whole point), with the rule that
  detected first.

Usage::

    .venv/bin/python bench/tamper_eval.py --seeds 1,2,3 [--points 60 --days 40] [--no-schedule]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from eco263.monitoring.detectors.synthetic import SPECS, Dataset, Event, generate

TOL = timedelta(hours=24)
NEAR = timedelta(hours=2)
ROOT = Path(__file__).resolve().parents[1]
TRAITS = ("weekend_rest", "holiday_rest", "night_shift", "no_flow_meter", "no_receive_time")


def rules_of(alarm: dict[str, Any]) -> list[str]:
    return list(alarm.get("rules") or [alarm["rule"]])


def detected_by_rule(alarm: dict[str, Any]) -> dict[str, datetime]:
    """When each rule of an episode first fired (one-rule lines: the line's detected_at)."""
    by_rule = alarm.get("by_rule")
    if by_rule:
        return {r: datetime.fromisoformat(v["detected_at"]) for r, v in by_rule.items()}
    det = alarm.get("detected_at") or alarm["evidence"]["detected_at"]
    return {alarm["rule"]: datetime.fromisoformat(det)}


def _matches(alarm: dict[str, Any], ev: Event, tol: timedelta = TOL) -> bool:
    if alarm["mn"] != ev.mn:
        return False
    if "*" not in (alarm["pollutant"], ev.pollutant) and alarm["pollutant"] != ev.pollutant:
        return False
    a0 = datetime.fromisoformat(alarm["start"])
    a1 = datetime.fromisoformat(alarm["end"])
    return a0 <= ev.end + tol and a1 >= ev.start - tol


def _began_during(alarm: dict[str, Any], ev: Event) -> bool:
    """The alarm began while the look-alike was going on (2 h either side)."""
    if alarm["mn"] != ev.mn:
        return False
    if "*" not in (alarm["pollutant"], ev.pollutant) and alarm["pollutant"] != ev.pollutant:
        return False
    a0 = datetime.fromisoformat(alarm["start"])
    return ev.start - NEAR <= a0 <= ev.end + NEAR


@dataclass
class Scores:
    seed: int
    start: str
    events: int = 0
    found: int = 0
    same_rule: int = 0
    alarms: int = 0
    true_alarms: int = 0
    clean_points: int = 0
    clean_alarms: int = 0
    point_months: float = 0.0
    seconds: float = 0.0
    ttd: list[tuple[str, str, str, float]] = field(default_factory=list)
    """(kind, analyser type, first rule, hours) per detected event."""
    per_kind: dict[str, list[int]] = field(default_factory=dict)
    """kind → [events, found, alarms matching]."""
    looks: dict[str, list[float]] = field(default_factory=dict)
    """look-alike category → [events, events that drew a false alarm, alarms near, false
    alarms on clean points, exposed clean point-months, false alarms anywhere]."""
    per_rule: dict[str, list[int]] = field(default_factory=dict)
    """rule → [alarms, true alarms]."""
    missed: list[str] = field(default_factory=list)
    false: list[str] = field(default_factory=list)

    @property
    def recall(self) -> float:
        return self.found / self.events if self.events else float("nan")

    @property
    def precision(self) -> float:
        return self.true_alarms / self.alarms if self.alarms else float("nan")

    @property
    def fa_rate(self) -> float:
        return self.clean_alarms / self.point_months if self.point_months else float("nan")


def schedule_yaml(ds: Dataset) -> str:
    return yaml.safe_dump({"points": ds.schedules}, allow_unicode=True, sort_keys=True)


def run_detect(
    ds: Dataset, workdir: Path, extra: list[str], with_schedule: bool
) -> tuple[list[dict[str, Any]], float]:
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
    if with_schedule:
        sched = workdir / "schedule.yaml"
        sched.write_text(schedule_yaml(ds), encoding="utf-8")
        cmd += ["--schedule", str(sched)]
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, cwd=ROOT)  # noqa: S603 - our own command
    elapsed = time.perf_counter() - t0
    alarms = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    return alarms, elapsed


def _analyser_type(pollutant: str) -> str:
    if pollutant == "*":
        return "whole point"
    return "continuous" if SPECS[pollutant].cycle <= 1 else "batch"


def score(seed: int, ds: Dataset, alarms: list[dict[str, Any]], seconds: float) -> Scores:
    r = Scores(seed, ds.start.date().isoformat(), seconds=seconds)
    scored = [a for a in alarms if a["category"] in ("tamper", "data_quality")]
    injected = [e for e in ds.events if e.label != "benign"]
    benign = [e for e in ds.events if e.label == "benign"]
    dirty = {e.mn for e in injected}
    clean = [mn for mn in ds.points if mn not in dirty]
    r.events, r.alarms = len(injected), len(scored)
    r.clean_points, r.point_months = len(clean), len(clean) * ds.days / 30
    for ev in injected:
        hits = [a for a in scored if _matches(a, ev)]
        row = r.per_kind.setdefault(ev.kind, [0, 0, 0])
        row[0] += 1
        row[1] += bool(hits)
        row[2] += len(hits)
        if not hits:
            r.missed.append(f"{ev.mn[-4:]} {ev.pollutant} {ev.kind} {ev.params}")
            continue
        r.found += 1
        r.same_rule += any(ev.kind in rules_of(a) for a in hits)
        firsts = [
            (max(0.0, (det - ev.start).total_seconds() / 3600), rule)
            for a in hits
            for rule, det in detected_by_rule(a).items()
            if det >= ev.start - TOL
        ]
        if firsts:
            hours, rule = min(firsts)
            r.ttd.append((ev.kind, _analyser_type(ev.pollutant), rule, hours))
    true_flags = [any(_matches(a, ev) for ev in injected) for a in scored]
    r.true_alarms = sum(true_flags)
    r.clean_alarms = sum(1 for a in scored if a["mn"] in set(clean))
    for a, ok in zip(scored, true_flags, strict=True):
        for rule in rules_of(a):
            pr = r.per_rule.setdefault(rule, [0, 0])
            pr[0] += 1
            pr[1] += ok
    _lookalikes(r, ds, scored, true_flags, benign, set(clean))
    return r


def _lookalikes(
    r: Scores,
    ds: Dataset,
    scored: list[dict[str, Any]],
    true_flags: list[bool],
    benign: list[Event],
    clean: set[str],
) -> None:
    months = ds.days / 30
    cats: dict[str, list[float]] = {}
    exposed: dict[str, set[str]] = {}
    for ev in benign:
        cat = ev.kind.removeprefix("benign_")
        cats.setdefault(cat, [0, 0, 0, 0, 0.0, 0])[0] += 1
        exposed.setdefault(cat, set()).add(ev.mn)
    for mn, traits in ds.traits.items():
        for t in traits:
            cats.setdefault(t, [0, 0, 0, 0, 0.0, 0])[0] += 1
            exposed.setdefault(t, set()).add(mn)
    drew: dict[str, set[int]] = {}
    for a, ok in zip(scored, true_flags, strict=True):
        near = [(i, ev) for i, ev in enumerate(benign) if _began_during(a, ev)]
        for _, ev in near:
            cats[ev.kind.removeprefix("benign_")][2] += 1
        if ok:
            continue
        explained = sorted({ev.kind.removeprefix("benign_") for _, ev in near})
        for i, ev in near:
            drew.setdefault(ev.kind.removeprefix("benign_"), set()).add(i)
        if not explained:
            explained = [t for t in ds.traits.get(a["mn"], []) if t in TRAITS] or ["unexplained"]
        ev_text = {k: v for k, v in a["evidence"].items() if k in ("kind", "factor", "hours")}
        r.false.append(
            f"{a['mn'][-4:]} {a['pollutant']} {'+'.join(rules_of(a))} {a['start'][5:16]}"
            f"–{a['end'][5:16]} {ev_text} explained={explained} "
            f"traits={ds.traits.get(a['mn'], [])}"
        )
        for cat in explained:
            row = cats.setdefault(cat, [0, 0, 0, 0, 0.0, 0])
            row[5] += 1
            row[3] += a["mn"] in clean
    for cat, row in cats.items():
        row[1] = len(drew.get(cat, set()))
        row[4] = len(exposed.get(cat, set()) & clean) * months
    r.looks = cats


def _pct(values: list[float], q: float) -> str:
    return f"{np.percentile(values, q):.1f}" if values else "–"


def table(results: list[Scores], points: int, days: int, label: str) -> str:
    lines = [
        f"{label}: {points} points × {days} days of minute data per seed "
        "(`eco263.monitoring.detectors.synthetic`), shipped thresholds, all rules.",
        "",
        "| seed | start | events | recall | same-rule recall | alarms | precision | "
        "false alarms / clean point-month | TTD median (h) | TTD p90 (h) | detect wall (s) |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        hours = [t[3] for t in r.ttd]
        lines.append(
            f"| {r.seed} | {r.start} | {r.events} | {r.recall:.3f} | "
            f"{r.same_rule / max(r.events, 1):.3f} | {r.alarms} | {r.precision:.3f} | "
            f"{r.fa_rate:.3f} ({r.clean_alarms}/{r.point_months:.1f}) | {_pct(hours, 50)} | "
            f"{_pct(hours, 90)} | {r.seconds:.0f} |"
        )
    lines += _kind_table(results) + _look_table(results) + _rule_table(results)
    lines += _ttd_table(results)
    return "\n".join(lines)


def _kind_table(results: list[Scores]) -> list[str]:
    out = ["", "Injected events by kind (all seeds of the table):", ""]
    out += ["| kind | events | detected | alarms | TTD median (h) | TTD p90 (h) |"]
    out += ["|---|---|---|---|---|---|"]
    for k in sorted({k for r in results for k in r.per_kind}):
        n, f, a = (sum(r.per_kind.get(k, [0, 0, 0])[i] for r in results) for i in range(3))
        h = [t[3] for r in results for t in r.ttd if t[0] == k]
        out.append(f"| {k} | {n} | {f} | {a} | {_pct(h, 50)} | {_pct(h, 90)} |")
    return out


def _look_table(results: list[Scores]) -> list[str]:
    out = ["", "Look-alikes (labelled clean) and the false alarms they explain:", ""]
    out += [
        "| category | events | events drawing a false alarm | alarms begun during | false alarms "
        "(all points) | false alarms on clean points | per clean point-month |"
    ]
    out += ["|---|---|---|---|---|---|---|"]
    cats = sorted({c for r in results for c in r.looks})
    for c in cats:
        row = [sum(r.looks.get(c, [0] * 6)[i] for r in results) for i in range(6)]
        rate = row[3] / row[4] if row[4] else float("nan")
        out.append(
            f"| {c} | {row[0]:.0f} | {row[1]:.0f} | {row[2]:.0f} | {row[5]:.0f} | "
            f"{row[3]:.0f} | {rate:.3f} ({row[3]:.0f}/{row[4]:.1f}) |"
        )
    return out


def _rule_table(results: list[Scores]) -> list[str]:
    out = ["", "Per rule (an alarm counts for every rule that fired in it):", ""]
    out += ["| rule | alarms | true | precision |", "|---|---|---|---|"]
    for rule in sorted({k for r in results for k in r.per_rule}):
        n = sum(r.per_rule.get(rule, [0, 0])[0] for r in results)
        t = sum(r.per_rule.get(rule, [0, 0])[1] for r in results)
        out.append(f"| {rule} | {n} | {t} | {t / n:.3f} |")
    return out


def _ttd_table(results: list[Scores]) -> list[str]:
    out = ["", "Time to detect by analyser type, and the rule that detected first:", ""]
    out += ["| analyser | events detected | median (h) | p90 (h) | first rule (count) |"]
    out += ["|---|---|---|---|---|"]
    for kind in ("continuous", "batch", "whole point"):
        rows = [t for r in results for t in r.ttd if t[1] == kind]
        firsts = Counter(t[2] for t in rows).most_common(4)
        h = [t[3] for t in rows]
        text = ", ".join(f"{k} {v}" for k, v in firsts)
        out.append(f"| {kind} | {len(rows)} | {_pct(h, 50)} | {_pct(h, 90)} | {text} |")
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seeds", default="1,2,3")
    ap.add_argument("--points", type=int, default=60)
    ap.add_argument("--days", type=int, default=40)
    ap.add_argument("--workers", type=int, default=0, help="Dask workers for detect (0: default)")
    ap.add_argument("--no-schedule", action="store_true", help="run without --schedule")
    ap.add_argument("--label", default="Seeds")
    ap.add_argument("--verbose", action="store_true", help="list missed events and false alarms")
    ap.add_argument("--json", type=Path, help="also write the per-seed scores here")
    args = ap.parse_args()
    results: list[Scores] = []
    for seed in (int(s) for s in args.seeds.split(",")):
        ds = generate(seed, n_points=args.points, days=args.days)
        with tempfile.TemporaryDirectory(prefix="eco263-eval-") as tmp:
            extra = ["--workers", str(args.workers)] if args.workers else []
            alarms, seconds = run_detect(ds, Path(tmp), extra, not args.no_schedule)
        r = score(seed, ds, alarms, seconds)
        results.append(r)
        if args.verbose:
            print(f"seed {seed}: missed {len(r.missed)}, false {len(r.false)}")
            for m in r.missed:
                print("  MISS", m)
            for f in r.false:
                print("  FALSE", f)
        print(
            f"seed {seed}: recall {r.recall:.3f} precision {r.precision:.3f} "
            f"fa/clean pm {r.fa_rate:.3f} ({seconds:.0f} s)",
            flush=True,
        )
    print(table(results, args.points, args.days, args.label))
    if args.json:
        args.json.write_text(
            json.dumps([r.__dict__ for r in results], ensure_ascii=False, default=str),
            encoding="utf-8",
        )


if __name__ == "__main__":
    main()
