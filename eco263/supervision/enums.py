"""Supervision vocabularies: the four duty failures named in the bulletin (No. 70)."""

from __future__ import annotations

from enum import StrEnum


class DutyFailure(StrEnum):
    RESPONSIBILITY = "责任落实不到位"
    PRESSURE = "压力传导不到位"
    INITIATIVE = "主动履职不到位"
    ENFORCEMENT = "执法监管不到位"


class ClueCause(StrEnum):
    RED_CARD = "red_card"  # 红牌：逾期超过阈值
    FAILED_VERIFICATION = "failed_verification"  # 整改不到位
    RELAPSE = "relapse"  # 假整改
    TAMPERING = "tampering"  # 干扰自动监测
    MANUAL = "manual"  # 人工移送


class ClueStatus(StrEnum):
    GENERATED = "generated"
    DELIVERED = "delivered"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    CONCLUDED = "concluded"
