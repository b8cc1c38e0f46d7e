"""The 数据质量 sheet: the batch's load report and its quarantined rows counted by reason."""

from __future__ import annotations

from datetime import date
from typing import Any

import duckdb

from exports.dates import zh_date
from exports.sql import SOURCE_ORDER, SOURCE_ZH
from exports.tables import Block, Column, Sheet
from exports.warehouse import existing_columns, table_exists

DATA_QUALITY = "数据质量"

LOAD_REPORT_COLUMNS = (
    "source",
    "file_name",
    "sheet",
    "rows_read",
    "rows_loaded",
    "rows_quarantined",
    "rows_blank",
    "rows_totals",
    "carried_forward",
    "anomaly_accepted",
    "message",
)


def data_quality_sheet(con: duckdb.DuckDBPyConnection, as_of: date) -> Sheet:
    """The batch's load report, then its quarantined rows counted by file and reason.

    County-wide whatever the scope: a batch is loaded as a whole. Only counts and reasons are
    shown, never the quarantined rows themselves (they hold identity numbers as they arrived).
    """
    report: list[tuple[Any, ...]] = []
    if table_exists(con, "audit.load_report"):
        have = existing_columns(con, "audit.load_report")
        select = ", ".join(c if c in have else f"null as {c}" for c in LOAD_REPORT_COLUMNS)
        raw = con.execute(
            f"select {select} from audit.load_report where batch_date = ? "
            f"order by {SOURCE_ORDER}, file_name",
            [as_of],
        ).fetchall()
        report = [
            (SOURCE_ZH.get(r[0], r[0]), *r[1:8], _yes_no(r[8]), _yes_no(r[9]), r[10]) for r in raw
        ]
    reasons: list[tuple[Any, ...]] = []
    if table_exists(con, "audit.quarantine"):
        raw = con.execute(
            "select source, file_name, sheet, reason, count(*) from audit.quarantine "
            "where batch_date = ? group by source, file_name, sheet, reason "
            f"order by {SOURCE_ORDER}, file_name, count(*) desc, "
            "reason",
            [as_of],
        ).fetchall()
        reasons = [(SOURCE_ZH.get(r[0], r[0]), *r[1:]) for r in raw]
    load_block = Block(
        [
            Column("数据来源"),
            Column("文件名"),
            Column("工作表"),
            Column("读取行数", "int"),
            Column("入库行数", "int"),
            Column("隔离行数", "int"),
            Column("空行", "int"),
            Column("合计行", "int"),
            Column("沿用上期"),
            Column("异常已确认"),
            Column("说明"),
        ],
        report,
    )
    reason_block = Block(
        [
            Column("数据来源"),
            Column("文件名"),
            Column("工作表"),
            Column("隔离原因"),
            Column("行数", "int"),
        ],
        reasons,
        subtitle=f"隔离行数（按原因，{zh_date(as_of)}批次）",
    )
    return Sheet(DATA_QUALITY, [load_block, reason_block], note="全县批次数据")


def _yes_no(value: object) -> str | None:
    if value is None:
        return None
    return "是" if value else "否"
