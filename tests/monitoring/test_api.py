"""Monitoring API: register points, latest values, readings in range, scope, dead letters."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient

from eco263.monitoring.hj212 import decode
from eco263.monitoring.ingest import Rejected, Upload, ingest_batch, store_rejected
from eco263.runtime import Runtime
from tests.conftest import login
from tests.factories.monitoring import MN, minute_packet

T0 = datetime(2018, 4, 20, 2, 0, tzinfo=UTC)
POINT = {"mn": MN, "password": "123456", "name": "依利安达 废水总排口", "division_code": "320583"}


def _store(rt: Runtime, point_id: int, minutes: int) -> None:
    with rt.sessions() as s, s.begin():
        uploads = []
        for i in range(minutes):
            packet = decode(minute_packet(T0 + timedelta(minutes=i), value=0.1 + i / 100))
            uploads.append(Upload(point_id, packet, "127.0.0.1:1", T0, packet.cp))
        ingest_batch(s, uploads)
        store_rejected(s, [Rejected(T0, "127.0.0.1:2", b"##00", "truncated", "报文不完整", 4, MN)])


def test_register_then_read_latest_and_range(client: TestClient, rt: Runtime) -> None:
    city = login(client, "city")
    created = client.post("/api/v1/monitoring/points", json=POINT, headers=city)
    assert created.status_code == 201, created.text
    point_id = created.json()["id"]
    again = client.post("/api/v1/monitoring/points", json=POINT, headers=city)
    assert again.status_code == 409
    _store(rt, point_id, 5)
    latest = client.get(f"/api/v1/monitoring/points/{point_id}/latest", headers=city).json()
    assert latest["data_time"] == (T0 + timedelta(minutes=4)).isoformat().replace("+00:00", "Z")
    copper = next(r for r in latest["readings"] if r["pollutant"] == "w20122")
    assert copper["avg"] == 0.14 * 8
    window = client.get(
        f"/api/v1/monitoring/points/{point_id}/readings",
        params={
            "start": "2018-04-20T10:01:00+08:00",
            "end": "2018-04-20T10:03:00+08:00",
            "pollutant": "w20122",
        },
        headers=city,
    ).json()
    assert len(window) == 2
    bad = client.get(
        f"/api/v1/monitoring/points/{point_id}/readings",
        params={"start": "2018-04-20T10:00:00", "end": "2018-04-20T10:03:00"},
        headers=city,
    )
    assert bad.status_code == 422
    letters = client.get("/api/v1/monitoring/dead-letters", headers=city).json()
    assert letters[0]["reason"] == "truncated"


def test_points_are_scoped(client: TestClient) -> None:
    city = login(client, "city")
    point_id = client.post("/api/v1/monitoring/points", json=POINT, headers=city).json()["id"]
    wujiang = login(client, "wujiang")
    assert client.get("/api/v1/monitoring/points", headers=wujiang).json() == []
    assert (
        client.get(f"/api/v1/monitoring/points/{point_id}/latest", headers=wujiang).status_code
        == 404
    )
    assert (
        client.get("/api/v1/monitoring/dead-letters", headers=login(client, "jiwei")).status_code
        == 403
    )
    assert (
        len(client.get("/api/v1/monitoring/points", headers=login(client, "kunshan")).json()) == 1
    )
    assert (
        client.post(
            "/api/v1/monitoring/points", json=POINT, headers=login(client, "ks_epb")
        ).status_code
        == 403
    )


def test_dead_letters_are_scoped_like_points(client: TestClient, rt: Runtime) -> None:
    """A district office sees the dead letters of its points' MNs; an unknown MN's (or one
    without an MN) only the city office; the others are refused whatever the MN."""
    city = login(client, "city")
    kunshan_mn, wujiang_mn, unknown_mn = MN, "010000A8900016F000169WJ1", "UNKNOWN0000001"
    for mn, division in ((kunshan_mn, "320583"), (wujiang_mn, "320509")):
        body = POINT | {"mn": mn, "division_code": division}
        assert client.post("/api/v1/monitoring/points", json=body, headers=city).status_code == 201
    letters = [
        Rejected(T0, f"10.0.0.{i}:1", f"##bad{i}".encode(), "crc", "校验错误", 4, mn)
        for i, mn in enumerate((kunshan_mn, wujiang_mn, unknown_mn, None))
    ]
    with rt.sessions() as s, s.begin():
        store_rejected(s, letters)

    def peers(username: str) -> set[str]:
        response = client.get("/api/v1/monitoring/dead-letters", headers=login(client, username))
        assert response.status_code == 200, response.text
        return {d["peer"] for d in response.json()}

    assert peers("city") == {"10.0.0.0:1", "10.0.0.1:1", "10.0.0.2:1", "10.0.0.3:1"}
    assert peers("kunshan") == {"10.0.0.0:1"}
    assert peers("wujiang") == {"10.0.0.1:1"}
    for username in ("jiwei", "ks_epb", "yld", "leader"):
        refused = client.get("/api/v1/monitoring/dead-letters", headers=login(client, username))
        assert refused.status_code == 403 and "10.0.0." not in refused.text
