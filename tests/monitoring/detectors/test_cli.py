"""`eco263 detect` end to end, and the bad inputs of issue 4: a clear message or a correct
result, never a traceback."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import typer
from typer.testing import CliRunner

from eco263.monitoring.detect_cli import detect
from eco263.monitoring.detectors import reading
from eco263.monitoring.detectors import run as runmod

from .conftest import minute_frame

app = typer.Typer()
app.command()(detect)
runner = CliRunner()


def invoke(*args: str) -> tuple[int, str]:
    res = runner.invoke(app, list(args))
    assert res.exception is None or isinstance(res.exception, SystemExit), res.exception
    return res.exit_code, res.output


def alarms_of(path: Path) -> list[dict[str, Any]]:
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines()]


def tampered() -> pd.DataFrame:
    df = minute_frame(days=8)
    m = (df["pollutant"] == "w21003") & (
        df["time"] >= pd.Timestamp("2018-04-07", tz="Asia/Shanghai")
    )
    df.loc[m, "value"] = 0.32  # constant
    return df


def write_csv(df: pd.DataFrame, path: Path) -> Path:
    out = df.copy()
    out["time"] = (
        out["time"]
        .dt.strftime("%Y-%m-%dT%H:%M:%S%z")
        .str.replace(r"(\d\d)(\d\d)$", r"\1:\2", regex=True)
    )
    out.to_csv(path, index=False)
    return path


def test_detect_is_registered_in_the_main_cli() -> None:
    from eco263.cli import app as main_app

    names = {c.name for c in main_app.registered_commands}
    assert "detect" in names


def test_csv_to_json_lines(tmp_path: Path) -> None:
    src = write_csv(tampered(), tmp_path / "in.csv")
    limits = tmp_path / "limits.csv"
    limits.write_text(
        "mn,pollutant,limit,unit,standard\n*,w21003,8,mg/L,GB 21900-2008 表3\n", encoding="utf-8"
    )
    code, out = invoke(
        "--input", str(src), "--output", str(tmp_path / "a.jsonl"), "--limits", str(limits)
    )
    assert code == 0, out
    alarms = alarms_of(tmp_path / "a.jsonl")
    flat = [a for a in alarms if "flatline" in a["rules"]]
    assert flat and set(flat[0]) == {
        "mn",
        "pollutant",
        "category",
        "rule",
        "rules",
        "start",
        "end",
        "score",
        "detected_at",
        "alarms",
        "evidence",
        "by_rule",
    }
    assert set(flat[0]["by_rule"]) == set(flat[0]["rules"])
    assert flat[0]["category"] == "tamper" and flat[0]["start"].endswith("+08:00")
    assert "监测点 1 个" in out


def test_rules_option_and_unknown_rule(tmp_path: Path) -> None:
    src = write_csv(tampered(), tmp_path / "in.csv")
    code, _ = invoke("-i", str(src), "-o", str(tmp_path / "a.jsonl"), "--rules", "replay,clock")
    assert code == 0 and alarms_of(tmp_path / "a.jsonl") == []
    code, out = invoke(
        "-i", str(src), "-o", str(tmp_path / "b.jsonl"), "--rules", "flatline,nonsense"
    )
    assert code == 2 and "未知规则" in out and "nonsense" in out


def test_unsorted_duplicated_and_mixed_offsets_give_the_same_result(tmp_path: Path) -> None:
    df = tampered()
    write_csv(df, tmp_path / "clean.csv")
    invoke("-i", str(tmp_path / "clean.csv"), "-o", str(tmp_path / "clean.jsonl"))
    messy = df.sample(frac=1.0, random_state=1)  # unsorted
    messy = pd.concat([messy, messy.iloc[:500]])  # exact duplicates (a resend)
    path = write_csv(messy, tmp_path / "messy.csv")
    text = path.read_text(encoding="utf-8").splitlines()
    # a third of the rows in UTC ("Z"), a third without offset (local time by default)
    for i in range(1, len(text), 3):
        mn, t, rest = text[i].split(",", 2)
        ts = pd.Timestamp(t)
        text[i] = f"{mn},{ts.tz_convert('UTC').strftime('%Y-%m-%dT%H:%M:%SZ')},{rest}"
    for i in range(2, len(text), 3):
        mn, t, rest = text[i].split(",", 2)
        text[i] = f"{mn},{t[:19]},{rest}"
    path.write_text("\n".join(text) + "\n", encoding="utf-8")
    code, out = invoke("-i", str(path), "-o", str(tmp_path / "messy.jsonl"))
    assert code == 0, out
    assert alarms_of(tmp_path / "messy.jsonl") == alarms_of(tmp_path / "clean.jsonl")


def test_bad_values_and_codes_are_reported_not_fatal(tmp_path: Path) -> None:
    df = minute_frame(days=3, flow=False)
    df["value"] = df["value"].astype(object)
    df.loc[10:20, "value"] = np.nan
    df.loc[30:40, "value"] = -5.0
    df.loc[50:60, "value"] = 1e12
    df.loc[70, "value"] = "abc"
    df.loc[80:90, "pollutant"] = "ua19004"  # a vendor code: kept, with a notice
    df.loc[100:110, "pollutant"] = "bad code!"  # unusable: dropped, counted
    df.loc[120:125, "mn"] = ""
    path = write_csv(df, tmp_path / "bad.csv")
    text = path.read_text(encoding="utf-8").splitlines()
    text[200] = "88888880000000000001,not-a-time,w21003,1.0,N"
    path.write_text("\n".join(text) + "\n", encoding="utf-8")
    code, out = invoke("-i", str(path), "-o", str(tmp_path / "a.jsonl"))
    assert code == 0, out
    assert "1 行时间无法解析" in out
    assert "11 行污染物代码无效" in out
    assert "6 行缺少 mn" in out
    assert "ua19004" in out


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "输入文件为空"),
        ("mn,time,pollutant,value,flag\n", "没有数据行"),
        ("mn,time,value\n1,2018-04-01T00:00,1\n", "缺少列：pollutant"),
        ('a,b\n"unclosed,1\n', "CSV"),
    ],
)
def test_unusable_files_get_a_clear_message(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "in.csv"
    path.write_text(content, encoding="utf-8")
    code, out = invoke("-i", str(path), "-o", str(tmp_path / "a.jsonl"))
    assert code == 2 and message in out, out
    assert "Traceback" not in out


def test_missing_input_and_bad_limits(tmp_path: Path) -> None:
    code, out = invoke("-i", str(tmp_path / "nope.csv"), "-o", str(tmp_path / "a.jsonl"))
    assert code == 2 and "输入文件不存在" in out
    src = write_csv(minute_frame(days=1), tmp_path / "in.csv")
    lim = tmp_path / "limits.csv"
    lim.write_text("mn,pollutant,limit,unit\n*,w21003,abc,mg/L\n", encoding="utf-8")
    code, out = invoke("-i", str(src), "-o", str(tmp_path / "a.jsonl"), "--limits", str(lim))
    assert code == 2 and "限值不是数字" in out


def test_parquet_sorted_and_csv_agree(tmp_path: Path) -> None:
    df = pd.concat([tampered(), tampered().assign(mn="88888880000000000002")], ignore_index=True)
    df.sort_values(["mn", "time"]).to_parquet(tmp_path / "in.parquet", row_group_size=5000)
    write_csv(df, tmp_path / "in.csv")
    assert runmod._sorted_plan(tmp_path / "in.parquet") is not None  # read in place, no spill
    invoke("-i", str(tmp_path / "in.parquet"), "-o", str(tmp_path / "p.jsonl"))
    invoke("-i", str(tmp_path / "in.csv"), "-o", str(tmp_path / "c.jsonl"))
    p, c = alarms_of(tmp_path / "p.jsonl"), alarms_of(tmp_path / "c.jsonl")
    assert p == c and {a["mn"] for a in p} == {"88888880000000000001", "88888880000000000002"}


def test_large_csv_is_streamed_in_batches(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A CSV far larger than one read block goes through in batches into bucket files; the
    result equals the one from the whole frame (memory stays one batch + one bucket)."""
    frames = [
        minute_frame(days=6, seed=i, flow=False).assign(mn=f"8888888000000000{i:04d}")
        for i in range(6)
    ]
    df = pd.concat(frames, ignore_index=True)
    path = write_csv(df, tmp_path / "big.csv")
    batches: list[int] = []
    real = runmod._stream

    def spy(p: Path, batch_rows: int = 1_000_000) -> object:
        for b in real(p, batch_rows):
            batches.append(b.num_rows)
            yield b

    monkeypatch.setattr(runmod, "_stream", spy)
    monkeypatch.setattr(reading, "CSV_BLOCK_BYTES", 1 << 20)
    code, out = invoke("-i", str(path), "-o", str(tmp_path / "a.jsonl"))
    assert code == 0, out
    assert len(batches) >= 3 and max(batches) < len(df) / 2
    assert sum(batches) == len(df)
    assert "监测点 6 个" in out


def test_dask_local_cluster_gives_the_same_alarms(tmp_path: Path) -> None:
    df = pd.concat([tampered(), tampered().assign(mn="88888880000000000002")], ignore_index=True)
    df.sort_values(["mn", "time"]).to_parquet(tmp_path / "in.parquet", row_group_size=5000)
    invoke("-i", str(tmp_path / "in.parquet"), "-o", str(tmp_path / "seq.jsonl"))
    code, out = invoke(
        "-i", str(tmp_path / "in.parquet"), "-o", str(tmp_path / "dask.jsonl"), "--workers", "1"
    )
    assert code == 0 and "dask local" in " ".join(out.split()), out  # Rich wraps lines
    assert alarms_of(tmp_path / "dask.jsonl") == alarms_of(tmp_path / "seq.jsonl")


def test_progress_bar_on_a_large_csv(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 17: over the large-file threshold the bar is drawn, and the reading stage of a
    CSV has no total yet — formatting that None total crashed the command."""
    from rich.console import Console

    from eco263.monitoring import detect_cli

    src = write_csv(tampered(), tmp_path / "in.csv")
    monkeypatch.setattr(detect_cli, "LARGE_BYTES", src.stat().st_size // 2)
    monkeypatch.setattr(detect_cli, "err", Console(stderr=True, force_terminal=True, width=120))
    code, out = invoke("-i", str(src), "-o", str(tmp_path / "a.jsonl"))
    assert code == 0, out
    assert "内部错误" not in out
    assert "读取并分区" in out and "检测" in out and " 行" in out  # the bar was rendered
    assert any(a["rule"] == "flatline" for a in alarms_of(tmp_path / "a.jsonl"))


def test_real_command_with_the_bar_in_a_subprocess(tmp_path: Path) -> None:
    """The command a user types, in its own process and on a terminal-like stderr, with the
    large-file threshold lowered so that this small file takes the large-file path."""
    import os
    import subprocess
    import sys

    src = write_csv(tampered(), tmp_path / "in.csv")
    out = tmp_path / "a.jsonl"
    code = (
        "import sys; import eco263.monitoring.detect_cli as d; d.LARGE_BYTES = 1; "
        "from eco263.cli import app; sys.argv = ['eco263', *sys.argv[1:]]; app()"
    )
    env = {**os.environ, "TTY_COMPATIBLE": "1", "COLUMNS": "120"}
    res = subprocess.run(  # noqa: S603 - our own command
        [sys.executable, "-c", code, "detect", "-i", str(src), "-o", str(out)],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    assert res.returncode == 0, res.stderr
    text = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", res.stderr)
    assert "内部错误" not in text and "Traceback" not in text
    assert "读取并分区" in text and " 行" in text and "监测点 1 个" in text
    assert any(a["rule"] == "flatline" for a in alarms_of(out))
