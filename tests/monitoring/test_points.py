"""Changing a point (password, CRC mode, always-ack, active): action, API, announcement."""

from __future__ import annotations

import psycopg
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from eco263.audit.models import AuditEvent
from eco263.errors import InvalidInput
from eco263.monitoring.actions import CRC_MODES, do_update_point
from eco263.monitoring.models import MonitoringPoint
from eco263.monitoring.service import POINT_CHANGES
from eco263.runtime import Runtime
from tests.conftest import Database, login
from tests.factories.monitoring import MN, register_point

POINT = {"mn": MN, "password": "123456", "name": "依利安达 废水总排口", "division_code": "320583"}


def _point(rt: Runtime) -> MonitoringPoint:
    with rt.sessions() as s:
        return s.scalars(select(MonitoringPoint).where(MonitoringPoint.mn == MN)).one()


def _updates(rt: Runtime) -> list[AuditEvent]:
    with rt.sessions() as s:
        return list(s.scalars(select(AuditEvent).where(AuditEvent.action == "point.update")))


def test_an_office_changes_password_and_crc_mode_on_the_record(
    client: TestClient, rt: Runtime
) -> None:
    city = login(client, "city")
    point_id = client.post("/api/v1/monitoring/points", json=POINT, headers=city).json()["id"]
    body = {"password": "654321", "crc_mode": "accept_modbus"}
    response = client.patch(f"/api/v1/monitoring/points/{point_id}", json=body, headers=city)
    assert response.status_code == 200, response.text
    assert response.json()["crc_mode"] == "accept_modbus" and "password" not in response.json()
    point = _point(rt)
    assert (point.password, point.crc_mode, point.always_ack) == ("654321", "accept_modbus", False)
    (event,) = _updates(rt)
    assert event.before == {"crc_mode": "hj212"}  # the old password is not written down
    assert event.after == {"password": "已修改", "crc_mode": "accept_modbus"}
    again = client.patch(f"/api/v1/monitoring/points/{point_id}", json=body, headers=city)
    assert again.status_code == 200 and len(_updates(rt)) == 1  # nothing changed, nothing written


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"crc_mode": "crc32"}, "crc_mode"),
        ({"password": "12;456"}, "password"),
        ({"password": "12=456"}, "password"),
        ({"password": "12\n456"}, "password"),
        ({"password": ""}, "password"),
        ({"mn": "ANOTHER0000000001"}, "mn"),  # not changeable: refused, not ignored
    ],
)
def test_a_bad_change_is_refused_and_changes_nothing(
    client: TestClient, rt: Runtime, body: dict[str, str], field: str
) -> None:
    city = login(client, "city")
    point_id = client.post("/api/v1/monitoring/points", json=POINT, headers=city).json()["id"]
    response = client.patch(f"/api/v1/monitoring/points/{point_id}", json=body, headers=city)
    assert response.status_code == 422, response.text
    assert field in response.text
    assert (_point(rt).password, _point(rt).crc_mode) == ("123456", "hj212")
    assert _updates(rt) == []


def test_only_an_office_of_the_points_division_may_change_it(client: TestClient) -> None:
    city = login(client, "city")
    point_id = client.post("/api/v1/monitoring/points", json=POINT, headers=city).json()["id"]
    url = f"/api/v1/monitoring/points/{point_id}"
    body = {"active": False}
    assert client.patch(url, json=body, headers=login(client, "wujiang")).status_code == 404
    assert client.patch(url, json=body, headers=login(client, "ks_epb")).status_code == 403
    assert client.patch(url, json=body, headers=login(client, "kunshan")).status_code == 200
    assert client.patch(
        "/api/v1/monitoring/points/999999", json=body, headers=city
    ).status_code == (404)


def test_registering_a_password_the_protocol_cannot_carry_is_refused(client: TestClient) -> None:
    city = login(client, "city")
    bad = {**POINT, "password": "pw;CN=2011"}
    response = client.post("/api/v1/monitoring/points", json=bad, headers=city)
    assert response.status_code == 422 and "password" in response.text


@pytest.mark.parametrize("database", ["postgres"], indirect=True)  # NOTIFY is PostgreSQL's
def test_point_changes_are_announced_on_commit_only(
    rt: Runtime,
    as_user,
    database: Database,  # type: ignore[no-untyped-def]
) -> None:
    url = rt.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(url, autocommit=True) as listener:
        listener.execute(f"LISTEN {POINT_CHANGES}")
        with as_user("city") as ctx:
            point_id = register_point(ctx).id
        with pytest.raises(InvalidInput), as_user("city") as ctx:
            do_update_point(ctx, point_id, password="abcdef")
            raise InvalidInput("rolled back")  # the change is undone: no announcement
        with as_user("city") as ctx:
            do_update_point(ctx, point_id, crc_mode="accept_modbus")
        heard = [n.payload for n in listener.notifies(timeout=2, stop_after=3)]
    assert heard == [MN, MN]


@pytest.mark.parametrize("mode", CRC_MODES)
def test_every_crc_mode_can_be_registered(client: TestClient, rt: Runtime, mode: str) -> None:
    """``accept_modbus_swapped`` has 21 characters: PostgreSQL refused it until migration 0007."""
    response = client.post(
        "/api/v1/monitoring/points", json={**POINT, "crc_mode": mode}, headers=login(client, "city")
    )
    assert response.status_code == 201, response.text
    assert _point(rt).crc_mode == mode
