"""Tiny landing folders for the ingest tests: xlsx written with xlsxwriter, csv by hand.

Why hand-made and tiny: each test states the exact cells it is about, so a failure points at one
contract clause; the expected values are computed here independently of `ingest` (stdnum for
identity numbers, `hmac` for person_key).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import xlsxwriter
from stdnum.cn import ric

from ingest import LoadResult, load_landing

KEY = b"test-ingest-key"
BATCH = "2026-11-20"


def person_key(text: str, key: bytes = KEY) -> str:
    """The contract's person_key, computed with the standard library."""
    return hmac.new(key, text.encode("utf-8"), hashlib.sha256).hexdigest()[:16]


def make_id(region: str = "110101", birth: str = "19900307", seq: str = "123") -> str:
    """A valid 18-character identity number (check digit by python-stdnum)."""
    body = region + birth + seq
    return body + ric.calc_check_digit(body + "0")  # stdnum wants a placeholder check digit


def with_bad_check(number: str) -> str:
    """The same number with a wrong check character."""
    wrong = "0" if number[-1] != "0" else "1"
    return number[:-1] + wrong


# --------------------------------------------------------------------------------- sources

TOWNSHIP_HEADER = [
    "行政区划代码",
    "乡镇名称",
    "乡镇类型",
    "乡镇类别",
    "常住人口",
    "面积（平方公里）",
]
TOWNSHIP_ROWS = [
    ["511321100", "牛佛镇", "镇", "一类", "52000", "120.5"],
    ["511321101", "和平乡", "乡", "二类", "8000", "80"],
]
INSTITUTION_HEADER = [
    "机构编码",
    "统一社会信用代码",
    "机构名称",
    "机构类别",
    "事业单位分类",
    "机构层级",
    "所属乡镇代码",
    "上级机构编码",
    "机构规格",
    "经费形式",
    "加挂牌子",
    "设立日期",
    "撤销日期",
]
INSTITUTION_ROWS = [
    [
        "A01",
        "",
        "牛佛镇人民政府",
        "行政机关",
        "",
        "乡镇",
        "511321100",
        "",
        "正科级",
        "财政全额",
        "牛佛镇党委",
        "1992-01-01",
        "",
    ],
    [
        "A02",
        "",
        "党政办公室",
        "内设机构",
        "",
        "乡镇",
        "511321100",
        "A01",
        "股级",
        "",
        "",
        "2000-01-01",
        "",
    ],
]
GRANT_HEADER = [
    "文号",
    "批复日期",
    "生效日期",
    "机构编码",
    "机构名称",
    "核定事项",
    "类别",
    "变动方式",
    "数量",
    "备注",
]
GRANT_ROWS = [
    [
        "县编发〔2023〕1号",
        "2023-01-01",
        "2023-01-01",
        "A01",
        "",
        "编制",
        "行政编制",
        "核定",
        "20",
        "",
    ],
    [
        "县编发〔2023〕2号",
        "2023-01-01",
        "2023-01-01",
        "A01",
        "",
        "领导职数",
        "正职",
        "核定",
        "2",
        "",
    ],
]
ROSTER_HEADER = [
    "身份证号",
    "姓名",
    "性别",
    "出生日期",
    "人员类别",
    "编制类型",
    "编制所在单位编码",
    "编制所在单位",
    "职务",
    "领导职务类别",
    "在岗状态",
]


def roster_row(
    id_number: Any = None,
    name: Any = "张三",
    gender: Any = "男",
    birth: Any = "1990-03-07",
    **overrides: Any,
) -> list[Any]:
    """A valid roster row (a man born 1990-03-07) with cells overridable by header name."""
    if id_number is None:
        id_number = make_id()
    cells = dict(
        zip(
            ROSTER_HEADER,
            [
                id_number,
                name,
                gender,
                birth,
                "公务员",
                "行政编制",
                "A01",
                "牛佛镇人民政府",
                "科员",
                "",
                "在岗",
            ],
            strict=True,
        )
    )
    cells.update(overrides)
    return [cells[h] for h in ROSTER_HEADER]


def uscc_with_check(body17: str) -> str:
    """A GB 32100 code with its check character (python-stdnum)."""
    from stdnum.cn import uscc

    return body17 + uscc.calc_check_digit(body17)


INSTITUTION_ROWS[0][1] = uscc_with_check("11511321MB1234567")


# ---------------------------------------------------------------------------------- writers


@dataclass
class Sheet:
    name: str
    rows: Sequence[Sequence[Any]]
    hidden: bool = False


@dataclass
class Num:
    """A cell to be written as an Excel number."""

    value: float


@dataclass
class ExcelDate:
    """A cell to be written as a native Excel date."""

    value: dt.date | dt.datetime


def write_xlsx(path: Path, sheets: Sequence[Sheet]) -> Path:
    """Write a workbook; strings stay strings, `Num`/`ExcelDate` become numbers/dates."""
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook = xlsxwriter.Workbook(str(path))
    date_format = workbook.add_format({"num_format": "yyyy-mm-dd"})
    visible_first = None
    for sheet in sheets:
        ws = workbook.add_worksheet(sheet.name)
        if visible_first is None and not sheet.hidden:
            visible_first = ws
        for r, row in enumerate(sheet.rows):
            for c, value in enumerate(row):
                if value is None or value == "":
                    continue
                if isinstance(value, Num):
                    ws.write_number(r, c, value.value)
                elif isinstance(value, ExcelDate):
                    stamp = value.value
                    if not isinstance(stamp, dt.datetime):
                        stamp = dt.datetime.combine(stamp, dt.time())
                    ws.write_datetime(r, c, stamp, date_format)
                else:
                    ws.write_string(r, c, str(value))
    if visible_first is not None:  # a hidden sheet must not be the active one
        visible_first.activate()
        visible_first.set_first_sheet()
    for sheet, ws in zip(sheets, workbook.worksheets(), strict=True):
        if sheet.hidden:
            ws.hide()
    workbook.close()
    return path


def csv_text(rows: Sequence[Sequence[Any]]) -> str:
    """Rows as csv text (minimal quoting, `\\n` line ends); `None` rows are empty lines."""
    lines = []
    for row in rows:
        if row is None:
            lines.append("")
            continue
        cells = []
        for value in row:
            text = "" if value is None else str(value)
            if any(ch in text for ch in ',"\n'):
                text = '"' + text.replace('"', '""') + '"'
            cells.append(text)
        lines.append(",".join(cells))
    return "\n".join(lines) + "\n"


def write_csv(path: Path, rows: Sequence[Sequence[Any]], encoding: str = "utf-8") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(csv_text(rows).encode(encoding))
    return path


@dataclass
class Batch:
    """The four sources of one batch, as header + rows, written as csv unless said otherwise."""

    townships: list[list[Any]] | None = field(
        default_factory=lambda: [TOWNSHIP_HEADER, *TOWNSHIP_ROWS]
    )
    institutions: list[list[Any]] | None = field(
        default_factory=lambda: [INSTITUTION_HEADER, *INSTITUTION_ROWS]
    )
    grants: list[list[Any]] | None = field(default_factory=lambda: [GRANT_HEADER, *GRANT_ROWS])
    roster: list[list[Any]] | None = field(default_factory=lambda: [ROSTER_HEADER, roster_row()])

    def write(self, landing: Path, batch: str = BATCH, fmt: str = "csv") -> Path:
        folder = landing / batch
        folder.mkdir(parents=True, exist_ok=True)
        names = {
            "townships": "乡镇",
            "institutions": "机构名录",
            "grants": "编制核定",
            "roster": "人员花名册",
        }
        for attr, stem in names.items():
            rows = getattr(self, attr)
            if rows is None:
                continue
            if fmt == "xlsx":
                write_xlsx(folder / f"{stem}.xlsx", [Sheet("Sheet1", rows)])
            else:
                write_csv(folder / f"{stem}.csv", rows)
        return folder


def load(landing: Path, con: duckdb.DuckDBPyConnection | None = None, key: bytes = KEY):
    """Load a landing folder into a (new, in-memory) connection."""
    con = con or duckdb.connect()
    result: LoadResult = load_landing(con, landing, key)
    return con, result


def rows(con: duckdb.DuckDBPyConnection, sql: str, params: Any = None) -> list[tuple]:
    return con.execute(sql, params).fetchall()


def one(con: duckdb.DuckDBPyConnection, sql: str, params: Any = None) -> Any:
    row = con.execute(sql, params).fetchall()[0]
    return row[0] if len(row) == 1 else row


def roster_only(
    landing: Path, roster_rows: list[list[Any]], fmt: str = "csv", header: list[str] | None = None
) -> Path:
    """A first batch whose roster holds exactly `roster_rows` (other sources default)."""
    return Batch(roster=[header or ROSTER_HEADER, *roster_rows]).write(landing, fmt=fmt)


def accounting_holds(con: duckdb.DuckDBPyConnection) -> bool:
    """rows_read = loaded + quarantined + blank + totals for every load-report row, and the raw
    and quarantine tables hold exactly the counted rows."""
    bad = one(
        con,
        "select count(*) from audit.load_report "
        "where rows_read <> rows_loaded + rows_quarantined + rows_blank + rows_totals",
    )
    mismatched = one(
        con,
        """
        with raw as (
            select batch_date, 'townships' as source, count(*) n from raw.townships
                where batch_date = source_batch_date group by all
            union all select batch_date, 'institutions', count(*) from raw.institutions
                where batch_date = source_batch_date group by all
            union all select batch_date, 'quota_grants', count(*) from raw.quota_grants
                where batch_date = source_batch_date group by all
            union all select batch_date, 'roster', count(*) from raw.roster
                where batch_date = source_batch_date group by all
        ), q as (select batch_date, source, count(*) n from audit.quarantine group by all)
        select count(*) from audit.load_report r
        left join raw using (batch_date, source) left join q using (batch_date, source)
        where not r.carried_forward and (coalesce(raw.n, 0) <> r.rows_loaded
            or coalesce(q.n, 0) <> r.rows_quarantined)
        """,
    )
    return bad == 0 and mismatched == 0


#: Every table ingest writes: what "the load did not change" compares.
LOADED_TABLES = [
    "raw.townships",
    "raw.institutions",
    "raw.quota_grants",
    "raw.roster",
    "audit.batches",
    "audit.load_report",
    "audit.quarantine",
]
