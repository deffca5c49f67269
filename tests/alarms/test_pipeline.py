"""The live pipeline: stored readings → detectors → alarm episodes → problem, evidence, clue."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from eco263.alarms.actions import do_acknowledge_alarm, do_record_alarm, do_set_limit
from eco263.alarms.models import Alarm
from eco263.alarms.scheduled import detect_recent
from eco263.audit.models import AuditEvent
from eco263.audit.service import verify_chain
from eco263.errors import Conflict
from eco263.evidence.store import BlobStore
from eco263.monitoring.detectors import Alarm as Detection
from eco263.monitoring.hj212 import decode
from eco263.monitoring.ingest import Upload, ingest_batch
from eco263.problems.models import Problem
from eco263.runtime import Runtime
from eco263.supervision.models import Clue
from eco263.transfers.models import Transfer as PoliceTransfer
from tests.factories.alarms import facts
from tests.factories.monitoring import minute_packet, register_point
from tests.factories.problems import enterprise

T0 = datetime(2018, 4, 19, 16, 0, tzinfo=UTC)  # 2018-04-20 00:00 in Kunshan
YLD = "91320583MA1MXXYL0H"


@pytest.fixture
def point(rt: Runtime, as_user) -> int:  # type: ignore[no-untyped-def]
    with as_user("city") as ctx:
        p = register_point(ctx, enterprise_id=enterprise(ctx, YLD))
        do_set_limit(
            ctx, p.id, pollutant="w20122", limit=0.3, unit="mg/L", standard="GB 21900-2008 表3"
        )
        return p.id


def _store(rt: Runtime, point_id: int, minutes: int, value_at) -> None:  # type: ignore[no-untyped-def]
    with rt.sessions() as s, s.begin():
        batch = []
        for i in range(minutes):
            at = T0 + timedelta(minutes=i)
            packet = decode(
                minute_packet(at, value=value_at(i), qn=at.strftime("%Y%m%d%H%M%S") + "000")
            )
            batch.append(
                Upload(point_id, packet, "127.0.0.1:9", at + timedelta(seconds=5), packet.cp)
            )
        ingest_batch(s, batch)


def _dilution(start: datetime, end: datetime) -> Detection:
    return Detection(
        mn="010000A8900016F000169DC0",
        pollutant="w20122",
        rule="dilution",
        start=start,
        end=end,
        score=0.9,
        detected_at=start + timedelta(hours=1),
        evidence={"factor": 8.0, "flow_change": 0.02},
    )


def _count(rt: Runtime, model: type) -> int:
    with rt.sessions() as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def test_tampering_opens_problem_seals_pack_transfers_and_opens_clue(
    rt: Runtime, as_user, point: int
) -> None:  # type: ignore[no-untyped-def]
    _store(rt, point, 180, lambda i: 0.04)
    with as_user("city") as ctx:
        mp = facts(ctx, point)
        alarm = do_record_alarm(ctx, mp, _dilution(T0, T0 + timedelta(hours=2)))
        again = do_record_alarm(
            ctx, mp, _dilution(T0 + timedelta(hours=1), T0 + timedelta(hours=3))
        )
    assert again.id == alarm.id and again.end == T0 + timedelta(hours=3)  # one episode
    assert _count(rt, Alarm) == 1 and _count(rt, PoliceTransfer) == 1
    with rt.sessions() as s:
        problem = s.get_one(Problem, alarm.problem_id)
        assert problem.source == "在线监测" and problem.division_code == "320583"
        assert "依利安达" in problem.title and "疑似稀释采样" in problem.title
        transfer = s.scalars(select(PoliceTransfer)).one()
        assert transfer.state == "proposed" and transfer.decided_at is None  # people decide
        assert transfer.alarm_id == alarm.id and s.get_one(Alarm, alarm.id).pack_sha256 == (
            transfer.pack_sha256
        )
        clue = s.scalars(select(Clue).where(Clue.cause_kind == "tampering")).one()
        assert clue.problem_id == problem.id
        assert transfer.pack_sha256 in json.dumps(clue.evidence)
        seal = s.scalars(select(AuditEvent).where(AuditEvent.action == "evidence_pack.seal")).one()
        assert seal.after is not None and seal.after["sha256"] == transfer.pack_sha256
        assert verify_chain(s).ok
    pack = BlobStore(rt.settings.attachments_path).get(transfer.pack_sha256)
    assert hashlib.sha256(pack).hexdigest() == transfer.pack_sha256
    with zipfile.ZipFile(io.BytesIO(pack)) as z:
        manifest = json.loads(z.read("manifest.json"))
        assert z.read("chart.png").startswith(b"\x89PNG")
        packets = [n for n in z.namelist() if n.startswith("packets/")]
        assert len(packets) == len(manifest["packets"]) > 0
        assert all(p["sha256_verified"] for p in manifest["packets"])
        for name, digest in manifest["members"].items():
            assert hashlib.sha256(z.read(name)).hexdigest() == digest
        assert manifest["limit"] == 0.3 and manifest["enterprise"]["uscc"] == YLD


def test_data_quality_alarm_opens_no_problem_and_can_be_acknowledged(
    rt: Runtime, as_user, point: int
) -> None:  # type: ignore[no-untyped-def]
    found = Detection("m", "w20122", "missing_data", T0, T0 + timedelta(hours=5), 0.5, T0, {})
    with as_user("city") as ctx:
        alarm = do_record_alarm(ctx, facts(ctx, point), found)
    assert alarm.problem_id is None and _count(rt, Problem) == 0
    with as_user("city") as ctx:
        assert do_acknowledge_alarm(ctx, alarm.id).state == "acknowledged"
    with pytest.raises(Conflict), as_user("city") as ctx:
        do_acknowledge_alarm(ctx, alarm.id)


def test_short_exceedance_waits_sustained_one_opens_a_problem(
    rt: Runtime, as_user, point: int
) -> None:  # type: ignore[no-untyped-def]
    short = Detection("m", "w20122", "exceedance", T0, T0 + timedelta(hours=1), 0.4, T0, {})
    with as_user("city") as ctx:
        alarm = do_record_alarm(ctx, facts(ctx, point), short)
        assert alarm.problem_id is None
        longer = Detection("m", "w20122", "exceedance", T0, T0 + timedelta(hours=3), 0.6, T0, {})
        alarm = do_record_alarm(ctx, facts(ctx, point), longer)
        assert alarm.problem_id is not None
    assert _count(rt, PoliceTransfer) == 0 and _count(rt, Clue) == 0


def test_live_run_finds_a_sustained_copper_exceedance_once(rt: Runtime, point: int) -> None:
    # copper (w20122 = value * 8 in the factory packet) at 0.8 mg/L against a 0.3 limit, 6 hours
    _store(rt, point, 6 * 60, lambda i: 0.1)
    now = T0 + timedelta(hours=6, minutes=5)
    first = detect_recent(rt, now)
    assert first.failed == []
    assert first.alarms["exceedance"] >= 1
    with rt.sessions() as s:
        alarms = s.scalars(
            select(Alarm).where(Alarm.rule == "exceedance", Alarm.pollutant == "w20122")
        ).all()
        assert len(alarms) == 1 and alarms[0].problem_id is not None
    problems = _count(rt, Problem)
    detect_recent(rt, now + timedelta(minutes=15))
    assert _count(rt, Problem) == problems  # the same episode: nothing new


def test_api_lists_alarms_in_scope_and_serves_the_sealed_pack(
    rt: Runtime, as_user, point: int, client
) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import login

    _store(rt, point, 60, lambda i: 0.04)
    with as_user("city") as ctx:
        alarm = do_record_alarm(ctx, facts(ctx, point), _dilution(T0, T0 + timedelta(hours=2)))
    city = login(client, "city")
    listed = client.get("/api/v1/alarms", headers=city).json()
    assert [a["id"] for a in listed] == [alarm.id]
    assert client.get("/api/v1/alarms", headers=login(client, "wujiang")).json() == []
    pack = client.get(f"/api/v1/alarms/{alarm.id}/evidence-pack", headers=city)
    assert pack.status_code == 200
    assert hashlib.sha256(pack.content).hexdigest() == pack.headers["X-Eco263-SHA256"]
    assert (
        client.get(
            f"/api/v1/alarms/{alarm.id}/evidence-pack", headers=login(client, "wujiang")
        ).status_code
        == 404
    )
    limit = client.put(
        f"/api/v1/monitoring/points/{point}/limits",
        json={"pollutant": "w01018", "limit": 50, "unit": "mg/L", "standard": "DB32/1072-2018"},
        headers=city,
    )
    assert limit.status_code == 204
