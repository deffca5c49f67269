"""Types shared by every detector: the alarm, the limit, the typed thresholds.

Detectors are pure functions of one point's readings (TAMPER.md §3 "Rule 0" first, then the
tamper rules of §4), so everything they need arrives as a value of these types: no database, no
clock.  Thresholds are configuration (``eco263/data/detectors.yaml``), never constants in code:
DOMAIN.md §6 marks the validity figures RECALLED, and TAMPER.md §3 warns that every rule must be
scaled to the instrument and to the point's own history.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

__all__ = [
    "ALL_RULES",
    "CATEGORY",
    "Alarm",
    "Category",
    "ConfigError",
    "DetectorConfig",
    "Limit",
    "load_config",
]


class Category(StrEnum):
    """What an alarm claims: a compliance breach, bad data, or deliberate manipulation."""

    EXCEEDANCE = "exceedance"
    DATA_QUALITY = "data_quality"
    TAMPER = "tamper"


CATEGORY: Mapping[str, Category] = {
    "exceedance": Category.EXCEEDANCE,
    "missing_data": Category.DATA_QUALITY,
    "flag_abuse": Category.DATA_QUALITY,
    "dilution": Category.TAMPER,
    "flatline": Category.TAMPER,
    "replay": Category.TAMPER,
    "pinning": Category.TAMPER,
    "parameter_edit": Category.TAMPER,
    "aggregate_mismatch": Category.TAMPER,
    "clock": Category.TAMPER,
}
ALL_RULES: tuple[str, ...] = tuple(CATEGORY)


class ConfigError(ValueError):
    """The thresholds file is unreadable or inconsistent (message in Chinese for the CLI)."""


@dataclass(frozen=True)
class Limit:
    """An emission limit for one point and pollutant, with where it comes from.

    ``basis`` says which valid average the limit applies to: hourly (CEMS practice), daily
    (wastewater, HJ 356) or both.  ``standard`` is free text such as "GB 21900-2008 表3".
    """

    pollutant: str
    limit: float
    unit: str = ""
    standard: str = ""
    basis: Literal["hour", "day", "both"] = "both"


@dataclass(frozen=True)
class Alarm:
    """One rule firing on one point and pollutant, with the statistics that justify it.

    ``start``/``end`` bound the affected data (aware datetimes); ``detected_at`` is the data time
    at which the evidence first crossed the threshold, i.e. the earliest moment a detector run
    on the data up to then would have raised it (the basis of time-to-detect).  ``score`` is in
    (0, 1]: how far past the threshold the statistic went, comparable within a rule.
    """

    mn: str
    pollutant: str
    rule: str
    start: datetime
    end: datetime
    score: float
    detected_at: datetime
    evidence: Mapping[str, Any] = field(default_factory=dict)

    @property
    def category(self) -> Category:
        return CATEGORY[self.rule]

    def to_json(self) -> dict[str, Any]:
        """The JSON-lines record of ``eco263 detect`` (times ISO 8601 with offset)."""
        return {
            "mn": self.mn,
            "pollutant": self.pollutant,
            "rule": self.rule,
            "category": self.category.value,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "score": round(self.score, 4),
            "evidence": {**self.evidence, "detected_at": self.detected_at.isoformat()},
        }


# --------------------------------------------------------------------------- configuration


class _Cfg(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ValidityConfig(_Cfg):
    """HJ 212 flags and the HJ 75 / HJ 356 validity rules (DOMAIN.md §6, RECALLED)."""

    valid_flags: tuple[str, ...] = ("N",)
    maintenance_flags: tuple[str, ...] = ("M", "C")
    fault_flags: tuple[str, ...] = ("D", "B")
    stop_flags: tuple[str, ...] = ("F",)
    min_valid_fraction_hour: float = Field(0.75, gt=0, le=1)
    min_valid_hours_day: int = Field(18, ge=1, le=24)
    flow_pollutants: tuple[str, ...] = ("w00000", "a00000")
    signed_pollutants: tuple[str, ...] = ("w01010", "a01001", "a01013", "a01017")
    absurd_max: float = Field(1.0e7, gt=0)
    absurd_limit_factor: float = Field(1000.0, gt=1)
    minute_cns: tuple[str, ...] = ("2051", "2011")
    hour_cn: str = "2061"
    day_cn: str = "2031"


class ExceedanceConfig(_Cfg):
    default_basis: Literal["hour", "day", "both"] = "both"
    merge_gap_hours: int = Field(1, ge=0)


class MissingConfig(_Cfg):
    min_hours: int = Field(3, ge=1)


class FlagAbuseConfig(_Cfg):
    min_episode_minutes: int = Field(10, ge=1)
    pre_minutes: int = Field(10, ge=1)
    z_suspicious: float = 2.5
    z_single: float = 3.5
    near_limit_fraction: float = Field(0.9, gt=0)
    near_min_z: float = 1.0
    window_days: float = Field(7.0, gt=0)
    min_episodes: int = Field(2, ge=1)
    chance_rate: float = Field(0.02, gt=0, lt=1)
    max_p_value: float = Field(1e-3, gt=0, lt=1)
    standard_tolerance: float = Field(0.03, gt=0, lt=1)


class LevelConfig(_Cfg):
    """Step detector shared by ``dilution`` and ``parameter_edit`` (TAMPER.md §4.1, §4.4)."""

    block_minutes: int = Field(15, ge=1)
    left_hours: float = Field(6.0, gt=0)
    right_hours: float = Field(2.0, gt=0)
    min_factor: float = Field(1.35, gt=1)
    z_step: float = Field(4.0, gt=0)
    flow_stop_factor: float = Field(3.0, gt=1)
    flow_change_tolerance: float = Field(1.25, gt=1)
    merge_gap_hours: float = Field(24.0, ge=0)
    min_valid_fraction_block: float = Field(0.5, gt=0, le=1)
    min_results_right: int = Field(3, ge=1)
    min_results_left: int = Field(8, ge=2)
    abrupt_fraction: float = Field(0.5, gt=0, le=1)
    below_usual_fraction: float = Field(0.5, ge=0)
    spread_test: bool = False
    spread_right_hours: float = Field(6.0, gt=0)
    spread_max_ratio: float = Field(0.5, gt=0, lt=1)
    spread_z: float = Field(4.0, gt=0)
    spread_min_results: int = Field(12, ge=3)
    spread_min_level_factor: float = Field(1.1, ge=1)
    compression_ratio: float = Field(0.6, gt=0, lt=1)
    offset_spread_ratio: float = Field(0.5, gt=0)
    offset_min_factor: float = Field(1.8, gt=1)
    calibration_window_hours: float = Field(1.0, ge=0)
    calibration_max_factor: float = Field(1.6, gt=1)
    eve_confirm_hours: float = Field(4.0, ge=0)
    restart_confirm_hours: float = Field(10.0, ge=0)
    restart_window_hours: float = Field(12.0, ge=0)
    pace_factor: float = Field(1.15, ge=1)
    no_flow_min_hours: float = Field(6.0, ge=0)


class FlatlineConfig(_Cfg):
    min_hours: float = Field(2.0, gt=0)
    min_cycles: int = Field(6, ge=2)
    run_quantile_factor: float = Field(3.0, ge=1)
    window_results: int = Field(12, ge=4)
    low_variance_ratio: float = Field(0.06, gt=0, lt=1)
    low_variance_min_hours: float = Field(4.0, gt=0)
    flow_stop_fraction: float = Field(0.1, ge=0, lt=1)


class ReplayConfig(_Cfg):
    window_minutes: int = Field(60, ge=10)
    min_results: int = Field(6, ge=3)
    max_results: int = Field(60, ge=6)
    min_range_steps: float = Field(4.0, ge=1)
    min_bits: float = Field(48.0, ge=16)
    max_lag_days: int = Field(7, ge=1)
    aligned_block_hours: float = Field(4.0, gt=0)
    aligned_min_results: int = Field(8, ge=3)
    aligned_max_rel_rms: float = Field(0.15, gt=0, lt=1)
    aligned_max_noise_ratio: float = Field(0.35, gt=0)


class PinningConfig(_Cfg):
    window_days: float = Field(7.0, gt=0)
    band_low: float = Field(0.8, gt=0, lt=1)
    band_mid: float = Field(0.9, gt=0, lt=1)
    min_count: int = Field(10, ge=3)
    min_ratio: float = Field(2.0, ge=1)
    max_tail_share: float = Field(0.05, ge=0, lt=1)
    max_p_value: float = Field(1e-3, gt=0, lt=1)
    tail_window_hours: int = Field(96, ge=6)
    tail_fraction: float = Field(0.5, gt=0, le=1)
    tail_max_p_value: float = Field(1e-4, gt=0, lt=1)


class AggregateConfig(_Cfg):
    rel_tolerance: float = Field(0.05, gt=0)
    abs_tolerance_steps: float = Field(2.0, ge=0)
    big_rel_error: float = Field(0.2, gt=0)
    min_hours: int = Field(2, ge=1)
    window_hours: int = Field(24, ge=1)


class ClockConfig(_Cfg):
    max_offset_minutes: float = Field(10.0, gt=0)
    min_hours: int = Field(1, ge=1)
    burst_max_spread_fraction: float = Field(0.2, gt=0, lt=1)
    phase_min_days: int = Field(2, ge=1)
    phase_min_gain: float = Field(0.3, gt=0)
    phase_min_amplitude: float = Field(0.2, gt=0)
    phase_block_minutes: int = Field(15, ge=1, le=60)
    phase_max_lag_hours: float = Field(6.0, gt=0, le=12)
    phase_min_series: int = Field(2, ge=1)
    phase_min_corr: float = Field(0.7, gt=0, le=1)
    phase_lag_tolerance_minutes: float = Field(60.0, ge=0)


class ScheduleConfig(_Cfg):
    stop_margin_hours: float = Field(6.0, ge=0)


class EpisodeConfig(_Cfg):
    merge_gap_hours: float = Field(12.0, ge=0)
    separate_categories: tuple[str, ...] = ("exceedance",)


class DetectorConfig(_Cfg):
    """All thresholds; load with :func:`load_config` (defaults are the shipped YAML's)."""

    timezone: str = "Asia/Shanghai"
    validity: ValidityConfig = ValidityConfig()
    exceedance: ExceedanceConfig = ExceedanceConfig()
    missing_data: MissingConfig = MissingConfig()
    flag_abuse: FlagAbuseConfig = FlagAbuseConfig()
    level: LevelConfig = LevelConfig()
    flatline: FlatlineConfig = FlatlineConfig()
    replay: ReplayConfig = ReplayConfig()
    pinning: PinningConfig = PinningConfig()
    aggregate_mismatch: AggregateConfig = AggregateConfig()
    clock: ClockConfig = ClockConfig()
    schedule: ScheduleConfig = ScheduleConfig()
    episodes: EpisodeConfig = EpisodeConfig()


def shipped_config_path() -> Path:
    return Path(str(resources.files("eco263") / "data" / "detectors.yaml"))


def load_config(path: Path | None = None) -> DetectorConfig:
    """Read thresholds from YAML (the shipped ``detectors.yaml`` when ``path`` is None)."""
    target = path or shipped_config_path()
    try:
        data: Any = yaml.safe_load(target.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"无法读取阈值配置 {target}：{exc}") from exc
    if not isinstance(data, dict):
        raise ConfigError(f"阈值配置 {target} 应为 YAML 映射")
    try:
        return DetectorConfig.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(f"阈值配置 {target} 有误：{exc}") from exc
