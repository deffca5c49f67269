"""What the analyser and the logger send: minute values, hourly/daily values, receive times."""

from __future__ import annotations

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from eco263.monitoring.detectors.synthetic.base import F64, FLOW, MIN, SPECS, _Point
from eco263.monitoring.detectors.synthetic.lookalikes import _apply_benign
from eco263.monitoring.detectors.synthetic.tamper import _post


def _analyser(p: _Point, code: str) -> F64:
    """What the analyser reports: truth × drift gain + instrument noise, held per cycle."""
    spec = SPECS[code]
    rng = p.rng
    x = p.truth[code] * p.gain[code]
    noise = rng.normal(0, 0.015 * p.level[code] + spec.blank * 0.2, p.n) * p.noise_scale[code]
    y = np.maximum(x + noise, 0.0)
    if spec.cycle > 1:
        idx = (np.arange(p.n) // spec.cycle) * spec.cycle
        y = y[np.minimum(idx + spec.cycle - 1, p.n - 1)]  # result at the end of the cycle
        y = np.r_[np.full(spec.cycle, y[0]), y[: -spec.cycle]]  # reported after the cycle
    res = p.resolution[code]
    return np.asarray(np.round(y / res) * res)


def _logger_aggregates(
    p: _Point, code: str, y: F64, flags: NDArray[np.uint8], times: NDArray[np.int64]
) -> list[pd.DataFrame]:
    valid = (flags == ord("N")) & ~p.absent & ~p.dropped.get(code, np.zeros(p.n, dtype=bool))
    hours = p.n // 60
    ok = valid.reshape(hours, 60)
    vals = np.where(ok, y.reshape(hours, 60), 0.0)
    n_ok = ok.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        hourly = vals.sum(axis=1) / n_ok
    good = n_ok >= 45
    if code in p.hour_edit:
        a, b, cap, level = p.hour_edit[code]
        h = np.arange(hours)
        sel = (h >= a // 60) & (h < b // 60)
        hourly = np.where(sel & (hourly > cap * 1.2 * level), hourly * cap, hourly)
        hourly = np.where(sel, np.minimum(hourly, 1.2 * level), hourly)
    hourly = np.round(hourly, 4)
    ht = times[::60][:hours] + p.shift[::60][:hours] * 60
    frames = [
        pd.DataFrame(
            {
                "t": ht[good],
                "pollutant": code,
                "value": hourly[good],
                "flag": "N",
                "cn": "2061",
                "rx": ht[good] + 3600 + 30,
            }
        )
    ]
    days = hours // 24
    hv = np.where(good, hourly, 0.0)[: days * 24].reshape(days, 24)
    hn = good[: days * 24].reshape(days, 24).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        daily = np.round(hv.sum(axis=1) / hn, 4)
    dt = times[::1440][:days]
    dgood = hn >= 18
    frames.append(
        pd.DataFrame(
            {
                "t": dt[dgood],
                "pollutant": code,
                "value": daily[dgood],
                "flag": "N",
                "cn": "2031",
                "rx": dt[dgood] + 86400 + 60,
            }
        )
    )
    return frames


def _emit(p: _Point, with_logger_aggregates: bool) -> pd.DataFrame:
    rng = p.rng
    base_s = int(p.t0.timestamp())
    times = base_s + np.arange(p.n, dtype=np.int64) * MIN
    values = {c: _analyser(p, c) for c in p.pollutants}
    values[FLOW] = np.round(p.flow, 2)
    _post(p, values)
    _apply_benign(p, values)
    latency = rng.integers(2, 30, p.n)
    data_t = times + p.shift * 60
    rx = times + latency
    frames = []
    if not p.has_flow:
        del values[FLOW]
    for code, y in values.items():
        keep = ~p.absent
        if code in p.dropped:
            keep &= ~p.dropped[code]
        flags = p.flags[code]
        frames.append(
            pd.DataFrame(
                {
                    "t": data_t[keep],
                    "pollutant": code,
                    "value": y[keep],
                    "flag": flags[keep].view("S1").astype(str),
                    "cn": "2051",
                    "rx": rx[keep],
                }
            )
        )
        if with_logger_aggregates and code != FLOW:
            frames.extend(_logger_aggregates(p, code, y, flags, times))
    df = pd.concat(frames, ignore_index=True)
    if not p.has_received:
        df["rx"] = np.nan
    df.insert(0, "mn", p.mn)
    return df
