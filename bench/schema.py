"""Shared, dependency-free definitions of the reconciliation inputs and rules.

Why a module without imports: the pandas baseline must not pay for importing DuckDB (and the
raw engine not for pandas) just to learn column names; each engine's process imports only its
own engine plus this.
"""

from __future__ import annotations

from pathlib import Path

ADD_CHANGES = ("核增", "划入")
SUB_CHANGES = ("核减", "划出", "收回")
ALIAS_SEPARATORS = "[、；;,，]"
#: Folding for name matching (as dbt's fold_text macro): full-width ASCII and the ideographic /
#: no-break space to ASCII, then every whitespace character removed (RE2's \s: [\t\n\f\r ]).
FULL_WIDTH = "".join(chr(c) for c in range(0xFF01, 0xFF5F)) + "\u3000\u00a0"
HALF_WIDTH = "".join(chr(c) for c in range(0x21, 0x7F)) + "  "
#: The characters folding changes, as an RE2 class: text without any is already folded.
FOLDED_CLASS = "[\\s" + FULL_WIDTH + "]"

#: Contract columns of the raw tables the core reconciliation reads (docs/interfaces.md), with
#: DuckDB types. Lineage columns other than batch_date are not needed and not exported.
RAW_COLUMNS: dict[str, dict[str, str]] = {
    "institutions": {
        "batch_date": "DATE",
        "institution_code": "VARCHAR",
        "uscc": "VARCHAR",
        "name": "VARCHAR",
        "category": "VARCHAR",
        "public_class": "VARCHAR",
        "level": "VARCHAR",
        "township_ref": "VARCHAR",
        "parent_code": "VARCHAR",
        "rank": "VARCHAR",
        "funding": "VARCHAR",
        "alias_names": "VARCHAR",
        "established_on": "DATE",
        "revoked_on": "DATE",
    },
    "quota_grants": {
        "batch_date": "DATE",
        "doc_no": "VARCHAR",
        "approved_on": "DATE",
        "effective_on": "DATE",
        "institution_code": "VARCHAR",
        "institution_name": "VARCHAR",
        "item": "VARCHAR",
        "kind": "VARCHAR",
        "change": "VARCHAR",
        "amount": "BIGINT",
        "note": "VARCHAR",
    },
    "roster": {
        "batch_date": "DATE",
        "id_number": "VARCHAR",
        "person_key": "VARCHAR",
        "id_valid": "BOOLEAN",
        "name": "VARCHAR",
        "gender": "VARCHAR",
        "birth_date": "DATE",
        "person_category": "VARCHAR",
        "quota_type": "VARCHAR",
        "slot_code": "VARCHAR",
        "slot_name": "VARCHAR",
        "work_code": "VARCHAR",
        "work_name": "VARCHAR",
        "title": "VARCHAR",
        "leadership": "VARCHAR",
        "grade": "VARCHAR",
        "post_type": "VARCHAR",
        "slot_since": "DATE",
        "status": "VARCHAR",
        "education": "VARCHAR",
        "work_since": "DATE",
    },
}

DATE_COLUMNS = {
    table: [c for c, t in cols.items() if t == "DATE"] for table, cols in RAW_COLUMNS.items()
}


def csv_path(csv_dir: Path, table: str) -> Path:
    return csv_dir / f"{table}.csv"
