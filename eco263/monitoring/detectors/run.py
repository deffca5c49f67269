"""Partition-by-point orchestration: read a long-form file, run :func:`detect_point` per point.

Detectors look at one point at a time (DESIGN.md: "detectors run per monitoring point, so history
scans partition by point onto a Dask cluster"), so the only hard part is getting each point's
rows together without loading the whole input:

* a Parquet file already ordered by ``mn`` (how an export by point, and ``bench/detect_scale``,
  write it) is cut at row-group boundaries that do not split a point — no copy at all, each task
  reads its own row groups;
* anything else (CSV of any size, unordered Parquet) is *streamed* in batches, normalised, and
  spilled into ``n`` bucket files by a hash of ``mn``; each bucket is then a task.  Memory stays
  at one batch plus one bucket, which is what makes a 5 GB CSV possible.

Tasks run in-process, on a local Dask cluster (``workers``), or on an existing cluster
(``scheduler`` address — the workers then need the same files, e.g. a shared disk).  Everything
a task needs is plain data, so nothing here depends on where it runs.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import logging
import os
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from eco263.monitoring.detectors import detect_point
from eco263.monitoring.detectors.base import DetectorConfig, Limit
from eco263.monitoring.detectors.episodes import counts, episodes
from eco263.monitoring.detectors.reading import (
    InputError,
    Issues,
    LimitsTable,
    _is_parquet,
    _stream,
    limits_for,
    normalise,
    read_limits,
)
from eco263.monitoring.detectors.schedule import ScheduleBook

__all__ = [
    "InputError",
    "LimitsTable",
    "Report",
    "detect_file",
    "read_limits",
]

BIG_INPUT_ROWS = 5_000_000
TARGET_TASK_ROWS = 2_000_000


@dataclass
class Report:
    points: int = 0
    alarms: int = 0
    by_rule: dict[str, int] = field(default_factory=dict)
    rule_alarms: int = 0
    issues: Issues = field(default_factory=Issues)
    tasks: int = 0
    mode: str = "local"


# ---------------------------------------------------------------------------------- tasks


@dataclass(frozen=True)
class Task:
    """A unit of work holding whole points: a Parquet file and optionally some row groups."""

    path: str
    row_groups: tuple[int, ...] | None
    rows: int
    normalised: bool


def _sorted_plan(path: Path) -> list[Task] | None:
    """Row-group tasks when the Parquet file is ordered by ``mn`` (checked on statistics)."""
    try:
        pf = pq.ParquetFile(path)
    except (pa.ArrowInvalid, OSError):
        return None
    md = pf.metadata
    names = pf.schema_arrow.names
    lower = [n.lower() for n in names]
    if "mn" not in lower or md.num_row_groups == 0:
        return None
    ci = lower.index("mn")
    bounds: list[tuple[str, str, int]] = []
    for i in range(md.num_row_groups):
        rg = md.row_group(i)
        st = rg.column(ci).statistics
        if st is None or not st.has_min_max:
            return None
        bounds.append((str(st.min), str(st.max), rg.num_rows))
    for (_, prev_max, _), (cur_min, _, _) in itertools.pairwise(bounds):
        if cur_min < prev_max:
            return None
    tasks: list[Task] = []
    group: list[int] = []
    rows = 0
    for i, (mn_min, _, n) in enumerate(bounds):
        if group and rows >= TARGET_TASK_ROWS and mn_min != bounds[i - 1][1]:
            tasks.append(Task(str(path), tuple(group), rows, normalised=False))
            group, rows = [], 0
        group.append(i)
        rows += n
    if group:
        tasks.append(Task(str(path), tuple(group), rows, normalised=False))
    return tasks


def _bucket(mn: pd.Series, n: int) -> np.ndarray:
    codes, uniq = pd.factorize(mn)
    hashes = np.array(
        [
            int.from_bytes(hashlib.blake2b(str(u).encode(), digest_size=4).digest(), "little") % n
            for u in uniq
        ],
        dtype=np.int64,
    )
    return np.asarray(hashes[codes])


def _spill_plan(
    path: Path, workdir: Path, config: DetectorConfig, buckets: int, on_rows: Callable[[int], None]
) -> tuple[list[Task], Issues]:
    """Stream the input into ``buckets`` Parquet files partitioned by a hash of ``mn``."""
    issues = Issues()
    writers: dict[int, pq.ParquetWriter] = {}
    counts = dict.fromkeys(range(buckets), 0)
    schema: pa.Schema | None = None
    try:
        for raw in _stream(path):
            df, iss = normalise(raw, config.timezone)
            issues.add(iss)
            on_rows(raw.num_rows)
            if df.empty:
                continue
            b = _bucket(df["mn"], buckets)
            for k in np.unique(b).tolist():
                part = pa.Table.from_pandas(df[b == k], preserve_index=False)
                if schema is None:
                    schema = part.schema
                part = part.select(schema.names).cast(schema)
                if k not in writers:
                    writers[k] = pq.ParquetWriter(workdir / f"bucket-{k:04d}.parquet", schema)
                writers[k].write_table(part)
                counts[k] += part.num_rows
    finally:
        for w in writers.values():
            w.close()
    tasks = [
        Task(str(workdir / f"bucket-{k:04d}.parquet"), None, counts[k], normalised=True)
        for k in sorted(writers)
    ]
    return tasks, issues


def run_task(
    task: Task,
    limits: LimitsTable,
    rules: Sequence[str],
    config: DetectorConfig,
    schedules: ScheduleBook | None = None,
) -> tuple[list[dict[str, Any]], Issues, int]:
    """Read one task's rows, group by point, detect, merge each point's alarms into
    episodes (one JSON record each). Runs anywhere (pure but for reading)."""
    book = schedules or ScheduleBook()
    pf = pq.ParquetFile(task.path)
    table = pf.read_row_groups(list(task.row_groups)) if task.row_groups is not None else pf.read()
    if task.normalised:
        df, issues = table.to_pandas(), Issues(rows_read=table.num_rows)
    else:
        df, issues = normalise(table, config.timezone)
    out: list[dict[str, Any]] = []
    points = 0
    if df.empty:
        return out, issues, 0
    for mn, frame in _points(df):
        points += 1
        alarms = detect_point(
            frame, limits_for(limits, mn), rules, config, mn=mn, schedule=book.for_point(mn)
        )
        out.extend(e.to_json() for e in episodes(alarms, config.episodes))
    return out, issues, points


def _points(df: pd.DataFrame) -> Iterator[tuple[str, pd.DataFrame]]:
    """Each point's rows as a slice (no copy) when a point's rows are contiguous — how the
    sorted plan hands them over — else after one stable sort by point (bucket files).
    Cheaper than ``groupby``, which sorts and copies every group."""
    col = df["mn"]
    if isinstance(col.dtype, pd.CategoricalDtype):
        codes = np.asarray(col.cat.codes.to_numpy(), dtype=np.int64)
        names = [str(c) for c in col.cat.categories]
    else:
        fcodes, uniq = pd.factorize(col)
        codes, names = np.asarray(fcodes, dtype=np.int64), [str(c) for c in uniq]
    change = np.flatnonzero(codes[1:] != codes[:-1]) + 1
    if change.size + 1 != np.unique(codes).size:  # some point's rows are not contiguous
        order = np.argsort(codes, kind="stable")
        df, codes = df.iloc[order], codes[order]
        change = np.flatnonzero(codes[1:] != codes[:-1]) + 1
    starts = np.r_[0, change].tolist()
    ends = np.r_[change, codes.size].tolist()
    for a, b in sorted(zip(starts, ends, strict=True), key=lambda ab: names[codes[ab[0]]]):
        if codes[a] < 0:
            continue  # missing MN (already counted and dropped by normalise)
        yield names[codes[a]], df.iloc[a:b]


# --------------------------------------------------------------------------- orchestration


def _executor(
    scheduler: str | None, workers: int | None, big: bool
) -> tuple[Any, Callable[[], None], str]:
    """A Dask client (remote, or a local cluster for big inputs) or None for in-process."""
    if not scheduler and not (workers or big):
        return None, lambda: None, "in-process"
    from dask.distributed import Client, LocalCluster

    for name in ("distributed", "distributed.scheduler", "distributed.nanny", "distributed.core"):
        logging.getLogger(name).setLevel(logging.ERROR)  # cluster chatter is not for users

    if scheduler:
        client = Client(scheduler, timeout="20s")  # type: ignore[no-untyped-call]
        return client, client.close, f"dask {scheduler}"
    n = workers or max(1, min(2, os.cpu_count() or 1))
    cluster = LocalCluster(  # type: ignore[no-untyped-call]
        n_workers=n, threads_per_worker=1, processes=True, dashboard_address=":0", silence_logs=50
    )
    client = Client(cluster)  # type: ignore[no-untyped-call]

    def close() -> None:
        client.close()  # type: ignore[no-untyped-call]
        cluster.close()

    return client, close, f"dask local ×{n}"


def detect_file(
    input_path: Path,
    output_path: Path,
    *,
    limits: LimitsTable,
    rules: Sequence[str],
    config: DetectorConfig,
    schedules: ScheduleBook | None = None,
    scheduler: str | None = None,
    workers: int | None = None,
    workdir: Path | None = None,
    on_progress: Callable[[str, int, int], None] | None = None,
) -> Report:
    """Detect over a whole file and write JSON lines; returns counts for the summary."""
    if not input_path.exists():
        raise InputError(f"输入文件不存在：{input_path}")
    if input_path.stat().st_size == 0:
        raise InputError(f"输入文件为空：{input_path}")
    progress = on_progress or (lambda _stage, _done, _total: None)
    report = Report()
    size = input_path.stat().st_size
    with tempfile.TemporaryDirectory(prefix="eco263-detect-", dir=workdir) as tmp:
        tasks = _sorted_plan(input_path) if _is_parquet(input_path) else None
        if tasks is None:
            buckets = max(1, min(256, size // (64 << 20) + 1))
            read = [0]

            def on_rows(n: int) -> None:
                read[0] += n
                progress("read", read[0], 0)

            tasks, issues = _spill_plan(input_path, Path(tmp), config, int(buckets), on_rows)
            report.issues.add(issues)
        total_rows = sum(t.rows for t in tasks)
        if total_rows == 0 and report.issues.rows_read == 0:
            raise InputError(f"输入文件没有数据行：{input_path}")
        report.tasks = len(tasks)
        client, close, report.mode = _executor(scheduler, workers, total_rows > BIG_INPUT_ROWS)
        results: list[dict[str, Any]] = []
        done = 0
        try:
            if client is None:
                for task in tasks:
                    alarms, iss, pts = run_task(task, limits, rules, config, schedules)
                    done += task.rows
                    _collect(report, results, alarms, iss, pts, task.normalised)
                    progress("detect", done, total_rows)
            else:
                from dask.distributed import as_completed

                futures = client.map(
                    run_task,
                    tasks,
                    limits=limits,
                    rules=tuple(rules),
                    config=config,
                    schedules=schedules,
                    pure=False,
                )
                rows_of = {f.key: t.rows for f, t in zip(futures, tasks, strict=True)}
                norm_of = {f.key: t.normalised for f, t in zip(futures, tasks, strict=True)}
                for fut in as_completed(futures):  # type: ignore[no-untyped-call]
                    alarms, iss, pts = fut.result()
                    done += rows_of[fut.key]
                    _collect(report, results, alarms, iss, pts, norm_of[fut.key])
                    progress("detect", done, total_rows)
        finally:
            close()
    results.sort(key=lambda a: (a["mn"], a["start"], a["pollutant"], a["rule"]))
    tmp_out = output_path.with_name(output_path.name + ".part")
    with tmp_out.open("w", encoding="utf-8") as fh:
        for a in results:
            fh.write(json.dumps(a, ensure_ascii=False) + "\n")
    tmp_out.replace(output_path)
    report.alarms = len(results)
    report.rule_alarms = sum(int(a["alarms"]) for a in results)
    report.by_rule = counts(results)
    return report


def _collect(
    report: Report,
    results: list[dict[str, Any]],
    alarms: list[dict[str, Any]],
    issues: Issues,
    points: int,
    already_counted: bool,
) -> None:
    results.extend(alarms)
    report.points += points
    if not already_counted:
        report.issues.add(issues)


def frame_to_limits(rows: Mapping[str, Mapping[str, Limit]]) -> LimitsTable:
    return {mn: dict(v) for mn, v in rows.items()}
