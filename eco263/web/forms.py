"""Server-side form handling: pydantic errors and domain errors as Chinese text per field."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from pydantic import ValidationError

from eco263.errors import DomainError
from eco263.web.inputs import uncovered_message

FieldErrors = dict[str, str]


def _message(error: Mapping[str, Any]) -> str:
    kind = str(error.get("type", ""))
    ctx = error.get("ctx") or {}
    if kind == "missing":
        return "必填"
    if kind == "string_too_short":
        return "不能为空" if ctx.get("min_length") == 1 else f"至少 {ctx.get('min_length')} 个字"
    if kind == "string_too_long":
        return f"不能超过 {ctx.get('max_length')} 个字"
    if kind in ("control_character", "calendar_range"):
        return str(error.get("msg", ""))
    if kind.startswith("date"):
        return "日期格式应为 年-月-日，例如 2018-05-10"
    if kind.startswith("int"):
        return "请选择或填写有效的编号"
    return "格式不正确"


def pydantic_errors(exc: ValidationError) -> FieldErrors:
    """The first message per top-level field, in Chinese."""
    found: FieldErrors = {}
    for error in exc.errors():
        loc = error.get("loc") or ("_form",)
        found.setdefault(str(loc[0]), _message(error))
    return found


def domain_errors(exc: DomainError, fields: Mapping[str, str], default: str) -> FieldErrors:
    """Put an action's error next to the form field it names (``fields`` maps its names)."""
    named = str(exc.details.get("field", ""))
    return {fields.get(named, default): exc.message}


def parse_date(text: str | None) -> date | None:
    """A deadline typed into a form; ValueError with a Chinese message when it is not a date,
    or is in a year the work calendar has no arrangement for (its days cannot be counted)."""
    if text is None or not text.strip():
        return None
    try:
        parsed = date.fromisoformat(text.strip())
    except ValueError:
        raise ValueError("日期格式应为 年-月-日，例如 2018-05-10") from None
    uncovered = uncovered_message(parsed)
    if uncovered is not None:
        raise ValueError(uncovered)
    return parsed
