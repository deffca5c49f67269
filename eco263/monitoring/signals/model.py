"""The signal model's data: factors, scenarios, points, local time and random-access noise."""

from __future__ import annotations

import hashlib
import math
import random
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Final, Literal
from zoneinfo import ZoneInfo

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
