"""Turning typed tables into the files a county really sends: title rows, header synonyms,
mixed date styles, totals and blank rows, hidden sheets, GB18030 or UTF-8 with BOM.

Columns are rendered chunk by chunk with numpy (so a csv of millions of rows stays fast); the
messy cells are a sparse set of per-cell overrides on top of the rendered columns.
"""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import xlsxwriter

FIXED_CREATED = datetime(2026, 11, 20, 8, 0, 0)  # workbook metadata: never the clock
CHUNK = 50_000
FULLWIDTH = str.maketrans("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ()",
                          "０１２３４５６７８９ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺ（）")
EXCEL_EPOCH = np.datetime64("1899-12-30", "D")
DATE_STYLES = ["iso", "slash", "dot", "compact", "cn", "native", "serial"]
MONTH_STYLES = ["month_dot", "month_dash", "month_cn"]


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
        "iso": f"{y:04d}-{m:02d}-{dd:02d}", "slash": f"{y:04d}/{m:02d}/{dd:02d}",
        "dot": f"{y:04d}.{m:02d}.{dd:02d}", "compact": f"{y:04d}{m:02d}{dd:02d}",
        "cn": f"{y}年{m}月{dd}日", "month_dot": f"{y:04d}.{m:02d}",
        "month_dash": f"{y:04d}-{m:02d}", "month_cn": f"{y}年{m}月",
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
            return [None if n else int(x) for x, n in zip(num.tolist(), nat.tolist(),
                                                           strict=True)]
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
            y = iso.astype("U4")
            m = pd.Series(iso).str.slice(5, 7).str.lstrip("0").to_numpy(dtype=str)
            s = np.char.add(np.char.add(y, "年"), np.char.add(m, "月"))
            if style == "cn":
                d = pd.Series(iso).str.slice(8, 10).str.lstrip("0").to_numpy(dtype=str)
                s = np.char.add(s, np.char.add(d, "日"))
    out = s.astype(object)
    out[nat] = None
    return out.tolist()


def render_column(col: Col, frame: pd.DataFrame, i0: int, i1: int, fmt: str) -> list[object]:
    n = i1 - i0
    if col.kind == "seq":
        return list(range(i0 + 1, i1 + 1)) if fmt == "xlsx" else [str(i) for i in
                                                                   range(i0 + 1, i1 + 1)]
    if col.kind == "extra":
        if not col.extra:
            return [None] * n
        return [col.extra[i % len(col.extra)] for i in range(i0, i1)]
    values = frame[col.key].to_numpy()[i0:i1]
    if col.kind == "date":
        style = col.style
        if fmt == "csv" and style == "native":
            style = "iso"
        return render_dates(values, style, fmt)
    if col.kind in ("int", "num"):
        out = []
        for v in values.tolist():
            if v is None or (isinstance(v, float) and np.isnan(v)):
                out.append(None)
            elif isinstance(v, str):
                out.append(v)
            elif fmt == "xlsx":
                out.append(v)
            else:
                out.append(str(v))
        return out
    if col.kind == "lead":  # leadership: blank means 无
        return ["" if v == "无" else v for v in values.tolist()]
    return ["" if v is None else v for v in values.tolist()]


# ---- rows ---------------------------------------------------------------------------------
def iter_rows(sheet: Sheet, fmt: str, out: Written) -> Iterator[list[object]]:
    """Title rows, the header, then data rows with blank/totals rows spliced in."""
    width = len(sheet.cols)
    for t in sheet.titles:
        yield [t] + [None] * (width - 1)
    out.header_row = len(sheet.titles) + 1
    yield [c.header for c in sheet.cols]
    frame = sheet.frame
    assert frame is not None
    n = len(frame)
    errors = frame["_error"].to_numpy() if "_error" in frame.columns else None
    row_no = out.header_row
    by_row: dict[int, dict[int, object]] = {}
    for (r, c), v in sheet.overrides.items():
        by_row.setdefault(r, {})[c] = v

    def spliced(i: int) -> Iterator[list[object]]:
        nonlocal row_no
        for kind, cells in sheet.extra_rows.get(i, []):
            row_no += 1
            out.rows += 1
            if kind == "blank":
                out.blank += 1
            else:
                out.totals += 1
            yield cells + [None] * (width - len(cells))

    for i0 in range(0, n, CHUNK):
        i1 = min(i0 + CHUNK, n)
        cols = [render_column(c, frame, i0, i1, fmt) for c in sheet.cols]
        for i in range(i0, i1):
            yield from spliced(i)
            row = [col[i - i0] for col in cols]
            if i in by_row:
                for c, v in by_row[i].items():
                    row[c] = v
            row_no += 1
            out.rows += 1
            if errors is not None and errors[i]:
                out.errors.append({"row_number": row_no, "reason": str(errors[i])})
            yield row
    yield from spliced(n)


# ---- writers ------------------------------------------------------------------------------
def write_xlsx(path: Path, sheets: list[Sheet], data_sheet: str) -> Written:
    big = sum(len(s.frame) for s in sheets if s.frame is not None) > 100_000
    wb = xlsxwriter.Workbook(str(path), {
        "strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False,
        "constant_memory": big,
    })
    wb.set_properties({"title": path.stem, "author": "清溪县委编办", "company": "清溪县",
                       "created": FIXED_CREATED})
    date_formats = [wb.add_format({"num_format": f}) for f in
                    ("yyyy-mm-dd", "yyyy/m/d", 'yyyy"年"m"月"d"日"')]
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
        batch: list[list[object]] = []
        for cells in iter_rows(sheet, "csv", written):
            batch.append(["" if v is None else v for v in cells])
            if len(batch) >= 20_000:
                w.writerows(batch)
                batch = []
        w.writerows(batch)
    return written


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()
