"""Every line of hj212-vectors.jsonl decodes, or fails, exactly as its fields and notes say.

The vectors are stored without the trailing CRLF, so each valid vector is decoded twice: as
stored (``missing_crlf`` tolerated) and with CRLF appended (no ``missing_crlf``). The table
``TOLERATED`` is the reviewed list of deviations each vector needs.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from eco263.monitoring import hj212
from eco263.monitoring.hj212 import crc
from eco263.monitoring.hj212.framer import Framer

FIXTURE = Path(__file__).parent / "fixtures" / "hj212-vectors.jsonl"
VECTORS: list[dict[str, Any]] = [
    json.loads(line) for line in FIXTURE.read_text("utf-8").splitlines() if line.strip()
]

_2005_UPLOAD = {"qn_missing", "flag_missing"}
_2005_UPLOAD_MS = _2005_UPLOAD | {"time_with_ms"}
TOLERATED: dict[int, set[str]] = {
    4: {"cp_whitespace"},  # "CP=&& PolId=..." (standard C.2)
    5: {"cp_whitespace"},
    6: {"cp_whitespace"},  # "CP=&& &&"
    13: {"cp_without_semicolon"},  # "Flag=5CP=&&" (standard C.19)
    16: {"header_comma"},  # "QN=...,ST=32" (standard C.22)
    18: {"cp_whitespace"},  # "; LA-Rtd=50.1"
    20: {"cp_whitespace"},  # "i12003-Info =0"
    24: _2005_UPLOAD_MS,
    25: {"qn_missing"},
    26: _2005_UPLOAD_MS | {"implausible_time"},  # DataTime 2000-02-02: bogus device clock
    27: _2005_UPLOAD,
    28: _2005_UPLOAD_MS | {"implausible_time"},
    29: {"qn_missing", "time_with_ms"},
    30: _2005_UPLOAD_MS | {"implausible_time"},
    32: {"qn_in_cp"},
    33: {"qn_in_cp", "flag_missing"},
    34: {"qn_in_cp"},
    35: _2005_UPLOAD_MS | {"duplicate_key"},  # "02-Flag" repeated after "02-ZsRtd"
    36: _2005_UPLOAD_MS | {"duplicate_key"},
    37: _2005_UPLOAD,
    43: {"qn_in_cp", "flag_missing"},
}


def _ids() -> list[str]:
    return [
        f"v{i:02d}-{v['cn'] or 'none'}-{'ok' if v['crc_ok'] else 'bad'}"
        for i, v in enumerate(VECTORS)
    ]


CASES = list(enumerate(VECTORS))


def test_fixture_is_a_copy_of_the_shared_reference() -> None:
    shared = Path("/work/shared/reference/hj212-vectors.jsonl")
    if not shared.exists():
        pytest.skip("shared reference not mounted")
    assert FIXTURE.read_bytes() == shared.read_bytes()


def test_there_are_vectors_of_every_kind() -> None:
    assert len(VECTORS) == 46
    assert sum(v["crc_ok"] for v in VECTORS) == 39


@pytest.mark.parametrize(("index", "vector"), CASES, ids=_ids())
def test_vector(index: int, vector: dict[str, Any]) -> None:
    raw = vector["packet"].encode("utf-8")
    if vector["crc_ok"]:
        _check_valid(index, vector, raw)
    else:
        _check_invalid(vector, raw)


def _check_valid(index: int, vector: dict[str, Any], raw: bytes) -> None:
    stored = hj212.decode(raw)
    packet = hj212.decode(raw + b"\r\n")
    assert set(stored.tolerances) == TOLERATED.get(index, set()) | {"missing_crlf"}
    assert set(packet.tolerances) == TOLERATED.get(index, set())
    assert packet.cn == vector["cn"]
    assert packet.st == vector["st"]
    flag = None if packet.flag is None else packet.flag.value
    assert flag == vector["flag"]
    assert packet.version == ("2017" if vector["version"] == "2017" else "2005")
    assert crc.crc_hex(packet.crc) == vector["crc_expected"] == vector["crc_received"]
    assert len(packet.data.encode("utf-8")) == vector["len_bytes"] == vector["len_declared"]
    assert packet.raw == raw + b"\r\n"
    assert packet.data == raw[6:-4].decode("utf-8")


def _check_invalid(vector: dict[str, Any], raw: bytes) -> None:
    with pytest.raises(hj212.Hj212Error) as caught:
        hj212.decode(raw + b"\r\n")
    error = caught.value
    if "len_ok" not in vector:  # "##9ST=...": the length field itself is damaged
        assert error.reason == "bad_length"
        assert error.position == 2
        return
    body = raw[6:-4]
    assert crc.crc_hex(crc.hj212(body)) == vector["crc_expected"]
    if not vector["len_ok"]:
        assert isinstance(error, hj212.LengthMismatchError)
        assert (error.declared, error.actual) == (vector["len_declared"], vector["len_bytes"])
    else:
        assert isinstance(error, hj212.BadCrcError)
        assert (error.received, error.expected) == (vector["crc_received"], vector["crc_expected"])
        assert error.position == len(raw) - 4


def test_the_whole_file_as_one_stream_gives_the_same_results() -> None:
    stream = b"".join(v["packet"].encode("utf-8") + b"\r\n" for v in VECTORS)
    framer = Framer()
    items = framer.feed(stream) + framer.flush()
    frames = [item for item in items if isinstance(item, bytes)]
    errors = [item for item in items if not isinstance(item, bytes)]
    # the damaged "##9ST=..." is dropped by the framer; every other line is one frame
    assert [e.reason for e in errors] == ["bad_length"]
    expected = [v for v in VECTORS if "len_ok" in v]
    assert len(frames) == len(expected)
    for frame, vector in zip(frames, expected, strict=True):
        assert frame == vector["packet"].encode("utf-8") + b"\r\n"
        if vector["crc_ok"]:
            assert hj212.decode(frame).cn == vector["cn"]
        else:
            with pytest.raises(hj212.Hj212Error):
                hj212.decode(frame)
