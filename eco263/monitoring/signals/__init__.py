"""Synthetic monitoring signals: pure functions of (seed, point, time) → values and packets.

No I/O, no clock, no database: the HJ 212 simulator (``eco263/gateway/simulator.py``) sends
what this module computes, and the analytics work can call it directly to make labelled data
(every value knows whether a scenario changed it: :meth:`SignalGenerator.label`).

Model of one factor at one minute ``m`` (local China time; no DST since 1991):

    value = base · (1 + load_gain · (production(m) − 1)) · exp(wander · w(m)) · (1 + noise · ε(m))

* ``production`` is the plant's activity in [0, 1]: day shift 08:00–20:00 on weekdays with
  one-hour ramps, 35 % at night, a lighter Saturday and a Sunday that barely runs;
* ``w`` is slow wander (a standard normal knot every hour, linearly interpolated) and ``ε``
  minute-to-minute white noise, both drawn from ``random.Random`` seeded by a hash of
  (seed, MN, code, hour), so any minute can be computed on its own, in any order;
* a scenario then changes the value (exceedance ×k, dilution ×k, flatline = constant) in its
  hours, and the result is rounded to the instrument's resolution.

Records (2011 real-time, 2051 minute, 2061 hour, 2031 day) aggregate those minute samples
exactly (min / mean / max; ``Cou`` = flow volume or pollutant load over the interval), so
hour and day packets are consistent with the minute packets, as real loggers' are.
"""

from eco263.monitoring.signals.generator import (
    Record,
    SignalGenerator,
    Value,
    interval_minutes,
)
from eco263.monitoring.signals.model import (
    EPOCH,
    GAS_FACTORS,
    MINUTES_PER_DAY,
    RECORD_CNS,
    REFERENCE_O2,
    SCENARIO_DEFAULTS,
    SCENARIOS,
    SHANGHAI,
    WATER_FACTORS,
    Cumulative,
    Dialect,
    Factor,
    Medium,
    PointSpec,
    Scenario,
    ScenarioKind,
    make_points,
    minute_index,
    minute_time,
    production,
    scenario,
    unit_draw,
)
from eco263.monitoring.signals.wire import Due, cp_text, make_qn, packet, schedule

__all__ = [
    "EPOCH",
    "GAS_FACTORS",
    "MINUTES_PER_DAY",
    "RECORD_CNS",
    "REFERENCE_O2",
    "SCENARIOS",
    "SCENARIO_DEFAULTS",
    "SHANGHAI",
    "WATER_FACTORS",
    "Cumulative",
    "Dialect",
    "Due",
    "Factor",
    "Medium",
    "PointSpec",
    "Record",
    "Scenario",
    "ScenarioKind",
    "SignalGenerator",
    "Value",
    "cp_text",
    "interval_minutes",
    "make_points",
    "make_qn",
    "minute_index",
    "minute_time",
    "packet",
    "production",
    "scenario",
    "schedule",
    "unit_draw",
]
