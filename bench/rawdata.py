"""The raw tables the reconciliation engines read, as clean csv files.

Why csv exports of the raw tables and not the landing files: the landing files are messy on
purpose (title rows, header synonyms, nine date spellings, full-width text; contract/README.md),
so reading them is ingest's job, and re-implementing ingest in SQL and in pandas would measure a
second ingest, not the reconciliation. The engines therefore read the rows *after* ingest, typed
and normalised, from plain UTF-8 csv files with a header (one per raw table, every batch): that
keeps the csv parse in the measured time, as it is in a real csv-to-warehouse job, and gives
DuckDB and pandas exactly the same bytes.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from bench.schema import RAW_COLUMNS, csv_path


def export_raw_csv(con: duckdb.DuckDBPyConnection, csv_dir: Path) -> dict[str, int]:
    """Write raw.institutions / raw.quota_grants / raw.roster to csv; return rows per table.

    Rows keep their load order (batch, file, row number) so both engines see the same sequence.
    """
    csv_dir.mkdir(parents=True, exist_ok=True)
    counts: dict[str, int] = {}
    for table, cols in RAW_COLUMNS.items():
        select = ", ".join(f'"{c}"' for c in cols)
        target = csv_path(csv_dir, table)
        con.execute(
            f"copy (select {select} from raw.{table} order by batch_date, file_name, row_number)"
            f" to '{target}' (header, delimiter ',')"
        )
        counts[table] = int(con.execute(f"select count(*) from raw.{table}").fetchone()[0])
    return counts
