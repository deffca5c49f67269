"""The demo's simulated loggers through the detectors (``make demo``, issue 4).

The 昆山 logger (``tamper-dilution``: the copper line diluted 2.9× at night) must come out as
``dilution`` — a multiplicative drop keeps the spread of log values, so it is not a gain edit —
and the ``exceedance`` logger's late-morning episode must stay an exceedance: the drop at its
end only returns to the usual level, which is not a manipulation.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pandas as pd
import pytest

from eco263.demo_run import HISTORY_DAYS, LOGGERS, ONSET_DAYS_AGO, SIM_SEED
from eco263.monitoring import signals
from eco263.monitoring.detectors import Alarm, Limit, detect_point
from eco263.monitoring.signals import SHANGHAI, SignalGenerator, minute_index, scenario

NOW = datetime(2018, 5, 10, 9, 0, tzinfo=SHANGHAI)  # the Makefile's DEMO_NOW
CODES = ("w00000", "w01018", "w20122", "w21003")  # flow and the factors the scenarios touch


def _demo_alarms(kind: str) -> list[Alarm]:
    """Minute and hour records of the demo logger running ``kind`` (history, then onset)."""
    points = signals.make_points(len(LOGGERS), seed=SIM_SEED, medium="water")
    index = [k for k, _ in LOGGERS].index(kind)
    spec = points[index]
    start = NOW - timedelta(days=HISTORY_DAYS)
    gen = SignalGenerator(
        spec, scenario(kind, start=NOW - timedelta(days=ONSET_DAYS_AGO)), SIM_SEED
    )  # type: ignore[arg-type]
    m0, m1 = minute_index(start), minute_index(NOW)
    times = pd.date_range(start, periods=m1 - m0, freq="min")
    frames = []
    limits: dict[str, Limit] = {}
    for f in spec.factors:
        if f.code not in CODES:
            continue
        values = [gen.sample(f.code, m) for m in range(m0, m1)]
        frames.append(pd.DataFrame({"time": times, "pollutant": f.code, "value": values}))
        if f.limit:
            limits[f.code] = Limit(f.code, f.limit, f.unit)
    df = pd.concat(frames, ignore_index=True)
    df["flag"] = "N"
    return detect_point(df, limits, mn=spec.mn)


@pytest.fixture(scope="module")
def dilution_alarms() -> list[Alarm]:
    return _demo_alarms("tamper-dilution")


def test_demo_dilution_logger_raises_dilution(dilution_alarms: list[Alarm]) -> None:
    tamper = [a for a in dilution_alarms if a.category.value == "tamper"]
    assert [(a.rule, a.pollutant) for a in tamper] == [("dilution", "w20122")]
    alarm = tamper[0]
    assert alarm.start.hour == 22  # the night hours of the scenario
    assert 2.0 < alarm.evidence["factor"] < 4.5  # ≈ 2.9× (巨野 case)
    assert alarm.evidence["kind"] == "multiplicative"


def test_demo_exceedance_is_not_tampering() -> None:
    alarms = _demo_alarms("exceedance")
    assert {a.rule for a in alarms} == {"exceedance"}, [(a.rule, a.evidence) for a in alarms]
    assert {a.pollutant for a in alarms} == {"w01018"}  # COD 45 × 2.5 > 80; copper stays < 0.5


def test_demo_flatline_is_one_flatline_not_also_a_gain_edit() -> None:
    """A frozen value has no spread at all: ``flatline`` names it; the level detector must not
    call the same stretch a gain edit (spread ratio 0) as well."""
    alarms = _demo_alarms("flatline")
    tamper = {a.rule for a in alarms if a.category.value == "tamper"}
    assert tamper == {"flatline"}, [(a.rule, a.pollutant, a.evidence) for a in alarms]
