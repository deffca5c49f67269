"""A running gateway answers each logger in its own dialect, over real TCP, both backends.

The loggers' frames and their checks of our answers come from ``modbus_logger.py``, which
computes its CRCs itself (no eco263 code): what passes there passes in such a logger.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from sqlalchemy import func, select

from eco263.gateway.server import Gateway, GatewayConfig
from eco263.monitoring.models import DeadLetter, RawPacket, Reading
from eco263.runtime import Runtime
from tests.factories.monitoring import MN, register_point
from tests.monitoring import modbus_logger as logger

SWAPPED_MN = "MODBUS0000000001"
PLAIN_MN = "MODBUS0000000002"


def _count(rt: Runtime, model: type) -> int:
    with rt.sessions() as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def _run(rt: Runtime, scenario: Callable[[Gateway], Awaitable[None]]) -> Gateway:
    async def main() -> Gateway:
        gw = Gateway(rt, GatewayConfig(port=0))
        await gw.start()
        try:
            await asyncio.wait_for(scenario(gw), timeout=60)
        finally:
            await gw.close()
        return gw

    return asyncio.run(main())


async def _exchange(gw: Gateway, frames: list[bytes]) -> list[bytes]:
    reader, writer = await asyncio.open_connection("127.0.0.1", gw.port)
    answers = []
    for frame in frames:
        writer.write(frame)
        answers.append(await asyncio.wait_for(reader.readuntil(b"\r\n"), 10))
    writer.close()
    return answers


def test_modbus_loggers_get_their_crc_and_a_plain_logger_the_standards(
    rt: Runtime,
    as_user,  # type: ignore[no-untyped-def]
) -> None:
    with as_user("city") as ctx:
        register_point(ctx, mn=SWAPPED_MN, crc_mode="accept_modbus")
        register_point(ctx, mn=PLAIN_MN, crc_mode="accept_modbus_plain")
        register_point(ctx)  # MN, strict HJ 212
    answers: dict[str, list[bytes]] = {}

    async def scenario(gw: Gateway) -> None:
        swapped = [
            logger.upload(mn=SWAPPED_MN, variant="modbus_swapped", qn=f"2018042010000{i}000",
                          data_time=f"2018042010{i:02d}00")
            for i in range(3)
        ] + [logger.build(f"QN=20180420100500000;ST=32;CN=1013;PW=123456;MN={SWAPPED_MN};"
                          "Flag=9;CP=&&&&", "modbus_swapped")]  # fmt: skip
        answers["swapped"], answers["plain"], answers["standard"] = await asyncio.gather(
            _exchange(gw, swapped),
            _exchange(gw, [logger.upload(mn=PLAIN_MN, variant="modbus", flag=9)]),
            _exchange(gw, [logger.upload(mn=MN, variant="hj212", flag=5)]),
        )

    _run(rt, scenario)
    for answer in answers["swapped"]:  # three 9014 and the 9013 to the 1013
        assert logger.accepts(answer, "modbus_swapped") and not logger.accepts(answer, "hj212")
        assert logger.fields(answer)["Flag"] == "8"
    assert [logger.fields(a)["CN"] for a in answers["swapped"]] == ["9014"] * 3 + ["9013"]
    assert [logger.fields(a)["QN"] for a in answers["swapped"][:3]] == [
        f"2018042010000{i}000" for i in range(3)
    ]
    (plain,) = answers["plain"]
    assert logger.accepts(plain, "modbus") and logger.fields(plain)["Flag"] == "8"
    (standard,) = answers["standard"]
    assert logger.accepts(standard, "hj212") and logger.fields(standard)["Flag"] == "4"
    assert _count(rt, DeadLetter) == 0
    assert _count(rt, RawPacket) == 6 and _count(rt, Reading) == 5 * 2


def test_a_strict_point_gets_the_standard_answer_whatever_its_flag(
    rt: Runtime,
    as_user,  # type: ignore[no-untyped-def]
) -> None:
    with as_user("city") as ctx:
        register_point(ctx)  # crc_mode hj212

    async def scenario(gw: Gateway) -> None:
        (answer,) = await _exchange(gw, [logger.upload(mn=MN, variant="hj212", flag=9)])
        assert logger.accepts(answer, "hj212") and logger.fields(answer)["Flag"] == "4"

    _run(rt, scenario)
    with rt.sessions() as s:
        assert s.scalars(select(RawPacket.tolerances)).one() == ["unknown_version_bits"]


def test_a_modbus_frame_from_a_strict_point_is_a_dead_letter_not_answered(
    rt: Runtime,
    as_user,  # type: ignore[no-untyped-def]
) -> None:
    with as_user("city") as ctx:
        register_point(ctx)

    async def scenario(gw: Gateway) -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", gw.port)
        writer.write(logger.upload(mn=MN, variant="modbus_swapped"))
        try:
            answer = await asyncio.wait_for(reader.readuntil(b"\r\n"), 0.5)
        except TimeoutError:
            answer = b""
        writer.close()
        assert answer == b""

    _run(rt, scenario)
    with rt.sessions() as s:
        assert list(s.scalars(select(DeadLetter.reason))) == ["bad_crc"]
    assert _count(rt, RawPacket) == 0
