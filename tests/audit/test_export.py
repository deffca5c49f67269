"""`eco263 audit export` on a realistic chain: 100,000 events through the real command, in
bounded memory, checked end to end by the independent checker; a progress bar only on a
terminal.  And an event recorded with a non-UTC time still verifies (hashed as stored)."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy import select

from eco263.audit.actions import Change, record, record_many
from eco263.audit.models import AuditEvent
from eco263.audit.service import verify_chain
from eco263.runtime import Runtime
from tests.audit.independent_check import check_chain

EVENTS = 100_000
BATCH = 10_000

#: Runs the console script's entry point; reports its peak memory (KiB) once everything is
#: imported, before the command runs, and at the end.
_MEASURED = (
    "import resource, sys\n"
    "from eco263.cli import main\n"
    "def peak(): return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
    "print('MAXRSS_KB', peak(), file=sys.stderr)\n"
    "sys.argv = ['eco263', *sys.argv[1:]]\n"
    "try:\n"
    "    main()\n"
    "finally:\n"
    "    print('MAXRSS_KB', peak(), file=sys.stderr)\n"
)


def _grow(rt: Runtime, n: int) -> None:
    """``n`` realistic events through the real append path, in big transactions."""
    at = datetime(2018, 5, 10, 1, 0, tzinfo=UTC)
    for start in range(0, n, BATCH):
        changes = [
            Change(
                None,
                "系统",
                "problem.escalate",
                "problem",
                str(i),
                {"state": "rectifying", "note": "整改中" * 8, "version": i},
                {"state": "verifying", "note": "已提交整改材料，请核查" * 4, "ratio": i / 7},
            )
            for i in range(start, min(start + BATCH, n))
        ]
        with rt.unit_of_work() as ctx:
            record_many(ctx.session, changes, at=at + timedelta(seconds=start))


def _run(rt: Runtime, *args: str, stderr: int | None = None) -> tuple[int, str, int]:
    """The command, its stderr, and how much its peak memory grew while it ran (KiB)."""
    env = {**os.environ, "ECO263_DATABASE_URL": rt.settings.database_url}
    result = subprocess.run(  # noqa: S603 - our own interpreter and arguments
        [sys.executable, "-c", _MEASURED, *args],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=stderr if stderr is not None else subprocess.PIPE,
        text=True,
        check=False,
        timeout=600,
    )
    err = result.stderr or ""
    peaks = [int(line.split()[1]) for line in err.splitlines() if line.startswith("MAXRSS_KB")]
    return result.returncode, err, peaks[-1] - peaks[0] if len(peaks) == 2 else 0


def test_a_100k_event_chain_exports_in_bounded_memory_and_checks_out(
    rt: Runtime, tmp_path: Path
) -> None:
    _grow(rt, EVENTS)
    with rt.sessions() as s:
        total = s.scalar(select(AuditEvent.seq).order_by(AuditEvent.seq.desc()).limit(1))
    assert total is not None and total >= EVENTS
    whole = tmp_path / "whole.jsonl"
    started = time.monotonic()
    code, err, grown = _run(rt, "audit", "export", "--output", str(whole))
    took = time.monotonic() - started
    assert code == 0, err
    assert f"已导出 {total} 条事件" in err and "导出审计链" not in err  # no bar off a terminal
    with whole.open(encoding="utf-8") as lines:
        assert check_chain(lines) == []
    with whole.open(encoding="utf-8") as lines:
        assert sum(1 for _ in lines) == total
    # Streaming: exporting 100,000 events (64 MB of JSON) adds about 12 MiB to the process;
    # fetching them all first (``.all()``, even as plain rows) adds about 285 MiB.
    assert grown < 40 * 1024, (grown, took)


def test_a_progress_bar_is_shown_on_a_terminal(rt: Runtime, tmp_path: Path) -> None:
    _grow(rt, 12_000)
    primary, secondary = pty.openpty()
    try:
        code, _, _ = _run(rt, "audit", "export", "-o", str(tmp_path / "c.jsonl"), stderr=secondary)
        os.close(secondary)
        seen = b""
        while True:
            try:
                chunk = os.read(primary, 65536)
            except OSError:  # the terminal's other end is closed: all read
                break
            if not chunk:
                break
            seen += chunk
    finally:
        os.close(primary)
    assert code == 0
    assert "导出审计链".encode() in seen


def test_an_event_recorded_in_another_time_zone_verifies(rt: Runtime) -> None:
    beijing = timezone(timedelta(hours=8))
    with rt.unit_of_work() as ctx:
        head = record(
            ctx.session,
            Change(None, "系统", "test.tz", "test", "1", None, {"n": 1}),
            at=datetime(2018, 5, 10, 9, 0, tzinfo=beijing),
        )
    with rt.sessions() as s:
        assert verify_chain(s).ok
        event = s.scalars(select(AuditEvent).where(AuditEvent.seq == head.seq)).one()
    assert event.at == datetime(2018, 5, 10, 1, 0, tzinfo=UTC)
    line = json.dumps({"at": event.at.isoformat()})
    assert "+00:00" in line
