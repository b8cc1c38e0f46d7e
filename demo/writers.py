"""Turning typed tables into the files a county really sends: title rows, header synonyms,
mixed date styles, totals and blank rows, hidden sheets, GB18030 or UTF-8 with BOM.

Columns are rendered chunk by chunk with numpy (so a csv of millions of rows stays fast); the
messy cells are a sparse set of per-cell overrides on top of the rendered columns. Nothing the
size of a whole column is made while writing: a chunk is read from the frame (category codes
looked up, Arrow text converted, dates cast) only when it is rendered, so a roster of tens of
millions of rows is written in the memory of one chunk.
"""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import xlsxwriter

FIXED_CREATED = datetime(2026, 11, 20, 8, 0, 0)  # workbook metadata: never the clock
CHUNK = 50_000
FULLWIDTH = str.maketrans(
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ()",
    "０１２３４５６７８９ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺ（）",
)
EXCEL_EPOCH = np.datetime64("1899-12-30", "D")
_CN_MONTHS = np.array([f"年{m}月" for m in range(1, 13)])
_CN_DAYS = np.array([f"{d}日" for d in range(1, 32)])
DATE_STYLES = ["iso", "slash", "dot", "compact", "cn", "native", "serial"]
MONTH_STYLES = ["month_dot", "month_dash", "month_cn"]
TEXT_KINDS = ("text", "id", "lead")  # a missing value is written as an empty cell

Reader = Callable[[int, int], np.ndarray]  # rows i0:i1 of one column


@dataclass
class Col:
    header: str
    key: str | None = None  # frame column; None for 序号 or a column outside the contract
    kind: str = "text"  # text | date | int | num | id | seq | extra | lead
    style: str = "iso"  # base date style of the column
    month_ok: bool = False  # month-precision dates allowed (e.g. 参加工作时间)
    extra: tuple[str, ...] = ()  # values of an extra (non-contract) column


@dataclass
class Sheet:
    name: str
    cols: list[Col] = field(default_factory=list)
    frame: pd.DataFrame | None = None
    titles: list[str] = field(default_factory=list)
    overrides: dict[tuple[int, int], object] = field(default_factory=dict)
    extra_rows: dict[int, list[tuple[str, list[object]]]] = field(default_factory=dict)
    hidden: bool = False
    plain_rows: list[list[object]] | None = None  # a sheet that is not a data table


@dataclass
class Written:
    """What writing one data sheet produced (for the summary)."""

    rows: int = 0
    blank: int = 0
    totals: int = 0
    errors: list[dict[str, object]] = field(default_factory=list)
    header_row: int = 0


# ---- cell rendering -----------------------------------------------------------------------
def fmt_date(d: date | None, style: str, fmt: str) -> object:
    """One date in a style; native/serial become typed cells in xlsx, text in csv."""
    if d is None or pd.isna(d):
        return None
    if style == "native":
        return d if fmt == "xlsx" else d.isoformat()
    if style == "serial":
        n = (np.datetime64(d, "D") - EXCEL_EPOCH).astype(int)
        return int(n) if fmt == "xlsx" else str(int(n))
    y, m, dd = d.year, d.month, d.day
    return {
        "iso": f"{y:04d}-{m:02d}-{dd:02d}",
        "slash": f"{y:04d}/{m:02d}/{dd:02d}",
        "dot": f"{y:04d}.{m:02d}.{dd:02d}",
        "compact": f"{y:04d}{m:02d}{dd:02d}",
        "cn": f"{y}年{m}月{dd}日",
        "month_dot": f"{y:04d}.{m:02d}",
        "month_dash": f"{y:04d}-{m:02d}",
        "month_cn": f"{y}年{m}月",
    }[style]


def render_dates(values: np.ndarray, style: str, fmt: str) -> list[object]:
    """A column chunk of datetime64[D] values in one style (vectorised)."""
    v = values.astype("datetime64[D]")
    nat = np.isnat(v)
    if style == "native" and fmt == "xlsx":
        out = v.astype(object)
        return [None if n else x for x, n in zip(out.tolist(), nat.tolist(), strict=True)]
    if style == "serial":
        num = (v - EXCEL_EPOCH).astype(np.int64)
        if fmt == "xlsx":
            return [None if n else int(x) for x, n in zip(num.tolist(), nat.tolist(), strict=True)]
        s = num.astype(str)
    else:
        iso = np.datetime_as_string(v, unit="D")
        if style in ("iso", "native"):
            s = iso
        elif style == "slash":
            s = np.char.replace(iso, "-", "/")
        elif style == "dot":
            s = np.char.replace(iso, "-", ".")
        elif style == "compact":
            s = np.char.replace(iso, "-", "")
        elif style == "month_dot":
            s = np.char.replace(np.char.ljust(iso, 7).astype("U7"), "-", ".")
        elif style == "month_dash":
            s = iso.astype("U7")
        else:  # cn and month_cn: unpadded month and day
            safe = np.where(nat, np.datetime64("2000-01-01"), v)
            month = safe.astype("datetime64[M]").astype(np.int64) % 12
            day = (safe - safe.astype("datetime64[M]")).astype(np.int64)
            s = np.char.add(iso.astype("U4"), _CN_MONTHS[month])
            if style == "cn":
                s = np.char.add(s, _CN_DAYS[day])
    out = s.astype(object)
    out[nat] = None if fmt == "xlsx" else ""
    return out.tolist()


def column_readers(sheet: Sheet) -> dict[str, Reader]:
    """Every contract column of the sheet as a function reading rows i0:i1 into numpy (object
    text and numbers, or datetime64[D]). Text keeps pandas' types until read: converting a
    whole column to Python objects at once would cost 8 bytes a row and a str per row."""
    frame = sheet.frame
    assert frame is not None
    out: dict[str, Reader] = {}
    for c in sheet.cols:
        if c.key and c.key not in out:
            out[c.key] = _reader(frame[c.key], c.kind)
    return out


def _reader(s: pd.Series, kind: str) -> Reader:
    if kind == "date":
        dates = (s if pd.api.types.is_datetime64_dtype(s.dtype) else pd.to_datetime(s)).to_numpy()
        return lambda i0, i1: dates[i0:i1].astype("datetime64[D]")
    text = kind in TEXT_KINDS
    if isinstance(s.dtype, pd.CategoricalDtype):
        cats = s.cat.categories
        lookup = np.empty(len(cats) + 1, dtype=object)  # code -1 (missing) reads the last
        lookup[:-1] = cats.to_numpy(dtype=object)
        lookup[-1] = "" if text else None
        codes = s.cat.codes.to_numpy()
        return lambda i0, i1: lookup[codes[i0:i1]]
    whole = s.to_numpy() if s.dtype == object else None  # a view, not a copy

    def read(i0: int, i1: int) -> np.ndarray:
        arr = whole[i0:i1] if whole is not None else s.iloc[i0:i1].to_numpy(dtype=object)
        if text:
            missing = pd.isna(arr)
            if missing.any():
                arr = arr.copy()
                arr[missing] = ""
        return arr

    return read


def render_column(col: Col, values: np.ndarray | None, i0: int, i1: int, fmt: str) -> list[object]:
    """Rows i0:i1 of one column as cells; `values` are those rows of its frame column."""
    n = i1 - i0
    if col.kind == "seq":
        return (
            list(range(i0 + 1, i1 + 1))
            if fmt == "xlsx"
            else [str(i) for i in range(i0 + 1, i1 + 1)]
        )
    if col.kind == "extra":
        if not col.extra:
            return [None if fmt == "xlsx" else ""] * n
        return [col.extra[i % len(col.extra)] for i in range(i0, i1)]
    assert values is not None
    if col.kind == "date":
        style = col.style
        if fmt == "csv" and style == "native":
            style = "iso"
        return render_dates(values, style, fmt)
    if col.kind in ("int", "num"):
        out = []
        for v in values.tolist():
            if v is None or (isinstance(v, float) and np.isnan(v)):
                out.append(None if fmt == "xlsx" else "")
            elif isinstance(v, str):
                out.append(v)
            elif fmt == "xlsx":
                out.append(v)
            else:
                out.append(str(v))
        return out
    if col.kind == "lead":  # leadership: blank means 无
        return ["" if v == "无" else v for v in values.tolist()]
    return values.tolist()  # missing text was made "" by the reader


# ---- rows ---------------------------------------------------------------------------------
def iter_chunks(sheet: Sheet, fmt: str, out: Written) -> Iterator[list[list[object]] | ColumnChunk]:
    """Lists of rows: the title rows and the header, then data rows (rendered a chunk at a
    time) with the blank/totals rows spliced in before the frame row they are keyed by."""
    width = len(sheet.cols)
    head: list[list[object]] = [[t] + [None] * (width - 1) for t in sheet.titles]
    out.header_row = len(sheet.titles) + 1
    head.append([c.header for c in sheet.cols])
    yield head
    frame = sheet.frame
    assert frame is not None
    n = len(frame)
    readers = column_readers(sheet)
    positions = sorted(sheet.extra_rows)
    extra_at = np.array([p for p in positions for _ in sheet.extra_rows[p]], dtype=np.int64)
    if "_error" in frame.columns:
        errors = frame["_error"]
        for i in np.flatnonzero((errors != "").to_numpy()):
            before = int(np.searchsorted(extra_at, i, side="right"))  # extra rows above it
            out.errors.append(
                {"row_number": int(out.header_row + i + 1 + before), "reason": str(errors.iat[i])}
            )
    by_chunk: dict[int, list[tuple[int, int, object]]] = {}
    for (r, c), v in sheet.overrides.items():
        by_chunk.setdefault(r // CHUNK, []).append((r, c, v))

    def extras(i: int) -> list[list[object]]:
        rows = []
        for kind, cells in sheet.extra_rows.get(i, []):
            out.rows += 1
            if kind == "blank":
                out.blank += 1
            else:
                out.totals += 1
            rows.append(cells + [None] * (width - len(cells)))
        return rows

    for i0 in range(0, n, CHUNK):
        i1 = min(i0 + CHUNK, n)
        values = {key: read(i0, i1) for key, read in readers.items()}
        cols = [render_column(c, values.get(c.key or ""), i0, i1, fmt) for c in sheet.cols]
        del values
        for r, c, v in by_chunk.get(i0 // CHUNK, []):
            cols[c][r - i0] = v
        cuts = [p for p in positions if i0 <= p < i1]
        start = i0
        for p in cuts + [i1]:
            if p > start:
                out.rows += p - start
                yield ColumnChunk([c[start - i0 : p - i0] for c in cols])
            if p < i1:
                yield extras(p)
            start = p
    yield extras(n)


@dataclass
class ColumnChunk:
    """Consecutive data rows, still as columns (the csv writer joins them without a loop)."""

    cols: list[list[object]]

    def rows(self) -> Iterator[tuple[object, ...]]:
        return zip(*self.cols, strict=True)


def iter_rows(sheet: Sheet, fmt: str, out: Written) -> Iterator[Sequence[object]]:
    for chunk in iter_chunks(sheet, fmt, out):
        yield from (chunk.rows() if isinstance(chunk, ColumnChunk) else chunk)


# ---- writers ------------------------------------------------------------------------------
def write_xlsx(path: Path, sheets: list[Sheet], data_sheet: str) -> Written:
    big = sum(len(s.frame) for s in sheets if s.frame is not None) > 100_000
    wb = xlsxwriter.Workbook(
        str(path),
        {
            "strings_to_numbers": False,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "constant_memory": big,
        },
    )
    wb.set_properties(
        {
            "title": path.stem,
            "author": "清溪县委编办",
            "company": "清溪县",
            "created": FIXED_CREATED,
        }
    )
    date_formats = [
        wb.add_format({"num_format": f}) for f in ("yyyy-mm-dd", "yyyy/m/d", 'yyyy"年"m"月"d"日"')
    ]
    title_fmt = wb.add_format({"bold": True, "align": "center"})
    result = Written()
    for sheet in sheets:
        ws = wb.add_worksheet(sheet.name)
        if sheet.hidden:
            ws.hide()
        if sheet.plain_rows is not None:
            for r, cells in enumerate(sheet.plain_rows):
                _write_cells(ws, r, cells, date_formats[0])
            continue
        written = Written()
        dfmt = date_formats[len(sheet.name) % len(date_formats)]
        for r, cells in enumerate(iter_rows(sheet, "xlsx", written)):
            if r == 0 and sheet.titles and len(sheet.cols) > 1 and not big:
                ws.merge_range(0, 0, 0, len(sheet.cols) - 1, cells[0], title_fmt)
                continue
            _write_cells(ws, r, cells, dfmt)
        if sheet.name == data_sheet:
            result = written
    wb.close()
    return result


def _write_cells(ws: object, r: int, cells: list[object], dfmt: object) -> None:
    for c, v in enumerate(cells):
        if v is None or v == "":
            continue
        t = type(v)
        if t is str:
            ws.write_string(r, c, v)  # type: ignore[attr-defined]
        elif t is date:
            ws.write_datetime(r, c, v, dfmt)  # type: ignore[attr-defined]
        elif t is int or t is float:
            ws.write_number(r, c, v)  # type: ignore[attr-defined]
        else:
            raise TypeError(f"cell type {t!r}")


def write_csv(path: Path, sheet: Sheet, encoding: str, newline: str) -> Written:
    written = Written()
    with open(path, "w", encoding=encoding, newline="") as f:
        w = csv.writer(f, lineterminator=newline)
        for chunk in iter_chunks(sheet, "csv", written):
            if isinstance(chunk, ColumnChunk):
                lines = _plain_lines(chunk.cols, newline)
                if lines is not None:
                    f.write(lines)
                    continue
                w.writerows(chunk.rows())  # csv writes None as an empty field
            else:
                w.writerows(chunk)
    return written


def _plain_lines(cols: list[list[object]], newline: str) -> str | None:
    """The chunk as csv text when no field needs quoting (the common case), else None."""
    texts = []
    for col in cols:
        try:
            joined = "\x1f".join(col)  # type: ignore[arg-type]
        except TypeError:  # a None or a number: let the csv module handle the chunk
            return None
        if any(ch in joined for ch in ',"\r\n'):
            return None
        texts.append(col)
    return newline.join(map(",".join, zip(*texts, strict=True))) + newline


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()
