"""HJ 212 packets and registered points for gateway tests."""

from __future__ import annotations

from datetime import datetime

from eco263.context import Ctx
from eco263.monitoring.actions import do_register_point
from eco263.monitoring.hj212 import encode, format_time
from eco263.monitoring.models import MonitoringPoint

MN = "010000A8900016F000169DC0"
PW = "123456"
WATER_CODES = ("w00000", "w01018", "w21003", "w21011", "w21001", "w01001", "w01010", "w20122")


def register_point(ctx: Ctx, mn: str = MN, password: str = PW, **kw: object) -> MonitoringPoint:
    return do_register_point(
        ctx,
        mn=mn,
        password=password,
        name=str(kw.pop("name", "依利安达 废水总排口")),
        medium=str(kw.pop("medium", "water")),
        division_code=str(kw.pop("division_code", "320583")),
        **kw,  # type: ignore[arg-type]
    )


def minute_packet(
    at: datetime,
    *,
    mn: str = MN,
    pw: str = PW,
    flag: int = 5,
    value: float = 0.12,
    qn: str | None = None,
) -> bytes:
    """A 2051 minute packet of a water point with 8 pollutants (Cou/Min/Avg/Max/Flag)."""
    groups: list[list[tuple[str, object]]] = [[("DataTime", format_time(at))]]
    for i, code in enumerate(WATER_CODES):
        base = value * (i + 1)
        groups.append(
            [
                (f"{code}-Cou", round(base * 60, 3)),
                (f"{code}-Min", round(base * 0.9, 4)),
                (f"{code}-Avg", round(base, 4)),
                (f"{code}-Max", round(base * 1.1, 4)),
                (f"{code}-Flag", "N"),
            ]
        )
    return encode(
        st="32",
        cn="2051",
        pw=pw,
        mn=mn,
        cp=groups,  # type: ignore[arg-type]
        qn=qn or at.strftime("%Y%m%d%H%M%S") + "000",
        flag=flag,
    )
