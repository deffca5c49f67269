"""`eco263 audit verify --against FILE`: the local chain against (seq, hash) pairs witnessed
outside.  A rewritten tail that `audit verify` alone calls intact is named here with its
seq, the witnessed and the local hash; a cut tail too; an unusable file is exit 2 with a
Chinese message naming the line.  (The same attack end to end through the reference
receiver: tests/supervision/test_audit_witness.py.)"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import Result
from sqlalchemy import select, update

from eco263.audit.models import AuditEvent, AuditHead
from eco263.audit.service import verify_chain
from eco263.audit.witness import BadWitnessFile, check_witnesses, read_witnesses
from eco263.runtime import Runtime
from tests.audit.forgery import cut_tail, rewrite_tail
from tests.audit.running import eco263
from tests.factories.problems import dispatch, register


def _cli(rt: Runtime, *args: str) -> Result:
    return eco263(rt, "audit", "verify", *args)


def _head(rt: Runtime) -> tuple[int, str]:
    with rt.sessions() as s:
        head = s.get_one(AuditHead, 1)
        return head.seq, head.hash


def _hash(rt: Runtime, seq: int) -> str:
    with rt.sessions() as s:
        return s.scalars(select(AuditEvent.hash).where(AuditEvent.seq == seq)).one()


@pytest.fixture
def witnessed(rt: Runtime, as_user, tmp_path: Path) -> tuple[Path, list[int]]:  # type: ignore[no-untyped-def]
    """Three rounds of work, each followed by a head 'sent out' (as a clue would carry it);
    then more work nobody outside has seen.  Returns the witness file and the heads."""
    lines, heads = [], []
    for clue_id in (101, 102, 103):
        with as_user("city") as ctx:
            dispatch(ctx, register(ctx).id)
        seq, digest = _head(rt)
        heads.append(seq)
        lines.append({"clue_id": clue_id, "kind": "head", "seq": seq, "hash": digest})
    with as_user("city") as ctx:
        register(ctx)
    path = tmp_path / "heads.jsonl"
    path.write_text("\n".join(json.dumps(x) for x in lines) + "\n", encoding="utf-8")
    return path, heads


def test_an_untouched_chain_agrees_with_its_witnesses(rt: Runtime, witnessed) -> None:  # type: ignore[no-untyped-def]
    path, _ = witnessed
    result = _cli(rt, "--against", str(path))
    assert result.exit_code == 0, result.stderr
    assert "审计链完好" in result.stdout and "外部见证一致：3 个" in result.stdout


def test_a_rewritten_tail_passes_verify_but_not_the_witnesses(rt: Runtime, witnessed) -> None:  # type: ignore[no-untyped-def]
    """The attack: edit an event between the 2nd and 3rd heads sent out, rehash to the end."""
    path, (_, second, third) = witnessed
    target = second + 1
    witnessed_hash = _hash(rt, third)
    rewrite_tail(rt, target, actor_name="某人")
    with rt.sessions() as s:
        assert verify_chain(s).ok  # the chain alone cannot tell
    alone = _cli(rt)
    assert alone.exit_code == 0 and "审计链完好" in alone.stdout
    result = _cli(rt, "--against", str(path))
    assert result.exit_code == 1
    assert f"第 {third} 号事件：见证哈希 {witnessed_hash}，本地 {_hash(rt, third)}" in result.stderr
    assert "线索 103" in result.stderr
    assert f"第 {second} 号及以前的事件与外部见证一致" in result.stderr
    assert f"改写始于第 {second + 1}–{third} 号之间" in result.stderr
    assert "外部见证不符：1 处（共 3 个见证，2 个相符）" in result.stderr


def test_a_cut_tail_is_named_as_missing(rt: Runtime, witnessed) -> None:  # type: ignore[no-untyped-def]
    path, (_, second, third) = witnessed
    cut_tail(rt, second)
    assert _cli(rt).exit_code == 0  # consistent: fewer events, head moved back
    with rt.sessions() as s:
        report = check_witnesses(s, read_witnesses(path.read_text(encoding="utf-8").splitlines()))
    assert [(m.seq, m.found) for m in report.mismatches] == [(third, None)]
    assert report.intact_up_to == second


def test_a_broken_chain_and_a_mismatch_are_both_reported(rt: Runtime, witnessed) -> None:  # type: ignore[no-untyped-def]
    path, (_, _, third) = witnessed
    with rt.engine.begin() as conn:
        conn.execute(update(AuditEvent).where(AuditEvent.seq == third).values(hash="f" * 64))
    result = _cli(rt, "--against", str(path))
    assert result.exit_code == 1
    assert "审计链异常" in result.stderr and f"第 {third} 号事件：见证哈希" in result.stderr


def test_the_genesis_head_is_a_valid_witness(rt: Runtime) -> None:
    with rt.sessions() as s:
        report = check_witnesses(s, read_witnesses(['{"seq": 0, "hash": "' + "0" * 64 + '"}']))
    assert report.ok and report.matched == [0]


# -- unusable witness files: exit 2, a Chinese message naming the line ------------------------


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "没有任何链头记录"),
        (b"\n\n", "没有任何链头记录"),
        (b'{"seq": 1, "hash": "' + b"a" * 64 + b'"}\nnot json\n', "第 2 行不是合法的 JSON"),
        (b"[1, 2]\n", "第 1 行应为 JSON 对象"),
        (b'{"hash": "' + b"a" * 64 + b'"}\n', "第 1 行：缺少 seq"),
        (b'{"seq": -1, "hash": "' + b"a" * 64 + b'"}\n', "第 1 行：缺少 seq，或 seq 不是非负整数"),
        (b'{"seq": true, "hash": "' + b"a" * 64 + b'"}\n', "第 1 行：缺少 seq"),
        (b'{"seq": "7", "hash": "' + b"a" * 64 + b'"}\n', "第 1 行：缺少 seq"),
        (b'{"seq": 7, "hash": "ABC"}\n', "第 1 行：hash 应为 64 位小写十六进制"),
        (b'{"seq": 7, "hash": "' + b"A" * 64 + b'"}\n', "hash 应为 64 位小写十六进制"),
        (b'{"seq": 7, "hash": "' + b"a" * 64 + b'", "kind": "tail"}\n', "kind 应为 head 或 event"),
        (b'{"seq": 7, "hash": "' + b"a" * 64 + b'", "clue_id": "x"}\n', "clue_id 应为整数"),
        ("第一行".encode("gb18030") + b"\xff\n", "不是 UTF-8 文本"),
    ],
)
def test_an_unusable_witness_file_is_exit_2(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "heads.jsonl"
    path.write_bytes(content)
    result = eco263(None, "audit", "verify", "--against", str(path))
    assert result.exit_code == 2, result.output
    assert message in result.output


def test_a_missing_witness_file_is_exit_2(tmp_path: Path) -> None:
    result = eco263(None, "audit", "verify", "--against", str(tmp_path / "no.jsonl"))
    assert result.exit_code == 2 and "无法读取见证文件" in result.output


def test_the_parser_keeps_line_numbers_and_optional_fields() -> None:
    lines = [
        "",
        '{"seq": 3, "hash": "' + "b" * 64 + '", "clue_id": 9, "kind": "event",'
        ' "received_at": "2026-12-05T08:00:00+00:00", "receipt_id": "JW-1"}',
    ]
    (w,) = read_witnesses(lines)
    assert (w.seq, w.kind, w.clue_id, w.received_at, w.line) == (
        3,
        "event",
        9,
        "2026-12-05T08:00:00+00:00",
        2,
    )
    with pytest.raises(BadWitnessFile):
        read_witnesses(["   "])
