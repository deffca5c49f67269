"""Records and the per-point :class:`SignalGenerator` (minute samples → record values)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime

from eco263.monitoring.signals.model import (
    _AIR_O2,
    _DEFAULT_CODES,
    _O2_CODE,
    MINUTES_PER_DAY,
    REFERENCE_O2,
    Factor,
    PointSpec,
    Scenario,
    _hour_noise,
    minute_index,
    production,
    unit_draw,
)

# ----------------------------------------------------------------------------------------------
# Records
# ----------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Value:
    """One factor's values in one record (None = not sent)."""

    code: str
    rtd: float | None = None
    min: float | None = None
    avg: float | None = None
    max: float | None = None
    cou: float | None = None
    zs_rtd: float | None = None
    zs_min: float | None = None
    zs_avg: float | None = None
    zs_max: float | None = None
    flag: str = "N"


@dataclass(frozen=True, slots=True)
class Record:
    """One data record (a packet's content before framing)."""

    mn: str
    cn: str
    data_time: datetime
    values: tuple[Value, ...]
    labels: frozenset[str] = field(default=frozenset())
    """Codes whose values a scenario changed somewhere in the record's interval."""


def interval_minutes(cn: str, min_interval: int) -> int:
    """Length of a record's interval in minutes (1 for real-time samples)."""
    return {"2011": 1, "2051": min_interval, "2061": 60, "2031": MINUTES_PER_DAY}[cn]


class SignalGenerator:
    """The signal of one point under one scenario; every method is a pure function."""

    def __init__(self, point: PointSpec, scenario: Scenario, seed: int) -> None:
        self.point = point
        self.scenario = scenario
        self.seed = seed
        self._index = {f.code: f for f in point.factors}
        codes = scenario.codes or _DEFAULT_CODES.get((scenario.kind, point.medium), ())
        self._targets = frozenset(codes)
        self._flow = self._index.get(point.flow_code)
        self._o2 = self._index.get(_O2_CODE)

    @property
    def targets(self) -> frozenset[str]:
        """Codes the scenario changes."""
        return self._targets

    # -- minute samples ------------------------------------------------------------------------

    def clean(self, code: str, m: int) -> float:
        """The unmanipulated value of ``code`` at minute index ``m`` (full precision)."""
        f = self._index[code]
        hour, minute = divmod(m, 60)
        noise = _hour_noise(self.seed, self.point.mn, code, hour)
        knot = noise[60]
        nxt = _hour_noise(self.seed, self.point.mn, code, hour + 1)[60]
        wander = knot + (nxt - knot) * (minute / 60.0)
        level = 1.0 + f.load_gain * (production(m) - 1.0)
        value = f.base * level * math.exp(f.wander * wander) * (1.0 + f.noise * noise[minute])
        return max(value, 0.0)

    def manipulated(self, code: str, m: int) -> bool:
        """Whether the scenario changes ``code`` at minute ``m`` (the label for analytics)."""
        sc = self.scenario
        if sc.kind == "tamper-dilution" and code == _O2_CODE and self.point.medium == "gas":
            return sc.active_minute(m)
        return code in self._targets and sc.active_minute(m)

    def sample(self, code: str, m: int) -> float:
        """What the instrument reports for ``code`` at minute ``m`` (rounded)."""
        f = self._index[code]
        value = self.clean(code, m)
        if self.manipulated(code, m):
            value = self._manipulate(f, value)
        return round(value, f.decimals)

    def _manipulate(self, f: Factor, value: float) -> float:
        sc = self.scenario
        if sc.kind == "flatline":
            return sc.factor if sc.factor is not None else round(f.base * 0.1, f.decimals)
        k = sc.factor if sc.factor is not None else 1.0
        if f.code == _O2_CODE:  # air drawn into the probe: O2 rises toward ambient
            return k * value + (1.0 - k) * _AIR_O2
        return value * k

    def at(self, code: str, when: datetime) -> float:
        """:meth:`sample` at an instant (the minute containing it)."""
        return self.sample(code, minute_index(when))

    # -- records -------------------------------------------------------------------------------

    def record(self, cn: str, data_time: datetime, *, min_interval: int = 10) -> Record:
        """The record ``cn`` whose interval starts at ``data_time`` (2011: the sample instant)."""
        m0 = minute_index(data_time)
        n = interval_minutes(cn, min_interval)
        minutes = range(m0, m0 + n)
        series = {f.code: [self.sample(f.code, m) for m in minutes] for f in self.point.factors}
        labels = frozenset(
            f.code for f in self.point.factors if any(self.manipulated(f.code, m) for m in minutes)
        )
        values = tuple(self._values(cn, f, series) for f in self.point.factors)
        mn = self.point.mn
        return Record(mn, cn, data_time, values, labels)

    def _values(self, cn: str, f: Factor, series: dict[str, list[float]]) -> Value:
        xs = series[f.code]
        zs: list[float] | None = None
        if f.converted and self._o2 is not None:
            zs = [x * (21.0 - REFERENCE_O2) / max(21.0 - o2, 0.5) for x, o2 in
                  zip(xs, series[_O2_CODE], strict=True)]  # fmt: skip
        d = f.decimals
        if cn == "2011":
            return Value(f.code, rtd=xs[0], zs_rtd=None if zs is None else round(zs[0], d))
        cou: float | None = None
        if f.cumulative == "volume":
            cou = round(sum(xs) / 60.0, 2)
        elif f.cumulative == "load" and self._flow is not None:
            flows = series[self._flow.code]
            grams_per_unit = 1e-3 if self.point.medium == "water" else 1e-6  # mg/L·m³, mg/m³·m³
            cou = round(
                sum(x * q / 60.0 for x, q in zip(xs, flows, strict=True)) * grams_per_unit, 6
            )
        n = len(xs)
        return Value(
            f.code,
            min=min(xs),
            avg=round(sum(xs) / n, d),
            max=max(xs),
            cou=cou,
            zs_min=None if zs is None else round(min(zs), d),
            zs_avg=None if zs is None else round(sum(zs) / n, d),
            zs_max=None if zs is None else round(max(zs), d),
        )

    def label(self, when: datetime) -> frozenset[str]:
        """Codes the scenario changes at ``when``."""
        m = minute_index(when)
        return frozenset(f.code for f in self.point.factors if self.manipulated(f.code, m))

    def offline(self, when: datetime) -> bool:
        """Whether the logger is off (``offline`` scenario) at ``when``."""
        return self.scenario.kind == "offline" and self.scenario.active(when)

    def damaged(self, record: Record) -> bool:
        """Whether the first transmission of ``record`` arrives with a broken CRC."""
        sc = self.scenario
        if sc.kind != "bad-crc":
            return False
        draw = unit_draw(self.seed, "crc", record.mn, record.cn, record.data_time.isoformat())
        return draw < sc.fraction
