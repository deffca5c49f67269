"""Answers in the logger's own dialect: the decoder records it, the encoder writes it.

Frames come from an independent builder (``tests/monitoring/modbus_logger.py``, no eco263 code)
and answers are checked the way that logger checks them.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from eco263.monitoring.hj212 import (
    STANDARD_DIALECT,
    CrcMode,
    DecodeOptions,
    Dialect,
    Packet,
    data_answer,
    decode,
    execution_result,
    notification_answer,
    request_answer,
)
from tests.monitoring import modbus_logger as logger

MN = "MODBUS0000000001"
Answer = Callable[[Packet, Dialect | None], bytes]
ANSWERS: dict[str, Answer] = {
    "9011": lambda p, d: request_answer(p, dialect=d),
    "9012": lambda p, d: execution_result(p, dialect=d),
    "9013": notification_answer,
    "9014": data_answer,
}


def _decode(frame: bytes, mode: CrcMode) -> Packet:
    return decode(frame, DecodeOptions(crc_mode=mode))


@pytest.mark.parametrize(
    ("variant", "mode", "tolerance"),
    [
        ("modbus_swapped", "accept_modbus", "crc_modbus_swapped"),
        ("modbus_swapped", "accept_modbus_swapped", "crc_modbus_swapped"),
        ("modbus", "accept_modbus", "crc_modbus"),
        ("modbus", "accept_modbus_plain", "crc_modbus"),
    ],
)
def test_a_modbus_logger_is_answered_in_its_crc_and_version_bits(
    variant: logger.Variant, mode: CrcMode, tolerance: str
) -> None:
    packet = _decode(logger.upload(mn=MN, variant=variant, flag=9), mode)
    assert set(packet.tolerances) == {tolerance, "unknown_version_bits"}
    assert packet.dialect == Dialect(variant, 2)
    for cn, answer in ANSWERS.items():
        frame = answer(packet, packet.dialect)
        assert logger.accepts(frame, variant), (cn, frame)
        assert not logger.accepts(frame, "hj212"), (cn, frame)
        head = logger.fields(frame)
        assert (head["CN"], head["Flag"], head["ST"]) == (cn, "8", "91")  # version bits, no A
        assert (head["QN"], head["MN"], head["PW"]) == ("20180420100000123", MN, "123456")
        assert _decode(frame, mode).dialect == Dialect(variant, 2)  # and we read it back


def test_the_standard_form_is_the_default_and_unchanged() -> None:
    packet = _decode(logger.upload(mn=MN, variant="modbus_swapped", flag=5), "accept_modbus")
    assert packet.dialect == Dialect("modbus_swapped", 1)
    for answer in ANSWERS.values():
        frame = answer(packet, None)  # no dialect: the standard's CRC and Flag=4
        assert logger.accepts(frame, "hj212") and logger.fields(frame)["Flag"] == "4"
        assert logger.accepts(answer(packet, packet.dialect), "modbus_swapped")


def test_a_strict_point_is_answered_in_the_standard_form_whatever_its_version_bits() -> None:
    packet = _decode(logger.upload(mn=MN, variant="hj212", flag=9), "hj212")
    assert packet.tolerances == ("unknown_version_bits",)
    assert packet.dialect == STANDARD_DIALECT
    frame = data_answer(packet, packet.dialect)
    assert logger.accepts(frame, "hj212") and logger.fields(frame)["Flag"] == "4"


def test_a_tolerant_point_sending_the_standard_crc_gets_the_standard_crc() -> None:
    packet = _decode(logger.upload(mn=MN, variant="hj212", flag=9), "accept_modbus")
    assert packet.dialect == Dialect("hj212", 2)
    frame = data_answer(packet, packet.dialect)
    assert logger.accepts(frame, "hj212") and logger.fields(frame)["Flag"] == "8"


def test_a_modbus_2005_logger_without_flag_gets_no_flag_and_its_crc() -> None:
    segment = f"ST=32;CN=2011;PW=123456;MN={MN};CP=&&DataTime=20180420100000;011-Rtd=12.5&&"
    packet = _decode(logger.build(segment, "modbus_swapped"), "accept_modbus")
    assert packet.version == "2005" and packet.dialect == Dialect("modbus_swapped", None)
    request = logger.build(f"QN=20180420100000123;{segment}", "modbus_swapped")
    for cn, answer in ANSWERS.items():
        frame = answer(_decode(request, "accept_modbus"), packet.dialect)
        head = logger.fields(frame)
        assert logger.accepts(frame, "modbus_swapped") and "Flag" not in head, cn
        if cn in ("9011", "9012"):  # the 2005 habit: the request's QN inside CP
            assert "QN" not in head and head["CP"].startswith("QN=20180420100000123;")


def test_the_ignore_mode_cannot_tell_the_variant_and_answers_the_standard_crc() -> None:
    packet = _decode(logger.upload(mn=MN, variant="modbus", flag=9), "ignore")
    assert "crc_ignored" in packet.tolerances and packet.dialect == Dialect("hj212", 2)
    assert logger.accepts(data_answer(packet, packet.dialect), "hj212")


@pytest.mark.parametrize("mode", ["hj212", "accept_modbus"])
@pytest.mark.parametrize("flag", [4, 5])
def test_a_2017_packet_in_the_standard_crc_records_the_standard_dialect(
    flag: int, mode: CrcMode
) -> None:
    assert _decode(logger.upload(mn=MN, variant="hj212", flag=flag), mode).dialect == (
        STANDARD_DIALECT
    )
