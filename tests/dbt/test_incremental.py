"""Incremental builds by batch (dbt_project/macros/incremental_batches.sql): the scenario built
night by night, a reloaded batch and `--full-refresh` give exactly what one full build gives.

Why compare whole tables: the incremental models must not change any result, so the reference
is the session's full build of the same batches (conftest `warehouse`), table by table, as
multisets of rows.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from dbt_builder import add_batches, drop_batch, write_warehouse
from dbt_harness import DBT_DIR, RULES, Warehouse, failures, rows_of, run_dbt
from dbt_scenario import B1, B2, B3, B4, B5, B6, FENG_SAN, WU_JIU, scenario

BUILD = ["build", "--exclude-resource-type", "unit_test"]
TARGET = "pytest_incremental"  # own partial-parse state


def _tables(con: duckdb.DuckDBPyConnection) -> dict[str, Counter]:
    """Every table of marts and intermediate as a multiset of rows (not the ledgers of what was
    built and tested, whose loaded_at and fingerprints differ by how the batches came)."""
    names = [
        f"{s}.{t}"
        for s, t in con.execute(
            "select table_schema, table_name from information_schema.tables "
            "where table_schema in ('marts', 'intermediate') and table_type = 'BASE TABLE' "
            "and table_name not in ('dbt_batches_built', 'dbt_batches_tested') order by 1, 2"
        ).fetchall()
    ]
    return {name: Counter(con.execute(f"select * from {name}").fetchall()) for name in names}


def _snapshot(path: Path) -> dict[str, Counter]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return _tables(con)
    finally:
        con.close()


def _log() -> Path:
    return DBT_DIR / "target" / TARGET / "dbt.log"


def _build(path: Path, *extra: str, macros: str | None = None) -> dict[str, str]:
    """dbt build (with var macros_digest when given); the compiled SQL of every model that ran,
    by model name."""
    extra_vars = {"macros_digest": macros} if macros is not None else None
    run = run_dbt(path, [*BUILD, *extra], RULES, TARGET, extra_vars)
    assert run.success, failures(run) or run.exception
    return {
        r.node.name: r.node.compiled_code or ""
        for r in run.results
        if r.node.resource_type == "model"
    }


def _assert_same(got: dict[str, Counter], want: dict[str, Counter]) -> None:
    assert sorted(got) == sorted(want)
    different = [name for name in want if got[name] != want[name]]
    assert not different, f"tables that differ from the full build: {different}"


NIGHTS = ([B2], [B3], [B4, B5], [B6])  # after B1 alone


@pytest.fixture(scope="module")
def nightly(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, list]]:
    """The scenario loaded and built as the nights come: B1, B2, B3 one by one, B4 and B5
    together, then B6; with the compiled SQL of each night after the first."""
    batches = scenario()
    path = tmp_path_factory.mktemp("dbt_incremental") / "build.duckdb"
    write_warehouse(path, {B1: batches[B1]})
    _build(path)
    compiled = []
    for night in NIGHTS:
        add_batches(path, {b: batches[b] for b in night})
        compiled.append(_build(path))
    yield path, compiled


def test_night_by_night_equals_one_full_build(nightly, warehouse: Warehouse) -> None:
    _assert_same(_snapshot(nightly[0]), _tables(warehouse.con))


def test_each_night_reads_only_its_new_batches(nightly) -> None:
    _, compiled = nightly
    for night, models in zip(NIGHTS, compiled, strict=True):
        for name in ("int_roster_units_resolved", "staffing_reconciliation", "findings_history"):
            dates = {b for b in (B1, B2, B3, B4, B5, B6) if f"date '{b}'" in models[name]}
            assert dates == set(night), (name, night, dates)


def test_each_model_built_every_batch_once(nightly) -> None:
    con = duckdb.connect(str(nightly[0]), read_only=True)
    try:
        per_model = con.execute(
            "select model_name, count(*), count(distinct batch_date) "
            "from intermediate.dbt_batches_built group by 1"
        ).fetchall()
        history = con.execute(
            "select as_of, count(*) from marts.findings_history group by 1 order by 1"
        ).fetchall()
    finally:
        con.close()
    assert per_model and all(n == distinct == 6 for _, n, distinct in per_model)
    assert [str(as_of) for as_of, _ in history] == [B1, B2, B3, B4, B5, B6]


def test_returning_finding_keeps_first_seen_across_nights(nightly) -> None:
    # 冯二: held in B1, gone in B2 (built on its own night), back from B3
    con = duckdb.connect(str(nightly[0]), read_only=True)
    try:
        rows = con.execute(
            "select as_of, first_seen from marts.findings_history "
            "where rule_code = 'WORKER_IN_MANAGEMENT' and person_name = '冯二' order by 1"
        ).fetchall()
        seconded = con.execute(
            "select as_of, first_seen, severity, open_days from marts.findings_history "
            "where rule_code = 'SECONDED' and person_name = '吴九' order by 1"
        ).fetchall()
    finally:
        con.close()
    assert [(str(a), str(f)) for a, f in rows] == [(b, B1) for b in (B1, B3, B4, B5, B6)]
    # SECONDED opened in B3, built night by night: 90 days at B5 (warn), 91 at B6 (error)
    assert [(str(a), str(f), s, d) for a, f, s, d in seconded][-2:] == [
        (B5, B3, "warn", 90),
        (B6, B3, "error", 91),
    ]


@pytest.fixture(scope="module")
def reloaded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Path]]:
    """B1–B3 built; then B3 is dropped and loaded again without 吴九 and 冯三 (a corrected
    export) and built incrementally. The reference is a fresh full build of B1, B2 and the new
    B3."""
    batches = scenario()
    corrected = batches[B3].without(WU_JIU.name, FENG_SAN.name)
    path = tmp_path_factory.mktemp("dbt_reload") / "build.duckdb"
    write_warehouse(path, {B1: batches[B1], B2: batches[B2], B3: batches[B3]})
    _build(path)
    drop_batch(path, B3)
    add_batches(path, {B3: corrected})
    _build(path)
    reference = tmp_path_factory.mktemp("dbt_reload_reference") / "build.duckdb"
    write_warehouse(reference, {B1: batches[B1], B2: batches[B2], B3: corrected})
    _build(reference)
    yield path, reference


def test_reloaded_batch_is_rebuilt(reloaded: tuple[Path, Path]) -> None:
    path, reference = reloaded
    got = _snapshot(path)
    _assert_same(got, _snapshot(reference))
    seconded_b3 = [
        row for row in got["marts.findings_history"] if row[2] == "SECONDED" and str(row[0]) == B3
    ]
    assert not [row for row in seconded_b3 if row[11] == WU_JIU.name]


def test_full_refresh_gives_the_same_tables(reloaded: tuple[Path, Path]) -> None:
    path, reference = reloaded
    _build(path, "--full-refresh")
    _assert_same(_snapshot(path), _snapshot(reference))


def test_a_removed_batch_leaves_no_rows(tmp_path: Path) -> None:
    batches = scenario()
    path = tmp_path / "build.duckdb"
    write_warehouse(path, {B1: batches[B1], B2: batches[B2]})
    _build(path)
    drop_batch(path, B2)
    _build(path)
    con = duckdb.connect(str(path), read_only=True)
    try:
        left = {
            name: {str(row[0]) for row in rows}
            for name, rows in _tables(con).items()
            if name.startswith("marts.") and name not in ("marts.rule_catalog", "marts.findings")
        }
    finally:
        con.close()
    assert left and all(dates <= {B1} for dates in left.values()), left


def _logged_sql(path: Path, *extra: str) -> str:
    """The statements one `_build` logged (dbt's debug log of the run, appended to the file).

    dbt rotates its log at 10 MB (`dbt.log` → `dbt.log.1`), and this target's log is kept
    between test sessions: when the file shrank during the build, the build's first lines are
    at the end of `dbt.log.1`."""
    log = _log()
    start = log.stat().st_size if log.exists() else 0
    _build(path, *extra)
    logged = b""
    if log.stat().st_size < start:
        with log.with_name(log.name + ".1").open("rb") as f:
            f.seek(start)
            logged = f.read()
        start = 0
    with log.open("rb") as f:
        f.seek(start)
        logged += f.read()
    return logged.decode("utf-8", errors="replace")


def test_an_incremental_night_inserts_without_a_temporary_copy(tmp_path: Path) -> None:
    """macros/materializations/incremental.sql: the night's rows go straight into the table,
    not into a temporary table first (dbt-duckdb's delete+insert) — on the first night and the
    next alike, with the same tables as a full build (the tests above)."""
    batches = scenario()
    path = tmp_path / "build.duckdb"
    write_warehouse(path, {B1: batches[B1]})
    first = _logged_sql(path)
    add_batches(path, {B2: batches[B2]})
    second = _logged_sql(path)
    for name in ("int_roster_units_resolved", "staffing_reconciliation", "findings_history"):
        schema = "intermediate" if name.startswith("int_") else "marts"
        insert = f'insert into "build"."{schema}"."{name}" by name'
        assert insert not in first, name  # no table yet: built from scratch
        assert insert in second, name
    assert "create temporary table" not in first + second


def _night_after_altering(tmp_path: Path, *statements: str) -> Path:
    """B1 built, the built file then changed by `statements` (as an earlier release or an
    operator left it), and B2 built on it; the file's path."""
    batches = scenario()
    path = tmp_path / "build.duckdb"
    write_warehouse(path, {B1: batches[B1]})
    _build(path)
    con = duckdb.connect(str(path))
    try:
        for statement in statements:
            con.execute(statement)
    finally:
        con.close()
    add_batches(path, {B2: batches[B2]})
    _build(path)
    return path


def test_a_column_new_to_the_query_is_added_to_the_table(tmp_path: Path) -> None:
    """on_schema_change='append_new_columns' on the insert path: a column the table lacks (here
    dropped from the built table, as when a model gains a column) is added; the night's rows
    carry it, the earlier rows are NULL — as dbt's own append_new_columns."""
    path = _night_after_altering(tmp_path, "alter table marts.townships drop column township_name")
    named = dict(
        rows_of(path, "select as_of::varchar, count(township_name) from marts.townships group by 1")
    )
    assert named[B1] == 0
    assert named[B2] > 0


def test_a_changed_macro_rebuilds_every_batch(tmp_path: Path) -> None:
    """The fingerprint covers var('macros_digest') (orchestration/config.py::macros_digest): an
    unchanged digest builds only the new batch, a changed one every batch of every model."""
    batches = scenario()
    path = tmp_path / "build.duckdb"
    write_warehouse(path, {B1: batches[B1]})
    _build(path, macros="aaaa")
    add_batches(path, {B2: batches[B2]})
    same = _build(path, macros="aaaa")
    changed = _build(path, macros="bbbb")
    for name in ("int_roster_units_resolved", "staffing_reconciliation", "findings_history"):
        assert f"date '{B2}'" in same[name] and f"date '{B1}'" not in same[name], name
        assert f"date '{B1}'" in changed[name] and f"date '{B2}'" in changed[name], name
    history = rows_of(path, "select distinct as_of::varchar from marts.findings_history order by 1")
    assert history == [(B1,), (B2,)]


def _night_after_a_table_in_place_of(tmp_path: Path, schema: str, view: str) -> Path:
    """B1 built with the view `schema.view` replaced by a table of its rows (what an earlier
    release built), then B2 built on it; checks that the night made it a view again."""
    path = _night_after_altering(
        tmp_path,
        f"create table {schema}.{view}_b1 as select * from {schema}.{view}",
        f"drop view {schema}.{view}",
        f"alter table {schema}.{view}_b1 rename to {view}",
    )
    kind = rows_of(
        path,
        "select table_type from information_schema.tables "
        f"where table_schema = '{schema}' and table_name = '{view}'",
    )
    assert kind == [("VIEW",)]
    return path


def test_a_roster_table_of_an_earlier_release_becomes_the_view(tmp_path: Path) -> None:
    """marts.roster was an incremental table before it became a view over int_roster_resolved:
    the first night after the upgrade replaces the table, and the view holds every batch."""
    path = _night_after_a_table_in_place_of(tmp_path, "marts", "roster")
    per_batch = rows_of(
        path, "select as_of::varchar, count(*) from marts.roster group by 1 order by 1"
    )
    resolved = rows_of(
        path,
        "select batch_date::varchar, count(*) from intermediate.int_roster_resolved "
        "group by 1 order by 1",
    )
    assert per_batch == resolved and [b for b, _ in per_batch] == [B1, B2]


def test_a_resolved_roster_table_of_an_earlier_release_becomes_the_view(tmp_path: Path) -> None:
    """intermediate.int_roster_resolved was an incremental table before it became a view over the
    roster and int_roster_units_resolved: the first night after the upgrade replaces the table,
    and the view holds every roster row of every batch, each once."""
    path = _night_after_a_table_in_place_of(tmp_path, "intermediate", "int_roster_resolved")
    resolved = rows_of(
        path,
        "select batch_date::varchar, count(*), count(distinct (file_name, source_row_number)) "
        "from intermediate.int_roster_resolved group by 1 order by 1",
    )
    loaded = rows_of(
        path, "select batch_date::varchar, count(*), count(*) from raw.roster group by 1 order by 1"
    )
    assert resolved == loaded and [b for b, _, _ in resolved] == [B1, B2]


def _scans(plan: dict) -> Iterator[dict]:
    yield plan
    for child in plan.get("children", []):
        yield from _scans(child)


def test_a_night_joins_only_its_own_unit_references(nightly) -> None:
    """int_roster_resolved is a view joining every batch's roster rows to every batch's unit
    references (int_roster_units_resolved). The models reading it filter on their pending
    batches, and only a filter DuckDB carries across the join keeps each of their joins to the
    night's references: an IN list is not carried (the whole history's references were hashed
    for every join, the cost of a night growing with the history), an equality or a range is
    (macros/incremental_batches.sql, in_pending_batches). Checked in the plans of each night's
    compiled SQL: one batch, and two at once, while other batches are in the file."""
    path, compiled = nightly
    readers = [
        "int_person_findings_evaluated",
        "int_staffing_reconciled",
        "int_leadership_reconciled",
        "int_workforce_aggregated",
    ]
    con = duckdb.connect(str(path), read_only=True)
    try:
        for night, models in zip(NIGHTS, compiled, strict=True):
            for name in readers:
                assert "int_roster_resolved" in models[name], name
                plan = con.execute(f"explain (format json) {models[name]}").fetchall()[0][1]
                scans = [
                    node.get("extra_info", {})
                    for node in _scans(json.loads(plan)[0])
                    if node.get("extra_info", {})
                    .get("Table", "")
                    .endswith("intermediate.int_roster_units_resolved")
                ]
                assert scans, (night, name)
                unfiltered = [s for s in scans if "batch_date" not in str(s.get("Filters", ""))]
                assert not unfiltered, (night, name, len(unfiltered), len(scans))
    finally:
        con.close()
