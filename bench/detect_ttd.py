"""Time to detect as the live pipeline sees it (issue 17, step 6): a replay of its cadence.

The scheduler runs ``detect_recent`` every 15 minutes on each point's last ``history_days``
(``eco263/data/alarm_policy.yaml``) and records what the detectors report.  This script runs
the same detector call (``detect_point`` → ``episodes``) on the same window at the same
cadence, on the records that had reached the platform by each run (receive time, else the
end of the record's interval), without the database, and records the first
run that reports an event: that run's time minus the event's start is the time to detect an
officer would see — not the ``detected_at`` the batch run claims, which this checks.

Two sources:

* the demo's simulated loggers (``make demo``: the 昆山 night dilution, the frozen ammonia
  value, the exceedance), scenario onset ``ONSET_DAYS_AGO`` before ``DEMO_NOW``;
* the evaluation generator (``bench/tamper_eval.py``), every injected event of the first
  ``--points`` points of each seed.

Runs are every 15 min for the first 6 h after the onset, then hourly up to ``--max-hours``
(the resolution of the figures).  Usage::

    .venv/bin/python bench/detect_ttd.py --seeds 1 --points 30
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from eco263.alarms.rules import load_policy
from eco263.demo_run import HISTORY_DAYS, LOGGERS, ONSET_DAYS_AGO, SIM_SEED
from eco263.monitoring import signals
from eco263.monitoring.detectors import Limit, detect_point, episodes, load_config
from eco263.monitoring.detectors.schedule import ScheduleBook, parse_schedule
from eco263.monitoring.detectors.synthetic import Event, generate
from eco263.monitoring.signals import SHANGHAI, SignalGenerator, minute_index, scenario

sys.path.insert(0, str(Path(__file__).resolve().parent))
from tamper_eval import schedule_yaml  # a sibling script

DEMO_NOW = datetime(2018, 5, 10, 9, 0, tzinfo=SHANGHAI)
CONFIG = load_config()
POLICY = load_policy()


def run_times(onset: datetime, max_hours: float) -> list[datetime]:
    fine = [onset + timedelta(minutes=15 * k) for k in range(1, 25)]
    coarse = [onset + timedelta(hours=h) for h in range(7, int(max_hours) + 1)]
    return [_ceil_quarter(t) for t in fine + coarse]


def _ceil_quarter(t: datetime) -> datetime:
    q = timedelta(minutes=15)
    return t + (-(t - datetime(2000, 1, 1, tzinfo=t.tzinfo)) % q)


def first_report(
    frame: pd.DataFrame,
    limits: dict[str, Limit],
    ev: Event,
    schedule: ScheduleBook,
    max_hours: float,
) -> tuple[float, str] | None:
    """Hours from the event's start to the first 15-min run reporting it, and its rules."""
    times = frame["time"]
    arrived = _arrival(frame)
    for now in run_times(ev.start, max_hours):
        window = frame[(times >= now - timedelta(days=POLICY.history_days)) & (arrived < now)]
        if window.empty:
            continue
        found = detect_point(window, limits, config=CONFIG, schedule=schedule.for_point(ev.mn))
        for e in episodes(found, CONFIG.episodes):
            if e.category.value not in ("tamper", "data_quality"):
                continue
            if "*" not in (e.pollutant, ev.pollutant) and e.pollutant != ev.pollutant:
                continue
            if e.end >= ev.start - timedelta(hours=24) and e.start <= ev.end + timedelta(hours=24):
                return (now - ev.start).total_seconds() / 3600, "+".join(e.rules)
    return None


def _arrival(frame: pd.DataFrame) -> pd.Series:
    """When each record reached the platform: its receive time, else the end of its
    interval (an hourly value exists only once its hour is over)."""
    span = {"2061": pd.Timedelta(hours=1), "2031": pd.Timedelta(days=1)}
    end = frame["time"] + frame.get("cn", pd.Series("2051", index=frame.index)).map(
        lambda cn: span.get(cn, pd.Timedelta(minutes=1))
    )
    if "received" not in frame:
        return end
    return frame["received"].where(frame["received"].notna(), end)


def demo(max_hours: float) -> list[tuple[str, str, float | None, str]]:
    points = signals.make_points(len(LOGGERS), seed=SIM_SEED, medium="water")
    onset = DEMO_NOW - timedelta(days=ONSET_DAYS_AGO)
    out = []
    for kind in ("tamper-dilution", "flatline"):
        spec = points[[k for k, _ in LOGGERS].index(kind)]
        gen = SignalGenerator(spec, scenario(kind, start=onset), SIM_SEED)
        start = onset - timedelta(days=HISTORY_DAYS)
        end = onset + timedelta(hours=max_hours)
        m0, m1 = minute_index(start), minute_index(end)
        times = pd.date_range(start, periods=m1 - m0, freq="min")
        frames, limits = [], {}
        for f in spec.factors:
            if f.code not in ("w00000", "w01018", "w20122", "w21003"):
                continue
            values = [gen.sample(f.code, m) for m in range(m0, m1)]
            frames.append(pd.DataFrame({"time": times, "pollutant": f.code, "value": values}))
            if f.limit:
                limits[f.code] = Limit(f.code, f.limit, f.unit)
        df = pd.concat(frames, ignore_index=True).assign(flag="N", mn=spec.mn)
        target = sorted(gen.targets)[0]
        # the scenario acts only in its hours: the event starts at its first active minute
        active = next(t for t in times if t >= onset and gen.scenario.active(t.to_pydatetime()))
        ev = Event(spec.mn, target, kind, active.to_pydatetime(), end)
        hit = first_report(df, limits, ev, ScheduleBook(), max_hours)
        out.append(("demo", kind, hit[0] if hit else None, hit[1] if hit else "—"))
    return out


def evaluation(
    seed: int, n_points: int, max_hours: float
) -> list[tuple[str, str, float | None, str]]:
    ds = generate(seed, n_points=60, days=40)
    book = parse_schedule(schedule_yaml(ds), "generated")
    limits_of: dict[str, dict[str, Limit]] = {}
    for mn, lim in ds.limits:
        limits_of.setdefault(mn, {})[lim.pollutant] = lim
    out = []
    for mn in ds.points[:n_points]:
        frame = ds.frame[ds.frame["mn"] == mn]  # minute, hour and day records, as stored
        for ev in (e for e in ds.events if e.mn == mn and e.label != "benign"):
            hit = first_report(frame, limits_of.get(mn, {}), ev, book, max_hours)
            kind = (
                "continuous"
                if ev.pollutant == "w21003"
                else ("whole point" if ev.pollutant == "*" else "batch")
            )
            out.append(
                (f"seed {seed} {kind}", ev.kind, hit[0] if hit else None, hit[1] if hit else "—")
            )
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seeds", default="1")
    ap.add_argument("--points", type=int, default=30)
    ap.add_argument("--max-hours", type=float, default=72)
    args = ap.parse_args()
    t0 = time.perf_counter()
    rows = demo(args.max_hours)
    for seed in (int(s) for s in args.seeds.split(",") if s):
        rows += evaluation(seed, args.points, args.max_hours)
    print("| source | kind | first reported after (h) | rules of that episode |")
    print("|---|---|---|---|")
    for src, kind, hours, rules in rows:
        when = f"not within {args.max_hours:g} h" if hours is None else f"{hours:.2f}"
        print(f"| {src} | {kind} | {when} | {rules} |")
    for label, sel in (
        ("continuous analysers", lambda r: "continuous" in r[0]),
        ("batch analysers", lambda r: "batch" in r[0]),
        ("whole point", lambda r: "whole point" in r[0]),
        ("all (evaluation)", lambda r: r[0].startswith("seed")),
    ):
        h = [r[2] for r in rows if sel(r) and r[2] is not None]
        n = sum(1 for r in rows if sel(r))
        first = Counter(r[3].split("+")[0] for r in rows if sel(r) and r[2] is not None)
        if h:  # median and p90 of the events reported within max_hours
            print(
                f"{label}: {len(h)}/{n} reported within {args.max_hours:g} h, median "
                f"{np.median(h):.2f} h, p90 {np.percentile(h, 90):.2f} h; first rules "
                f"{dict(first.most_common(5))}"
            )
    print(f"({time.perf_counter() - t0:.0f} s)")


if __name__ == "__main__":
    main()
