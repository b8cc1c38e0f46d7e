"""The runner's contract with the orchestration: which batches, which layer, one GX context per
run, failures never silent, nothing left open.

Why these: the nightly job calls `run_suites` twice (after ingest, after dbt) on a build file
that dbt and the publish step open next; a missing table must fail the suite (a skipped check
would publish unchecked data), and configuration must be able to switch a check off.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
import yaml
from dq_fixtures import FIRST, SECOND

import expectations.runner as runner
from expectations import docs_due, run_suites
from expectations.config import DEFAULT_CONFIG_PATH


def _dq_rows(db: Path) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute("select run_id, suite, batch_date from audit.dq_results").fetchall()
    finally:
        con.close()


def test_an_earlier_batch_is_compared_with_its_own_predecessor(build: Path, tmp_path: Path) -> None:
    suites = ["headcount_change", "marts_findings"]
    results = run_suites(build, "r", tmp_path / "docs", batch_dates=[FIRST, SECOND], suites=suites)
    seen = sorted((r.suite, str(r.batch_date)) for r in results)
    assert seen == [  # findings have no batch grain: evaluated once, as of the newest
        ("headcount_change", "2026-10-20"),
        ("headcount_change", "2026-11-20"),
        ("marts_findings", "2026-11-20"),
    ]
    first = next(r for r in results if r.batch_date == FIRST)
    assert first.success and first.expectations[0].element_count == 0  # nothing to compare


def test_a_batch_that_was_not_loaded_is_refused(build: Path, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="2026-12-20"):
        run_suites(build, "r", tmp_path / "docs", batch_dates=[SECOND.replace(month=12)])


def test_layers_share_one_context_per_run(build: Path, tmp_path: Path) -> None:
    docs = tmp_path / "dq_docs"
    raw = run_suites(build, "run-7", docs, layer="raw", suites=["raw_townships", "load_report"])
    context = runner._SESSION.context if runner._SESSION else None
    marts = run_suites(build, "run-7", docs, layer="marts", suites=["marts_townships"])
    assert runner._SESSION is not None and runner._SESSION.context is context
    assert [r.layer for r in raw] == ["raw", "raw"] and [r.layer for r in marts] == ["marts"]
    html = (docs / "index.html").read_text(encoding="utf-8")
    assert "raw_townships" in html and "marts_townships" in html  # one site for the run
    assert sorted(s for _, s, _ in _dq_rows(build)) == sorted(
        ["raw_townships"] * len(raw[0].expectations)
        + ["load_report"] * len(raw[1].expectations)
        + ["marts_townships"] * len(marts[0].expectations)
    )
    again = run_suites(build, "run-7", docs, layer="marts", suites=["marts_townships"])
    assert again[0].success  # a re-run of the same run replaces what GX registered
    duckdb.connect(str(build), read_only=True).close()  # nothing left open


def test_raw_layer_leaves_the_docs_to_the_marts_unless_it_blocks(
    build: Path, tmp_path: Path
) -> None:
    """The nightly job renders the site once, after the marts, with both layers' results; a
    night that a raw expectation blocks renders at once (the marts layer never runs)."""
    docs = tmp_path / "dq_docs"
    [raw] = run_suites(build, "run-8", docs, layer="raw", suites=["raw_townships"], docs="when_due")
    assert not docs_due("raw", [raw])
    assert not (docs / "index.html").exists()
    marts = run_suites(build, "run-8", docs, layer="marts", suites=["marts_townships"])
    assert docs_due("marts", marts) and docs_due(None, [raw])
    html = (docs / "index.html").read_text(encoding="utf-8")
    assert "raw_townships" in html and "marts_townships" in html

    con = duckdb.connect(str(build))
    con.execute("drop table raw.townships")
    con.close()
    blocked_docs = tmp_path / "blocked_docs"
    [result] = run_suites(
        build, "run-9", blocked_docs, layer="raw", suites=["raw_townships"], docs="when_due"
    )
    assert result.blocking_failed and docs_due("raw", [result])
    assert "raw_townships" in (blocked_docs / "index.html").read_text(encoding="utf-8")


def test_a_missing_table_fails_its_suite_with_the_error(build: Path, tmp_path: Path) -> None:
    con = duckdb.connect(str(build))
    con.execute("drop table marts.township_summary")
    con.close()
    [result] = run_suites(build, "r", tmp_path / "docs", suites=["marts_township_summary"])
    assert not result.success and result.blocking_failed
    assert all(not e.success for e in result.expectations)
    observed = result.expectations[0].observed_value or ""
    assert observed.startswith("error:") and "township_summary" in observed


def test_an_expectation_configured_off_is_not_run(build: Path, tmp_path: Path) -> None:
    data = yaml.safe_load(DEFAULT_CONFIG_PATH.read_text(encoding="utf-8"))
    data["severity"]["overrides"] = {"raw_townships.township_kind_valid": "off"}
    config = tmp_path / "dq.yml"
    config.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    [result] = run_suites(build, "r", tmp_path / "docs", config, suites=["raw_townships"])
    names = {e.expectation for e in result.expectations}
    assert "township_kind_valid" not in names and "township_class_valid" in names


def test_a_warehouse_without_batches_has_nothing_to_check(tmp_path: Path) -> None:
    db = tmp_path / "empty.duckdb"
    duckdb.connect(str(db)).close()
    assert run_suites(db, "r", tmp_path / "docs") == []
    con = duckdb.connect(str(db), read_only=True)
    try:
        tables = con.execute("select table_name from information_schema.tables").fetchall()
    finally:
        con.close()
    assert tables == []


def test_data_docs_show_the_latest_run(build: Path, tmp_path: Path) -> None:
    docs = tmp_path / "dq_docs"
    run_suites(build, "night-1", docs, suites=["raw_townships"])
    run_suites(build, "night-2", docs, suites=["load_report"])
    pages = {
        p.relative_to(docs / "validations").parts[0] for p in docs.rglob("validations/**/*.html")
    }
    assert pages == {"load_report"}
    assert "load_report" in (docs / "index.html").read_text(encoding="utf-8")


def test_a_missing_file_is_refused_not_created(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        run_suites(tmp_path / "nope.duckdb", "r", tmp_path / "docs")
    assert not (tmp_path / "nope.duckdb").exists()
