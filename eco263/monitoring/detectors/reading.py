"""Reading a long-form input: the limits CSV, and batches of readings checked and typed.

Every problem with the input is either an :class:`InputError` (the input cannot be analysed;
the message, in Chinese, says what to fix) or counted in :class:`Issues` (rows dropped or
doubtful, reported to the user, never fatal).  Nothing here reads a whole file at once.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from eco263.monitoring.detectors.base import Limit

REQUIRED = ("mn", "time", "pollutant", "value")
OPTIONAL = ("flag", "cn", "received")
KNOWN_CODE = re.compile(r"^(w\d{5}|a\d{5}|[eg]\d{5}|i1\d{4}|L[A-Za-z0-9]{1,4})$")
SANE_CODE = re.compile(r"^[A-Za-z0-9_.\-]{1,32}$")
OFFSET_RE = r"(Z|z|[+-]\d{2}(:?\d{2})?)$"
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
