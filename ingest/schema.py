"""DDL of the tables ingest owns (`raw.*`, `audit.batches`, `audit.load_report`,
`audit.quarantine`), column for column as `docs/interfaces.md` fixes them.

Why `create … if not exists` only: the build file starts as a copy of the published warehouse,
which already holds every earlier batch; ingest appends, it never recreates.
"""

from __future__ import annotations

import duckdb

#: Columns every raw table starts with.
LINEAGE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("batch_date", "DATE"),
    ("source_batch_date", "DATE"),
    ("file_name", "VARCHAR"),
    ("row_number", "INTEGER"),
)

#: Source columns of each raw table, in the documented order.
RAW_COLUMNS: dict[str, tuple[tuple[str, str], ...]] = {
    "townships": (
        ("township_code", "VARCHAR"),
        ("township_name", "VARCHAR"),
        ("township_kind", "VARCHAR"),
        ("township_class", "VARCHAR"),
        ("population", "BIGINT"),
        ("area_km2", "DOUBLE"),
    ),
    "institutions": (
        ("institution_code", "VARCHAR"),
        ("uscc", "VARCHAR"),
        ("uscc_valid", "BOOLEAN"),
        ("name", "VARCHAR"),
        ("category", "VARCHAR"),
        ("public_class", "VARCHAR"),
        ("level", "VARCHAR"),
        ("township_ref", "VARCHAR"),
        ("parent_code", "VARCHAR"),
        ("rank", "VARCHAR"),
        ("funding", "VARCHAR"),
        ("alias_names", "VARCHAR"),
        ("established_on", "DATE"),
        ("revoked_on", "DATE"),
    ),
    "quota_grants": (
        ("doc_no", "VARCHAR"),
        ("approved_on", "DATE"),
        ("effective_on", "DATE"),
        ("institution_code", "VARCHAR"),
        ("institution_name", "VARCHAR"),
        ("item", "VARCHAR"),
        ("kind", "VARCHAR"),
        ("change", "VARCHAR"),
        ("amount", "INTEGER"),
        ("note", "VARCHAR"),
    ),
    "roster": (
        ("id_number", "VARCHAR"),
        ("person_key", "VARCHAR"),
        ("id_valid", "BOOLEAN"),
        ("id_problem", "VARCHAR"),
        ("name", "VARCHAR"),
        ("gender", "VARCHAR"),
        ("birth_date", "DATE"),
        ("person_category", "VARCHAR"),
        ("quota_type", "VARCHAR"),
        ("slot_code", "VARCHAR"),
        ("slot_name", "VARCHAR"),
        ("work_code", "VARCHAR"),
        ("work_name", "VARCHAR"),
        ("title", "VARCHAR"),
        ("leadership", "VARCHAR"),
        ("grade", "VARCHAR"),
        ("post_type", "VARCHAR"),
        ("slot_since", "DATE"),
        ("status", "VARCHAR"),
        ("education", "VARCHAR"),
        ("work_since", "DATE"),
    ),
}

AUDIT_DDL = """
create table if not exists audit.batches (
    batch_date DATE,
    loaded_at TIMESTAMP,
    landing_dir VARCHAR
);
create table if not exists audit.load_report (
    batch_date DATE,
    source VARCHAR,
    file_name VARCHAR,
    sheet VARCHAR,
    rows_read BIGINT,
    rows_loaded BIGINT,
    rows_quarantined BIGINT,
    rows_blank BIGINT,
    rows_totals BIGINT,
    carried_forward BOOLEAN,
    anomaly_accepted BOOLEAN,
    loaded_at TIMESTAMP,
    message VARCHAR
);
create table if not exists audit.quarantine (
    batch_date DATE,
    source VARCHAR,
    file_name VARCHAR,
    sheet VARCHAR,
    row_number INTEGER,
    reason VARCHAR,
    raw VARCHAR
);
"""


def raw_column_names(source: str) -> list[str]:
    """All columns of `raw.<source>`, lineage first."""
    return [c for c, _ in LINEAGE_COLUMNS + RAW_COLUMNS[source]]


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create the schemas and tables ingest writes, where absent."""
    con.execute("create schema if not exists raw; create schema if not exists audit;")
    for source, columns in RAW_COLUMNS.items():
        cols = ",\n    ".join(f"{c} {t}" for c, t in LINEAGE_COLUMNS + columns)
        con.execute(f"create table if not exists raw.{source} (\n    {cols}\n)")
    con.execute(AUDIT_DDL)
