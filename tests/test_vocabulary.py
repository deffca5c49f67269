"""One audit vocabulary (issue #11): every action has one Chinese label, every action recorded
anywhere is registered, no page shows a raw action code."""

from __future__ import annotations

import re

from sqlalchemy import select

from eco263 import vocabulary
from eco263.audit.models import AuditEvent
from eco263.demo import seed_story
from eco263.problems.scheduled import sweep
from eco263.runtime import Runtime
from eco263.wiring import VOCABULARIES
from tests.conftest import login
from tests.factories.alarms import tampering_case

CHINESE = re.compile(r"[\u4e00-\u9fff]")


def test_every_action_has_one_chinese_label_and_one_owner() -> None:
    values = [member.value for v in VOCABULARIES for member in v]
    assert len(values) == len(set(values)), "an action value is declared twice"
    for v in VOCABULARIES:
        for member in v:
            assert CHINESE.search(member.label), member
            assert re.fullmatch(r"[a-z_]+\.[a-z_]+", member.value), member


def test_every_action_recorded_by_the_story_and_the_pipeline_is_registered(
    rt: Runtime, as_user, client
) -> None:  # type: ignore[no-untyped-def]
    with rt.unit_of_work() as ctx:
        seed_story(ctx)
    sweep(rt, now=rt.clock.now())
    tampering_case(rt, as_user)
    with rt.sessions() as s:
        recorded = set(s.scalars(select(AuditEvent.action).distinct()))
    assert len(recorded) >= 12
    assert recorded <= set(vocabulary.registered()), recorded - set(vocabulary.registered())


def test_a_timeline_shows_labels_not_codes(rt: Runtime, as_user, client) -> None:  # type: ignore[no-untyped-def]
    with rt.unit_of_work() as ctx:
        seed_story(ctx)
    sweep(rt, now=rt.clock.now())
    headers = login(client, "city")
    problems = client.get("/api/v1/problems?page_size=200", headers=headers).json()["items"]
    for item in problems:
        page = client.get(f"/problems/{item['id']}", headers=headers).text
        codes = re.findall(r"\b(?:problem|assignment|extension|clue|alarm)\.[a-z_]+\b", page)
        assert not codes, (item["id"], codes)
