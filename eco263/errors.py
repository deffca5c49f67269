"""Domain errors: actions raise these; API and pages map them to HTTP and to Chinese text."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """Base of all expected failures. ``message`` is shown to users (Chinese)."""

    status_code = 400
    code = "bad_request"

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


class NotFound(DomainError):
    """Missing *or out of scope*: both look the same so scope cannot be probed."""

    status_code = 404
    code = "not_found"

    def __init__(self, what: str = "对象") -> None:
        super().__init__(f"{what}不存在")


class Forbidden(DomainError):
    """The user sees the object but its role may not do this."""

    status_code = 403
    code = "forbidden"


class Conflict(DomainError):
    """Illegal transition, stale version, duplicate."""

    status_code = 409
    code = "conflict"


class InvalidInput(DomainError):
    status_code = 422
    code = "invalid"


class Unauthenticated(DomainError):
    status_code = 401
    code = "unauthenticated"


class TooLarge(DomainError):
    status_code = 413
    code = "too_large"


class PasswordChangeRequired(Forbidden):
    """An administrator reset the password: nothing answers until the user chooses a new one
    (pages redirect to the password page; the API refuses with this code)."""

    code = "password_change_required"

    def __init__(self) -> None:
        super().__init__("管理员已重置您的密码，请先在“修改密码”页面设置新密码")
