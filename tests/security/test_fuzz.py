"""Schemathesis (the OpenAPI fuzzer) over every /api/v1 operation of a live server.

Each operation gets a bounded number of generated requests, valid and invalid by its schema,
sent over HTTP with the city office's bearer token (it may call everything).  Two checks: no
response is a server error, and every response matches the schema the OpenAPI document
declares for its status (the 4xx included: ``{"error": {code, message, details}}``).

Examples are derandomized (the same requests every run, so CI is reproducible) and not shrunk;
failures are collected over the whole run and reported together, one curl command each.

Excluded, and why:
* ``POST /api/v1/auth/logout`` — it ends the session of the token every other request uses,
  so whatever followed would test the 401 path only.  Its own behaviour is covered by
  tests/test_api.py.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import Failure, FailureGroup
from schemathesis.specs.openapi.checks import response_schema_conformance

from tests.security.conftest import Live

EXCLUDED = {("POST", "/api/v1/auth/logout")}
#: Generated requests per operation and generation mode (valid, invalid).
EXAMPLES = int(os.environ.get("ECO263_FUZZ_EXAMPLES", "12"))


@pytest.mark.slow
def test_the_api_survives_the_fuzzer(
    live: Live, record_property: Callable[[str, object], None]
) -> None:
    headers = live.token("city")
    schema = schemathesis.openapi.from_url(f"{live.url}/openapi.json")
    sent: Counter[str] = Counter()
    failures: list[str] = []
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        if (operation.method.upper(), operation.path) in EXCLUDED:
            continue
        operations += 1
        for mode in (schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE):
            _fuzz(live, operation, mode, headers, sent, failures)
    record_property("fuzz", {"operations": operations, "requests": sum(sent.values())})
    assert operations >= 30
    assert sum(sent.values()) >= operations * EXAMPLES
    assert not failures, f"{len(failures)} failures:\n\n" + "\n\n".join(failures[:20])


def _fuzz(
    live: Live,
    operation: Any,
    mode: schemathesis.GenerationMode,
    headers: dict[str, str],
    sent: Counter[str],
    failures: list[str],
) -> None:
    label = f"{operation.method.upper()} {operation.path} ({mode.value})"

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
        print_blob=False,
    )
    def run(case: Any) -> None:
        response = case.call(base_url=live.url, headers=headers, timeout=60)
        sent[label] += 1
        try:
            case.validate_response(
                response, checks=[not_a_server_error, response_schema_conformance]
            )
        except (Failure, FailureGroup) as exc:  # a check failed: collect it, keep fuzzing
            found = exc.exceptions if isinstance(exc, FailureGroup) else (exc,)
            titles = "; ".join(sorted({f.title for f in found}))
            command = case.as_curl_command(headers=headers)
            failures.append(f"{label}: {titles} [{response.status_code}]\n  {command[:600]}")

    try:
        run()
    except Unsatisfiable:
        assert mode == schemathesis.GenerationMode.NEGATIVE, label  # nothing to get wrong
