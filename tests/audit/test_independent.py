"""The chain checked from outside (issue #10, item 10): a checker that knows only
docs/audit-chain.md (tests/audit/independent_check.py: json and hashlib, no eco263 import)
reads what the real `eco263 audit export` writes, finds it sound, and catches a forged
tail — the careless forgery alone, the careful one (every hash recomputed) with one
witness from outside.  The document's worked example and code are checked here too."""

from __future__ import annotations

import ast
import hashlib
import json
import re
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from eco263.audit.actions import GENESIS, Change, canonical
from eco263.audit.models import AuditEvent
from eco263.runtime import Runtime
from tests.audit import independent_check
from tests.audit.independent_check import check_chain
from tests.audit.running import eco263
from tests.factories.problems import dispatch, register

ROOT = Path(__file__).resolve().parents[2]
DOC = (ROOT / "docs" / "audit-chain.md").read_text(encoding="utf-8")


def _blocks(language: str = "") -> list[str]:
    """The fenced code blocks of the document in ``language`` ("" for plain ones)."""
    blocks, current, lang = [], [], None
    for line in DOC.splitlines(keepends=True):
        if line.startswith("```") and lang is None:
            lang, current = line[3:].strip(), []
        elif line.startswith("```"):
            if lang == language:
                blocks.append("".join(current))
            lang = None
        elif lang is not None:
            current.append(line)
    return blocks


def test_the_document_shows_the_checker_verbatim() -> None:
    source = Path(independent_check.__file__).read_text(encoding="utf-8")
    (shown,) = _blocks("python")
    assert source.endswith(shown)
    assert len(shown.strip().splitlines()) <= 30


def test_the_checker_uses_only_json_and_hashlib() -> None:
    tree = ast.parse(Path(independent_check.__file__).read_text(encoding="utf-8"))
    imported = {
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    } | {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert imported == {"hashlib", "json"}


def test_the_worked_example_is_real() -> None:
    """Recompute the two hashes of the example by hand, and check eco263 writes the same
    canonical text for those fields."""
    texts = [b for b in _blocks() if b.startswith('{"action"')]
    hashes = [b.strip() for b in _blocks() if re.fullmatch(r"[0-9a-f]{64}\n", b)]
    assert len(texts) == 2 and len(hashes) == 2
    prev = GENESIS
    for text, expected in zip(texts, hashes, strict=True):
        text = text.rstrip("\n")
        assert hashlib.sha256((prev + text).encode("utf-8")).hexdigest() == expected
        fields = json.loads(text)
        change = Change(
            fields["actor_id"],
            fields["actor_name"],
            fields["action"],
            fields["subject_type"],
            fields["subject_id"],
            fields["before"],
            fields["after"],
        )
        assert canonical(fields["seq"], datetime.fromisoformat(fields["at"]), change) == text
        prev = expected
    assert f"{len(texts[0].rstrip().encode('utf-8'))} bytes of UTF-8" in DOC
    (line,) = [b for b in _blocks() if b.startswith('{"seq":1,')]
    assert check_chain([line]) == []


def _export(rt: Runtime, tmp_path: Path, *args: str) -> list[str]:
    out = tmp_path / "chain.jsonl"
    result = eco263(rt, "audit", "export", "--output", str(out), *args)
    assert result.exit_code == 0, result.output
    return out.read_text(encoding="utf-8").splitlines()


@pytest.fixture
def exported(rt: Runtime, as_user, tmp_path: Path) -> list[str]:  # type: ignore[no-untyped-def]
    """A few problems registered and dispatched, then the whole chain exported."""
    with as_user("city") as ctx:
        for _ in range(3):
            title, text = '苏州工业园区某企业夜间偷排 "含引号"', "第一行\n第二行\t制表"
            dispatch(ctx, register(ctx, title=title, description=text).id)
    return _export(rt, tmp_path)


def test_an_export_of_the_real_chain_checks_out(rt: Runtime, exported: list[str]) -> None:
    assert check_chain(exported) == []
    with rt.sessions() as s:
        head = s.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(1)).one()
    last = json.loads(exported[-1])
    assert (len(exported), last["seq"], last["hash"]) == (head.seq, head.seq, head.hash)
    assert set(last) == {
        "seq",
        "at",
        "actor_id",
        "actor_name",
        "action",
        "subject_type",
        "subject_id",
        "before",
        "after",
        "prev_hash",
        "hash",
    }


def test_a_partial_export_checks_out_from_its_first_link(
    rt: Runtime, exported: list[str], tmp_path: Path
) -> None:
    start = len(exported) - 4
    tail = _export(rt, tmp_path, "--from", str(start))
    assert [json.loads(x)["seq"] for x in tail] == list(range(start, len(exported) + 1))
    assert tail == exported[start - 1 :]
    witness = json.dumps({"seq": start - 1, "hash": json.loads(exported[start - 2])["hash"]})
    assert check_chain(tail, [witness]) == []


def test_a_careless_forgery_is_caught_by_the_chain_alone(exported: list[str]) -> None:
    forged = list(exported)
    event = json.loads(forged[-2])
    event["actor_name"] = "某人"
    forged[-2] = json.dumps(event, ensure_ascii=False)
    assert check_chain(forged) == [f"event {event['seq']}: does not fit the chain"]


def _rehash_from(lines: list[str], index: int, **change: object) -> list[str]:
    """The careful forger: change one event and recompute every hash after it."""
    out = lines[:index]
    prev = json.loads(lines[index])["prev_hash"]
    for n, line in enumerate(lines[index:]):
        event = json.loads(line)
        if n == 0:
            event.update(change)
        fields = {k: v for k, v in event.items() if k not in ("prev_hash", "hash")}
        text = json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        event["prev_hash"] = prev
        event["hash"] = prev = hashlib.sha256((prev + text).encode("utf-8")).hexdigest()
        out.append(json.dumps(event, ensure_ascii=False))
    return out


def test_a_careful_forgery_of_the_tail_is_caught_by_one_witness(exported: list[str]) -> None:
    target = len(exported) - 3  # 0-based index of the forged event
    forged = _rehash_from(exported, target, after={"state": "closed"})
    assert check_chain(forged) == []  # self-consistent: the chain alone cannot tell
    head = json.loads(exported[-1])
    witness = json.dumps({"seq": head["seq"], "hash": head["hash"], "clue_id": 7})
    problems = check_chain(forged, [witness])
    assert problems == [
        f"event {head['seq']}: witnessed {head['hash']}, found {json.loads(forged[-1])['hash']}"
    ]
    earlier = json.loads(exported[target - 1])  # a witness before the forgery still agrees
    assert check_chain(forged, [json.dumps({"seq": earlier["seq"], "hash": earlier["hash"]})]) == []


def test_a_cut_tail_is_caught_by_a_witness_beyond_it(exported: list[str]) -> None:
    head = json.loads(exported[-1])
    witness = json.dumps({"seq": head["seq"], "hash": head["hash"]})
    assert check_chain(exported[:-2], [witness]) == [
        f"event {head['seq']}: witnessed {head['hash']}, found missing"
    ]
