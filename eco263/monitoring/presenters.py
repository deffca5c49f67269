"""How monitoring values read on a page (pure: no database, no web)."""

from __future__ import annotations

import math


def format_value(value: float | None) -> str:
    """A measured value as the office reads it: four significant digits, no exponent."""
    if value is None or not math.isfinite(value):
        return "—"
    if abs(value) >= 10_000:
        return f"{value:.0f}"
    return f"{value:.4g}"
