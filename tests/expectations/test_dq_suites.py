"""Every suite passes on a correct county and fails, with the configured severity, on exactly
the defects planted for it — and the results are kept in audit.dq_results and the Data Docs.

Why exact sets of failures: a suite that also failed on something not planted would be a false
alarm on real data (and, if blocking, would hold back a correct night); one that missed a
planted defect would let it be published.
"""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pytest
from dq_fixtures import Run, build_warehouse, plant_mart_defects, plant_raw_defects

from expectations import run_suites
from expectations.suites import SUITES

B, W = "blocking", "warn"


# Module-scoped runs (no conftest here: other test folders import their helpers with
# `from conftest import ...`, which a second conftest module would shadow). One run on a clean
# county and one on a county with known defects, read by many small tests, keep the folder fast.


@pytest.fixture(scope="module")
def clean_run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    """All suites on a correct two-batch county."""
    root = tmp_path_factory.mktemp("dq_clean_run")
    db = build_warehouse(root / "warehouse.duckdb.build")
    docs = root / "dq_docs"
    return Run(db, docs, "clean-run", run_suites(db, "clean-run", docs))


@pytest.fixture(scope="module")
def broken_run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    """All suites on the county with one or two known defects per suite."""
    root = tmp_path_factory.mktemp("dq_broken_run")

    def plant(con: duckdb.DuckDBPyConnection) -> None:
        plant_raw_defects(con)
        plant_mart_defects(con)

    db = build_warehouse(root / "warehouse.duckdb.build", after_marts=plant)
    docs = root / "dq_docs"
    return Run(db, docs, "broken-run", run_suites(db, "broken-run", docs))


#: suite -> {expectation: severity} that must fail on the broken county (dq_fixtures).
EXPECTED_FAILURES: dict[str, dict[str, str]] = {
    "raw_townships": {
        "township_code_unique": B,
        "township_kind_valid": B,
        "population_not_negative": B,
    },
    "raw_institutions": {
        "uscc_check_character": W,
        "uscc_flag_agrees": B,
        "public_class_only_for_public": W,
        "parent_known": W,
    },
    "raw_quota_grants": {
        "kind_matches_item": B,
        "institution_exists": W,
        "approved_not_in_future": W,
    },
    "raw_roster": {
        "id_number_check_digit": W,
        "id_flag_agrees": B,
        "status_valid": B,
        "birth_date_not_in_future": W,
        "at_least_min_age": W,
        "work_since_after_birth": W,
    },
    "load_report": {"rows_add_up": B, "quarantine_share_small": W},
    "marts_rule_catalog": {"rule_codes_are_the_contract": B},
    "marts_townships": {"township_class_valid": B},
    "marts_institutions": {"parent_exists": B},
    "marts_staffing_reconciliation": {"vacancy_matches": B},
    "marts_leadership_reconciliation": {"institution_exists": B},
    "marts_township_summary": {"quota_type_valid": B},
    "marts_township_leadership": {"ratio_matches": B, "leader_ratio_plausible": W},
    "marts_workforce_structure": {"headcount_adds_up": B, "one_county_row": B},
    "marts_roster": {"person_key_format": B, "slot_unit_resolves": W},
    "headcount_change": {"headcount_change_within_bounds": W},
    "vacancy_rate": {"vacancy_rate_plausible": W, "vacancy_rate_steady": W},
    "marts_quota_events": {"amount_not_negative": B},
    "marts_findings": {"rule_code_valid": B, "rule_in_catalog": B, "open_iff_seen_in_newest": B},
    "marts_findings_history": {"finding_exists": B},
}


def test_every_suite_is_exercised_by_the_planted_defects() -> None:
    assert set(EXPECTED_FAILURES) == set(SUITES)


def test_clean_county_passes_every_expectation(clean_run: Run) -> None:
    assert {r.suite for r in clean_run.results} == set(SUITES)
    failed = {r.suite: [e.expectation for e in r.failed()] for r in clean_run.results}
    assert {s: f for s, f in failed.items() if f} == {}
    assert all(r.success and not r.blocking_failed for r in clean_run.results)


def test_clean_county_evaluates_the_newest_batch(clean_run: Run) -> None:
    assert {str(r.batch_date) for r in clean_run.results} == {"2026-11-20"}
    roster = clean_run.suite("raw_roster")
    counted = {e.expectation: e.element_count for e in roster.expectations}
    assert counted["status_valid"] == 102  # the second batch's roster, not both batches


def test_broken_county_fails_exactly_the_planted_defects(broken_run: Run) -> None:
    failed = {r.suite: {e.expectation: e.severity for e in r.failed()} for r in broken_run.results}
    assert failed == EXPECTED_FAILURES


def test_blocking_follows_the_failed_severities(broken_run: Run) -> None:
    for result in broken_run.results:
        expected = EXPECTED_FAILURES[result.suite]
        assert result.blocking_failed == (B in expected.values()), result.suite
        assert not result.success


def test_failures_name_the_rows_to_fix(broken_run: Run) -> None:
    roster = {e.expectation: e for e in broken_run.suite("raw_roster").expectations}
    assert "row_number=13" in (roster["status_valid"].observed_value or "")
    assert "退休" in (roster["status_valid"].observed_value or "")
    ids = roster["id_number_check_digit"]
    assert (ids.unexpected_count, ids.element_count) == (3, 102)
    share = {e.expectation: e for e in broken_run.suite("load_report").expectations}
    assert "institutions" in (share["quarantine_share_small"].observed_value or "")
    # a suite without index columns: its failure shows the unexpected value itself
    rate = {e.expectation: e for e in broken_run.suite("vacancy_rate").expectations}
    assert (rate["vacancy_rate_plausible"].observed_value or "").startswith(
        "1 of 1 rows unexpected (100.00 %): 0.6"
    )


def test_a_clean_night_fetches_no_unexpected_values(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """GX lists unexpected values with `… where <unexpected> limit n`; on a clean column the
    query finds nothing and so reads the whole batch, once per row-level expectation. The first
    pass asks for none (limit 0, answered at once): every LIMIT a clean run binds is 0."""
    import expectations.dbapi as dbapi

    limits: list[object] = []
    execute = dbapi.BufferedCursor.execute

    def spy(self, statement: str, parameters=None, context=None) -> None:  # noqa: ANN001
        for number in re.findall(r"(?i)\blimit\s+\$(\d+)", statement):
            limits.append(parameters[int(number) - 1])
        limits.extend(int(n) for n in re.findall(r"(?i)\blimit\s+(\d+)", statement))
        return execute(self, statement, parameters, context)

    monkeypatch.setattr(dbapi.BufferedCursor, "execute", spy)
    db = build_warehouse(tmp_path / "warehouse.duckdb.build")
    results = run_suites(db, "clean-limits", tmp_path / "dq_docs", suites=["raw_roster"])
    assert results and all(r.success for r in results)
    assert len(limits) >= 10  # GX did ask for unexpected values: one query per expectation
    assert set(limits) == {0}


def test_no_identity_number_reaches_the_results(broken_run: Run) -> None:
    """The planted mart row whose person_key is an identity number fails person_key_format; the
    result must say where, without copying the number into audit.dq_results."""
    con = duckdb.connect(str(broken_run.db), read_only=True)
    try:
        texts = [
            r[0] for r in con.execute("select observed_value from audit.dq_results").fetchall()
        ]
    finally:
        con.close()
    assert not any("350102198001010011" in (t or "") for t in texts)
    key = {e.expectation: e for e in broken_run.suite("marts_roster").expectations}
    assert not key["person_key_format"].success


def test_results_are_stored_one_row_per_expectation(broken_run: Run) -> None:
    con = duckdb.connect(str(broken_run.db), read_only=True)
    try:
        rows = con.execute(
            'select run_id, batch_date, suite, expectation, "column", severity, success, '
            "observed_value, element_count, unexpected_count, checked_at from audit.dq_results"
        ).fetchall()
    finally:
        con.close()
    total = sum(len(r.expectations) for r in broken_run.results)
    assert len(rows) == total
    assert {r[0] for r in rows} == {"broken-run"}
    assert {str(r[1]) for r in rows} == {"2026-11-20"}
    assert {r[5] for r in rows} == {B, W}
    stored_failures: dict[str, dict[str, str]] = {}
    for _, _, suite, expectation, _, severity, success, *_ in rows:
        if not success:
            stored_failures.setdefault(suite, {})[expectation] = severity
    assert stored_failures == EXPECTED_FAILURES
    status = next(r for r in rows if r[2] == "raw_roster" and r[3] == "status_valid")
    assert status[4] == "status" and status[8] == 102 and status[9] == 1
    assert all(r[10] is not None for r in rows)


def test_connections_are_released(clean_run: Run) -> None:
    """dbt and the publish step open the build file right after the checks: GX must have let it
    go (a read-only open fails while this process still holds a read-write connection)."""
    con = duckdb.connect(str(clean_run.db), read_only=True)
    con.close()


def test_data_docs_are_rendered_beside_the_warehouse(clean_run: Run) -> None:
    index = clean_run.docs / "index.html"
    assert index.is_file()
    html = index.read_text(encoding="utf-8")
    for name in ("raw_roster", "marts_findings", "headcount_change"):
        assert name in html
    assert list((clean_run.docs / "validations").rglob("*.html"))


def test_suite_results_carry_dagster_metadata(broken_run: Run) -> None:
    result = broken_run.suite("marts_township_leadership")
    meta = result.metadata()
    assert meta["failed_blocking"] == ["ratio_matches"]
    assert meta["failed_warn"] == ["leader_ratio_plausible"]
    assert "| leader_ratio_plausible | warn |" in meta["results"]
    assert result.check_name == "dq_marts_township_leadership"
    assert result.asset_key == ("marts", "township_leadership")
    assert "leader_ratio_plausible [warn]" in result.describe()


def test_a_registry_of_a_province_is_checked_not_hung(tmp_path: Path) -> None:
    """100,000 institutions in a batch: raw_institutions returns (DuckDB 2.0.0 hung for good
    on its CTE, read twice under GX's LIMIT, from about 60,000 rows)."""
    import subprocess
    import sys

    db = build_warehouse(tmp_path / "province.duckdb")
    con = duckdb.connect(str(db))
    con.execute(
        "insert into raw.institutions select t.* replace ("
        "'P' || lpad((r.i * 1000 + t.row_number)::varchar, 9, '0') as institution_code, "
        "t.name || r.i as name, null as uscc) from raw.institutions t, "
        "range(200000 // (select count(*) from raw.institutions) + 1) r(i)"  # 100,000 a batch
    )
    con.close()
    code = (
        "import sys; from pathlib import Path; from expectations import run_suites\n"
        "[r] = run_suites(Path(sys.argv[1]), 'p', Path(sys.argv[2]), layer='raw',"
        " suites=['raw_institutions'])\n"
        "print(r.suite, len(r.expectations))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code, str(db), str(tmp_path / "docs")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.startswith("raw_institutions")


def test_no_suite_query_lets_duckdb_materialize_a_cte() -> None:
    """DuckDB 2.0.0 never returns from a materialized CTE read twice under a LIMIT (GX adds
    one to every unexpected-values query); each suite inlines its CTEs."""
    import re

    from expectations import suites as suite_module

    source = Path(suite_module.__file__).read_text(encoding="utf-8")
    ctes = re.findall(r"\b(\w+) as (not materialized )?\(", source)
    assert ctes, "the suites define CTEs"
    assert [name for name, inline in ctes if not inline] == []
