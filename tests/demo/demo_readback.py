"""Reading the demo's files back, independently of `ingest`: calamine for xlsx, the csv module
with a plain BOM / UTF-8 / GB18030 check for csv, and a small parser for the contract's date
styles. The tests look at the files as a loader would, not at the generator's internals.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from python_calamine import CalamineWorkbook

FOLD = str.maketrans(
    {chr(0xFF10 + i): str(i) for i in range(10)}
    | {chr(0xFF21 + i): chr(0x41 + i) for i in range(26)}
    | {chr(0xFF41 + i): chr(0x61 + i) for i in range(26)}
    | {"（": "(", "）": ")", "\u3000": " "}
)
TOTALS = {"合计", "总计", "小计"}
EXPONENT = re.compile(r"^\d(\.\d+)?E\+?\d+$")


def detect_encoding(raw: bytes) -> str:
    if raw.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return "gb18030"
    return "utf-8"


def text(v: object) -> str:
    """A cell as normalised text: trimmed (also full-width spaces), full-width folded."""
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).translate(FOLD).strip()


def id_text(v: object) -> str:
    """An identity cell as a loader keeps it: numbers and exponent text as plain integers."""
    if isinstance(v, float):
        return f"{int(v)}"
    t = text(v).upper()
    if EXPONENT.match(t):
        mantissa, exp = t.split("E")
        digits = mantissa.replace(".", "")
        return digits.ljust(int(exp.lstrip("+")) + 1, "0")
    return t


def header_key(h: object) -> str:
    return text(h).rstrip("*").strip()


@dataclass
class Table:
    path: Path
    titles: list[list[object]]
    header: list[object]
    rows: list[list[object]]  # every row below the header, as it arrived

    def col(self, *names: str) -> int:
        keys = [header_key(h) for h in self.header]
        for n in names:
            if n in keys:
                return keys.index(n)
        raise KeyError(f"none of {names} in {keys}")

    def is_blank(self, row: list[object]) -> bool:
        return all(text(c) == "" for c in row)

    def is_totals(self, row: list[object]) -> bool:
        first = next((text(c) for c in row if text(c) != ""), "")
        return first in TOTALS

    def data(self) -> list[list[object]]:
        return [r for r in self.rows if not self.is_blank(r) and not self.is_totals(r)]

    def values(self, *names: str) -> list[object]:
        i = self.col(*names)
        return [r[i] if i < len(r) else None for r in self.data()]


def read_rows(path: Path, sheet: str | None = None) -> list[list[object]]:
    if path.suffix == ".xlsx":
        wb = CalamineWorkbook.from_path(str(path))
        return wb.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
    raw = path.read_bytes()
    return list(csv.reader(io.StringIO(raw.decode(detect_encoding(raw)), newline="")))


def read_table(path: Path, sheet: str | None, header_row: int) -> Table:
    rows = read_rows(path, sheet)
    return Table(path, rows[: header_row - 1], rows[header_row - 1], rows[header_row:])


def date_style(v: object) -> str | None:
    """Which of the contract's date styles a cell is in (None if blank or not a date)."""
    if isinstance(v, datetime | date):
        return "native"
    if isinstance(v, int | float):
        return "serial"
    t = text(v)
    for style, pattern in [
        ("iso", r"\d{4}-\d{2}-\d{2}"),
        ("slash", r"\d{4}/\d{2}/\d{2}"),
        ("dot", r"\d{4}\.\d{2}\.\d{2}"),
        ("compact", r"\d{8}"),
        ("cn", r"\d{4}年\d{1,2}月\d{1,2}日"),
        ("month_dot", r"\d{4}\.\d{2}"),
        ("month_dash", r"\d{4}-\d{2}"),
        ("month_cn", r"\d{4}年\d{1,2}月"),
        ("serial", r"\d{5}"),
    ]:
        if re.fullmatch(pattern, t):
            return style
    return None


def parse_date(v: object) -> tuple[date, bool] | None:
    """(date, month_only) of a cell in any contract style; None if blank or unparseable."""
    style = date_style(v)
    if style is None:
        return None
    if style == "native":
        d = v.date() if isinstance(v, datetime) else v
        return d, False  # type: ignore[return-value]
    if style == "serial":
        return date(1899, 12, 30) + timedelta(days=int(float(text(v)))), False
    nums = [int(x) for x in re.findall(r"\d+", text(v))]
    if style == "compact":
        t = text(v)
        nums = [int(t[:4]), int(t[4:6]), int(t[6:])]
    try:
        if len(nums) == 2:
            return date(nums[0], nums[1], 1), True
        return date(nums[0], nums[1], nums[2]), False
    except ValueError:
        return None
