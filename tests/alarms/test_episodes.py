"""One alarm per event in the live pipeline (issue 17 item 3).

The detectors' alarms of one point and pollutant that overlap or come within the gap
(detectors.yaml ``episodes.merge_gap_hours``) are one episode; the pipeline stores one alarm
per episode, opens one problem and one clue for it, and extends that same alarm when a later
detection run sees the event go on.
"""

from __future__ import annotations

import asyncio
import random
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from eco263.alarms.actions import do_acknowledge_alarm, do_record_alarm, do_set_limit
from eco263.alarms.models import Alarm
from eco263.alarms.scheduled import detect_recent
from eco263.audit.models import AuditEvent
from eco263.gateway.server import Gateway, GatewayConfig
from eco263.monitoring.detectors import Alarm as Detection
from eco263.monitoring.hj212 import decode, encode, format_time
from eco263.monitoring.ingest import Upload, ingest_batch
from eco263.problems.models import Problem
from eco263.runtime import Runtime
from eco263.supervision.models import Clue
from eco263.transfers.models import Transfer as PoliceTransfer
from tests.factories.alarms import facts
from tests.factories.monitoring import MN, PW, register_point
from tests.factories.problems import enterprise
from tests.web.conftest import page_login

T0 = datetime(2018, 4, 19, 0, 0, tzinfo=UTC)  # 08:00 in Kunshan
YLD = "91320583MA1MXXYL0H"
COPPER = "w20122"
BASE = {"w00000": 12.0, "w01018": 30.0, "w21003": 2.0, COPPER: 0.2}
HISTORY = 8 * 60  # minutes of ordinary data before the copper analyser is frozen
FROZEN = 0.21


@pytest.fixture
def point(rt: Runtime, as_user: Any) -> int:
    with as_user("city") as ctx:
        p = register_point(ctx, enterprise_id=enterprise(ctx, YLD))
        do_set_limit(ctx, p.id, pollutant=COPPER, limit=0.5, unit="mg/L", standard="GB 21900")
        return p.id


def _packet(minute: int, rng: random.Random) -> bytes:
    """Minute ``minute`` after T0: every factor noisy, copper frozen from ``HISTORY`` on."""
    at = T0 + timedelta(minutes=minute)
    groups: list[list[tuple[str, object]]] = [[("DataTime", format_time(at))]]
    for code, base in BASE.items():
        value = (
            FROZEN if code == COPPER and minute >= HISTORY else base * (1 + 0.1 * rng.gauss(0, 1))
        )
        groups.append([(f"{code}-Avg", round(value, 4)), (f"{code}-Flag", "N")])
    qn = at.strftime("%Y%m%d%H%M%S") + "000"
    return encode(st="32", cn="2051", pw=PW, mn=MN, cp=groups, qn=qn, flag=5)  # type: ignore[arg-type]


def _store(rt: Runtime, point_id: int, minutes: range, rng: random.Random) -> None:
    with rt.sessions() as s, s.begin():
        batch = []
        for i in minutes:
            packet = decode(_packet(i, rng))
            at = T0 + timedelta(minutes=i, seconds=5)
            batch.append(Upload(point_id, packet, "127.0.0.1:9", at, packet.cp))
        ingest_batch(s, batch)


def _stream(rt: Runtime, minutes: range, rng: random.Random) -> None:
    """Send the minutes' packets through the real gateway socket; wait for every 9014."""
    packets = [_packet(i, rng) for i in minutes]

    async def main() -> None:
        gw = Gateway(rt, GatewayConfig(port=0))
        await gw.start()
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", gw.port)
            writer.write(b"".join(packets))
            await writer.drain()
            for _ in packets:
                answer = await asyncio.wait_for(reader.readuntil(b"\r\n"), 30)
                assert decode(answer).cn == "9014"
            writer.close()
        finally:
            await gw.close()

    asyncio.run(main())


def _count(rt: Runtime, model: type, *where: Any) -> int:
    with rt.sessions() as s:
        return int(s.scalar(select(func.count()).select_from(model).where(*where)) or 0)


def _extends(rt: Runtime, alarm_id: int) -> list[AuditEvent]:
    with rt.sessions() as s:
        return list(
            s.scalars(
                select(AuditEvent).where(
                    AuditEvent.action == "alarm.extend", AuditEvent.subject_id == str(alarm_id)
                )
            )
        )


def test_one_event_streamed_over_several_runs_is_one_alarm_one_problem_one_clue(
    rt: Runtime, point: int, client: Any
) -> None:
    rng = random.Random(7)
    _store(rt, point, range(HISTORY), rng)
    ends = []
    for chunk in (
        range(HISTORY, HISTORY + 180),
        range(HISTORY + 180, HISTORY + 270),
        range(HISTORY + 270, HISTORY + 360),
    ):
        _stream(rt, chunk, rng)
        report = detect_recent(rt, T0 + timedelta(minutes=chunk.stop + 5))
        assert report.failed == []
        with rt.sessions() as s:
            alarms = s.scalars(select(Alarm).where(Alarm.category == "tamper")).all()
            assert [(a.pollutant, a.rule) for a in alarms] == [(COPPER, "flatline")]
            ends.append(alarms[0].end)
    alarm_id = alarms[0].id
    assert ends[0] < ends[1] < ends[2]  # the same alarm, extended run after run
    assert _count(rt, Alarm) == 1
    assert _count(rt, Problem) == 1 and _count(rt, Clue, Clue.cause_kind == "tampering") == 1
    assert _count(rt, PoliceTransfer) == 1
    extends = _extends(rt, alarm_id)
    assert len(extends) >= 2
    assert all(e.after and e.before and e.after["end"] > e.before["end"] for e in extends)
    # the page: the episode's rule in Chinese, its evidence labelled, no English
    page_login(client, "city")
    html = client.get(f"/alarms/{alarm_id}").text
    stats = re.search(r'<section class="card" id="statistics">.*?</section>', html, re.S)
    assert stats and "数据恒值" in stats.group(0)
    labels = re.findall(r"<th>([^<]*)</th>", stats.group(0))
    assert labels and not [t for t in labels if re.fullmatch(r"[\x00-\x7f]+", t)], labels


def _found(rule: str, start: datetime, hours: float, score: float = 0.7) -> Detection:
    end = start + timedelta(hours=hours)
    return Detection(
        MN, COPPER, rule, start, end, score, start + timedelta(hours=1), {"hours": hours}
    )


def test_rules_within_the_gap_extend_one_alarm_beyond_it_a_new_episode(
    rt: Runtime, as_user: Any, point: int, client: Any
) -> None:
    with as_user("city") as ctx:
        p = facts(ctx, point)
        first = do_record_alarm(ctx, p, _found("flatline", T0, 3))
        # 7 h after its end (gap 12 h): another rule on the same event, stronger
        same = do_record_alarm(ctx, p, _found("pinning", T0 + timedelta(hours=10), 2, 0.9))
        again = do_record_alarm(ctx, p, _found("flatline", T0, 3))  # a re-run: nothing new
    assert same.id == again.id == first.id
    assert _count(rt, Alarm) == 1 and _count(rt, Problem) == 1
    assert _count(rt, Clue, Clue.cause_kind == "tampering") == 1
    with rt.sessions() as s:
        alarm = s.get_one(Alarm, first.id)
        assert (alarm.start, alarm.end) == (T0, T0 + timedelta(hours=12))
        assert alarm.rule == "pinning" and alarm.score == 0.9  # the strongest names it
        assert alarm.evidence["rules"] == ["flatline", "pinning"]
        assert alarm.evidence["by_rule"]["flatline"]["score"] == 0.7
    (extend,) = _extends(rt, first.id)  # audited once; the identical re-run changed nothing
    assert extend.before and extend.after
    assert extend.before["rules"] == ["flatline"] and extend.after["rules"] == [
        "flatline",
        "pinning",
    ]
    # 13 h after the episode's end: a new episode with its own problem and clue
    with as_user("city") as ctx:
        later = do_record_alarm(
            ctx, facts(ctx, point), _found("flatline", T0 + timedelta(hours=25), 3)
        )
    assert later.id != first.id and later.problem_id not in (None, first.problem_id)
    assert _count(rt, Alarm) == 2 and _count(rt, Problem) == 2
    # the page lists both rules of the first episode, each with its evidence
    page_login(client, "city")
    html = client.get(f"/alarms/{first.id}").text
    rules = re.search(r'<dd class="wide" id="episode-rule-labels">(.*?)</dd>', html, re.S)
    assert rules and rules.group(1) == "数据恒值、数据贴线（共 2 项）"
    assert 'data-rule-evidence="flatline"' in html and 'data-rule-evidence="pinning"' in html
    assert "持续小时数" in html and "主要依据" in html


def test_data_quality_grows_into_tampering_exceedance_stays_apart(
    rt: Runtime, as_user: Any, point: int
) -> None:
    with as_user("city") as ctx:
        p = facts(ctx, point)
        quality = do_record_alarm(ctx, p, _found("missing_data", T0, 2, 0.5))
        assert quality.problem_id is None
        breach = do_record_alarm(ctx, p, _found("exceedance", T0, 3))
        tamper = do_record_alarm(ctx, p, _found("flatline", T0 + timedelta(hours=2), 3, 0.6))
    assert tamper.id == quality.id != breach.id
    with rt.sessions() as s:
        alarm = s.get_one(Alarm, tamper.id)
        # tampering outranks data quality even with the lower score
        assert (alarm.category, alarm.rule) == ("tamper", "flatline")
        assert alarm.problem_id is not None
    assert _count(rt, Clue, Clue.cause_kind == "tampering") == 1


def test_an_acknowledged_alarm_is_extended_not_raised_again(
    rt: Runtime, as_user: Any, point: int
) -> None:
    with as_user("city") as ctx:
        first = do_record_alarm(ctx, facts(ctx, point), _found("flatline", T0, 3))
    with as_user("city") as ctx:
        do_acknowledge_alarm(ctx, first.id)
    with as_user("city") as ctx:
        more = do_record_alarm(
            ctx, facts(ctx, point), _found("flatline", T0 + timedelta(hours=4), 3)
        )
    assert more.id == first.id and _count(rt, Problem) == 1
    assert _count(rt, Clue, Clue.cause_kind == "tampering") == 1
