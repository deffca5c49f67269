"""Notification vocabularies: what happened (kind), how it reaches a person (channel)."""

from __future__ import annotations

from enum import StrEnum

from eco263.vocabulary import LabelledAction


class Kind(StrEnum):
    ASSIGNED = "assigned"  # 新交办
    DUE_SOON = "due_soon"  # 临期
    OVERDUE = "overdue"  # 逾期
    YELLOW = "yellow"  # 黄牌
    RED = "red"  # 红牌
    RETURNED = "returned"  # 退回整改
    EXTENSION = "extension"  # 延期审批结果
    ALARM = "alarm"  # 监测报警
    OPINION = "opinion"  # 收到监督意见书
    URGE = "urge"  # 催办


KIND_LABELS: dict[Kind, str] = {
    Kind.ASSIGNED: "新交办",
    Kind.DUE_SOON: "临期提醒",
    Kind.OVERDUE: "逾期提醒",
    Kind.YELLOW: "黄牌预警",
    Kind.RED: "红牌预警",
    Kind.RETURNED: "退回整改",
    Kind.EXTENSION: "延期审批结果",
    Kind.ALARM: "监测报警",
    Kind.OPINION: "监督意见书",
    Kind.URGE: "催办",
}

#: The sweep's escalation levels (eco263.problems.enums.Escalation) as notification kinds.
LEVEL_KINDS: dict[int, Kind] = {1: Kind.DUE_SOON, 2: Kind.OVERDUE, 3: Kind.YELLOW, 4: Kind.RED}


class Channel(StrEnum):
    SITE = "site"  # 站内消息: always on
    EMAIL = "email"  # 电子邮件 (SMTP)
    WEBHOOK = "webhook"  # 工作群机器人 (企业微信/钉钉 style JSON)
    SMS = "sms"  # 短信: only when a provider is plugged in


CHANNEL_LABELS: dict[Channel, str] = {
    Channel.SITE: "站内消息",
    Channel.EMAIL: "电子邮件",
    Channel.WEBHOOK: "工作群机器人",
    Channel.SMS: "短信",
}

#: Outbox kinds of the external channels (eco263.outbox: retries, one delivery per key).
OUTBOX_KINDS: dict[Channel, str] = {
    Channel.EMAIL: "notify.email",
    Channel.WEBHOOK: "notify.webhook",
    Channel.SMS: "notify.sms",
}


class AuditAction(LabelledAction):
    PREFERENCES = ("notifications.preferences", "修改通知设置")
