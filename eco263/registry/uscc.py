"""统一社会信用代码 (Unified Social Credit Code) validation per GB 32100-2015. Pure.

Layout of the 18 characters (DOMAIN.md §4):

* 1: registration authority (9 = 市场监管), 2: organisation category;
* 3–8: GB/T 2260 code of the registering authority (320594 for 苏州工业园区);
* 9–17: the legacy organisation code (GB 11714), whose 17th character is its own mod-11 check;
* 18: the mod-31 check character over positions 1–17.

The mod-31 check is binding: :func:`validate_uscc` refuses a wrong check character and names
the expected one. The embedded GB 11714 check is not: some early pilot codes are legally valid
yet fail it, so :func:`orgcode_warning` only reports it.
"""

from __future__ import annotations

import re
from typing import Final

__all__ = [
    "CHARSET",
    "UsccError",
    "expected_check_char",
    "orgcode_warning",
    "validate_uscc",
]

#: The 31 code characters; a character's value is its index. No I, O, S, V, Z.
CHARSET: Final = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_VALUES: Final = {c: i for i, c in enumerate(CHARSET)}
_WEIGHTS: Final = tuple(pow(3, i, 31) for i in range(17))
_SHAPE: Final = re.compile(r"[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}")
_LENGTH: Final = 18

_ORG_WEIGHTS: Final = (3, 7, 9, 10, 5, 8, 4, 2)


class UsccError(ValueError):
    """The code is not a valid 统一社会信用代码; the message says why (Chinese, then English)."""


def validate_uscc(code: str) -> str:
    """Return ``code`` stripped and upper-cased, or raise :class:`UsccError`.

    Checks, in order: length 18, the character set, digits in positions 3–8, and the mod-31
    check character.
    """
    if not isinstance(code, str):
        kind = type(code).__name__
        raise UsccError(f"统一社会信用代码必须是文本，收到 {kind}（must be a string）")
    normalised = code.strip().upper()
    _check_length(normalised)
    _check_charset(normalised)
    _check_shape(normalised)
    expected = expected_check_char(normalised[:17])
    actual = normalised[17]
    if actual != expected:
        raise UsccError(
            f"统一社会信用代码 {normalised} 校验位错误：应为 {expected}，实为 {actual}"
            f"（check character should be {expected}, not {actual}）"
        )
    return normalised


def expected_check_char(first17: str) -> str:
    """The mod-31 check character (position 18) for the first 17 characters."""
    prefix = first17.strip().upper()
    if len(prefix) != _LENGTH - 1:
        raise UsccError(f"计算校验位需要前 17 位，实为 {len(prefix)} 位 (need 17 characters)")
    _check_charset(prefix)
    total = sum(_VALUES[c] * w for c, w in zip(prefix, _WEIGHTS, strict=True))
    return CHARSET[(31 - total % 31) % 31]


def orgcode_warning(code: str) -> str | None:
    """A warning if the embedded organisation code (positions 9–17) fails its GB 11714 check.

    ``code`` must be a valid USCC (it is validated first). Returns None when the check holds.
    """
    normalised = validate_uscc(code)
    body, actual = normalised[8:16], normalised[16]
    total = sum(_org_value(c) * w for c, w in zip(body, _ORG_WEIGHTS, strict=True))
    expected = _org_check_char(11 - total % 11)
    if actual == expected:
        return None
    return (
        f"统一社会信用代码 {normalised} 中的组织机构代码（第 9–17 位）校验位不符：应为 {expected}，"
        f"实为 {actual}；早期试点代码可能如此，请人工核对"
        f"（embedded GB 11714 organisation-code check should be {expected}, not {actual}）"
    )


def _check_length(code: str) -> None:
    if len(code) != _LENGTH:
        n = len(code)
        raise UsccError(
            f"统一社会信用代码应为 18 位，实为 {n} 位（must be 18 characters, got {n}）"
        )


def _check_charset(code: str) -> None:
    bad = [(i, c) for i, c in enumerate(code, start=1) if c not in _VALUES]
    if bad:
        where = "、".join(f"第 {i} 位「{c}」" for i, c in bad)
        positions = ", ".join(str(i) for i, _ in bad)
        raise UsccError(
            f"统一社会信用代码含有不允许的字符：{where}"
            "（只允许数字和除 I、O、S、V、Z 外的大写字母；"
            f"invalid characters at positions {positions}）"
        )


def _check_shape(code: str) -> None:
    if not _SHAPE.fullmatch(code):
        raise UsccError(
            f"统一社会信用代码第 3–8 位（登记管理机关行政区划码）必须是数字，实为 {code[2:8]}"
            "（positions 3-8 must be digits）"
        )


def _org_value(c: str) -> int:
    """GB 11714 value: digits 0–9, letters A–Z → 10–35."""
    return int(c) if c.isdigit() else ord(c) - ord("A") + 10


def _org_check_char(value: int) -> str:
    if value == 10:
        return "X"
    if value == 11:
        return "0"
    return str(value)
