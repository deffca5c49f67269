"""Stream framing (sticky and half packets, garbage, lying lengths, caps) and reassembly."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest

from eco263.monitoring import hj212
from eco263.monitoring.hj212 import crc
from eco263.monitoring.hj212.framer import (
    BadLengthFieldError,
    BufferOverflowError,
    Framer,
    FramingError,
    GarbageError,
    Message,
    Reassembler,
    ReassemblyError,
    ReassemblyEvictedError,
    ReassemblyTimeoutError,
    SegmentError,
    UnterminatedFrameError,
)

FIXTURE = Path(__file__).parent / "fixtures" / "hj212-vectors.jsonl"
VECTORS = [json.loads(line)["packet"] for line in FIXTURE.read_text("utf-8").splitlines()]


def vector(index: int, trailer: bytes = b"\r\n") -> bytes:
    packet: str = VECTORS[index]
    return packet.encode("utf-8") + trailer


A, B, C = vector(0), vector(7), vector(10)


def feed_all(framer: Framer, *chunks: bytes) -> list[bytes | FramingError]:
    out: list[bytes | FramingError] = []
    for chunk in chunks:
        out += framer.feed(chunk)
    return out


def frames(items: list[bytes | FramingError]) -> list[bytes]:
    return [item for item in items if isinstance(item, bytes)]


def errors(items: list[bytes | FramingError]) -> list[FramingError]:
    return [item for item in items if not isinstance(item, bytes)]


def test_one_frame_per_read() -> None:
    framer = Framer()
    assert framer.feed(A) == [A]
    assert framer.pending == 0
    assert framer.offset == len(A)


def test_several_frames_in_one_read() -> None:
    assert Framer().feed(A + B + C) == [A, B, C]


def test_one_frame_over_many_reads() -> None:
    framer = Framer()
    out = feed_all(framer, *(B[i : i + 1] for i in range(len(B))))
    assert out == [B]
    assert framer.pending == 0


def test_split_inside_the_crlf_waits_for_the_lf() -> None:
    framer = Framer()
    assert framer.feed(A[:-1]) == []
    assert framer.feed(A[-1:] + B) == [A, B]


def test_garbage_between_frames_is_reported_once_with_its_position() -> None:
    out = Framer().feed(b"hello" + A + b"\x00\xffjunk" + B)
    assert frames(out) == [A, B]
    garbage = errors(out)
    assert [(e.reason, e.position, e.size, e.data) for e in garbage] == [
        ("garbage", 0, 5, b"hello"),
        ("garbage", 5 + len(A), 6, b"\x00\xffjunk"),
    ]
    assert all(isinstance(e, GarbageError) for e in garbage)


def test_garbage_arriving_in_pieces_is_one_error() -> None:
    framer = Framer()
    out = feed_all(framer, b"ab", b"cd", b"ef", A)
    assert [(e.reason, e.size, e.data) for e in errors(out)] == [("garbage", 6, b"abcdef")]
    assert frames(out) == [A]


def test_line_ends_between_frames_are_not_garbage() -> None:
    assert Framer().feed(b"\r\n\n" + A + b"\r\n" + B) == [A, B]


def test_a_single_hash_at_the_end_of_a_read_is_kept() -> None:
    framer = Framer()
    assert framer.feed(b"xy#") == []
    out = framer.feed(A[1:])
    assert frames(out) == [A]
    assert [(e.size, e.data) for e in errors(out)] == [(2, b"xy")]


def test_damaged_length_field_resynchronises_on_the_next_frame() -> None:
    damaged = vector(44)  # "##9ST=31;..." real transmission damage
    out = Framer().feed(A + damaged + B)
    assert frames(out) == [A, B]
    (error,) = errors(out)
    assert isinstance(error, BadLengthFieldError)
    assert (error.position, error.size) == (len(A), len(damaged))


def test_lying_length_field_does_not_swallow_the_next_frame() -> None:
    short = vector(38)  # declares 615 bytes, has 612 (3 bytes lost in transit)
    out = Framer().feed(short + B)
    assert out == [short, B]
    with pytest.raises(hj212.LengthMismatchError):
        hj212.decode(short)


def test_lying_length_field_is_emitted_without_waiting_for_the_declared_bytes() -> None:
    framer = Framer()
    assert framer.feed(vector(41)) == [vector(41)]  # declares 377, has 373: ends at its CRLF
    assert framer.pending == 0


def test_length_counted_in_characters_is_framed_and_then_tolerated() -> None:
    segment = VECTORS[19][6:-4]
    chars = b"##%04d%s%s\r\n" % (len(segment), segment.encode(), VECTORS[19][-4:].encode())
    framer = Framer()
    out = feed_all(framer, chars[:50], chars[50:140], chars[140:] + A)
    assert out == [chars, A]
    assert hj212.decode(chars).tolerances == ("length_counts_chars",)


def test_frames_without_crlf_back_to_back() -> None:
    a, b = vector(0, b""), vector(7, b"")
    framer = Framer()
    assert framer.feed(a + b) == [a]
    assert framer.pending == len(b)  # could still get its CRLF
    assert framer.flush() == [b]
    assert hj212.decode(b).tolerances == ("missing_crlf",)


def test_frame_without_crlf_then_its_late_crlf() -> None:
    a = vector(0, b"")
    framer = Framer()
    assert framer.feed(a) == []
    assert framer.feed(b"\r\n" + B) == [a + b"\r\n", B]


def test_lone_lf_frames() -> None:
    a, b = vector(0, b"\n"), vector(7, b"\n")
    assert Framer().feed(a + b + A) == [a, b, A]
    assert hj212.decode(a).tolerances == ("lone_lf",)


def test_flush_reports_a_partial_frame_as_a_frame_and_junk_as_garbage() -> None:
    framer = Framer()
    framer.feed(A[:40])
    (partial,) = framer.flush()
    assert partial == A[:40]
    with pytest.raises(hj212.Hj212Error):
        hj212.decode(partial)
    framer.feed(b"zz")
    (junk,) = framer.flush()
    assert isinstance(junk, GarbageError) and junk.data == b"zz"


def test_one_megabyte_line_without_frame_start_keeps_memory_bounded() -> None:
    framer = Framer(max_buffer=65536)
    out: list[bytes | FramingError] = []
    for _ in range(100):
        out += framer.feed(b"x" * 10_000)
        assert framer.pending <= 1
    out += framer.flush()
    garbage = errors(out)
    assert sum(e.size for e in garbage) == 1_000_000
    assert all(len(e.data) <= 1024 for e in garbage)
    assert len(garbage) < 20  # reported in runs of max_buffer, not per read
    assert framer.feed(A) == [A]


def test_frame_start_followed_by_endless_junk_is_dropped() -> None:
    framer = Framer()
    out = framer.feed(b"##0101")
    for _ in range(100):
        out += framer.feed(b"x" * 10_000)
        assert framer.pending <= 6 + 4 * 101 + 6
    out += framer.feed(A)
    assert frames(out) == [A]
    first = errors(out)[0]
    assert isinstance(first, UnterminatedFrameError)
    assert first.position == 0
    assert sum(e.size for e in errors(out)) == 6 + 1_000_000


def test_buffer_cap_drops_a_frame_larger_than_the_cap() -> None:
    cp = ";".join(f"w{i:05d}-Rtd={i}.5" for i in range(60))
    big = hj212.encode(st="32", cn="2011", pw="1", mn="M", cp=cp, max_length=9999)
    framer = Framer(max_buffer=512)
    out = feed_all(framer, big[:600], big[600:] + A)
    assert isinstance(errors(out)[0], BufferOverflowError)
    assert frames(out) == [A]
    assert framer.pending == 0


def test_error_positions_are_stream_offsets_across_reads() -> None:
    framer = Framer()
    framer.feed(A)
    framer.feed(B[:10])
    out = framer.feed(B[10:] + b"!!" + C)
    assert errors(out)[0].position == len(A) + len(B)


# -- reassembly ---------------------------------------------------------------------------------

PART1, PART2 = hj212.decode(vector(21)), hj212.decode(vector(22))


def only_messages(items: list[Message | ReassemblyError]) -> list[Message]:
    assert all(isinstance(item, Message) for item in items), items
    return [item for item in items if isinstance(item, Message)]


def test_unsegmented_packets_pass_straight_through() -> None:
    packet = hj212.decode(B)
    (message,) = only_messages(Reassembler().add(packet, 0.0))
    assert message.parts == (packet,) and message.cp is packet.cp


def test_two_parts_of_the_standards_example_make_one_message() -> None:
    assert PART1.qn != PART2.qn  # each part has its own QN: grouping by QN would fail
    reassembler = Reassembler()
    assert reassembler.add(PART1, 0.0) == []
    assert reassembler.pending == 1
    (message,) = only_messages(reassembler.add(PART2, 1.0))
    assert message.parts == (PART1, PART2)
    assert message.cp.codes == ("w00000", "w01001", "w01018")
    assert message.cp.names.count("DataTime") == 1
    assert message.cp.data_time == datetime(2016, 8, 1, 8, tzinfo=hj212.SHANGHAI)
    assert message.cp.get("w01018", "Avg") == 40.1
    assert (message.mn, message.cn) == (PART1.mn, "2061")
    assert reassembler.pending == 0


def test_parts_out_of_order_and_retransmitted() -> None:
    reassembler = Reassembler()
    assert reassembler.add(PART2, 0.0) == []
    assert reassembler.add(PART2, 0.5) == []
    (message,) = only_messages(reassembler.add(PART1, 1.0))
    assert message.parts == (PART1, PART2)
    assert message.duplicates == 1


def test_incomplete_message_times_out_with_what_arrived() -> None:
    reassembler = Reassembler(timeout=10.0)
    reassembler.add(PART1, 0.0)
    assert reassembler.expire(9.9) == []
    (error,) = reassembler.expire(10.0)
    assert isinstance(error, ReassemblyTimeoutError)
    assert error.reason == "reassembly_timeout"
    assert error.parts == (PART1,)
    assert reassembler.pending == 0


def test_expired_messages_are_reported_by_add_too() -> None:
    reassembler = Reassembler(timeout=10.0)
    reassembler.add(PART1, 0.0)
    out = reassembler.add(hj212.decode(B), 11.0)
    assert isinstance(out[0], ReassemblyTimeoutError)
    assert isinstance(out[1], Message)


def segment_of(mn: str, pno: int, pnum: int = 2) -> hj212.Packet:
    header = f"QN=1;ST=32;CN=2061;PW=1;MN={mn};Flag=7;PNUM={pnum};PNO={pno};"
    body = f"{header}CP=&&DataTime=20160801080000;w01018-Avg={pno}&&".encode()
    return hj212.decode(b"##%04d%b%04X\r\n" % (len(body), body, crc.hj212(body)))


def test_pending_messages_are_bounded() -> None:
    reassembler = Reassembler(max_pending=2)
    assert reassembler.add(segment_of("A", 1), 0.0) == []
    assert reassembler.add(segment_of("B", 1), 0.0) == []
    (evicted,) = reassembler.add(segment_of("C", 1), 0.0)
    assert isinstance(evicted, ReassemblyEvictedError)
    assert evicted.key[0] == "A"
    assert reassembler.pending == 2


def test_messages_of_different_devices_do_not_mix() -> None:
    reassembler = Reassembler()
    reassembler.add(segment_of("A", 1), 0.0)
    reassembler.add(segment_of("B", 2), 0.0)
    (message,) = only_messages(reassembler.add(segment_of("A", 2), 0.0))
    assert message.mn == "A"
    assert [part.pno for part in message.parts] == [1, 2]


def test_too_many_parts_is_refused() -> None:
    (error,) = Reassembler(max_parts=4).add(segment_of("A", 1, pnum=5), 0.0)
    assert isinstance(error, SegmentError)
    assert error.reason == "bad_segment"
