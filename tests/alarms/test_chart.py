"""The evidence chart's time axis is Beijing time, like every page (issue 16 §6)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import matplotlib.pyplot as plt

from eco263.alarms.evidence_pack import PackedReading, chart_figure, chart_png


def _readings() -> list[PackedReading]:
    start = datetime(2018, 4, 19, 16, 0, tzinfo=UTC)  # 2018-04-20 00:00 in Beijing
    return [
        PackedReading(start + timedelta(minutes=10 * i), "w20122", 0.2 + i / 100, "N")
        for i in range(13)
    ]


def test_the_time_axis_reads_beijing_time() -> None:
    fig = chart_figure(_readings(), "w20122", 0.5)
    try:
        fig.canvas.draw()
        (ax,) = fig.axes
        labels = [t.get_text() for t in ax.get_xticklabels() if t.get_text()]
        assert labels and all(label.startswith("04-20 0") for label in labels), labels
        assert ax.get_title() == "w20122 (UTC+8)"
    finally:
        plt.close(fig)


def test_the_png_is_the_same_bytes_for_the_same_readings() -> None:
    assert chart_png(_readings(), "w20122", 0.5) == chart_png(_readings(), "w20122", 0.5)
