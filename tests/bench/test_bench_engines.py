"""raw (DuckDB) and pandas reconciliation: the rules by hand, and the two engines agreeing.

Why these tests exist although benchmarks are not tests: a pipeline / baseline ratio only means
something when the baselines compute the same numbers as the pipeline. These tests pin the
numbers on a hand-built county and make the two engines disagree on purpose, so the agreement
check is known to be able to fail. No timing is asserted anywhere.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pytest
from bench_raw_fixture import (
    D1,
    EXPECTED_FLAGS_D1,
    EXPECTED_LEADERSHIP_D1,
    EXPECTED_STAFFING_D1,
    hand_built,
    random_county,
)

from bench import compare, pandas_engine, raw_engine


def _raw(csv_dir: Path, tmp_path: Path) -> Path:
    out = tmp_path / "raw.duckdb"
    raw_engine.reconcile(csv_dir, out)
    return out


def _rows(db: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_raw_engine_matches_the_rules_by_hand(tmp_path: Path) -> None:
    db = _raw(hand_built(tmp_path / "csv"), tmp_path)
    staffing = {
        (i, t): (a, o)
        for i, t, a, o in _rows(
            db,
            "select institution_code, quota_type, authorized, occupied from staffing "
            f"where batch_date = '{D1}'",
        )
    }
    assert staffing == EXPECTED_STAFFING_D1
    leadership = {
        (i, k): (a, n)
        for i, k, a, n in _rows(
            db,
            "select institution_code, leadership_kind, authorized, actual from leadership "
            f"where batch_date = '{D1}'",
        )
    }
    assert leadership == EXPECTED_LEADERSHIP_D1
    flags = set(
        _rows(
            db,
            "select person_key, slot_institution_code, work_institution_code, mixed_quota, "
            f"seconded from person_flags where batch_date = '{D1}'",
        )
    )
    assert flags == EXPECTED_FLAGS_D1
    # the second batch counts the grant that took effect on its own date
    (later,) = _rows(
        db,
        "select authorized from staffing where batch_date = '2026-11-21' "
        "and institution_code = 'A001' and quota_type = '行政编制'",
    )
    assert later == (9,)
    vacancy = _rows(db, "select count(*) from staffing where vacancy < 0 or overstaffed_by < 0")
    assert vacancy == [(0,)]


@pytest.mark.parametrize("maker", ["hand", "random-1", "random-2"])
def test_raw_and_pandas_agree(maker: str, tmp_path: Path) -> None:
    csv = tmp_path / "csv"
    if maker == "hand":
        hand_built(csv)
    else:
        random_county(csv, seed=int(maker.split("-")[1]), people=2000, batches=2)
    raw_db = _raw(csv, tmp_path)
    pandas_engine.reconcile(csv, tmp_path / "pandas")
    result = compare.raw_vs_pandas(raw_db, tmp_path / "pandas")
    assert result["ok"], result
    assert all(t["rows"][0] > 0 for t in result["tables"].values())


def test_agreement_check_catches_one_changed_number(tmp_path: Path) -> None:
    csv = hand_built(tmp_path / "csv")
    raw_db = _raw(csv, tmp_path)
    out = tmp_path / "pandas"
    pandas_engine.reconcile(csv, out)
    staffing = pd.read_parquet(out / "staffing.parquet")
    staffing.loc[0, "occupied"] += 1
    staffing.to_parquet(out / "staffing.parquet", index=False)
    flags = pd.read_parquet(out / "person_flags.parquet")
    pd.concat([flags, flags.iloc[:1]]).to_parquet(out / "person_flags.parquet", index=False)
    result = compare.raw_vs_pandas(raw_db, out)
    assert result["ok"] is False
    assert result["tables"]["staffing"]["only_left"] == 1
    assert result["tables"]["staffing"]["only_right"] == 1
    assert result["tables"]["person_flags"]["only_right"] == 1  # a duplicated row counts
    assert result["tables"]["leadership"]["ok"]


def test_marts_comparison_skips_without_marts_and_compares_when_present(tmp_path: Path) -> None:
    raw_db = _raw(hand_built(tmp_path / "csv"), tmp_path)
    assert compare.raw_vs_marts(raw_db, tmp_path / "missing.duckdb")["ok"] is None
    wh = tmp_path / "warehouse.duckdb"
    con = duckdb.connect(str(wh))
    con.execute("create schema marts")
    con.execute(
        f"attach '{raw_db}' as r (read_only); create table marts.staffing_reconciliation as "
        "select batch_date as as_of, institution_code, quota_type, authorized, occupied "
        "from r.staffing"
    )
    con.close()
    result = compare.raw_vs_marts(raw_db, wh)
    assert result["ok"] is True
    assert result["tables"]["leadership_reconciliation"]["ok"] is None
    con = duckdb.connect(str(wh))
    con.execute(
        "update marts.staffing_reconciliation set authorized = authorized + 1 "
        "where institution_code = 'C001' and quota_type = '事业编制'"
    )
    con.close()
    assert compare.raw_vs_marts(raw_db, wh)["ok"] is False


def test_quoted_text_after_the_csv_sniffer_sample_is_read(tmp_path: Path) -> None:
    """A note with a comma in row 25,000 (beyond DuckDB's 20,480-row sniff) must not break raw."""
    csv = hand_built(tmp_path / "csv")
    grants = pd.read_csv(csv / "quota_grants.csv", dtype=str)
    filler = pd.concat([grants.iloc[[-1]]] * 25_000, ignore_index=True)
    filler.loc[len(filler) - 1, "note"] = '调整, 见"附件"'
    pd.concat([grants, filler]).to_csv(csv / "quota_grants.csv", index=False)
    raw_db = _raw(csv, tmp_path)
    pandas_engine.reconcile(csv, tmp_path / "pandas")
    assert compare.raw_vs_pandas(raw_db, tmp_path / "pandas")["ok"]
