"""Users' vocabulary: what the auth package records in the audit chain."""

from __future__ import annotations

from eco263.vocabulary import LabelledAction


class AuditAction(LabelledAction):
    USER_CREATE = ("user.create", "创建用户")
