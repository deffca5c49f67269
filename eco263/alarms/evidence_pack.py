"""The evidence pack (证据包) of a tampering case: one zip, sealed by its SHA-256.

Members: ``manifest.json`` (the alarm, the detector's statistics, the point and enterprise,
the data window, and the SHA-256 of every other member), ``readings.csv`` (the window's
values as stored), ``packets/<id>.hj212`` (the raw packets byte for byte, as received) and
``chart.png`` (the pollutant over the window with its limit).  Member timestamps are fixed,
so the same facts always give the same bytes and the same hash.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from matplotlib.dates import DateFormatter
from matplotlib.figure import Figure

from eco263.clock import SHANGHAI

_FIXED_TIME = (2000, 1, 1, 0, 0, 0)


@dataclass(frozen=True, slots=True)
class PackedReading:
    data_time: datetime
    pollutant: str
    value: float | None
    flag: str | None


@dataclass(frozen=True, slots=True)
class PackedPacket:
    id: int
    received_at: datetime
    peer: str
    sha256: str
    data: bytes


@dataclass(frozen=True, slots=True)
class PackFacts:
    alarm: dict[str, Any]
    point: dict[str, Any]
    enterprise: dict[str, Any] | None
    pollutant: str
    limit: float | None
    readings: Sequence[PackedReading]
    packets: Sequence[PackedPacket]


def build_pack(facts: PackFacts) -> tuple[bytes, dict[str, str]]:
    """The zip bytes and the SHA-256 of each member (also written into the manifest)."""
    members: dict[str, bytes] = {
        "readings.csv": _readings_csv(facts.readings),
        "chart.png": chart_png(facts.readings, facts.pollutant, facts.limit),
    }
    for packet in facts.packets:
        members[f"packets/{packet.id}.hj212"] = packet.data
    digests = {name: hashlib.sha256(data).hexdigest() for name, data in members.items()}
    manifest = {
        "alarm": facts.alarm,
        "point": facts.point,
        "enterprise": facts.enterprise,
        "pollutant": facts.pollutant,
        "limit": facts.limit,
        "packets": [
            {
                "id": p.id,
                "received_at": p.received_at.isoformat(),
                "peer": p.peer,
                "sha256": p.sha256,
                "sha256_verified": hashlib.sha256(p.data).hexdigest() == p.sha256,
            }
            for p in facts.packets
        ],
        "members": digests,
    }
    members["manifest.json"] = json.dumps(
        manifest, ensure_ascii=False, indent=2, sort_keys=True, default=str
    ).encode("utf-8")
    return _zip(members), digests


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(members):
            info = zipfile.ZipInfo(name, date_time=_FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, members[name])
    return buffer.getvalue()


def _readings_csv(readings: Sequence[PackedReading]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["data_time", "pollutant", "value", "flag"])
    for r in readings:
        writer.writerow([r.data_time.isoformat(), r.pollutant, r.value, r.flag or ""])
    return out.getvalue().encode("utf-8")


def chart_png(readings: Sequence[PackedReading], pollutant: str, limit: float | None) -> bytes:
    """The pollutant's values over the window, the limit as a dashed line, as PNG bytes."""
    fig = chart_figure(readings, pollutant, limit)
    try:
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", metadata={"Software": None})
        return buffer.getvalue()
    finally:
        plt.close(fig)


def chart_figure(readings: Sequence[PackedReading], pollutant: str, limit: float | None) -> Figure:
    """The chart's figure; the time axis in Beijing time like every page (labels in ASCII:
    the pack carries no CJK font).  The caller closes it."""
    points = [
        (r.data_time, r.value) for r in readings if r.pollutant == pollutant and r.value is not None
    ]
    fig, ax = plt.subplots(figsize=(10, 4), dpi=100)
    if points:
        times, values = zip(*points, strict=True)
        ax.plot(times, values, linewidth=0.8, color="#1f5fa8", label=pollutant)
    if limit is not None:
        ax.axhline(limit, color="#c53030", linestyle="--", linewidth=1, label=f"limit {limit:g}")
    ax.set_title(f"{pollutant} (UTC+8)")
    ax.xaxis.set_major_formatter(DateFormatter("%m-%d %H:%M", tz=SHANGHAI))  # type: ignore[no-untyped-call]
    ax.legend(loc="upper right")
    ax.grid(alpha=0.3)
    fig.autofmt_xdate()
    return fig
