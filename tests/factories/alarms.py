"""Monitored points with data and alarms, built through the real paths (ingest, actions).

The tampering scenario of the monitoring pages: 依利安达 (昆山) reports copper above its
limit for three hours, then "dilutes" it tenfold; the dilution alarm opens a problem, seals
the evidence pack and proposes a transfer to the police (eco263.transfers).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from eco263.actor import SYSTEM
from eco263.alarms.actions import do_record_alarm, do_set_limit
from eco263.alarms.models import Alarm
from eco263.context import Ctx
from eco263.monitoring import service as monitoring
from eco263.monitoring.detectors import Alarm as Detection
from eco263.monitoring.hj212 import decode, encode, format_time
from eco263.monitoring.ingest import Upload, ingest_batch
from eco263.monitoring.service import PointFacts
from eco263.runtime import Runtime
from tests.factories.monitoring import MN, PW, WATER_CODES, register_point
from tests.factories.problems import enterprise

YLD = "91320583MA1MXXYL0H"  # 依利安达电子（昆山）
NOW = datetime(2018, 5, 10, 1, 0, tzinfo=UTC)  # the tests' clock: 2018-05-10 09:00 Beijing
COPPER = "w20122"
COPPER_LIMIT = 0.3
#: Copper is the 8th factor of the packet: its value is 8 × the packet's base value.
COPPER_FACTOR = WATER_CODES.index(COPPER) + 1


def limited_point(
    ctx: Ctx,
    *,
    mn: str = MN,
    name: str = "依利安达 废水总排口",
    division_code: str = "320583",
    uscc: str | None = YLD,
) -> PointFacts:
    """A water point with the copper limit (GB 21900-2008 表3)."""
    point = register_point(
        ctx,
        mn=mn,
        name=name,
        division_code=division_code,
        enterprise_id=enterprise(ctx, uscc) if uscc else None,
    )
    do_set_limit(
        ctx,
        point.id,
        pollutant=COPPER,
        limit=COPPER_LIMIT,
        unit="mg/L",
        standard="GB 21900-2008 表3",
    )
    return facts(ctx, point.id)


def facts(ctx: Ctx, point_id: int) -> PointFacts:
    """The point as the alarm actions take it."""
    return monitoring.point_facts(ctx.session, SYSTEM, point_id)


def minute_packet(at: datetime, copper: float, flag: str = "N", *, mn: str = MN) -> bytes:
    """A 2051 packet of 8 water factors whose copper average is ``copper``, all with ``flag``."""
    base = copper / COPPER_FACTOR
    groups: list[list[tuple[str, object]]] = [[("DataTime", format_time(at))]]
    for i, code in enumerate(WATER_CODES):
        value = base * (i + 1)
        groups.append(
            [
                (f"{code}-Min", round(value * 0.9, 5)),
                (f"{code}-Avg", round(value, 5)),
                (f"{code}-Max", round(value * 1.1, 5)),
                (f"{code}-Flag", flag),
            ]
        )
    qn = at.strftime("%Y%m%d%H%M%S") + "000"
    return encode(st="32", cn="2051", pw=PW, mn=mn, cp=groups, qn=qn, flag=5)  # type: ignore[arg-type]


def store_minutes(
    rt: Runtime,
    point_id: int,
    start: datetime,
    minutes: int,
    copper: Callable[[int], float],
    flag: Callable[[int], str] = lambda i: "N",
    *,
    mn: str = MN,
) -> None:
    """Minute data through the gateway's ingest (raw packets kept as evidence)."""
    uploads = []
    for i in range(minutes):
        at = start + timedelta(minutes=i)
        packet = decode(minute_packet(at, copper(i), flag(i), mn=mn))
        uploads.append(
            Upload(point_id, packet, "127.0.0.1:9", at + timedelta(seconds=5), packet.cp)
        )
    with rt.sessions() as session, session.begin():
        ingest_batch(session, uploads)


#: The scenario's six hours before "now": copper 0.4 mg/L (over 0.3), maintenance for 15
#: minutes, then diluted to 0.04 mg/L for the last three hours.
SCENARIO_START = NOW - timedelta(hours=6)
DILUTION_START = SCENARIO_START + timedelta(hours=3)


def scenario_copper(i: int) -> float:
    return 0.4 if i < 180 else 0.04


def scenario_flag(i: int) -> str:
    if 100 <= i < 115:
        return "M"
    if i == 150:
        return "C"
    return "N"


def dilution(start: datetime, end: datetime, mn: str = MN) -> Detection:
    return Detection(
        mn=mn,
        pollutant=COPPER,
        rule="dilution",
        start=start,
        end=end,
        score=0.9,
        detected_at=start + timedelta(hours=1),
        evidence={"factor": 10.0, "flow_ratio": 1.02, "level_before": 0.4, "level_after": 0.04},
    )


def tampering_case(rt: Runtime, ctx_factory: Callable[..., object]) -> tuple[int, Alarm]:
    """The whole scenario: point, six hours of data, the dilution alarm (problem, pack, clue).

    ``ctx_factory`` is the ``as_user`` fixture.  Returns the point id and the alarm.
    """
    with ctx_factory("city") as ctx:  # type: ignore[attr-defined]
        point_id = limited_point(ctx).id
    store_minutes(rt, point_id, SCENARIO_START, 360, scenario_copper, scenario_flag)
    with ctx_factory("city") as ctx:  # type: ignore[attr-defined]
        alarm = do_record_alarm(
            ctx, facts(ctx, point_id), dilution(DILUTION_START, NOW - timedelta(minutes=1))
        )
    return point_id, alarm
