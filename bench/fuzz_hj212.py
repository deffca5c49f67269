"""Fuzz the HJ 212 codec and framer (a script, not a test).

Inputs are mutations of the reference vectors (half of them re-framed with a correct length
and CRC, so the header and CP parsers behind the CRC check are reached), token soups built
from the protocol's own separators, and random bytes. Every input goes through ``decode``
with random ``DecodeOptions``; decoded packets also go through ``Cp.items()``,
``encode_packet``, a 9014 answer in their dialect (decoded back) and a ``Reassembler``; the
inputs are also streamed through a ``Framer`` in random chunks. A crash is any exception that
is not an ``Hj212Error`` (``encode_packet`` and the answer may raise ValueError for texts they
cannot write back; that is their contract, not a crash).

    .venv/bin/python bench/fuzz_hj212.py --count 1000000 --seed 1
"""

from __future__ import annotations

import argparse
import json
import random
import time
import traceback
from collections import Counter
from collections.abc import Callable
from functools import partial
from pathlib import Path

from eco263.monitoring import hj212
from eco263.monitoring.hj212 import crc
from eco263.monitoring.hj212.framer import Framer, FramingError, Reassembler

VECTORS_FILE = Path(__file__).parent.parent / "tests/monitoring/hj212/fixtures/hj212-vectors.jsonl"
TOKENS = [
    *(b"QN=", b"ST=", b"CN=", b"PW=", b"MN=", b"Flag=", b"PNUM=", b"PNO=", b"CP=&&", b"&&"),
    *(b";", b",", b"=", b"-", b"//", b" ", b"\t", b"\r\n", b"\n", b"##", b"#"),
    *(b"DataTime=", b"20160801085857", b"20160801085857000", b"99999999999999", b"w01018-Rtd="),
    *(b"-Flag=N", b"-Avg=", b"SB1-RS=", b"i11001-Info=//", "清洗".encode(), "清".encode()[:2]),
    *(b"1.5", b"-0.0", b"nan", b"inf", b"1e999", b"\xff\xfe", b"\x00", b"2051", b"5", b"7", b"255"),
    b"0" * 4400,  # longer than int()'s 4300-digit limit
]
CRC_MODES: list[hj212.CrcMode] = [
    "hj212",
    "accept_modbus",
    "accept_modbus_swapped",
    "accept_modbus_plain",
    "ignore",
]


def load_vectors() -> list[bytes]:
    lines = VECTORS_FILE.read_text("utf-8").splitlines()
    return [json.loads(line)["packet"].encode("utf-8") + b"\r\n" for line in lines if line]


def reframe(body: bytes, rng: random.Random) -> bytes:
    """Correct length and CRC (sometimes a Modbus CRC, lower case or no CRLF)."""
    value = crc.hj212(body)
    choice = rng.random()
    if choice < 0.05:
        value = crc.modbus_swapped(body)
    elif choice < 0.1:
        value = crc.modbus(body)
    text = b"%04X" % value
    if rng.random() < 0.05:
        text = text.lower()
    trailer = rng.choice([b"\r\n", b"\r\n", b"\r\n", b"\n", b""])
    return b"##%04d%b%b%b" % (len(body) % 10000, body, text, trailer)


def mutate(data: bytes, rng: random.Random, max_edits: int = 8) -> bytes:
    out = bytearray(data)
    for _ in range(rng.randint(1, max_edits)):
        where = rng.randint(0, len(out))
        action = rng.random()
        if action < 0.3 and where < len(out):
            out[where] = rng.randrange(256)
        elif action < 0.55:
            out[where:where] = rng.choice(TOKENS)
        elif action < 0.75 and where < len(out):
            del out[where : where + rng.randint(1, 8)]
        elif action < 0.85 and out:
            start = rng.randrange(len(out))
            out[where:where] = out[start : start + rng.randint(1, 40)]  # duplicate a span
        elif where < len(out):
            out[where:] = out[where : where + rng.randint(0, 20)]  # truncate
    return bytes(out)


def make_input(rng: random.Random, vectors: list[bytes]) -> bytes:
    kind = rng.random()
    if kind < 0.35:
        return mutate(rng.choice(vectors), rng)
    if kind < 0.70:
        return reframe(mutate(rng.choice(vectors)[6:-6], rng, max_edits=3), rng)
    if kind < 0.85:
        body = b"".join(rng.choice(TOKENS) for _ in range(rng.randint(0, 60)))
        return reframe(body, rng)
    if kind < 0.95:
        return bytes(rng.getrandbits(8) for _ in range(rng.randint(0, 300)))
    return b"##%04d" % rng.randint(0, 9999) + bytes(rng.getrandbits(8) for _ in range(40))


class Fuzzer:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.vectors = load_vectors()
        self.outcomes: Counter[str] = Counter()
        self.crashes: list[str] = []
        self.reassembler = Reassembler(max_pending=64)
        self.clock = 0.0

    def guard(self, label: str, action: Callable[[], object]) -> None:
        try:
            action()
        except hj212.Hj212Error as error:
            self.outcomes[f"{label}:{error.reason}"] += 1
        except Exception:  # the thing being counted: anything but an Hj212Error
            self.crashes.append(f"{label}: {traceback.format_exc(limit=3)}")

    def decode_one(self, raw: bytes) -> None:
        options = hj212.DecodeOptions(
            crc_mode=self.rng.choice(CRC_MODES), max_length=self.rng.choice([1024, 9999])
        )
        packet = hj212.decode(raw, options)
        self.outcomes["decode:ok"] += 1
        packet.cp.items()
        try:
            hj212.decode(hj212.encode_packet(packet))
        except ValueError as error:
            if isinstance(error, hj212.Hj212Error):
                raise
        self.answer_back(packet, options)
        self.clock += 0.01
        self.reassembler.add(packet, self.clock)

    def answer_back(self, packet: hj212.Packet, options: hj212.DecodeOptions) -> None:
        """The 9014 in the packet's own dialect decodes under the same options (else a crash)."""
        try:
            answer = hj212.data_answer(packet, packet.dialect)
        except ValueError as error:  # a PW or MN the encoder cannot write back: its contract
            if isinstance(error, hj212.Hj212Error):
                raise
            return
        try:
            hj212.decode(answer, options)
        except hj212.Hj212Error as error:
            raise AssertionError(f"answer {answer!r} in {packet.dialect} fails: {error}") from None

    def frame_stream(self, inputs: list[bytes]) -> None:
        framer = Framer(max_buffer=self.rng.choice([2048, 65536]))
        stream = b"".join(inputs)
        position = 0
        while position < len(stream):
            size = self.rng.randint(1, 1500)
            self.feed(framer, stream[position : position + size])
            position += size
        self.feed(framer, None)

    def feed(self, framer: Framer, chunk: bytes | None) -> None:
        items = framer.flush() if chunk is None else framer.feed(chunk)
        for item in items:
            if isinstance(item, FramingError):
                self.outcomes[f"framer:{item.reason}"] += 1
            else:
                self.outcomes["framer:frame"] += 1
                self.guard("framed", partial(hj212.decode, item))

    def run(self, count: int) -> None:
        batch: list[bytes] = []
        for _ in range(count):
            raw = make_input(self.rng, self.vectors)
            self.guard("decode", partial(self.decode_one, raw))
            batch.append(raw)
            if len(batch) == 200:
                self.guard("framer", partial(self.frame_stream, batch))
                batch = []
        if batch:
            self.guard("framer", partial(self.frame_stream, batch))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1_000_000, help="number of inputs")
    parser.add_argument("--seed", type=int, default=0, help="random seed (runs are repeatable)")
    args = parser.parse_args()

    fuzzer = Fuzzer(args.seed)
    start = time.perf_counter()
    fuzzer.run(args.count)
    elapsed = time.perf_counter() - start

    print(f"inputs: {args.count:,}  seed: {args.seed}  time: {elapsed:.1f} s")
    decode_total = sum(n for k, n in fuzzer.outcomes.items() if k.startswith("decode:"))
    print(f"decode: {fuzzer.outcomes['decode:ok']:,} packets, {decode_total:,} outcomes")
    for key, number in sorted(fuzzer.outcomes.items()):
        print(f"  {key:32s} {number:>10,}")
    print(f"crashes (exceptions other than Hj212Error): {len(fuzzer.crashes)}")
    for crash in fuzzer.crashes[:5]:
        print(crash)
    raise SystemExit(1 if fuzzer.crashes else 0)


if __name__ == "__main__":
    main()
