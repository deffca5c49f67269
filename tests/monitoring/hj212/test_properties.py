"""Property tests: encode/decode round trips, total decoding, chunking-independent framing."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from eco263.monitoring import hj212
from eco263.monitoring.hj212 import crc
from eco263.monitoring.hj212.cp import _tokenize_careful, _tokenize_fast
from eco263.monitoring.hj212.framer import Framer, FramingError

FIXTURE = Path(__file__).parent / "fixtures" / "hj212-vectors.jsonl"
VECTORS = [json.loads(line)["packet"].encode() for line in FIXTURE.read_text().splitlines()]
SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
FEWER = settings(SETTINGS, max_examples=80)  # for the tests that generate whole packets per draw

NUMERIC_SUBS = ("Rtd", "Avg", "Min", "Max", "Cou", "ZsRtd", "ZsAvg", "ZsMin", "ZsMax", "RT")
KNOWN = set(NUMERIC_SUBS) | {"Flag", "EFlag", "SampleTime", "RS", "Info", "SN", "Data", "Ala"}
CODES = st.sampled_from(["w00000", "w01018", "w21003", "a34004", "SB1", "B01", "011", "LA"]) | (
    st.from_regex(r"[A-Za-z0-9]{1,8}", fullmatch=True)
)
# hypothesis takes naive bounds and a separate zone; DataTime is China local time
_NAIVE_BOUNDS = (datetime(2005, 1, 1), datetime(2099, 12, 31))  # noqa: DTZ001
TIMES = st.datetimes(*_NAIVE_BOUNDS).map(
    lambda value: value.replace(microsecond=0, tzinfo=hj212.SHANGHAI)
)


@dataclass(frozen=True)
class Field:
    name: str
    text: str
    value: hj212.CpValue


@st.composite
def item_fields(draw: st.DrawFn) -> list[Field]:
    """The fields of one factor code, with the typed value the decoder must produce."""
    code = draw(CODES)
    out: list[Field] = []
    for sub in draw(
        st.lists(
            st.sampled_from([*NUMERIC_SUBS, "Flag", "EFlag", "SampleTime", "RS", "X"]),
            min_size=1,
            max_size=5,
            unique=True,
        )
    ):
        name = f"{code}-{sub}"
        if sub in NUMERIC_SUBS:
            text = draw(st.from_regex(r"-?[0-9]{1,9}(\.[0-9]{1,6})?", fullmatch=True))
            out.append(Field(name, text, float(text)))
        elif sub == "Flag":
            text = draw(st.sampled_from("NFMSDCTB"))
            out.append(Field(name, text, text))
        elif sub == "EFlag":
            text = draw(st.from_regex(r"[A-Z0-9]{1,4}", fullmatch=True))
            out.append(Field(name, text, text))
        elif sub == "SampleTime":
            when = draw(TIMES)
            out.append(Field(name, when.strftime("%Y%m%d%H%M%S"), when))
        elif sub == "RS":
            state = draw(st.integers(0, 5))
            out.append(Field(name, str(state), state))
        else:
            unknown = draw(
                st.from_regex(r"[A-Za-z]{1,6}", fullmatch=True).filter(lambda s: s not in KNOWN)
            )
            text = draw(st.from_regex(r"[A-Za-z0-9.]{0,10}", fullmatch=True))
            out.append(Field(f"{code}-{unknown}", text, text))
    return out


@dataclass(frozen=True)
class Spec:
    qn: str | None
    st: str
    cn: str
    pw: str
    mn: str
    flag: int | None
    pnum: int | None
    pno: int | None
    groups: list[list[Field]]

    def encode(self) -> bytes:
        return hj212.encode(
            qn=self.qn,
            st=self.st,
            cn=self.cn,
            pw=self.pw,
            mn=self.mn,
            flag=self.flag,
            pnum=self.pnum,
            pno=self.pno,
            cp=[[(f.name, f.text) for f in group] for group in self.groups],
            max_length=9999,
        )


@st.composite
def specs(draw: st.DrawFn) -> Spec:
    segmented = draw(st.booleans())
    flag = draw(st.none() | st.integers(0, 255))
    if flag is not None:
        flag = flag | 2 if segmented else flag & ~2
    pnum = draw(st.integers(1, 9999)) if segmented else None
    pno = draw(st.integers(1, pnum)) if pnum is not None else None
    when = draw(TIMES)
    groups = [[Field("DataTime", when.strftime("%Y%m%d%H%M%S"), when)]]
    groups += draw(st.lists(item_fields(), max_size=8))
    return Spec(
        qn=draw(st.none() | st.from_regex(r"[0-9]{17}", fullmatch=True)),
        st=draw(st.from_regex(r"[0-9A-Z]{2,3}", fullmatch=True)),
        cn=draw(st.from_regex(r"[0-9]{4}", fullmatch=True)),
        pw=draw(st.from_regex(r"[0-9A-Za-z]{6}", fullmatch=True)),
        mn=draw(st.from_regex(r"[0-9A-Za-z_]{7,24}", fullmatch=True)),
        flag=flag,
        pnum=pnum,
        pno=pno,
        groups=groups,
    )


def expected_tolerances(spec: Spec, raw: bytes, names: list[str]) -> set[str]:
    expected = set()
    if spec.qn is None:
        expected.add("qn_missing")
    if spec.flag is None:
        expected.add("flag_missing")
        if spec.pnum is not None:
            expected.add("segmented_without_flag")
    elif spec.flag >> 2 > 1:
        expected.add("unknown_version_bits")
    if len(set(names)) != len(names):
        expected.add("duplicate_key")
    if len(raw) - 12 > 1024:
        expected.add("oversize_segment")
    return expected


@SETTINGS
@given(specs())
def test_encode_then_decode_gives_back_every_field_typed(spec: Spec) -> None:
    raw = spec.encode()
    packet = hj212.decode(raw)
    fields = [f for group in spec.groups for f in group]
    names = [f.name for f in fields]
    assert (packet.qn, packet.st, packet.cn, packet.pw, packet.mn) == (
        spec.qn,
        spec.st,
        spec.cn,
        spec.pw,
        spec.mn,
    )
    assert (None if packet.flag is None else packet.flag.value) == spec.flag
    assert (packet.pnum, packet.pno) == (spec.pnum, spec.pno)
    assert packet.cp.names == tuple(names)
    assert packet.cp.texts == tuple(f.text for f in fields)
    first: dict[str, hj212.CpValue] = {}
    for f in fields:
        first.setdefault(f.name, f.value)
    assert dict(packet.cp.values) == first
    assert packet.cp.data_time == spec.groups[0][0].value
    assert set(packet.tolerances) == expected_tolerances(spec, raw, names)
    again = hj212.decode(hj212.encode_packet(packet))  # canonical grouping: same content
    assert (again.cp, again.qn, again.flag, again.pnum) == (
        packet.cp,
        packet.qn,
        packet.flag,
        packet.pnum,
    )


@FEWER
@given(specs())
def test_items_group_every_field_of_a_code(spec: Spec) -> None:
    packet = hj212.decode(spec.encode())
    items = packet.cp.items()
    codes = [f.name.partition("-")[0] for group in spec.groups[1:] for f in group]
    assert list(items) == list(dict.fromkeys(codes))
    total = sum(len(item.other) + sum(v is not None for v in item[1:-1]) for item in items.values())
    with_values = [f for group in spec.groups[1:] for f in group]
    assert total == len(with_values)


def reframe(body: bytes) -> bytes:
    return b"##%04d%b%04X\r\n" % (len(body), body, crc.hj212(body))


@st.composite
def mutated_vectors(draw: st.DrawFn) -> bytes:
    """A vector with random edits; often re-framed so the parsers behind the CRC are reached."""
    raw = bytearray(draw(st.sampled_from(VECTORS)))
    for _ in range(draw(st.integers(1, 6))):
        where = draw(st.integers(0, len(raw)))
        action = draw(st.sampled_from(["flip", "insert", "delete"]))
        if action == "flip" and where < len(raw):
            raw[where] = draw(st.integers(0, 255))
        elif action == "insert":
            raw[where:where] = draw(
                st.binary(min_size=1, max_size=4)
                | st.sampled_from([b";", b",", b"=", b"&&", b"-", b"//", b" "])
            )
        elif where < len(raw):
            del raw[where]
    if draw(st.booleans()) and len(raw) > 10:
        return reframe(bytes(raw[6:-4]))
    return bytes(raw) + draw(st.sampled_from([b"\r\n", b"\n", b""]))


ANY_INPUT = st.binary(max_size=1200) | mutated_vectors() | st.binary(max_size=300).map(reframe)


@settings(max_examples=1500, deadline=None)
@given(ANY_INPUT)
def test_any_bytes_give_a_packet_or_an_hj212_error(raw: bytes) -> None:
    try:
        packet = hj212.decode(raw)
    except hj212.Hj212Error as error:
        assert isinstance(error.reason, str) and error.reason
        assert 0 <= error.position <= max(len(raw), 1)
        return
    assert isinstance(packet, hj212.Packet)
    assert packet.raw == raw


@SETTINGS
@given(mutated_vectors())
def test_decoded_packets_re_encode_to_the_same_content(raw: bytes) -> None:
    try:
        packet = hj212.decode(raw)
        again = hj212.decode(hj212.encode_packet(packet))
    except hj212.Hj212Error:
        return
    except ValueError:
        return  # encode_packet refuses texts that cannot be written back (e.g. "&&" inside)
    assert again.cp == packet.cp
    assert (again.qn, again.st, again.cn, again.pw, again.mn) == (
        packet.qn,
        packet.st,
        packet.cn,
        packet.pw,
        packet.mn,
    )
    assert (again.flag, again.pnum, again.pno, again.extra) == (
        packet.flag,
        packet.pnum,
        packet.pno,
        packet.extra,
    )


@SETTINGS
@given(st.text(alphabet="ab1.-=;,", max_size=60))
def test_fast_and_careful_cp_tokenizers_agree(area: str) -> None:
    fast = _tokenize_fast(area)
    tolerances: list[str] = []
    try:
        careful = _tokenize_careful(area, tolerances, lambda offset: offset)
    except hj212.BadFieldError:
        assert fast is None
        return
    if fast is not None:
        assert (list(fast[0]), list(fast[1])) == (careful[0], careful[1])
        assert tolerances == []


VALID_FRAMES = [v + b"\r\n" for v in VECTORS[:38]] + [VECTORS[0], VECTORS[7] + b"\n"]


@FEWER
@given(
    st.lists(st.sampled_from(VALID_FRAMES) | specs().map(Spec.encode), min_size=1, max_size=6),
    st.lists(st.integers(1, 400), max_size=30),
)
def test_arbitrary_chunking_yields_the_same_frames(packets: list[bytes], cuts: list[int]) -> None:
    stream = b"".join(packets)
    framer = Framer()
    out: list[bytes | FramingError] = []
    position = 0
    for size in cuts:
        out += framer.feed(stream[position : position + size])
        position += size
    out += framer.feed(stream[position:])
    out += framer.flush()
    assert out == packets
    assert [hj212.decode(frame).cn for frame in out] == [  # type: ignore[arg-type]
        hj212.decode(packet).cn for packet in packets
    ]


@SETTINGS
@given(
    st.lists(
        st.tuples(st.sampled_from(VALID_FRAMES[:38]), st.binary(max_size=40)),
        min_size=1,
        max_size=5,
    ),
    st.lists(st.integers(1, 200), max_size=20),
)
def test_garbage_between_frames_is_dropped_and_counted(
    pairs: list[tuple[bytes, bytes]], cuts: list[int]
) -> None:
    clean = [(frame, junk.replace(b"#", b"").lstrip(b"\r\n")) for frame, junk in pairs]
    stream = b"".join(junk + frame for frame, junk in clean)
    framer = Framer()
    out: list[bytes | FramingError] = []
    position = 0
    for size in cuts:
        out += framer.feed(stream[position : position + size])
        position += size
    out += framer.feed(stream[position:]) + framer.flush()
    assert [item for item in out if isinstance(item, bytes)] == [frame for frame, _ in clean]
    dropped = sum(item.size for item in out if isinstance(item, FramingError))
    skipped = sum(junk.count(b"\r") + junk.count(b"\n") for _, junk in clean)
    assert sum(len(junk) for _, junk in clean) - skipped <= dropped <= sum(len(j) for _, j in clean)


@SETTINGS
@given(st.lists(st.binary(max_size=3000) | st.sampled_from(VECTORS), max_size=12))
def test_the_framer_never_raises_and_stays_bounded(chunks: list[bytes]) -> None:
    framer = Framer(max_buffer=4096)
    fed = 0
    accounted = 0
    for chunk in chunks:
        for item in framer.feed(chunk):
            accounted += len(item) if isinstance(item, bytes) else item.size
        fed += len(chunk)
        assert framer.pending <= 4096
    for item in framer.flush():
        accounted += len(item) if isinstance(item, bytes) else item.size
    assert framer.pending == 0
    assert accounted <= fed  # only line ends between frames are skipped silently
