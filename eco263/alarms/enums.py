"""Alarm vocabulary: detector rules, categories, states, audit actions and the statistics'
names in Chinese.

The codes are what the alarm table and the audit chain store; the labels are what the pages
show.  The categories are the detectors' own (:class:`eco263.monitoring.detectors.Category`).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Final

from eco263.actor import POLICE_FILE_READERS
from eco263.monitoring.detectors import Category
from eco263.vocabulary import LabelledAction

__all__ = [
    "CATEGORY_LABELS",
    "EVIDENCE_LABELS",
    "PACK_MEMBER_LABELS",
    "RULE_LABELS",
    "STATE_LABELS",
    "AlarmAction",
    "AlarmState",
    "Category",
    "LimitBasis",
]

#: The files of a sealed evidence pack, as people read them (the zip keeps the file names).
PACK_MEMBER_LABELS: Final = {
    "readings.csv": "监测数据表（CSV）",
    "chart.png": "证据曲线图（PNG）",
}

#: The detectors' rules (``Alarm.rule``).
RULE_LABELS: Final = {
    "exceedance": "超标排放",
    "missing_data": "数据缺失",
    "flag_abuse": "标记异常",
    "dilution": "疑似稀释采样",
    "flatline": "数据恒值",
    "replay": "数据重放",
    "pinning": "数据贴线",
    "parameter_edit": "疑似篡改仪器参数",
    "aggregate_mismatch": "小时/日值与分钟值不符",
    "clock": "时钟异常",
}

CATEGORY_LABELS: Final[dict[str, str]] = {
    Category.EXCEEDANCE: "超标排放",
    Category.DATA_QUALITY: "数据质量",
    Category.TAMPER: "疑似造假",
}


class AlarmState(StrEnum):
    """An alarm's state (``Alarm.state``): raised, seen by an office, over."""

    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"
    CLOSED = "closed"


STATE_LABELS: Final[dict[str, str]] = {
    AlarmState.OPEN: "待确认",
    AlarmState.ACKNOWLEDGED: "已确认",
    AlarmState.CLOSED: "已关闭",
}


class LimitBasis(StrEnum):
    """Which averages a point's limit applies to (``PointLimit.basis``)."""

    HOUR = "hour"
    DAY = "day"
    BOTH = "both"


class AlarmAction(LabelledAction):
    """The audit-chain actions the alarms domain writes; the police file (the pack sealed, the
    case handed over) is read only by :data:`eco263.actor.POLICE_FILE_READERS`."""

    RAISE = ("alarm.raise", "报警产生")
    EXTEND = ("alarm.extend", "报警延续")
    ACKNOWLEDGE = ("alarm.acknowledge", "确认报警")
    OPEN_PROBLEM = ("alarm.open_problem", "生成问题")
    SEAL_PACK = ("evidence_pack.seal", "证据包封存", POLICE_FILE_READERS)
    #: Recorded before transfers were decided by people (eco263.transfers); kept for the
    #: label of those events.
    POLICE_TRANSFER = ("alarm.police_transfer", "移送公安（行刑衔接）", POLICE_FILE_READERS)
    SET_LIMIT = ("limit.set", "设置排放限值")


AuditAction = AlarmAction


#: The detectors' statistics (alarm evidence) as an officer reads them; keys not listed
#: here are shown under their own name.
EVIDENCE_LABELS: Final = {
    "detected_at": "检出时间（数据时间）",
    "kind": "类型",
    "hours": "持续小时数",
    "days": "持续天数",
    "factor": "稀释/下降倍数",
    "factors": "各段下降倍数",
    "episodes": "异常段数",
    "level_before": "异常前水平",
    "level_after": "异常后水平",
    "flow_ratio": "同期流量变化比",
    "flow_change": "流量变化",
    "limit": "排放限值",
    "unit": "单位",
    "standard": "执行标准",
    "basis": "限值基准",
    "value": "数值",
    "max": "最大值",
    "mean_over": "超标时段均值",
    "hours_over": "超标小时数",
    "daily_mean": "日均值",
    "max_minute_value": "最大分钟值",
    "minute_values_above_limit": "超限分钟值个数",
    "ratio": "比值",
    "slope": "斜率",
    "intercept": "截距",
    "p_value": "显著性 p 值",
    "spread": "波动幅度",
    "usual_spread": "通常波动幅度",
    "spread_ratio": "波动幅度比",
    "matches": "重复片段数",
    "lag_hours": "重放间隔（小时）",
    "lag_days": "重放间隔（天）",
    "source_start": "被复制数据起点",
    "results_copied": "复制结果数",
    "near_limit": "贴近限值带",
    "band": "贴线区间",
    "hours_just_below": "略低于限值小时数",
    "hours_at_or_above": "达到或超过限值小时数",
    "hours_below_band": "低于贴线带小时数",
    "offset_minutes": "时钟偏差（分钟）",
    "usual_latency_seconds": "通常上传延迟（秒）",
    "rows_expected": "应到记录数",
    "rows_received": "实到记录数",
    "rows_absent": "缺失记录数",
    "rows_fault_flag": "故障标记记录数",
    "rows_bad_value": "异常值记录数",
    "rows_by_kind": "各类记录数",
    "maintenance": "维护/校准记录数",
    "fault": "故障记录数",
    "stop": "停运记录数",
    "episodes_in_window": "窗口内异常段数",
    "episodes_suspicious": "可疑异常段数",
    "affected_hours_of_day": "受影响的时段（按小时）",
    "threshold_log": "判定阈值（对数）",
    "step_log": "下降幅度（对数）",
    "onset_jump_log": "起始跳变（对数）",
    "reference_pollutant": "参照因子",
    "correlation_gain": "相关增益",
    "records_mismatched": "不符记录数",
    "relative_difference": "相对差",
    "computed": "按分钟值计算",
    "sent": "上报值",
    "median_sent_over_computed": "上报/计算中位比",
    "typical_result_minutes": "通常出数间隔（分钟）",
    "p95_run_minutes": "95% 分位恒值时长（分钟）",
    "threshold_hours": "判定时长（小时）",
    "window_days": "窗口天数",
    "duplicate_timestamps_nearby": "附近重复时间戳",
    "examples": "示例",
    "pre_z": "前段 z 值",
    "pre_levels": "前段水平",
    "post_levels": "后段水平",
    "resolution": "分辨率",
}
