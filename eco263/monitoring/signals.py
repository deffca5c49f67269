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

from __future__ import annotations

import hashlib
import heapq
import math
import random
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Final, Literal
from zoneinfo import ZoneInfo

from eco263.monitoring.hj212 import frame

SHANGHAI: Final = ZoneInfo("Asia/Shanghai")
#: Local midnight, a Saturday; minute indexes count from here (China has had no DST since 1991).
EPOCH: Final = datetime(2000, 1, 1, tzinfo=SHANGHAI)
_EPOCH_WEEKDAY: Final = 5  # Saturday
MINUTES_PER_DAY: Final = 1440

Medium = Literal["water", "gas"]
Dialect = Literal["2017", "2005"]
Cumulative = Literal["none", "volume", "load"]

ScenarioKind = Literal[
    "normal", "exceedance", "tamper-dilution", "flatline", "offline", "bad-crc", "2005-dialect"
]
SCENARIOS: Final[tuple[ScenarioKind, ...]] = (
    "normal",
    "exceedance",
    "tamper-dilution",
    "flatline",
    "offline",
    "bad-crc",
    "2005-dialect",
)

#: Record kinds: real-time, minute, hour, day (HJ 212-2017 table 9).
RECORD_CNS: Final = ("2011", "2051", "2061", "2031")


@dataclass(frozen=True, slots=True)
class Factor:
    """One monitored factor of a point: its code, typical level and how it moves.

    ``load_gain``: 0 = ignores production, 1 = proportional to it, negative = rises when
    production falls (O2 in flue gas).  ``noise``/``wander``: relative standard deviations of the
    minute noise and the slow hourly wander.  ``cumulative``: ``volume`` for the flow factor
    (Cou = m³), ``load`` for pollutants (Cou = kg), ``none`` for pH, temperature, O2 ….
    ``converted``: also send 折算 values (ZsAvg …) at the reference O2 (flue gas).
    ``limit`` is illustrative configuration (recalled, not a legal constant).
    """

    code: str
    code_2005: str | None
    name: str
    unit: str
    base: float
    decimals: int
    load_gain: float = 0.0
    noise: float = 0.03
    wander: float = 0.05
    cumulative: Cumulative = "load"
    converted: bool = False
    limit: float | None = None


WATER_FACTORS: Final = (
    Factor("w00000", "B01", "废水流量", "m³/h", 120.0, 2, 0.9, 0.04, 0.05, "volume"),
    Factor("w01018", "011", "化学需氧量", "mg/L", 45.0, 2, 0.5, 0.04, 0.08, limit=80.0),
    Factor("w21003", "060", "氨氮", "mg/L", 4.0, 3, 0.4, 0.04, 0.08, limit=15.0),
    Factor("w21011", "101", "总磷", "mg/L", 0.35, 3, 0.4, 0.05, 0.08, limit=1.0),
    Factor("w21001", "065", "总氮", "mg/L", 12.0, 2, 0.4, 0.04, 0.08, limit=20.0),
    Factor("w01001", "001", "pH值", "", 7.2, 2, 0.02, 0.004, 0.01, "none"),
    Factor("w01010", None, "水温", "℃", 22.0, 1, 0.1, 0.01, 0.03, "none"),
    Factor("w20122", "029", "总铜", "mg/L", 0.18, 4, 0.7, 0.05, 0.10, limit=0.5),
)
"""An electronics plant's wastewater outlet (the 昆山 case is a PCB maker: copper matters)."""

GAS_FACTORS: Final = (
    Factor("a00000", "B02", "烟气流量", "m³/h", 180000.0, 0, 0.8, 0.02, 0.04, "volume"),
    Factor("a21026", "02", "二氧化硫", "mg/m³", 22.0, 2, 0.4, 0.06, 0.10, converted=True,
           limit=35.0),
    Factor("a21002", "03", "氮氧化物", "mg/m³", 38.0, 2, 0.3, 0.05, 0.08, converted=True,
           limit=50.0),
    Factor("a34013", "01", "颗粒物", "mg/m³", 4.0, 2, 0.3, 0.08, 0.10, converted=True,
           limit=10.0),
    Factor("a19001", "S01", "氧含量", "%", 7.5, 2, -0.25, 0.01, 0.02, "none"),
    Factor("a01012", "S03", "烟气温度", "℃", 52.0, 1, 0.15, 0.01, 0.02, "none"),
    Factor("a01011", "S02", "烟气流速", "m/s", 12.5, 2, 0.8, 0.02, 0.04, "none"),
    Factor("a01014", "S05", "烟气湿度", "%", 9.0, 2, 0.1, 0.02, 0.04, "none"),
)  # fmt: skip
"""A coal-fired boiler stack after wet desulphurisation (CEMS)."""

#: Reference O2 (%) for 折算 values of the gas factors (a boiler; configuration, not a constant).
REFERENCE_O2: Final = 9.0
_O2_CODE: Final = "a19001"
_FLOW_CODES: Final = {"water": "w00000", "gas": "a00000"}
_AIR_O2: Final = 20.9


@dataclass(frozen=True, slots=True)
class Scenario:
    """What happens to a logger.

    ``hours`` (local) and the optional ``start``/``end`` say when the scenario is active;
    ``codes`` which factors it changes (empty = the kind's default); ``factor`` the multiplier
    (exceedance, dilution) or, for ``flatline``, the constant (None = 10 % of the base level);
    ``fraction``: share of packets whose first transmission is damaged (``bad-crc``).
    """

    kind: ScenarioKind = "normal"
    hours: frozenset[int] = frozenset(range(24))
    start: datetime | None = None
    end: datetime | None = None
    codes: tuple[str, ...] = ()
    factor: float | None = None
    fraction: float = 0.05

    def active(self, at: datetime) -> bool:
        """Whether the scenario acts at instant ``at`` (aware)."""
        return self.active_minute(minute_index(at), at)

    def active_minute(self, m: int, at: datetime | None = None) -> bool:
        if self.kind in ("normal", "bad-crc", "2005-dialect"):
            return False
        if (m % MINUTES_PER_DAY) // 60 not in self.hours:
            return False
        if self.start is None and self.end is None:
            return True
        when = at if at is not None else minute_time(m)
        return (self.start is None or when >= self.start) and (self.end is None or when < self.end)


#: Default windows and sizes per scenario kind (the 昆山 dilution: some night hours, ≈ 2.9×
#: as in the 巨野 case; exceedances in the late-morning production peak; a daily outage).
SCENARIO_DEFAULTS: Final[dict[ScenarioKind, Scenario]] = {
    "normal": Scenario("normal"),
    "exceedance": Scenario("exceedance", frozenset({10, 11, 12, 13}), factor=2.5),
    "tamper-dilution": Scenario(
        "tamper-dilution", frozenset({22, 23, 0, 1, 2, 3, 4, 5}), factor=1 / 2.9
    ),
    "flatline": Scenario("flatline"),
    "offline": Scenario("offline", frozenset({3, 4})),
    "bad-crc": Scenario("bad-crc", fraction=0.05),
    "2005-dialect": Scenario("2005-dialect"),
}

_DEFAULT_CODES: Final[dict[tuple[ScenarioKind, Medium], tuple[str, ...]]] = {
    ("exceedance", "water"): ("w01018", "w20122"),
    ("exceedance", "gas"): ("a21026", "a34013"),
    ("tamper-dilution", "water"): ("w20122",),
    ("tamper-dilution", "gas"): ("a21026", "a21002", "a34013"),
    ("flatline", "water"): ("w21003",),
    ("flatline", "gas"): ("a21026",),
}


def scenario(kind: ScenarioKind, **changes: object) -> Scenario:
    """The default scenario of a kind, with some fields changed."""
    return replace(SCENARIO_DEFAULTS[kind], **changes)  # type: ignore[arg-type]


@dataclass(frozen=True, slots=True)
class PointSpec:
    """A simulated data logger's point: MN, password, medium, dialect and factors."""

    mn: str
    password: str
    medium: Medium
    name: str
    factors: tuple[Factor, ...]
    dialect: Dialect = "2017"

    @property
    def st(self) -> str:
        """System code (HJ 212 table 5): 32 wastewater source, 31 flue-gas source."""
        return "32" if self.medium == "water" else "31"

    @property
    def flow_code(self) -> str:
        return _FLOW_CODES[self.medium]


def make_points(
    count: int,
    *,
    seed: int,
    medium: Medium | Literal["mixed"] = "water",
    password: str = "123456",  # noqa: S107 - the usual HJ 212 factory password
    dialects: Iterable[Dialect] = (),
) -> list[PointSpec]:
    """``count`` points with MNs derived from ``seed`` (24 hex chars; 14 digits for 2005).

    ``mixed`` alternates water and gas.  ``dialects`` gives the dialect of the first points
    (the rest speak 2017).
    """
    chosen = list(dialects)
    points = []
    for i in range(count):
        kind: Medium = medium if medium != "mixed" else ("water" if i % 2 == 0 else "gas")
        dialect: Dialect = chosen[i] if i < len(chosen) else "2017"
        factors: tuple[Factor, ...] = WATER_FACTORS if kind == "water" else GAS_FACTORS
        if dialect == "2005":
            mn = f"32058{seed % 100000:05d}{i:04d}"[-14:]
            factors = tuple(f for f in factors if f.code_2005 is not None)
        else:
            cls = 0x32 if kind == "water" else 0x31
            mn = f"0100{seed % 0x10000:04X}2630{cls:02X}{i:010X}"
        name = f"模拟{'废水' if kind == 'water' else '废气'}排口 {i + 1:04d}"
        points.append(PointSpec(mn, password, kind, name, factors, dialect))
    return points


# ----------------------------------------------------------------------------------------------
# Time
# ----------------------------------------------------------------------------------------------


def minute_index(at: datetime) -> int:
    """Whole local minutes since :data:`EPOCH` (``at`` must be aware)."""
    return int((at - EPOCH).total_seconds() // 60)


def minute_time(m: int) -> datetime:
    """The instant of minute index ``m`` (aware, Asia/Shanghai)."""
    return (EPOCH + timedelta(minutes=m)).astimezone(SHANGHAI)


def production(m: int) -> float:
    """Plant activity in [0, 1] at local minute index ``m``: shifts, nights and weekends."""
    day, minute = divmod(m, MINUTES_PER_DAY)
    weekday = (_EPOCH_WEEKDAY + day) % 7
    peak = (1.0, 1.0, 1.0, 1.0, 1.0, 0.7, 0.4)[weekday]
    night = 0.35
    hour = minute / 60.0
    if 8.0 <= hour < 20.0:
        level = 1.0
    elif 7.0 <= hour < 8.0:
        level = 0.5 - 0.5 * math.cos(math.pi * (hour - 7.0))
    elif 20.0 <= hour < 21.0:
        level = 0.5 + 0.5 * math.cos(math.pi * (hour - 20.0))
    else:
        level = 0.0
    return night + (peak - night) * level


# ----------------------------------------------------------------------------------------------
# Noise: deterministic, random access
# ----------------------------------------------------------------------------------------------


def _stable_int(*parts: object) -> int:
    text = "|".join(str(p) for p in parts).encode()
    return int.from_bytes(hashlib.blake2b(text, digest_size=8).digest(), "big")


@lru_cache(maxsize=65536)
def _hour_noise(seed: int, mn: str, code: str, hour: int) -> tuple[float, ...]:
    """60 minute noises (standard normal) and, last, the hour's wander knot."""
    rng = random.Random(_stable_int(seed, mn, code, hour))  # noqa: S311 - not cryptographic
    gauss = rng.gauss
    return tuple(gauss(0.0, 1.0) for _ in range(61))


def unit_draw(seed: int, *parts: object) -> float:
    """A uniform draw in [0, 1) determined by ``seed`` and ``parts`` (for per-packet choices)."""
    return _stable_int(seed, *parts) / 2.0**64


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


# ----------------------------------------------------------------------------------------------
# Schedule: which records a logger sends, and when
# ----------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, order=True)
class Due:
    """A record to send at ``due`` (simulated time): the end of its interval."""

    due: datetime
    order: int
    cn: str = field(compare=False)
    data_time: datetime = field(compare=False)


def _series(
    cn: str, order: int, start: datetime, end: datetime, step: timedelta, lag: timedelta
) -> Iterator[Due]:
    at = start
    while at < end:
        yield Due(at + lag, order, cn, at)
        at += step


def _align(at: datetime, step: timedelta) -> datetime:
    """First multiple of ``step`` (counted from local midnight 2000-01-01) at or after ``at``."""
    seconds = (at - EPOCH).total_seconds()
    size = step.total_seconds()
    return EPOCH + timedelta(seconds=math.ceil(seconds / size) * size)


def schedule(
    start: datetime,
    end: datetime,
    *,
    cns: Iterable[str] = RECORD_CNS,
    rtd_interval: int = 60,
    min_interval: int = 10,
    offline: SignalGenerator | None = None,
) -> Iterator[Due]:
    """Records sent in [start, end] (data time ≥ start), in the order a logger sends them.

    A real-time sample is sent at its instant, a minute/hour/day record when its interval
    ends.  With ``offline`` (a generator under the ``offline`` scenario) the records the logger
    could not measure (off when the interval started) are left out.
    """
    wanted = set(cns)
    steps = {
        "2011": (timedelta(seconds=rtd_interval), timedelta(0)),
        "2051": (timedelta(minutes=min_interval), timedelta(minutes=min_interval)),
        "2061": (timedelta(hours=1), timedelta(hours=1)),
        "2031": (timedelta(days=1), timedelta(days=1)),
    }
    streams = [
        _series(cn, order, _align(start, steps[cn][0]), end, *steps[cn])
        for order, cn in enumerate(RECORD_CNS)
        if cn in wanted
    ]
    for item in heapq.merge(*streams):
        if item.due > end:
            continue  # the interval ends after the period: not sent within it
        if offline is not None and item.cn != "2031" and offline.offline(item.data_time):
            continue
        yield item


# ----------------------------------------------------------------------------------------------
# Packets
# ----------------------------------------------------------------------------------------------

_SUBKEYS: Final = (
    ("Cou", "cou"),
    ("Min", "min"),
    ("Avg", "avg"),
    ("Max", "max"),
    ("ZsMin", "zs_min"),
    ("ZsAvg", "zs_avg"),
    ("ZsMax", "zs_max"),
)


def _number(value: float, decimals: int) -> str:
    return f"{value:.{decimals}f}"


def _amount(value: float) -> str:
    """A cumulative amount (``Cou``): up to 6 decimals, no trailing zeros."""
    text = f"{value:.6f}".rstrip("0")
    return text[:-1] if text.endswith(".") else text


def cp_text(point: PointSpec, record: Record) -> str:
    """The CP area (without ``&&``) of ``record`` in the point's dialect."""
    decimals = {f.code: f.decimals for f in point.factors}
    codes = {f.code: f.code_2005 or f.code for f in point.factors}
    old = point.dialect == "2005"
    when = record.data_time.astimezone(SHANGHAI).strftime("%Y%m%d%H%M%S")
    items = [f"DataTime={when}000" if old else f"DataTime={when}"]
    for v in record.values:
        code = codes[v.code] if old else v.code
        d = decimals[v.code]
        fields: list[str] = []
        if v.rtd is not None:
            fields.append(f"{code}-Rtd={_number(v.rtd, d)}")
            if v.zs_rtd is not None:
                fields.append(f"{code}-ZsRtd={_number(v.zs_rtd, d)}")
        for sub, attr in _SUBKEYS:
            x = getattr(v, attr)
            if x is not None:
                text = _amount(x) if sub == "Cou" else _number(x, d)
                fields.append(f"{code}-{sub}={text}")
        fields.append(f"{code}-Flag={v.flag}")
        items.append(",".join(fields))
    return ";".join(items)


def packet(point: PointSpec, record: Record, qn: str, *, damaged: bool = False) -> bytes:
    """The framed packet (length, CRC, CRLF) asking for a 9014 answer.

    2017: ``Flag=5`` (version 000001, A=1).  2005: ``Flag=1`` (version bits 0, A=1), 2005 factor
    codes, 14-digit MN, DataTime with milliseconds.  ``damaged``: the CRC is wrong, as after a
    bit error on the line.
    """
    flag = 1 if point.dialect == "2005" else 5
    segment = (
        f"QN={qn};ST={point.st};CN={record.cn};PW={point.password};MN={point.mn};"
        f"Flag={flag};CP=&&{cp_text(point, record)}&&"
    )
    data = frame(segment, max_length=9999)
    if damaged:
        crc = int(data[-6:-2], 16) ^ 0x5A5A
        data = data[:-6] + b"%04X\r\n" % crc
    return data


def make_qn(at: datetime) -> str:
    """QN ``YYYYMMDDhhmmsszzz`` of a local instant."""
    local = at.astimezone(SHANGHAI)
    return local.strftime("%Y%m%d%H%M%S") + f"{local.microsecond // 1000:03d}"
