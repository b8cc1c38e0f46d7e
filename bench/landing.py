"""Landing folders for the incremental night: the published batches plus one changed batch.

Why copy and edit the last roster instead of asking the generator for another batch: an
incremental night in a real county is yesterday's export with a few people changed. Taking the
last batch's roster and changing 1 % of its rows (the 在岗状态 column, else 学历) keeps the file
format, the title rows and the row count (so the 20 % volume guard passes) exactly as before.
The other sources are left out of the new batch, so they carry forward, as the contract allows.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import re
import shutil
import unicodedata
from collections.abc import Iterable, Iterator
from itertools import chain, islice
from pathlib import Path
from typing import Any

BATCH_DIR = re.compile(r"^\d{4}-\d{2}-\d{2}$")

STATUS_HEADERS = ("在岗状态", "人员状态")
EDUCATION_HEADERS = ("学历", "最高学历")
EDUCATION_VALUES = ("研究生", "大学本科", "大学专科", "中专", "高中及以下")
CHANGE_EVERY = 100  # one row in a hundred: 1 %


def batch_dirs(landing: Path) -> list[Path]:
    return sorted(p for p in landing.iterdir() if p.is_dir() and BATCH_DIR.match(p.name))


def roster_file(batch: Path) -> Path:
    """The roster source of a batch folder (file name contains 花名册 or roster)."""
    for path in sorted(batch.iterdir()):
        if "花名册" in path.name or "roster" in path.name.lower():
            return path
    raise FileNotFoundError(f"{batch}: no roster file (name containing 花名册 or roster)")


def link_tree(src: Path, dst: Path) -> None:
    """Hard-link (else copy) every file of `src` into `dst`: the same bytes, no extra disk."""
    dst.mkdir(parents=True, exist_ok=True)
    for path in src.iterdir():
        if path.is_dir():
            link_tree(path, dst / path.name)
            continue
        try:
            os.link(path, dst / path.name)
        except OSError:
            shutil.copy2(path, dst / path.name)


def _header_key(cell: Any) -> str:
    text = unicodedata.normalize("NFKC", str(cell)) if cell is not None else ""
    return text.replace(" ", "").replace("*", "").strip()


def _find_columns(rows: list[list[Any]]) -> tuple[int, int | None, int | None]:
    """(header row index, status column, education column): header = first row with 姓名."""
    for i, row in enumerate(rows[:10]):
        keys = [_header_key(c) for c in row]
        if "姓名" in keys:
            status = next((j for j, k in enumerate(keys) if k in STATUS_HEADERS), None)
            education = next((j for j, k in enumerate(keys) if k in EDUCATION_HEADERS), None)
            return i, status, education
    raise ValueError("no header row with 姓名 in the first 10 rows")


def changed_rows(rows: Iterable[list[Any]], counts: dict[str, int]) -> Iterator[list[Any]]:
    """The rows of a roster sheet, every CHANGE_EVERY-th data row changed (in place), one at a
    time: at XL the roster has 20 M rows, far too many to hold as Python lists. `counts` gets
    `rows` (all rows, title and header included) and `changed`."""
    it = iter(rows)
    head = list(islice(it, 10))
    header, status, education = _find_columns(head)
    if status is None and education is None:
        raise ValueError("roster has neither a 在岗状态 nor a 学历 column to change")
    counts.update(rows=header + 1, changed=0)
    yield from head[: header + 1]
    for n, row in enumerate(chain(head[header + 1 :], it)):
        counts["rows"] += 1
        if n % CHANGE_EVERY == CHANGE_EVERY // 2 and any(c not in (None, "") for c in row):
            _change(row, status, education)
            counts["changed"] += 1
        yield row


def _change(row: list[Any], status: int | None, education: int | None) -> None:
    col = status if status is not None else education
    assert col is not None
    while len(row) <= col:
        row.append("")
    if status is not None:
        row[col] = "在岗" if row[col] == "借调" else "借调"
    else:
        current = row[col] if row[col] in EDUCATION_VALUES else EDUCATION_VALUES[0]
        row[col] = EDUCATION_VALUES[(EDUCATION_VALUES.index(current) + 1) % 5]


def change_rows(rows: list[list[Any]]) -> int:
    """Change every CHANGE_EVERY-th data row of `rows` in place; return how many rows changed."""
    counts: dict[str, int] = {}
    for _ in changed_rows(rows, counts):
        pass
    return counts["changed"]


def _csv_encoding(path: Path) -> str:
    head = path.read_bytes()[: 1 << 16]
    if head.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    try:
        head.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as exc:
        if exc.start > len(head) - 4:  # a character cut at the end of the sample
            return "utf-8"
        return "gb18030"


def _rewrite_csv(src: Path, dst: Path) -> tuple[int, int]:
    """Copy a csv roster row by row (streamed: see `changed_rows`)."""
    encoding = _csv_encoding(src)
    counts: dict[str, int] = {}
    with (
        src.open(encoding=encoding, newline="") as f,
        dst.open("w", encoding=encoding, newline="") as out,
    ):
        csv.writer(out).writerows(changed_rows(csv.reader(f), counts))
    return counts["rows"], counts["changed"]


def _roster_sheet(workbook: Any) -> str:
    from python_calamine import SheetVisibleEnum

    visible = [m.name for m in workbook.sheets_metadata if m.visible == SheetVisibleEnum.Visible]
    names = visible or list(workbook.sheet_names)
    for name in names:
        if "花名册" in name or "roster" in name.lower():
            return name
    return names[0]


def _rewrite_xlsx(src: Path, dst: Path) -> tuple[int, int]:
    import xlsxwriter
    from python_calamine import CalamineWorkbook

    workbook = CalamineWorkbook.from_path(str(src))
    sheet = _roster_sheet(workbook)
    rows = [list(r) for r in workbook.get_sheet_by_name(sheet).to_python(skip_empty_area=False)]
    workbook.close()
    changed = change_rows(rows)
    book = xlsxwriter.Workbook(str(dst), {"constant_memory": True})
    try:
        ws = book.add_worksheet(sheet)
        date_fmt = book.add_format({"num_format": "yyyy-mm-dd"})
        for i, row in enumerate(rows):
            for j, cell in enumerate(row):
                if cell is None or cell == "":
                    continue
                if isinstance(cell, bool):
                    ws.write_boolean(i, j, cell)
                elif isinstance(cell, int | float):
                    ws.write_number(i, j, cell)
                elif isinstance(cell, dt.date | dt.datetime):
                    ws.write_datetime(i, j, cell, date_fmt)
                else:
                    ws.write_string(i, j, str(cell))
    finally:
        book.close()
    return len(rows), changed


def write_changed_roster(src: Path, dst_dir: Path) -> dict[str, Any]:
    """Copy roster `src` into `dst_dir` under the same name with 1 % of its rows changed."""
    dst_dir.mkdir(parents=True, exist_ok=True)
    dst = dst_dir / src.name
    if src.suffix.lower() == ".csv":
        rows, changed = _rewrite_csv(src, dst)
    elif src.suffix.lower() in (".xlsx", ".xlsm"):
        rows, changed = _rewrite_xlsx(src, dst)
    else:
        raise ValueError(f"{src}: roster format not supported by the bench ({src.suffix})")
    return {"file": dst.name, "rows": rows, "changed": changed}


def incremental_landing(landing: Path, target: Path) -> dict[str, Any]:
    """`target` = every batch of `landing` (hard links) + one new batch the next day."""
    if target.exists():
        shutil.rmtree(target)
    batches = batch_dirs(landing)
    if not batches:
        raise FileNotFoundError(f"{landing}: no batch folders")
    for batch in batches:
        link_tree(batch, target / batch.name)
    new_date = dt.date.fromisoformat(batches[-1].name) + dt.timedelta(days=1)
    info = write_changed_roster(roster_file(batches[-1]), target / new_date.isoformat())
    return {"batch": new_date.isoformat(), **info}
