"""Behaviour of the HJ 212 codec: typed parsing, tolerances, errors, encoding, answers."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from eco263.monitoring import hj212
from eco263.monitoring.hj212 import SHANGHAI, DecodeOptions, crc

FIXTURE = Path(__file__).parent / "fixtures" / "hj212-vectors.jsonl"
VECTORS = [json.loads(line)["packet"] for line in FIXTURE.read_text("utf-8").splitlines()]
MN = "010000A8900016F000169DC0"
HEADER = f"QN=20160801085857223;ST=32;CN=2011;PW=123456;MN={MN};Flag=5;"


def vector(index: int) -> bytes:
    packet: str = VECTORS[index]
    return packet.encode("utf-8") + b"\r\n"


def framed(segment: str) -> bytes:
    """A frame with correct length and CRC around an arbitrary data segment."""
    body = segment.encode("utf-8")
    return b"##%04d%b%04X\r\n" % (len(body), body, crc.hj212(body))


def upload(cp: str, header: str = HEADER) -> bytes:
    return framed(f"{header}CP=&&{cp}&&")


# -- header and Flag ----------------------------------------------------------------------------


def test_the_standards_golden_packet() -> None:
    packet = hj212.decode(vector(0))
    assert (packet.qn, packet.st, packet.cn, packet.pw, packet.mn) == (
        "20160801085857223",
        "32",
        "1062",
        "100000",
        MN,
    )
    assert packet.flag == hj212.Flag(5, 1, ack_requested=True, segmented=False)
    assert packet.version == "2017"
    assert packet.ack_requested and not packet.segmented
    assert packet.cp.param("RtdInterval") == 30
    assert packet.crc == 0x1C80
    assert packet.tolerances == ()
    assert (packet.pnum, packet.pno) == (None, None)


@pytest.mark.parametrize(
    ("value", "version_bits", "ack", "segmented"),
    [(0, 0, False, False), (1, 0, True, False), (4, 1, False, False), (7, 1, True, True)],
)
def test_flag_bits(value: int, version_bits: int, ack: bool, segmented: bool) -> None:
    flag = hj212.Flag.from_value(value)
    assert (flag.version_bits, flag.ack_requested, flag.segmented) == (version_bits, ack, segmented)
    assert hj212.FLAGS[value] == flag


def test_header_fields_in_any_order_and_unknown_ones_kept() -> None:
    header = f"MN={MN};PW=123456;ST=32;Vendor=x1;CN=2011;QN=20160801085857223;Flag=4;"
    packet = hj212.decode(upload("DataTime=20160801085857", header))
    assert (packet.mn, packet.pw, packet.cn, packet.qn) == (
        MN,
        "123456",
        "2011",
        "20160801085857223",
    )
    assert packet.extra == (("Vendor", "x1"),)
    assert packet.tolerances == ()


def test_unknown_version_bits_are_treated_as_2017_but_flagged() -> None:
    packet = hj212.decode(upload("DataTime=20160801085857", HEADER.replace("Flag=5", "Flag=9")))
    assert packet.version == "2017"
    assert packet.ack_requested
    assert "unknown_version_bits" in packet.tolerances


def test_segmented_packet_and_pno_before_pnum() -> None:
    header = HEADER.replace("Flag=5;", "Flag=7;PNO=2;PNUM=3;")
    packet = hj212.decode(upload("DataTime=20160801085857", header))
    assert (packet.pnum, packet.pno, packet.segmented) == (3, 2, True)
    assert packet.tolerances == ()


def test_pnum_without_flag_bit_d_is_segmented_and_flagged() -> None:
    header = "ST=32;CN=2011;PW=123456;MN=LD1;PNO=0002;PNUM=0002;"
    packet = hj212.decode(upload("DataTime=20160801085857", header))
    assert (packet.pnum, packet.pno) == (2, 2)
    assert "segmented_without_flag" in packet.tolerances
    assert packet.version == "2005"


def test_2005_answer_with_qn_inside_cp() -> None:
    packet = hj212.decode(vector(32))
    assert packet.qn is None
    assert packet.request_qn == "20160824000504006"
    assert packet.cp.param("QnRtn") == 1
    assert packet.version == "2005"


# -- CP typed values ----------------------------------------------------------------------------


def test_real_time_values_are_typed() -> None:
    cp = hj212.decode(vector(7)).cp
    assert cp.data_time == datetime(2016, 8, 1, 8, 58, 57, tzinfo=SHANGHAI)
    assert cp.data_time.utcoffset() == timedelta(hours=8)
    assert cp.codes == ("w01001", "w01018")
    item = cp.item("w01018")
    assert item.rtd == 2.2 and isinstance(item.rtd, float)
    assert (item.flag, item.eflag) == ("N", "A01")
    assert item.sample_time == datetime(2016, 8, 1, 7, 0, tzinfo=SHANGHAI)
    assert cp.get("w01001", "Rtd") == 7.1
    assert cp.values["w01018-Rtd"] == 2.2


def test_minute_data_items() -> None:
    cp = hj212.decode(vector(10)).cp
    items = cp.items()
    assert list(items) == ["w00000", "w01001", "w01018"]
    flow = items["w00000"]
    assert (flow.cou, flow.min, flow.avg, flow.max, flow.flag) == (10.5, 16.4, 17.5, 20.1, "N")
    assert items["w01001"].cou is None
    assert cp.texts[cp.names.index("w00000-Cou")] == "10.5"


def test_facility_run_state_and_info_values() -> None:
    assert hj212.decode(vector(9)).cp.item("SB1").rs == 1
    assert hj212.decode(vector(13)).cp.item("SB2").rt == 2.1
    state = hj212.decode(vector(20)).cp
    assert state.item("i12003").info == "0"
    assert state.param("PolId") == "w01018"


def test_log_text_between_slashes_may_contain_separators() -> None:
    cp = hj212.decode(vector(19)).cp
    assert cp.item("i11001").info == "清洗管路"
    assert cp.texts[-1] == "//清洗管路//"  # evidence keeps the wire text
    text = hj212.decode(upload("DataTime=20160801085857;i11001-Info=//a;b,c=d 清洗//;PolId=w01"))
    assert text.cp.item("i11001").info == "a;b,c=d 清洗"
    assert text.cp.param("PolId") == "w01"


def test_duplicate_keys_keep_the_first_and_lose_nothing() -> None:
    packet = hj212.decode(vector(35))
    assert "duplicate_key" in packet.tolerances
    assert packet.cp.names.count("02-Flag") == 2
    item = packet.cp.item("02")
    assert (item.rtd, item.zs_rtd, item.flag) == (0.0, 0.0, "N")
    assert item.other == (("Flag", "N"),)


def test_unknown_keys_and_subkeys_are_kept() -> None:
    cp = hj212.decode(upload("DataTime=20160801085857;Foo=bar;w01018-Xyz=1.5,w01018-Rtd=2")).cp
    assert cp.param("Foo") == "bar"
    assert cp.item("w01018").other == (("Xyz", "1.5"),)
    assert cp.values["w01018-Xyz"] == "1.5"


def test_comma_and_semicolon_are_both_separators() -> None:
    cp = hj212.decode(vector(15)).cp
    assert cp.param("BeginTime") == datetime(2016, 8, 1, tzinfo=SHANGHAI)
    assert cp.param("EndTime") == datetime(2016, 8, 1, tzinfo=SHANGHAI)


def test_milliseconds_in_datatime_are_kept_and_flagged() -> None:
    packet = hj212.decode(upload("DataTime=20160824003817123;B01-Rtd=36.91"))
    assert packet.cp.data_time == datetime(2016, 8, 24, 0, 38, 17, 123000, tzinfo=SHANGHAI)
    assert "time_with_ms" in packet.tolerances


@pytest.mark.parametrize("text", ["", "-", "nan", "inf", "1e999", "abc", "１２"])
def test_unusable_measurements_become_none_and_are_flagged(text: str) -> None:
    packet = hj212.decode(upload(f"DataTime=20160801085857;w01018-Rtd={text},w01018-Flag=N"))
    if text == "１２":  # full-width digits: float() accepts them, so do we
        assert packet.cp.get("w01018", "Rtd") == 12.0
        return
    assert packet.cp.get("w01018", "Rtd") is None
    assert packet.cp.texts[1] == text
    assert "unparsable_value" in packet.tolerances


def test_exponents_are_accepted_when_finite() -> None:
    packet = hj212.decode(upload("DataTime=20160801085857;w01018-Rtd=1.5e2"))
    assert packet.cp.get("w01018", "Rtd") == 150.0
    assert packet.tolerances == ()


def test_whitespace_around_names_and_values_is_stripped() -> None:
    packet = hj212.decode(upload(" DataTime = 20160801085857 ; w01018-Rtd= 2.5 ,w01018-Flag=N"))
    assert packet.cp.names == ("DataTime", "w01018-Rtd", "w01018-Flag")
    assert packet.cp.get("w01018", "Rtd") == 2.5
    assert packet.tolerances == ("cp_whitespace",)


def test_trailing_separator_and_empty_cp() -> None:
    packet = hj212.decode(upload("DataTime=20160801085857;w01018-Rtd=2;"))
    assert packet.cp.names == ("DataTime", "w01018-Rtd")
    assert packet.tolerances == ("cp_empty_field",)
    empty = hj212.decode(vector(8)).cp
    assert (empty.names, empty.codes, empty.data_time) == ((), (), None)


def test_name_splits_at_the_first_dash() -> None:
    assert hj212.split_name("w01018-Avg") == ("w01018", "Avg")
    assert hj212.split_name("ea-301-Rtd") == ("ea", "301-Rtd")
    assert hj212.split_name("DataTime") == ("", "DataTime")


# -- frame-level tolerances ---------------------------------------------------------------------


def test_lower_case_crc() -> None:
    raw = vector(9).replace(b"F141", b"f141")
    assert hj212.decode(raw).tolerances == ("crc_lowercase",)


def test_missing_crlf_and_lone_lf() -> None:
    assert hj212.decode(vector(0)[:-2]).tolerances == ("missing_crlf",)
    assert hj212.decode(vector(0)[:-2] + b"\n").tolerances == ("lone_lf",)
    with pytest.raises(hj212.LengthMismatchError):  # a lone CR is not a line end
        hj212.decode(vector(0)[:-1])


def test_length_counting_characters_is_tolerated() -> None:
    body = VECTORS[19][6:-4]
    raw = b"##%04d%s%s\r\n" % (len(body), body.encode(), VECTORS[19][-4:].encode())
    assert len(body) != len(body.encode())
    packet = hj212.decode(raw)
    assert packet.tolerances == ("length_counts_chars",)
    assert packet.cp.item("i11001").info == "清洗管路"


def test_oversize_segment_is_tolerated_up_to_max_length() -> None:
    cp = ";".join(f"w{i:05d}-Rtd={i}.5" for i in range(80))
    raw = upload(f"DataTime=20160801085857;{cp}")
    packet = hj212.decode(raw)
    assert "oversize_segment" in packet.tolerances
    assert len(packet.cp.codes) == 80
    with pytest.raises(hj212.OversizeError) as caught:
        hj212.decode(raw, DecodeOptions(max_length=1024))
    assert (caught.value.reason, caught.value.position) == ("oversize", 2)


def test_invalid_utf8_is_replaced_and_flagged() -> None:
    gbk = "清洗".encode("gbk")  # some old loggers send GBK log text: invalid UTF-8
    body = f"{HEADER}CP=&&DataTime=20160801085857;i11001-Info=//".encode() + gbk + b"//&&"
    raw = b"##%04d%b%04X\r\n" % (len(body), body, crc.hj212(body))
    packet = hj212.decode(raw)
    assert "invalid_utf8" in packet.tolerances
    assert packet.raw == raw
    assert "\ufffd" in str(packet.cp.item("i11001").info)


def test_bytearray_and_memoryview_inputs() -> None:
    assert hj212.decode(bytearray(vector(0))).cn == "1062"
    assert hj212.decode(memoryview(vector(0))).cn == "1062"


def test_str_input_is_a_programming_error() -> None:
    text: str = VECTORS[0]
    with pytest.raises(TypeError):
        hj212.decode(text)  # type: ignore[arg-type]


# -- CRC modes ----------------------------------------------------------------------------------


def with_crc(raw: bytes, value: int) -> bytes:
    return raw[:-6] + b"%04X\r\n" % value


@pytest.mark.parametrize(
    ("mode", "swapped_ok", "plain_ok"),
    [
        ("hj212", False, False),
        ("accept_modbus", True, True),
        ("accept_modbus_swapped", True, False),
        ("accept_modbus_plain", False, True),
    ],
)
def test_modbus_crcs_only_when_configured(
    mode: hj212.CrcMode, swapped_ok: bool, plain_ok: bool
) -> None:
    raw = vector(7)
    body = raw[6:-6]
    options = DecodeOptions(crc_mode=mode)
    for value, accepted, tolerance in (
        (crc.modbus_swapped(body), swapped_ok, "crc_modbus_swapped"),
        (crc.modbus(body), plain_ok, "crc_modbus"),
    ):
        if accepted:
            assert hj212.decode(with_crc(raw, value), options).tolerances == (tolerance,)
        else:
            with pytest.raises(hj212.BadCrcError):
                hj212.decode(with_crc(raw, value), options)
    assert hj212.decode(raw, options).tolerances == ()


def test_crc_mode_ignore_accepts_a_wrong_crc_but_says_so() -> None:
    packet = hj212.decode(with_crc(vector(7), 0x1234), DecodeOptions(crc_mode="ignore"))
    assert packet.tolerances == ("crc_ignored",)
    assert packet.crc == 0x1234


# -- errors -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "error", "position"),
    [
        (b"", hj212.TruncatedError, 0),
        (b"#", hj212.TruncatedError, 1),
        (b"##01", hj212.TruncatedError, 4),
        (b"##0000CP=", hj212.TruncatedError, 9),
        (b"XX0101QN=", hj212.BadHeaderError, 0),
        (b"##01a1QN=20160801085857223&&1C80\r\n", hj212.BadLengthError, 2),
        (b"##9ST=31;CN=2011&&CAC1\r\n", hj212.BadLengthError, 2),
        (b"##0100QN=1;CP=&&&&1234\r\n", hj212.LengthMismatchError, 18),
        (b"##0004QN=1ZZZZ\r\n", hj212.BadCrcError, 10),
    ],
)
def test_frame_errors(raw: bytes, error: type[hj212.Hj212Error], position: int) -> None:
    with pytest.raises(error) as caught:
        hj212.decode(raw)
    assert caught.value.position == position
    assert caught.value.reason == error.reason
    assert str(position) in str(caught.value)


def test_bad_crc_reports_both_values() -> None:
    with pytest.raises(hj212.BadCrcError) as caught:
        hj212.decode(with_crc(vector(0), 0x1C81))
    assert (caught.value.received, caught.value.expected) == ("1C81", "1C80")
    assert caught.value.reason == "bad_crc"


@pytest.mark.parametrize(
    ("segment", "field_name", "at"),
    [
        (f"{HEADER}DataTime=1", "CP", None),
        (f"{HEADER}CP=&&DataTime=20160801085857", "CP", None),
        ("QN=1;ST=32;CN=2011;PW=1;Flag=5;CP=&&&&", "MN", None),
        ("QN=1;ST=32;CN=201;PW=1;MN=X;CP=&&&&", "CN", "CN="),
        ("QN=1;ST=32;CN=2011;PW=1;MN=X;Flag=256;CP=&&&&", "Flag", "Flag="),
        ("QN=1;ST=32;CN=2011;PW=1;MN=X;Flag=x;CP=&&&&", "Flag", "Flag="),
        ("QN=1;ST=32;CN=2011;PW=1;MN=X;Flag=7;PNUM=2;PNO=3;CP=&&&&", "PNO", "PNO="),
        ("QN=1;ST=32;CN=2011;PW=1;MN=X;Flag=7;CP=&&&&", "Flag", "Flag="),
        ("QN=1;ST=32;CN=2011;PW=1;MN=X;PNUM=2;CP=&&&&", "PNUM", None),
        ("QN=1;ST=32;CN=2011;ST=33;PW=1;MN=X;CP=&&&&", "ST", "ST=33"),
        ("QN=1;ST=32;C11;PW=1;MN=X;CP=&&&&", "C11", "C11"),
        ("QN=1;ST=32;CN=2011;PW=1;MN=;CP=&&&&", "MN", "MN="),
        (f"{HEADER}CP=&&DataTime=20161301085857&&", "DataTime", "DataTime="),
        (f"{HEADER}CP=&&DataTime=20160801085857;SB1-RS=x;QnRtn=one&&", "QnRtn", "QnRtn="),
        (f"{HEADER}CP=&&DataTime=20160801085857;C11;w01-Rtd=1&&", "CP", "C11"),
        (f"{HEADER}CP=&&DataTime=20160801085857;=5&&", "CP", ";=5"),
    ],
)
def test_field_errors_name_the_field_and_its_position(
    segment: str, field_name: str, at: str | None
) -> None:
    with pytest.raises(hj212.BadFieldError) as caught:
        hj212.decode(framed(segment))
    assert caught.value.reason == "bad_field"
    assert caught.value.field_name == field_name
    if at is not None:
        assert caught.value.position == 6 + segment.index(at) + at.startswith(";")


def test_zero_padded_header_numbers_are_accepted() -> None:
    header = "QN=1;ST=32;CN=2011;PW=1;MN=X;Flag=007;PNUM=0002;PNO=0001;"
    packet = hj212.decode(upload("DataTime=20160801085857", header))
    assert (packet.flag, packet.pnum, packet.pno) == (hj212.FLAGS[7], 2, 1)


@pytest.mark.parametrize("key", ["Flag", "PNUM", "PNO"])
def test_absurdly_long_header_numbers_are_a_bad_field(key: str) -> None:
    # 5000 digits: int() itself would raise ValueError (its 4300-digit limit)
    header = "QN=1;ST=32;CN=2011;PW=1;MN=X;Flag=7;PNUM=2;PNO=1;".replace(
        f"{key}=", f"{key}=" + "0" * 5000
    )
    with pytest.raises(hj212.BadFieldError) as caught:
        hj212.decode(upload("DataTime=20160801085857", header))
    assert caught.value.field_name == key


def test_absurdly_long_numbers_in_cp_are_handled() -> None:
    packet = hj212.decode(upload(f"DataTime=20160801085857;SB1-RS={'9' * 5000}"))
    assert packet.cp.item("SB1").rs is None
    assert "unparsable_value" in packet.tolerances
    with pytest.raises(hj212.BadFieldError):
        hj212.decode(upload(f"QnRtn={'1' * 5000}"))


def test_error_positions_count_bytes_not_characters() -> None:
    segment = f"{HEADER}CP=&&i11001-Info=//清洗//;DataTime=2016&&"
    with pytest.raises(hj212.BadFieldError) as caught:
        hj212.decode(framed(segment))
    assert caught.value.position == 6 + segment.encode().index(b"DataTime=")


def test_every_error_is_an_hj212_error_with_a_reason() -> None:
    for kind in (
        hj212.TruncatedError,
        hj212.BadHeaderError,
        hj212.BadLengthError,
        hj212.OversizeError,
        hj212.LengthMismatchError,
        hj212.BadCrcError,
        hj212.BadFieldError,
    ):
        assert issubclass(kind, hj212.Hj212Error)
        assert kind.reason != hj212.Hj212Error.reason


# -- encoding -----------------------------------------------------------------------------------


def test_frame_reproduces_the_standards_example() -> None:
    assert hj212.frame(VECTORS[0][6:-4]) == vector(0)


def test_encode_reproduces_a_standard_packet() -> None:
    raw = hj212.encode(
        qn="20160801085857223",
        st="32",
        cn="2011",
        pw="123456",
        mn=MN,
        flag=5,
        cp=[
            [("DataTime", datetime(2016, 8, 1, 8, 58, 57, tzinfo=SHANGHAI))],
            [("w01001-Rtd", 7.1), ("w01001-Flag", "N")],
            [
                ("w01018-SampleTime", datetime(2016, 7, 31, 23, 0, tzinfo=UTC)),
                ("w01018-Rtd", Decimal("2.2")),
                ("w01018-Flag", "N"),
                ("w01018-EFlag", "A01"),
            ],
        ],
    )
    assert raw == vector(7)


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, ""),
        (7, "7"),
        (2.5, "2.5"),
        (1e-05, "0.00001"),
        (1.5e17, "150000000000000000"),
        (Decimal("0.000009"), "0.000009"),
        (Decimal("1E+3"), "1000"),
        ("N", "N"),
        (datetime(2016, 8, 1, 0, 0, tzinfo=UTC), "20160801080000"),
    ],
)
def test_format_value(value: hj212.CpScalar, text: str) -> None:
    assert hj212.format_value(value) == text


@pytest.mark.parametrize(
    "value",
    [float("nan"), float("inf"), Decimal("NaN"), datetime(2016, 8, 1), True],  # noqa: DTZ001
)
def test_format_value_rejects_what_has_no_wire_form(value: hj212.CpScalar) -> None:
    with pytest.raises((ValueError, TypeError)):
        hj212.format_value(value)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"cp": [[("w01018-Rtd", "1;2")]]},
        {"cp": [[("w01018=Rtd", "1")]]},
        {"cp": [[("", "1")]]},
        {"cp": [[("w01018-Rtd", " 1")]]},
        {"cp": [[("w01018-Rtd", "a&&b")]]},
        {"mn": "A;B"},
        {"cn": "20111"},
        {"flag": 256},
        {"pnum": 2},
        {"cp": [[("w01018-Rtd", "1" * 1100)]]},
    ],
)
def test_encode_rejects_values_that_break_the_grammar(kwargs: dict[str, object]) -> None:
    arguments: dict[str, object] = {"st": "32", "cn": "2011", "pw": "123456", "mn": MN, **kwargs}
    with pytest.raises(ValueError):
        hj212.encode(**arguments)  # type: ignore[arg-type]


def test_encode_packet_repairs_tolerated_deviations() -> None:
    original = hj212.decode(vector(13)[:-2].replace(b"8EC1", b"8ec1"))
    assert set(original.tolerances) == {"cp_without_semicolon", "crc_lowercase", "missing_crlf"}
    again = hj212.decode(hj212.encode_packet(original))
    assert again.tolerances == ()
    assert again.cp == original.cp
    assert (again.qn, again.cn, again.flag, again.mn) == (
        original.qn,
        original.cn,
        original.flag,
        original.mn,
    )


def test_make_qn_and_format_time_use_china_time() -> None:
    now = datetime(2016, 8, 1, 0, 58, 57, 223456, tzinfo=UTC)
    assert hj212.make_qn(now) == "20160801085857223"
    assert hj212.format_time(now) == "20160801085857"
    with pytest.raises(ValueError):
        hj212.make_qn(datetime(2016, 8, 1))  # noqa: DTZ001


def test_parse_time() -> None:
    assert hj212.parse_time("20160801085857") == datetime(2016, 8, 1, 8, 58, 57, tzinfo=SHANGHAI)
    for bad in ("2016080108585", "2016080108585x", "20160230085857", "２０16080108585７"):
        with pytest.raises(ValueError):
            hj212.parse_time(bad)


# -- answers and commands -----------------------------------------------------------------------


def test_request_answer_and_execution_result_match_the_standard() -> None:
    request = hj212.decode(vector(1))
    assert hj212.request_answer(request) == vector(2)
    assert hj212.execution_result(request) == vector(3)


def test_data_answers_match_the_standard() -> None:
    assert hj212.data_answer(hj212.decode(vector(7))) == vector(8)
    assert hj212.data_answer(hj212.decode(vector(22))) == vector(23)


def test_notification_answer() -> None:
    answer = hj212.decode(hj212.notification_answer(hj212.decode(vector(5))))
    assert (answer.cn, answer.st, answer.qn, answer.flag) == (
        "9013",
        "91",
        "20160801085857223",
        hj212.FLAGS[4],
    )
    assert answer.cp.names == ()


def test_answers_never_carry_rtn_codes_in_9014() -> None:
    answer = hj212.decode(hj212.data_answer(hj212.decode(vector(10))))
    assert answer.cp.names == ()
    assert answer.pw == "123456" and answer.mn == MN


def test_answers_to_2005_devices_follow_their_habits() -> None:
    request = hj212.decode(
        framed("QN=20160824000504006;ST=32;CN=2011;PW=123456;MN=LD130107000188;Flag=1;CP=&&&&")
    )
    assert hj212.request_answer(request) == vector(32)  # real 2005 device answer, byte for byte
    no_flag = hj212.decode(
        framed("QN=20160824000504006;ST=32;CN=2011;PW=123456;MN=LD130107000188;CP=&&&&")
    )
    assert hj212.execution_result(no_flag, hj212.ExeRtn.NO_DATA) == vector(33)
    notice = hj212.decode(vector(34))  # 2005 1013 with QN inside CP
    answer = hj212.decode(hj212.notification_answer(notice))
    assert answer.qn is None and answer.request_qn == "20160824001252000"
    assert answer.flag == hj212.FLAGS[0]


def test_answer_codes() -> None:
    answer = hj212.decode(hj212.request_answer(hj212.decode(vector(1)), hj212.QnRtn.WRONG_PW))
    assert answer.cp.param("QnRtn") == 3


def test_time_commands() -> None:
    when = datetime(2016, 8, 1, 0, 58, 57, tzinfo=UTC)
    query = hj212.decode(
        hj212.time_query(qn="20160801085857223", st="32", mn=MN, pw="123456", pol_id="w01018")
    )
    assert (query.cn, query.flag, query.cp.param("PolId")) == ("1011", hj212.FLAGS[5], "w01018")
    setting = hj212.decode(
        hj212.time_set(qn="20160801085857223", st="32", mn=MN, pw="123456", system_time=when)
    )
    assert setting.cn == "1012" and setting.ack_requested
    assert setting.cp.param("SystemTime") == datetime(2016, 8, 1, 8, 58, 57, tzinfo=SHANGHAI)
    old = hj212.decode(
        hj212.time_set(qn="1", st="32", mn="LD1", pw="1", system_time=when, version="2005")
    )
    assert old.flag == hj212.FLAGS[1] and old.version == "2005"
