"""Monitoring vocabulary: point status, HJ 212 record kinds and data flags, pollutant names.

The Chinese labels are what the pages show; the codes are what HJ 212 packets carry.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Final

from eco263.monitoring.signals import GAS_FACTORS, WATER_FACTORS
from eco263.vocabulary import LabelledAction

#: A point's medium (``MonitoringPoint.medium``) as the pages name it.
MEDIUM_LABELS: Final = {"water": "废水", "gas": "废气"}


class PointStatus(StrEnum):
    """How a point looks on the monitoring list (derived from its data, never stored)."""

    ONLINE = "online"
    OFFLINE = "offline"
    NO_DATA = "no_data"


POINT_STATUS_LABELS: Final = {
    PointStatus.ONLINE: "在线",
    PointStatus.OFFLINE: "离线",
    PointStatus.NO_DATA: "无数据",
}

#: HJ 212-2017 table 9: the record kinds a point uploads.
CN_LABELS: Final = {
    "2011": "实时数据",
    "2051": "分钟数据",
    "2061": "小时数据",
    "2031": "日数据",
}

#: Which record kind the "latest values" come from: the first kind in this order that a
#: point has ever sent (minute data are what most loggers upload; real-time only if that
#: is all there is; then hour, then day).
LATEST_CNS: Final = ("2051", "2011", "2061", "2031")

#: HJ 212-2017 table 8 (and the 2005 P), §6 of reference/HJ212.md.
FLAG_LABELS: Final = {
    "N": "正常",
    "F": "停运",
    "M": "维护",
    "S": "手工输入",
    "D": "故障",
    "C": "校准",
    "T": "超测量上限",
    "B": "通讯异常",
    "P": "电源故障",
}

#: Flags whose values count: no flag (a 2005 logger, real-time data) is taken as normal.
VALID_FLAGS: Final = frozenset({"N", ""})


class FlagKind(StrEnum):
    """How a non-normal flag is drawn on a chart (one colour per kind)."""

    MAINTENANCE = "maintenance"
    CALIBRATION = "calibration"
    FAULT = "fault"
    STOP = "stop"
    OTHER = "other"


FLAG_KINDS: Final = {
    "M": FlagKind.MAINTENANCE,
    "C": FlagKind.CALIBRATION,
    "D": FlagKind.FAULT,
    "B": FlagKind.FAULT,
    "P": FlagKind.FAULT,
    "F": FlagKind.STOP,
}


def flag_label(flag: str | None) -> str:
    """``M`` → ``维护（M）``; an unknown letter is shown as it came."""
    if not flag:
        return "正常"
    name = FLAG_LABELS.get(flag)
    return f"{name}（{flag}）" if name else f"标记 {flag}"


def is_valid_flag(flag: str | None) -> bool:
    return (flag or "") in VALID_FLAGS


#: Pollutant code → Chinese name and usual unit (HJ 525 / HJ 524 codes).
POLLUTANT_NAMES: Final[dict[str, str]] = {
    **{f.code: f.name for f in (*WATER_FACTORS, *GAS_FACTORS)},
    "w01009": "溶解氧",
    "w01012": "悬浮物",
    "w01014": "电导率",
    "w01017": "五日生化需氧量",
    "w01019": "高锰酸盐指数",
    "w01020": "总有机碳",
    "w20111": "总汞",
    "w20115": "总镉",
    "w20116": "总铬",
    "w20117": "六价铬",
    "w20119": "总砷",
    "w20120": "总铅",
    "w20121": "总镍",
    "w20123": "总锌",
    "w21016": "氰化物",
    "w22001": "石油类",
    "w23002": "挥发酚",
    "a21005": "一氧化碳",
    "a05024": "臭氧",
}
POLLUTANT_UNITS: Final[dict[str, str]] = {f.code: f.unit for f in (*WATER_FACTORS, *GAS_FACTORS)}


def pollutant_label(code: str) -> str:
    """``w20122`` → ``总铜``; an unknown code is shown as it came."""
    return POLLUTANT_NAMES.get(code, code)


class AuditAction(LabelledAction):
    POINT_REGISTER = ("point.register", "登记监测点位")
    POINT_UPDATE = ("point.update", "修改监测点位")
