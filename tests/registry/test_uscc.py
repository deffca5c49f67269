"""GB 32100-2015 统一社会信用代码: the verified examples of DOMAIN.md §4 and properties."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from eco263.registry.uscc import (
    CHARSET,
    UsccError,
    expected_check_char,
    orgcode_warning,
    validate_uscc,
)

VERIFIED = [
    "914403001922038216",  # 华为技术有限公司
    "91440300708461136T",  # 腾讯科技（深圳）有限公司
    "91320594780268314T",  # 苏州市新源建设工程有限公司 (SIP, 320594)
    "91110108551385082Q",  # 小米科技有限责任公司
]


@pytest.mark.parametrize("code", VERIFIED)
def test_verified_examples_pass_both_checks(code: str) -> None:
    assert validate_uscc(code) == code
    assert expected_check_char(code[:17]) == code[17]
    assert orgcode_warning(code) is None


def test_normalises_whitespace_and_case() -> None:
    assert validate_uscc("  91320594780268314t\n") == "91320594780268314T"


def test_wrong_check_character_names_the_expected_one() -> None:
    with pytest.raises(UsccError, match="校验位错误：应为 6，实为 7") as info:
        validate_uscc("914403001922038217")
    assert isinstance(info.value, ValueError)


@pytest.mark.parametrize("code", ["", "91440300192203821", "9144030019220382166", "9144"])
def test_bad_length(code: str) -> None:
    with pytest.raises(UsccError, match=f"应为 18 位，实为 {len(code)} 位"):
        validate_uscc(code)


@pytest.mark.parametrize(
    ("code", "position"),
    [
        ("91440300192203821I", "第 18 位「I」"),
        ("9144030019220382O6", "第 17 位「O」"),
        ("S14403001922038216", "第 1 位「S」"),
        ("9144030019220V8216", "第 14 位「V」"),
        ("914403001922038-16", "第 16 位「-」"),
        ("91440300192203821Z", "第 18 位「Z」"),
    ],
)
def test_bad_characters_are_named(code: str, position: str) -> None:
    with pytest.raises(UsccError, match=position):
        validate_uscc(code)


def test_region_code_must_be_digits() -> None:
    prefix = "91A20594780268314"
    with pytest.raises(UsccError, match="第 3–8 位"):
        validate_uscc(prefix + expected_check_char(prefix))


def test_not_a_string() -> None:
    with pytest.raises(UsccError, match="必须是文本"):
        validate_uscc(914403001922038216)  # type: ignore[arg-type]


def test_expected_check_char_needs_17_valid_characters() -> None:
    with pytest.raises(UsccError, match="前 17 位"):
        expected_check_char("9144030019220382")
    with pytest.raises(UsccError, match="不允许的字符"):
        expected_check_char("9144030019220382I")


def test_orgcode_mismatch_is_only_a_warning() -> None:
    # Huawei's first 16 characters with a wrong org-code check (17th) and a right 18th.
    prefix = "9144030019220382" + "7"
    code = prefix + expected_check_char(prefix)
    assert validate_uscc(code) == code  # not refused
    warning = orgcode_warning(code)
    assert warning is not None
    assert "应为 1，实为 7" in warning


def test_orgcode_check_x_and_zero() -> None:
    # bodies whose GB 11714 check value is 10 (X) and 11 (0)
    for body, check in (("40000000", "X"), ("00000000", "0")):
        prefix = "91320594" + body + check
        code = prefix + expected_check_char(prefix)
        assert orgcode_warning(code) is None


# -- properties ---------------------------------------------------------------------------------

code_char = st.sampled_from(CHARSET)
digit = st.sampled_from("0123456789")
prefixes = st.builds(
    lambda a, b, c: "".join(a) + "".join(b) + "".join(c),
    st.lists(code_char, min_size=2, max_size=2),
    st.lists(digit, min_size=6, max_size=6),
    st.lists(code_char, min_size=9, max_size=9),
)


@given(prefixes)
def test_expected_check_char_always_validates(prefix: str) -> None:
    code = prefix + expected_check_char(prefix)
    assert validate_uscc(code) == code


@given(prefixes, code_char)
def test_any_other_check_char_is_refused(prefix: str, last: str) -> None:
    expected = expected_check_char(prefix)
    if last == expected:
        return
    with pytest.raises(UsccError, match=f"应为 {expected}，实为 {last}"):
        validate_uscc(prefix + last)


@given(prefixes, st.integers(min_value=0, max_value=16), code_char)
def test_single_character_substitution_is_detected(prefix: str, position: int, new: str) -> None:
    code = prefix + expected_check_char(prefix)
    if new == code[position] or (2 <= position <= 7 and not new.isdigit()):
        return
    altered = code[:position] + new + code[position + 1 :]
    with pytest.raises(UsccError, match="校验位错误"):
        validate_uscc(altered)
