"""Users' vocabulary: what the auth package records in the audit chain."""

from __future__ import annotations

from eco263.vocabulary import LabelledAction


class AuditAction(LabelledAction):
    USER_CREATE = ("user.create", "创建用户")
    USER_DISABLE = ("user.disable", "停用用户")
    USER_ENABLE = ("user.enable", "启用用户")
    USER_RESET_PASSWORD = ("user.reset_password", "重置用户密码")
    USER_CHANGE_PASSWORD = ("user.change_password", "修改本人密码")
