"""Small deterministic point data for the detector tests (no database needed)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import pytest

from eco263.monitoring.detectors import DetectorConfig, Limit, load_config

START = pd.Timestamp("2018-04-02T00:00:00+08:00")  # a Monday


def minute_frame(
    days: int = 10,
    *,
    pollutant: str = "w21003",
    level: float = 2.0,
    cycle: int = 1,
    resolution: float = 0.01,
    flow: bool = True,
    seed: int = 0,
    noise: float = 0.05,
) -> pd.DataFrame:
    """A point with a daily cycle, slow variation, instrument noise, and a flow series.

    ``cycle`` > 1 makes a batch analyser that holds each result for ``cycle`` minutes.
    """
    rng = np.random.default_rng(seed)
    n = days * 1440
    minute = np.arange(n)
    shape = 1 + 0.3 * np.sin(2 * np.pi * (minute % 1440) / 1440 - 1.0)
    slow = np.repeat(rng.normal(0, 0.06, n // 60 + 1), 60)[:n]
    slow = np.convolve(slow, np.ones(120) / 120, mode="same")
    c = level * shape * np.exp(slow) * (1 + rng.normal(0, noise, n))
    if cycle > 1:
        idx = (minute // cycle) * cycle
        c = c[idx]
    c = np.round(np.maximum(c, 0) / resolution) * resolution
    times = START + pd.to_timedelta(minute, unit="min")
    frames = [
        pd.DataFrame({"time": times, "pollutant": pollutant, "value": c, "flag": "N"}),
    ]
    if flow:
        q = np.round(50 * shape * (1 + rng.normal(0, 0.02, n)), 2)
        frames.append(pd.DataFrame({"time": times, "pollutant": "w00000", "value": q, "flag": "N"}))
    df = pd.concat(frames, ignore_index=True)
    df.insert(0, "mn", "88888880000000000001")
    return df


def at(df: pd.DataFrame, pollutant: str, start: str, end: str) -> pd.Series:
    """Row mask for one pollutant within [start, end) (local time strings)."""
    t0 = pd.Timestamp(start, tz="Asia/Shanghai")
    t1 = pd.Timestamp(end, tz="Asia/Shanghai")
    return (df["pollutant"] == pollutant) & (df["time"] >= t0) & (df["time"] < t1)


@pytest.fixture(scope="session")
def config() -> DetectorConfig:
    return load_config()


@pytest.fixture
def limits() -> dict[str, Limit]:
    return {
        "w21003": Limit("w21003", 8.0, "mg/L", "GB 21900-2008 表3"),
        "w20122": Limit("w20122", 0.3, "mg/L", "GB 21900-2008 表3"),
        "w01018": Limit("w01018", 50.0, "mg/L", "GB 21900-2008 表3"),
    }


@pytest.fixture
def frame() -> Callable[..., pd.DataFrame]:
    return minute_frame
