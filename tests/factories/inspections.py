"""巡察 through the real routes: the 纪委's 2018 campaign with a 相城 village and a 昆山 unit."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from eco263.runtime import Runtime
from tests.conftest import login
from tests.factories.joint_enforcement import org_id

URL = "/api/v1/inspections"


def post(client: TestClient, who: str, url: str, body: dict[str, Any]) -> Any:
    return client.post(url, json=body, headers=login(client, who))


def ok(answer: Any, status: int = 200) -> dict[str, Any]:
    assert answer.status_code == status, answer.text
    data: dict[str, Any] = answer.json()
    return data


def campaign(client: TestClient, theme: str = "污染防治攻坚战专项巡察") -> int:
    body = {"year": 2018, "theme": theme, "planned_targets": 70}
    return int(ok(post(client, "jiwei", f"{URL}/campaigns", body), 201)["id"])


def target(client: TestClient, rt: Runtime, cid: int, **overrides: Any) -> int:
    body: dict[str, Any] = {
        "name": "相城区黄埭镇冯梦龙村",
        "kind": "village",
        "division_code": "320507",
        "organization_id": org_id(rt, "相城区黄埭镇"),
    }
    body.update(overrides)
    return int(ok(post(client, "jiwei", f"{URL}/campaigns/{cid}/targets", body), 201)["id"])


def finding(
    client: TestClient, tid: int, summary: str = "村内河道沿岸违规堆放垃圾，长效管护缺失"
) -> int:
    body = {"found_on": "2018-05-08", "summary": summary, "detail": "走访发现"}
    return int(ok(post(client, "jiwei", f"{URL}/targets/{tid}/findings", body), 201)["id"])


def opinion_body(fid: int, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "number": "苏纪监意〔2018〕1号",
        "issued_on": "2018-05-10",
        "finding_ids": [fid],
        "measures": "制定整改方案，明确责任人和时限，建立河道长效管护机制",
    }
    body.update(overrides)
    return body


def opinion(client: TestClient, tid: int, fid: int, **overrides: Any) -> dict[str, Any]:
    return ok(
        post(client, "jiwei", f"{URL}/targets/{tid}/opinions", opinion_body(fid, **overrides)), 201
    )


def village_with_opinion(client: TestClient, rt: Runtime) -> tuple[int, int, int, dict[str, Any]]:
    """campaign, target, finding and the opinion issued on 2018-05-10."""
    cid = campaign(client)
    tid = target(client, rt, cid)
    fid = finding(client, tid)
    return cid, tid, fid, opinion(client, tid, fid)
