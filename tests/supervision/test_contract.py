"""docs/supervision-api.yaml is the contract: the reference receiver and eco263's inbound API
are fuzzed against it with schemathesis (signed requests over loopback), and every clue
document eco263 sends validates against its ClueDocument schema."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import jsonschema_rs
import pytest
import schemathesis
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy import select

from eco263.outbox import signing
from eco263.outbox.models import OutboxEvent
from eco263.runtime import Runtime
from tests.factories.problems import dispatch, register
from tests.supervision.making import org_id, tampering_clue
from tests.supervision.servers import SECRET, ServerThread

CONTRACT = Path(__file__).resolve().parents[2] / "docs" / "supervision-api.yaml"
SCHEMA = schemathesis.openapi.from_path(CONTRACT)
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
FUZZ = settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.data_too_large,
    ],
)
INBOUND = [
    "/api/v1/supervision/inbound/clue-status",
    "/api/v1/supervision/inbound/opinions",
    "/api/v1/supervision/inbound/accountability",
]
_keys = iter(range(10**9))


def _raw(body: Any) -> bytes:
    if isinstance(body, bytes):
        return body
    return json.dumps(body, ensure_ascii=False).encode("utf-8")


def _valid(validator: Any, body: Any) -> bool:
    try:
        return bool(validator.is_valid(json.loads(_raw(body))))
    except ValueError:  # not JSON at all
        return False


def _send(base: str, path: str, body: Any, key: str | None = None) -> httpx.Response:
    raw = _raw(body)
    headers = signing.signed_headers(
        SECRET, raw, key or f"fuzz-{next(_keys)}", _now(), method="POST", url=path
    )
    return httpx.post(base + path, content=raw, headers=headers, timeout=10)


def _request_schema(path: str) -> Any:
    doc = yaml.safe_load(CONTRACT.read_text(encoding="utf-8"))
    ref = doc["paths"][path]["post"]["requestBody"]["content"]["application/json"]["schema"]
    return jsonschema_rs.validator_for({**doc, **ref}, validate_formats=True)


def _now():  # type: ignore[no-untyped-def]
    from datetime import UTC, datetime

    return datetime.now(UTC)


def test_the_contract_names_both_directions() -> None:
    doc = yaml.safe_load(CONTRACT.read_text(encoding="utf-8"))
    assert doc["openapi"].startswith("3.1")
    assert set(doc["paths"]) == {"/clues", *INBOUND}
    operations = {op.ok().label for op in SCHEMA.get_all_operations()}
    assert "POST /clues" in operations and len(operations) == 4


def test_every_clue_document_we_send_matches_the_contract(rt: Runtime, as_user) -> None:  # type: ignore[no-untyped-def]
    from eco263.problems.events import AssignmentFacts, RectificationReturned
    from eco263.supervision.actions.manual import do_open_manual_clue
    from eco263.supervision.actions.rules_checks import do_check_failed_verification
    from eco263.supervision.enums import DutyFailure
    from eco263.supervision.schemas import ManualClueIn

    with as_user("city") as ctx:
        tampering_clue(ctx)
        p = register(ctx)
        (a,) = dispatch(ctx, p.id)
        do_open_manual_clue(
            ctx,
            ManualClueIn(problem_id=p.id, duty_failure=DutyFailure.ENFORCEMENT, summary="人工移送"),
        )
        facts = AssignmentFacts(a.id, a.problem_id, a.organization_id)
        do_check_failed_verification(ctx, RectificationReturned(facts, returned_count=2))
    doc = yaml.safe_load(CONTRACT.read_text(encoding="utf-8"))
    validator = jsonschema_rs.validator_for(
        {**doc, "$ref": "#/components/schemas/ClueDocument"}, validate_formats=True
    )
    with rt.sessions() as s:
        payloads = [e.payload for e in s.scalars(select(OutboxEvent))]
    assert len(payloads) == 3
    for payload in payloads:
        errors = [str(e) for e in validator.iter_errors(payload)]
        assert errors == [], errors
    broken = {**payloads[0], "duty_failure": "失职"}
    assert not validator.is_valid(broken)


def test_the_reference_receiver_honours_the_contract(start_receiver) -> None:  # type: ignore[no-untyped-def]
    server: ServerThread = start_receiver()
    operation = SCHEMA["/clues"]["POST"]

    @FUZZ
    @given(case=operation.as_strategy())
    def accepts_what_the_contract_allows(case) -> None:  # type: ignore[no-untyped-def]
        response = _send(server.url, "/clues", case.body)
        case.validate_response(response, checks=CHECKS)
        assert response.status_code == 201, response.text  # valid data is stored

    body_schema = _request_schema("/clues")

    @FUZZ
    @given(case=operation.as_strategy(generation_mode=GenerationMode.NEGATIVE))
    def refuses_what_it_does_not(case) -> None:  # type: ignore[no-untyped-def]
        response = _send(server.url, "/clues", case.body)
        case.validate_response(response, checks=CHECKS)
        if not _valid(body_schema, case.body):  # (negative cases may only break headers)
            assert response.status_code in (400, 422), response.text

    accepts_what_the_contract_allows()
    refuses_what_it_does_not()
    replay_key = "fuzz-replay"
    body = {"not": "a clue"}
    assert _send(server.url, "/clues", body, replay_key).status_code == 422


@pytest.mark.parametrize("path", INBOUND)
def test_eco263_inbound_honours_the_contract(
    path: str, rt: Runtime, as_user, eco263_server: ServerThread
) -> None:  # type: ignore[no-untyped-def]
    with as_user("city") as ctx:
        clue_ids = [tampering_clue(ctx).id for _ in range(3)]
        unit = org_id(ctx)
    operation = SCHEMA[path]["POST"]

    @FUZZ
    @given(case=operation.as_strategy(), data=st.data())
    def conforms(case, data) -> None:  # type: ignore[no-untyped-def]
        body = case.body
        if isinstance(body, dict) and data.draw(st.booleans()):
            body["clue_id"] = data.draw(st.sampled_from(clue_ids))  # reach the success paths
            if "organization_id" in body:
                body["organization_id"] = unit
        response = _send(eco263_server.url, path, body)
        case.validate_response(response, checks=CHECKS)
        assert response.status_code in (200, 404, 409, 422), response.text

    body_schema = _request_schema(path)

    @FUZZ
    @given(case=operation.as_strategy(generation_mode=GenerationMode.NEGATIVE))
    def refuses(case) -> None:  # type: ignore[no-untyped-def]
        response = _send(eco263_server.url, path, case.body)
        case.validate_response(response, checks=CHECKS)
        if not _valid(body_schema, case.body):  # (negative cases may only break headers)
            assert response.status_code in (400, 422), response.text

    conforms()
    refuses()
