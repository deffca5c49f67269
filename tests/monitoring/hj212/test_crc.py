"""HJ 212 CRC16 (Appendix A) and the two Modbus forms; C extension vs pure Python."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from eco263.monitoring.hj212 import crc

STANDARD_SEGMENT = (
    b"QN=20160801085857223;ST=32;CN=1062;PW=100000;MN=010000A8900016F000169DC0;Flag=5;"
    b"CP=&&RtdInterval=30&&"
)


def crc_as_the_standard_describes(data: bytes) -> int:
    """Appendix A step by step: drop the low byte, xor the byte in, 8 shifts with 0xA001."""
    register = 0xFFFF
    for byte in data:
        register = (register >> 8) ^ byte
        for _ in range(8):
            low_bit = register & 1
            register >>= 1
            if low_bit:
                register ^= 0xA001
    return register


def modbus_bitwise(data: bytes) -> int:
    register = 0xFFFF
    for byte in data:
        register ^= byte
        for _ in range(8):
            register = (register >> 1) ^ 0xA001 if register & 1 else register >> 1
    return register


def test_the_c_extension_is_built_and_used() -> None:
    assert crc.HAVE_C_EXTENSION, "run `pip install -e .` to build eco263/monitoring/hj212/_crc16"
    assert crc.hj212 is not crc.hj212_pure


@pytest.mark.parametrize("function", [crc.hj212, crc.hj212_pure])
def test_check_values(function: crc.Crc16) -> None:
    assert function(b"") == 0xFFFF
    assert function(b"123456789") == 0x2F80


@pytest.mark.parametrize("function", [crc.modbus, crc.modbus_pure])
def test_modbus_check_value(function: crc.Crc16) -> None:
    assert function(b"123456789") == 0x4B37


def test_standards_worked_example() -> None:
    assert len(STANDARD_SEGMENT) == 101
    assert crc.crc_hex(crc.hj212(STANDARD_SEGMENT)) == "1C80"
    assert crc.modbus(STANDARD_SEGMENT) == 0x0759
    assert crc.modbus_swapped(STANDARD_SEGMENT) == 0x5907


@pytest.mark.parametrize(
    ("prefix", "register"), [(b"Q", 0xBC81), (b"QN", 0x8581), (b"QN=", 0x7200), (b"QN=2", 0xF001)]
)
def test_register_after_the_first_steps_of_the_worked_example(prefix: bytes, register: int) -> None:
    assert crc.hj212(prefix) == register
    assert crc_as_the_standard_describes(prefix) == register


def test_table_is_the_reflected_0xa001_table() -> None:
    assert len(crc.TABLE) == 256
    assert crc.TABLE[0] == 0 and crc.TABLE[1] == 0xC0C1 and crc.TABLE[255] == 0x4040


@settings(max_examples=300)
@given(st.binary(max_size=1100))
def test_table_forms_equal_the_bitwise_algorithms(data: bytes) -> None:
    assert crc.hj212_pure(data) == crc_as_the_standard_describes(data)
    assert crc.modbus_pure(data) == modbus_bitwise(data)


@settings(max_examples=500)
@given(st.binary(max_size=2100))
def test_c_extension_equals_pure_python(data: bytes) -> None:
    assert crc.hj212(data) == crc.hj212_pure(data)
    assert crc.modbus(data) == crc.modbus_pure(data)


def test_hj212_is_not_modbus() -> None:
    assert crc.hj212(STANDARD_SEGMENT) != crc.modbus(STANDARD_SEGMENT)


def test_any_bytes_like_object_is_accepted() -> None:
    expected = crc.hj212(STANDARD_SEGMENT)
    assert crc.hj212(bytearray(STANDARD_SEGMENT)) == expected
    assert crc.hj212(memoryview(STANDARD_SEGMENT)[0:]) == expected
    assert crc.modbus(bytearray(b"123456789")) == 0x4B37


def test_str_is_rejected_by_the_c_extension() -> None:
    with pytest.raises(TypeError):
        crc.hj212("123456789")  # type: ignore[arg-type]


def test_modbus_swapped_exchanges_the_bytes() -> None:
    assert crc.modbus_swapped(b"123456789") == 0x374B


def test_crc_hex_is_four_upper_case_digits() -> None:
    assert crc.crc_hex(0x0A) == "000A"
    assert crc.crc_hex(0xBEEF) == "BEEF"
