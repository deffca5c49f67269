"""What goes on the wire: which records a logger sends and when, and the framed packets."""

from __future__ import annotations

import heapq
import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Final

from eco263.monitoring.hj212 import frame
from eco263.monitoring.signals.generator import Record, SignalGenerator
from eco263.monitoring.signals.model import EPOCH, RECORD_CNS, SHANGHAI, PointSpec

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
