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
import math
import os
import re
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from eco263.monitoring.detectors import detect_point
from eco263.monitoring.detectors.base import DetectorConfig, Limit

__all__ = [
    "InputError",
    "LimitsTable",
    "Report",
    "detect_file",
    "read_limits",
]

REQUIRED = ("mn", "time", "pollutant", "value")
OPTIONAL = ("flag", "cn", "received")
KNOWN_CODE = re.compile(r"^(w\d{5}|a\d{5}|[eg]\d{5}|i1\d{4}|L[A-Za-z0-9]{1,4})$")
SANE_CODE = re.compile(r"^[A-Za-z0-9_.\-]{1,32}$")
OFFSET_RE = r"(Z|z|[+-]\d{2}(:?\d{2})?)$"
BIG_INPUT_ROWS = 5_000_000
TARGET_TASK_ROWS = 2_000_000
CSV_BLOCK_BYTES = 32 << 20

LimitsTable = dict[str, dict[str, Limit]]


class InputError(ValueError):
    """The input cannot be analysed; the message (Chinese) says why and what to fix."""


@dataclass
class Issues:
    """Rows dropped or doubtful while reading, reported to the user, never fatal."""

    rows_read: int = 0
    bad_time: int = 0
    no_mn: int = 0
    bad_code: int = 0
    unknown_codes: set[str] = field(default_factory=set)

    def add(self, other: Issues) -> None:
        self.rows_read += other.rows_read
        self.bad_time += other.bad_time
        self.no_mn += other.no_mn
        self.bad_code += other.bad_code
        self.unknown_codes |= other.unknown_codes


@dataclass
class Report:
    points: int = 0
    alarms: int = 0
    by_rule: dict[str, int] = field(default_factory=dict)
    issues: Issues = field(default_factory=Issues)
    tasks: int = 0
    mode: str = "local"


# ----------------------------------------------------------------------------------- limits


def read_limits(path: Path | None) -> LimitsTable:
    """Limits CSV ``mn, pollutant, limit, unit`` (+ optional ``standard``, ``basis``).

    ``mn`` ``*`` (or empty) applies to every point without its own row.
    """
    if path is None:
        return {}
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise InputError(f"无法读取限值文件 {path}：{exc}") from exc
    missing = [c for c in ("mn", "pollutant", "limit") if c not in df.columns]
    if missing:
        raise InputError(
            f"限值文件 {path} 缺少列：{'、'.join(missing)}（需要 mn, pollutant, limit, unit）"
        )
    out: LimitsTable = {}
    for i, row in enumerate(df.to_dict("records"), start=2):
        try:
            value = float(row["limit"])
        except ValueError as exc:
            raise InputError(f"限值文件 {path} 第 {i} 行的限值不是数字：{row['limit']!r}") from exc
        if not math.isfinite(value) or value <= 0:
            raise InputError(f"限值文件 {path} 第 {i} 行的限值应为正数：{row['limit']!r}")
        basis = (row.get("basis") or "both").strip() or "both"
        if basis not in ("hour", "day", "both"):
            raise InputError(f"限值文件 {path} 第 {i} 行的 basis 应为 hour/day/both：{basis!r}")
        mn = (row["mn"] or "*").strip() or "*"
        pol = row["pollutant"].strip()
        out.setdefault(mn, {})[pol] = Limit(
            pol,
            value,
            (row.get("unit") or "").strip(),
            (row.get("standard") or "").strip(),
            basis,  # type: ignore[arg-type]
        )
    return out


def limits_for(table: LimitsTable, mn: str) -> dict[str, Limit]:
    return {**table.get("*", {}), **table.get(mn, {})}


# ------------------------------------------------------------------------------- reading


def _parse_times(col: pa.ChunkedArray | pa.Array, timezone: str) -> pa.Array:
    """ISO 8601 strings (offset or not, mixed) or timestamps → timestamp[us, UTC]; bad → null."""
    arr = col.combine_chunks() if isinstance(col, pa.ChunkedArray) else col
    if pa.types.is_timestamp(arr.type):
        if arr.type.tz is None:
            arr = pc.assume_timezone(arr, timezone, ambiguous="earliest", nonexistent="earliest")
        return arr.cast(pa.timestamp("us", tz="UTC"))
    if pa.types.is_date(arr.type):
        return _parse_times(arr.cast(pa.timestamp("us")), timezone)
    arr = arr.cast(pa.string())
    arr = pc.utf8_trim_whitespace(arr)
    has_off = pc.fill_null(pc.match_substring_regex(arr, OFFSET_RE), False)
    out = np.full(len(arr), np.iinfo(np.int64).min, dtype=np.int64)
    for offset in (True, False):
        mask = np.asarray(has_off.to_numpy(zero_copy_only=False)) == offset
        if not mask.any():
            continue
        part = arr.filter(pa.array(mask))
        try:
            ts = pc.cast(part, pa.timestamp("us", tz="UTC") if offset else pa.timestamp("us"))
            if not offset:
                ts = pc.assume_timezone(ts, timezone, ambiguous="earliest", nonexistent="earliest")
            vals = ts.cast(pa.int64()).to_numpy(zero_copy_only=False)
            vals = np.where(pd.isna(vals), np.iinfo(np.int64).min, vals)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            ser = pd.to_datetime(
                pd.Series(part.to_pylist(), dtype=object),
                format="ISO8601",
                errors="coerce",
                utc=offset,
            )
            if not offset:
                ser = ser.dt.tz_localize(timezone, ambiguous="NaT", nonexistent="NaT")
            ser = ser.dt.tz_convert("UTC").dt.tz_localize(None).astype("datetime64[us]")
            vals = ser.to_numpy().astype(np.int64)
        out[mask] = vals
    valid = out != np.iinfo(np.int64).min
    return pa.array(out, type=pa.int64(), mask=~valid).cast(pa.timestamp("us", tz="UTC"))


def _dictionary(col: pa.ChunkedArray | pa.Array) -> pa.DictionaryArray:
    arr = col.combine_chunks() if isinstance(col, pa.ChunkedArray) else col
    if not pa.types.is_dictionary(arr.type):
        arr = pc.dictionary_encode(arr.cast(pa.string()))
    return arr


def _dict_strings(
    col: pa.ChunkedArray | pa.Array, fn: Callable[[pa.Array], pa.Array]
) -> pa.DictionaryArray:
    """Apply a string function to the (few) distinct values only, not to every row."""
    arr = _dictionary(col)
    values = fn(arr.dictionary.cast(pa.string()))
    return pa.DictionaryArray.from_arrays(arr.indices, values)


def _dict_test(col: pa.ChunkedArray | pa.Array, fn: Callable[[pa.Array], pa.Array]) -> pa.Array:
    """A per-row boolean computed on the distinct values (null rows → False)."""
    arr = _dictionary(col)
    per_value = fn(arr.dictionary.cast(pa.string()))
    return pc.fill_null(pc.take(per_value, arr.indices), False)


def _flag_letter(a: pa.Array) -> pa.Array:
    flag = pc.utf8_slice_codeunits(pc.utf8_upper(pc.utf8_trim_whitespace(a)), 0, 1)
    return pc.if_else(pc.equal(pc.fill_null(flag, ""), ""), "N", flag)


def normalise(table: pa.Table, timezone: str) -> tuple[pd.DataFrame, Issues]:
    """Check and type one batch of the long-form input; drop only unusable rows (counted)."""
    names = {c.lower().strip(): c for c in table.column_names}
    missing = [c for c in REQUIRED if c not in names]
    if missing:
        raise InputError(
            f"输入缺少列：{'、'.join(missing)}"
            "（需要 mn, time, pollutant, value，可选 flag, cn, received）"
        )
    issues = Issues(rows_read=table.num_rows)
    cols: dict[str, Any] = {}
    cols["time"] = _parse_times(table[names["time"]], timezone)
    mn = _dict_strings(table[names["mn"]], pc.utf8_trim_whitespace)
    pol = _dict_strings(table[names["pollutant"]], pc.utf8_trim_whitespace)
    value = table[names["value"]]
    if not pa.types.is_floating(value.type):
        value = pc.cast(
            pc.if_else(
                pc.match_substring_regex(
                    value.cast(pa.string()), r"^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$"
                ),
                value.cast(pa.string()),
                pa.scalar(None, pa.string()),
            ),
            pa.float64(),
        )
    cols["mn"], cols["pollutant"], cols["value"] = mn, pol, value.cast(pa.float64())
    if "flag" in names:
        cols["flag"] = _dict_strings(table[names["flag"]], _flag_letter)
    if "cn" in names:
        cols["cn"] = _dict_strings(
            table[names["cn"]], lambda a: pc.fill_null(pc.utf8_trim_whitespace(a), "2051")
        )
    if "received" in names:
        cols["received"] = _parse_times(table[names["received"]], timezone)
    out = pa.table(cols)
    ok_time = pc.is_valid(out["time"])
    ok_mn = _dict_test(out["mn"], lambda a: pc.not_equal(pc.fill_null(a, ""), ""))
    ok_code = _dict_test(
        out["pollutant"],
        lambda a: pc.fill_null(pc.match_substring_regex(a, SANE_CODE.pattern), False),
    )
    issues.bad_time = int(len(out) - pc.sum(ok_time).as_py()) if len(out) else 0
    issues.no_mn = int(len(out) - (pc.sum(ok_mn).as_py() or 0)) if len(out) else 0
    issues.bad_code = int(len(out) - (pc.sum(ok_code).as_py() or 0)) if len(out) else 0
    keep = pc.and_(pc.and_(ok_time, ok_mn), ok_code)
    out = out.filter(keep)
    codes = (
        pc.unique(out["pollutant"].combine_chunks().dictionary_decode()).to_pylist()
        if len(out)
        else []
    )
    issues.unknown_codes = {str(c) for c in codes if not KNOWN_CODE.match(str(c))}
    df = out.to_pandas()
    return df, issues


def _is_parquet(path: Path) -> bool:
    if path.suffix.lower() in (".parquet", ".pq"):
        return True
    try:
        with path.open("rb") as fh:
            return fh.read(4) == b"PAR1"
    except OSError:
        return False


def _stream(path: Path, batch_rows: int = 1_000_000) -> Iterator[pa.Table]:
    """Batches of the raw input, never the whole file."""
    if _is_parquet(path):
        try:
            pf = pq.ParquetFile(path)
        except (pa.ArrowInvalid, OSError) as exc:
            raise InputError(f"无法读取 Parquet 文件 {path}：{exc}") from exc
        for batch in pf.iter_batches(batch_size=batch_rows):
            yield pa.Table.from_batches([batch])
        return
    convert = pacsv.ConvertOptions(
        column_types={
            c: pa.string() for c in ("mn", "time", "pollutant", "flag", "cn", "received", "value")
        },
        strings_can_be_null=True,
    )
    try:
        reader = pacsv.open_csv(
            path,
            read_options=pacsv.ReadOptions(block_size=CSV_BLOCK_BYTES),
            parse_options=pacsv.ParseOptions(newlines_in_values=False),
            convert_options=convert,
        )
    except pa.ArrowInvalid as exc:
        if "Empty CSV file" in str(exc):
            return
        raise InputError(f"无法读取 CSV 文件 {path}：{exc}") from exc
    except OSError as exc:
        raise InputError(f"无法打开输入文件 {path}：{exc}") from exc
    try:
        for batch in reader:
            yield pa.Table.from_batches([batch])
    except pa.ArrowInvalid as exc:
        raise InputError(f"CSV 文件 {path} 格式错误：{exc}") from exc


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
    task: Task, limits: LimitsTable, rules: Sequence[str], config: DetectorConfig
) -> tuple[list[dict[str, Any]], Issues, int]:
    """Read one task's rows, group by point, detect. Runs anywhere (pure but for reading)."""
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
        alarms = detect_point(frame, limits_for(limits, mn), rules, config, mn=mn)
        out.extend(a.to_json() for a in alarms)
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
                    alarms, iss, pts = run_task(task, limits, rules, config)
                    done += task.rows
                    _collect(report, results, alarms, iss, pts, task.normalised)
                    progress("detect", done, total_rows)
            else:
                from dask.distributed import as_completed

                futures = client.map(
                    run_task, tasks, limits=limits, rules=tuple(rules), config=config, pure=False
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
    for a in results:
        report.by_rule[a["rule"]] = report.by_rule.get(a["rule"], 0) + 1
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
