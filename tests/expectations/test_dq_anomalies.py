"""The distribution checks of the issue on planted anomalies: a township whose leader ratio is
0.6 and an institution whose headcount jumps 30 % against the previous batch — reported with the
severity the config gives them (warn by default, blocking where an operator says so).

Why planted in the source rows: the anomaly then reaches the marts the way a bad export would,
and the test shows the measure (computed in DuckDB, checked by a GX expectation) sees it.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
import yaml
from dq_fixtures import FIRST, SECOND, build_warehouse, county, plant_anomalies

from expectations import ExpectationResult, SuiteResult, run_suites
from expectations.config import DEFAULT_CONFIG_PATH

SUITES = ["marts_township_leadership", "headcount_change"]


@pytest.fixture(scope="module")
def anomalous(tmp_path_factory: pytest.TempPathFactory) -> Path:
    batches = {FIRST: county(FIRST), SECOND: county(SECOND)}
    plant_anomalies(batches)
    return build_warehouse(tmp_path_factory.mktemp("dq_anomalies") / "build.duckdb", batches)


def _by_expectation(
    results: list[SuiteResult],
) -> dict[str, tuple[SuiteResult, ExpectationResult]]:
    return {e.expectation: (r, e) for r in results for e in r.expectations}


def test_planted_measures_are_what_the_issue_describes(anomalous: Path) -> None:
    con = duckdb.connect(str(anomalous), read_only=True)
    try:
        ratio = con.execute(
            "select leader_ratio from marts.township_leadership "
            "where as_of = ? and township_code = '350102001'",
            [SECOND],
        ).fetchone()
        counts = con.execute(
            "select as_of, count(*) from marts.roster where slot_institution_code = 'C1' "
            "group by 1 order by 1"
        ).fetchall()
    finally:
        con.close()
    assert ratio is not None and ratio[0] == pytest.approx(0.6)
    assert [n for _, n in counts] == [20, 26]


def test_anomalies_are_reported_as_warnings_by_default(anomalous: Path, tmp_path: Path) -> None:
    results = run_suites(anomalous, "anomaly-warn", tmp_path / "dq_docs", suites=SUITES)
    found = _by_expectation(results)
    suite, ratio = found["leader_ratio_plausible"]
    assert (ratio.success, ratio.severity) == (False, "warn")
    assert ratio.unexpected_count == 1
    assert "township_code=350102001" in ratio.observed_value
    assert "leader_ratio=0.6" in ratio.observed_value
    assert not suite.blocking_failed  # the other expectations of the suite hold
    suite, jump = found["headcount_change_within_bounds"]
    assert (jump.success, jump.severity) == (False, "warn")
    assert jump.unexpected_count == 1  # only C1; P1's 10 -> 8 (-20 %) is not a jump
    assert "institution_code=C1" in jump.observed_value
    assert "headcount_change=0.3" in jump.observed_value
    assert not suite.blocking_failed and not suite.blocking

    con = duckdb.connect(str(anomalous), read_only=True)
    try:
        stored = con.execute(
            "select suite, severity, success, unexpected_count from audit.dq_results "
            "where run_id = 'anomaly-warn' and expectation in "
            "('leader_ratio_plausible', 'headcount_change_within_bounds') order by suite"
        ).fetchall()
    finally:
        con.close()
    assert stored == [
        ("headcount_change", "warn", False, 1),
        ("marts_township_leadership", "warn", False, 1),
    ]


def test_configured_blocking_makes_the_anomaly_block(anomalous: Path, tmp_path: Path) -> None:
    data = yaml.safe_load(DEFAULT_CONFIG_PATH.read_text(encoding="utf-8"))
    data["severity"]["overrides"] = {"headcount_change.headcount_change_within_bounds": "blocking"}
    config = tmp_path / "dq.yml"
    config.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    results = run_suites(anomalous, "anomaly-block", tmp_path / "dq_docs", config, suites=SUITES)
    by_suite = {r.suite: r for r in results}
    assert by_suite["headcount_change"].blocking
    assert by_suite["headcount_change"].blocking_failed
    assert not by_suite["marts_township_leadership"].blocking_failed  # still warn


def test_a_change_below_the_threshold_is_not_reported(tmp_path: Path) -> None:
    """C1 grows 20 -> 25 (+25 %): below the 30 % that the config calls a jump."""
    batches = {FIRST: county(FIRST), SECOND: county(SECOND, {"C1": 5})}
    db = build_warehouse(tmp_path / "build.duckdb", batches)
    [result] = run_suites(db, "small-change", tmp_path / "dq_docs", suites=["headcount_change"])
    assert result.success
    assert result.expectations[0].element_count == 8  # every institution with >= 10 people
