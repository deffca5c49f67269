"""Petition test helpers: the public limiter starts empty for every test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from eco263.petitions.throttle import LIMITER


@pytest.fixture(autouse=True)
def _fresh_limiter() -> Iterator[None]:
    LIMITER.reset()
    yield
    LIMITER.reset()


PUBLIC_FORM = {
    "kind": "申诉求决",
    "topic": "噪声",
    "description": "夜间厂界噪声扰民，开机时冒黄烟，联系我 13812345678。",
    "location": "高新区某热电厂东侧",
    "division_code": "320583",
    "contact": {"name": "王小明", "phone": "13812345678", "address": "昆山市玉山镇某小区3幢"},
}

ANSWER = {
    "facts": "经现场核查，该厂夜间冷却塔噪声超标。",
    "answer": "已责令限期整改，加装隔声屏障。",
    "basis": "《中华人民共和国噪声污染防治法》第二十二条",
    "opinion": "支持",
}
