"""The HJ 212 gateway over real TCP sockets on loopback, against SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from eco263.gateway.server import Gateway, GatewayConfig
from eco263.monitoring.hj212 import decode, encode
from eco263.monitoring.models import DeadLetter, RawPacket, Reading
from eco263.runtime import Runtime
from tests.factories.monitoring import MN, minute_packet, register_point

T0 = datetime(2018, 4, 20, 2, 0, tzinfo=UTC)  # 10:00 in Kunshan


@pytest.fixture
def point(rt: Runtime, as_user) -> int:  # type: ignore[no-untyped-def]
    with as_user("city") as ctx:
        return register_point(ctx).id


def _count(rt: Runtime, model: type) -> int:
    with rt.sessions() as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def run_gateway(
    rt: Runtime, scenario: Callable[[Gateway], Awaitable[None]], **config: object
) -> Gateway:
    """Start a gateway on a free port, run the client scenario, close (draining)."""

    async def main() -> Gateway:
        gw = Gateway(rt, GatewayConfig(port=0, **config))  # type: ignore[arg-type]
        await gw.start()
        try:
            await asyncio.wait_for(scenario(gw), timeout=60)
        finally:
            await gw.close()
        return gw

    return asyncio.run(main())


async def _connect(gw: Gateway) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    return await asyncio.open_connection("127.0.0.1", gw.port)


async def _answer(reader: asyncio.StreamReader, timeout: float = 10) -> bytes:
    return await asyncio.wait_for(reader.readuntil(b"\r\n"), timeout)


def test_upload_is_answered_9014_only_after_it_is_stored(rt: Runtime, point: int) -> None:
    seen_at_ack: list[int] = []

    async def scenario(gw: Gateway) -> None:
        reader, writer = await _connect(gw)
        writer.write(minute_packet(T0, qn="20180420100000123"))
        answer = decode(await _answer(reader))
        seen_at_ack.append(_count(rt, Reading))
        assert answer.cn == "9014" and answer.qn == "20180420100000123" and answer.st == "91"
        writer.close()

    run_gateway(rt, scenario)
    assert seen_at_ack == [8]
    with rt.sessions() as s:
        copper = s.scalars(select(Reading).where(Reading.pollutant == "w20122")).one()
        assert copper.avg == pytest.approx(0.96) and copper.flag == "N" and copper.cn == "2051"
        assert copper.data_time == T0
        raw = s.scalars(select(RawPacket)).one()
        assert raw.data == minute_packet(T0, qn="20180420100000123")
        assert raw.peer.startswith("127.0.0.1:") and len(raw.sha256) == 64


def test_duplicates_are_stored_once_and_still_answered(rt: Runtime, point: int) -> None:
    async def scenario(gw: Gateway) -> None:
        reader, writer = await _connect(gw)
        for _ in range(3):
            writer.write(minute_packet(T0))
            assert decode(await _answer(reader)).cn == "9014"
        writer.close()

    run_gateway(rt, scenario)
    assert _count(rt, Reading) == 8
    assert _count(rt, RawPacket) == 3  # every receipt is evidence


def test_no_answer_when_flag_does_not_ask(rt: Runtime, point: int) -> None:
    async def scenario(gw: Gateway) -> None:
        reader, writer = await _connect(gw)
        writer.write(minute_packet(T0, flag=4))
        writer.write(minute_packet(T0 + timedelta(minutes=1), flag=5))
        answer = decode(await _answer(reader))
        assert answer.qn == (T0 + timedelta(minutes=1)).strftime("%Y%m%d%H%M%S") + "000"
        writer.close()

    run_gateway(rt, scenario)
    assert _count(rt, Reading) == 16


@pytest.mark.parametrize(("mn", "pw"), [("UNKNOWN000000000000001", "123456"), (MN, "654321")])
def test_unknown_mn_or_wrong_password_is_refused_nothing_stored(
    rt: Runtime, point: int, mn: str, pw: str
) -> None:
    async def scenario(gw: Gateway) -> None:
        reader, writer = await _connect(gw)
        writer.write(minute_packet(T0, mn=mn, pw=pw))
        with pytest.raises(TimeoutError):
            await _answer(reader, timeout=0.5)
        writer.close()

    gw = run_gateway(rt, scenario)
    assert _count(rt, Reading) == _count(rt, RawPacket) == _count(rt, DeadLetter) == 0
    assert gw.stats.counts["unknown_mn" if mn != MN else "bad_password"] == 1


def test_bad_crc_goes_to_dead_letters_and_others_are_served(rt: Runtime, point: int) -> None:
    good = minute_packet(T0)
    bad = good[:-6] + b"0000\r\n"

    async def scenario(gw: Gateway) -> None:
        r1, w1 = await _connect(gw)
        r2, w2 = await _connect(gw)
        w1.write(bad)
        w2.write(good)
        assert decode(await _answer(r2)).cn == "9014"
        w1.write(minute_packet(T0 + timedelta(minutes=1)))
        assert decode(await _answer(r1)).cn == "9014"  # same connection goes on
        w1.close()
        w2.close()

    run_gateway(rt, scenario)
    with rt.sessions() as s:
        letter = s.scalars(select(DeadLetter)).one()
        assert letter.reason == "bad_crc" and letter.data == bad and letter.mn == MN
    assert _count(rt, Reading) == 16


def test_many_packets_in_one_write_and_one_packet_byte_by_byte(rt: Runtime, point: int) -> None:
    async def scenario(gw: Gateway) -> None:
        reader, writer = await _connect(gw)
        writer.write(b"".join(minute_packet(T0 + timedelta(minutes=i)) for i in range(5)))
        for _ in range(5):
            assert decode(await _answer(reader)).cn == "9014"
        for byte in minute_packet(T0 + timedelta(minutes=9)):
            writer.write(bytes([byte]))
            await writer.drain()
        assert decode(await _answer(reader)).cn == "9014"
        writer.close()

    run_gateway(rt, scenario)
    assert _count(rt, Reading) == 6 * 8


def test_garbage_megabyte_and_disconnect_mid_packet_do_not_hurt_others(
    rt: Runtime, point: int
) -> None:
    async def scenario(gw: Gateway) -> None:
        _, hostile = await _connect(gw)
        hostile.write(b"x" * 1_000_000)  # a 1 MB line without ##
        await hostile.drain()
        _, quitter = await _connect(gw)
        quitter.write(minute_packet(T0)[:100])  # then gone
        await quitter.drain()
        quitter.close()
        _, liar = await _connect(gw)
        liar.write(b"##9999QN=1;ST=32;CN=2051" + b"\r\n")  # a length field that lies
        await liar.drain()
        reader, writer = await _connect(gw)
        writer.write(minute_packet(T0 + timedelta(minutes=1)))
        assert decode(await _answer(reader)).cn == "9014"
        hostile.close()
        liar.close()
        writer.close()

    gw = run_gateway(rt, scenario, max_buffer=65536)
    assert _count(rt, Reading) == 8
    with rt.sessions() as s:
        sizes = list(s.scalars(select(func.length(DeadLetter.data))))
    assert sizes and max(sizes) <= 65536  # bounded samples, not the whole megabyte
    assert gw.stats.connections == 0


def test_time_calibration_request_is_answered_9013(rt: Runtime, point: int) -> None:
    request = encode(st="32", cn="1013", pw="123456", mn=MN, qn="20180420100000001", flag=5)

    async def scenario(gw: Gateway) -> None:
        reader, writer = await _connect(gw)
        writer.write(request)
        answer = decode(await _answer(reader))
        assert answer.cn == "9013" and answer.qn == "20180420100000001"
        writer.close()

    run_gateway(rt, scenario)
    assert _count(rt, RawPacket) == 1 and _count(rt, Reading) == 0


def test_idle_connections_are_closed(rt: Runtime, point: int) -> None:
    async def scenario(gw: Gateway) -> None:
        reader, _writer = await _connect(gw)
        assert await asyncio.wait_for(reader.read(), timeout=5) == b""  # closed by the gateway

    gw = run_gateway(rt, scenario, idle_timeout=0.3)
    assert gw.stats.counts["idle_timeout"] == 1


def test_shutdown_drains_every_acknowledged_packet(rt: Runtime, point: int) -> None:
    acked: list[str] = []

    async def scenario(gw: Gateway) -> None:
        reader, writer = await _connect(gw)
        writer.write(b"".join(minute_packet(T0 + timedelta(minutes=i)) for i in range(20)))
        await writer.drain()
        closing = asyncio.create_task(gw.close())
        while len(acked) < 20:
            try:
                acked.append(decode(await _answer(reader, timeout=5)).qn or "")
            except (asyncio.IncompleteReadError, TimeoutError):
                break
        await closing
        writer.close()

    run_gateway(rt, scenario)
    with rt.sessions() as s:
        stored = s.scalar(select(func.count(func.distinct(Reading.data_time))))
    assert stored is not None and stored >= len(acked) > 0
