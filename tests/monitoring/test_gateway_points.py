"""Running gateways know a point the moment it is registered or changed (both backends).

The office registers through the real REST API of a running web server (uvicorn on a free
port, the same database); the logger's first packet goes straight after, to gateways that
started before the point existed. Then: changes of password and CRC mode, revocation, and an
unknown-MN flood that must not become unbounded database load.
"""

from __future__ import annotations

import asyncio
import random
import threading
import time
from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
import uvicorn
from sqlalchemy import event, func, select

from eco263.app import create_app
from eco263.clock import FixedClock
from eco263.config import Settings
from eco263.gateway.points import DirectoryConfig
from eco263.gateway.server import Gateway, GatewayConfig
from eco263.monitoring.actions import do_update_point
from eco263.monitoring.hj212 import decode, format_time
from eco263.monitoring.models import DeadLetter, RawPacket, Reading
from eco263.runtime import Runtime
from tests.conftest import PASSWORD, Database
from tests.factories.monitoring import minute_packet, register_point
from tests.monitoring import modbus_logger as logger
from tests.supervision.servers import free_port

T0 = datetime(2018, 4, 20, 2, 0, tzinfo=UTC)
NEW_MN = "MODBUS0000000009"


@pytest.fixture
def web(rt: Runtime, settings: Settings, clock: FixedClock) -> Iterator[str]:
    """The app on the test database, served by uvicorn on a free port until the test ends."""
    app = create_app(settings, clock)
    app.state.runtime = rt
    config = uvicorn.Config(app, host="127.0.0.1", port=free_port(), log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="uvicorn-points", daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "the web server did not start"
        time.sleep(0.02)
    yield f"http://127.0.0.1:{config.port}"
    server.should_exit = True
    thread.join(timeout=10)


def _count(rt: Runtime, model: type) -> int:
    with rt.sessions() as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def _run(
    rt: Runtime, scenario: Callable[[list[Gateway]], Awaitable[None]], gateways: int = 1, **kw: Any
) -> list[Gateway]:
    async def main() -> list[Gateway]:
        gws = [Gateway(rt, GatewayConfig(port=0, **kw)) for _ in range(gateways)]
        for gw in gws:
            await gw.start()
        try:
            await asyncio.wait_for(scenario(gws), timeout=90)
        finally:
            for gw in gws:
                await gw.close(drain_timeout=2)
        return gws

    return asyncio.run(main())


class _Logger:
    """One logger's TCP connection: send a frame, return the answer (None: none within 0.5 s)."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer

    @classmethod
    async def connect(cls, gw: Gateway) -> _Logger:
        return cls(*await asyncio.open_connection("127.0.0.1", gw.port))

    async def send(self, frame: bytes, wait: float = 0.5) -> bytes | None:
        self.writer.write(frame)
        try:
            return await asyncio.wait_for(self.reader.readuntil(b"\r\n"), wait)
        except TimeoutError:
            return None

    def close(self) -> None:
        self.writer.close()


def _packet(
    minute: int, *, pw: str = "123456", variant: logger.Variant = "modbus_swapped"
) -> bytes:
    return logger.upload(
        mn=NEW_MN, pw=pw, variant=variant, qn=f"201804201{minute:03d}00000",
        data_time=format_time(T0 + timedelta(minutes=minute)),
    )  # fmt: skip


def test_a_point_registered_through_the_api_is_served_on_its_first_packet(
    rt: Runtime, web: str
) -> None:
    """Two gateways run before the point exists; its logger already tries (and is refused)."""
    took: list[float] = []

    async def scenario(gws: list[Gateway]) -> None:
        early = await _Logger.connect(gws[0])
        assert await early.send(_packet(0)) is None  # installed before it was registered
        async with httpx.AsyncClient(base_url=web, timeout=10) as http:
            login = await http.post(
                "/api/v1/auth/login", json={"username": "city", "password": PASSWORD}
            )
            headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
            point = {"mn": NEW_MN, "password": "123456", "name": "新装数采仪",
                     "division_code": "320583", "crc_mode": "accept_modbus"}  # fmt: skip
            created = await http.post("/api/v1/monitoring/points", json=point, headers=headers)
        assert created.status_code == 201, created.text
        started = time.perf_counter()
        first = await early.send(_packet(1), wait=5)  # the same connection, straight after
        other = await _Logger.connect(gws[1])  # and another gateway process's view
        second = await other.send(_packet(2), wait=5)
        took.append(time.perf_counter() - started)
        for answer in (first, second):
            assert answer is not None and logger.accepts(answer, "modbus_swapped")
            assert logger.fields(answer)["CN"] == "9014"
        early.close()
        other.close()

    gws = _run(rt, scenario, gateways=2)
    assert took[0] < 2.0  # nothing to wait out: the 30 s reload is not what served it
    assert gws[0].stats.counts["unknown_mn"] == 0  # the early packet failed its CRC: dead letter
    with rt.sessions() as s:
        assert list(s.scalars(select(DeadLetter.reason))) == ["bad_crc"]
        assert s.scalar(select(func.count()).select_from(RawPacket)) == 2
        assert s.scalar(select(func.count(func.distinct(Reading.data_time)))) == 2


def test_a_point_registered_by_the_action_is_served_at_once_with_the_standard_crc(
    rt: Runtime,
    as_user,  # type: ignore[no-untyped-def]
) -> None:
    async def scenario(gws: list[Gateway]) -> None:
        lg = await _Logger.connect(gws[0])
        assert await lg.send(minute_packet(T0)) is None  # unknown: refused, nothing stored
        with as_user("city") as ctx:
            register_point(ctx)
        answer = await lg.send(minute_packet(T0 + timedelta(minutes=1)), wait=5)
        assert answer is not None and decode(answer).cn == "9014"
        lg.close()

    gws = _run(rt, scenario)
    assert gws[0].stats.counts["unknown_mn"] == 1
    assert _count(rt, RawPacket) == 1 and _count(rt, DeadLetter) == 0


def test_a_changed_password_or_crc_mode_is_accepted_at_once(
    rt: Runtime,
    as_user,  # type: ignore[no-untyped-def]
) -> None:
    with as_user("city") as ctx:
        point_id = register_point(ctx, mn=NEW_MN).id  # known to the gateway when it starts

    async def scenario(gws: list[Gateway]) -> None:
        lg = await _Logger.connect(gws[0])
        assert await lg.send(_packet(0, variant="hj212")) is not None
        with as_user("city") as ctx:
            do_update_point(ctx, point_id, password="654321")
        assert await lg.send(_packet(1, pw="654321", variant="hj212"), wait=5) is not None
        with as_user("city") as ctx:
            do_update_point(ctx, point_id, crc_mode="accept_modbus_swapped")
        answer = await lg.send(_packet(2, pw="654321"), wait=5)
        assert answer is not None and logger.accepts(answer, "modbus_swapped")
        lg.close()

    _run(rt, scenario)
    assert _count(rt, RawPacket) == 3 and _count(rt, DeadLetter) == 0


def test_a_revoked_password_or_point_is_refused_once_announced(
    rt: Runtime,
    as_user,  # type: ignore[no-untyped-def]
    database: Database,
) -> None:
    """PostgreSQL announces the change; on SQLite the directory's reload applies it."""
    with as_user("city") as ctx:
        point_id = register_point(ctx, mn=NEW_MN).id

    async def applied(gw: Gateway) -> None:
        if database.backend == "sqlite":  # no notifications: the periodic reload, now
            await gw.points.reload()
            return
        deadline = time.monotonic() + 20  # generous: a loaded CI machine
        while gw.points.get(NEW_MN) is not None:  # the notification drops the entry
            assert time.monotonic() < deadline, "the change was not announced"
            await asyncio.sleep(0.01)

    async def scenario(gws: list[Gateway]) -> None:
        gw = gws[0]
        lg = await _Logger.connect(gw)
        assert await lg.send(_packet(0, variant="hj212")) is not None
        with as_user("city") as ctx:
            do_update_point(ctx, point_id, password="654321")
        await applied(gw)
        assert await lg.send(_packet(1, variant="hj212")) is None  # the old password
        assert await lg.send(_packet(2, pw="654321", variant="hj212")) is not None
        with as_user("city") as ctx:
            do_update_point(ctx, point_id, active=False)
        await applied(gw)
        assert await lg.send(_packet(3, pw="654321", variant="hj212")) is None
        lg.close()

    gws = _run(rt, scenario)
    counts = gws[0].stats.counts
    assert (counts["bad_password"], counts["unknown_mn"]) == (1, 1)
    assert _count(rt, RawPacket) == 2


def _random_mn(rng: random.Random) -> str:
    return "".join(rng.choice("0123456789ABCDEF") for _ in range(24))


def test_an_unknown_mn_flood_costs_the_database_a_bounded_number_of_queries(
    rt: Runtime,
    as_user,  # type: ignore[no-untyped-def]
) -> None:
    with as_user("city") as ctx:
        register_point(ctx)
    lookups: list[float] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if "FROM monitoring_point" in statement and " IN (" in statement:
            lookups.append(time.monotonic())

    async def flooder(gw: Gateway, seed: int) -> int:
        rng = random.Random(seed)
        lg = await _Logger.connect(gw)
        sent = 0
        for i in range(40):  # every one a new MN, a valid frame: only the database can tell
            lg.writer.write(minute_packet(T0 + timedelta(minutes=i), mn=_random_mn(rng)))
            sent += 1
        await lg.writer.drain()
        await asyncio.sleep(0)
        lg.close()
        return sent

    timing: list[float] = []

    async def scenario(gws: list[Gateway]) -> None:
        gw = gws[0]
        started = time.monotonic()
        flood = asyncio.gather(*(flooder(gw, seed) for seed in range(50)))
        honest = await _Logger.connect(gw)
        for i in range(10):
            answer = await honest.send(minute_packet(T0 + timedelta(hours=1, minutes=i)), wait=5)
            assert answer is not None and decode(answer).cn == "9014"
        await flood
        while gw.stats.counts["unknown_mn"] + gw.stats.counts["connection_reset"] < 2000:
            if time.monotonic() - started > 30:
                break
            await asyncio.sleep(0.05)
        timing.append(time.monotonic() - started)
        honest.close()

    event.listen(rt.engine, "before_cursor_execute", count)
    try:
        gws = _run(rt, scenario, points=DirectoryConfig(lookup_pending_max=16))
    finally:
        event.remove(rt.engine, "before_cursor_execute", count)
    counts = gws[0].stats.counts
    refused = counts["unknown_mn"]
    assert refused > 500, counts  # the flood did arrive
    rounds = timing[0] / DirectoryConfig().lookup_interval
    assert len(lookups) <= rounds + 5, (len(lookups), rounds)  # ≤ 20 queries a second
    assert len(lookups) < refused / 5  # batched: many MNs per query
    assert counts["point_lookup_shed"] > 0  # beyond 16 waiting MNs: decided on the cache
    assert _count(rt, Reading) == 10 * 8 and _count(rt, RawPacket) == 10


def test_a_database_failure_while_looking_up_refuses_and_the_gateway_goes_on(
    rt: Runtime,
    as_user,  # type: ignore[no-untyped-def]
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with as_user("city") as ctx:
        register_point(ctx)

    async def scenario(gws: list[Gateway]) -> None:
        gw = gws[0]

        def down(_mns: object) -> dict[str, object]:
            raise OSError("database unreachable")

        monkeypatch.setattr(gw.points, "_load_some", down)
        lg = await _Logger.connect(gw)
        assert await lg.send(minute_packet(T0, mn="UNKNOWN000000000000001")) is None
        answer = await lg.send(minute_packet(T0), wait=5)  # a known point is still served
        assert answer is not None and decode(answer).cn == "9014"
        lg.close()

    gws = _run(rt, scenario)
    assert gws[0].stats.counts["point_lookup_failed"] == 1
    assert gws[0].stats.counts["unknown_mn"] == 1
