"""Outbox vocabularies."""

from __future__ import annotations

from enum import StrEnum

from eco263.vocabulary import LabelledAction


class OutboxState(StrEnum):
    PENDING = "pending"  # waiting for (another) attempt
    DELIVERED = "delivered"  # acknowledged by the receiver
    DEAD = "dead"  # gave up after the horizon; `eco263 outbox retry` revives it


class AuditAction(LabelledAction):
    RETRY = ("outbox.retry", "重新投递")
