"""The rules configuration reaches dbt only as vars built by pure functions."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from orchestration.config import (
    GENERIC_TEST_DIR,
    MACRO_DIR,
    ConfigError,
    dbt_build_args,
    load_rules_config,
    macros_digest,
    validate_rules_config,
)
from orchestration.paths import PROJECT_ROOT

DEFAULT = PROJECT_ROOT / "config" / "rules.yml"


def test_default_config_holds_the_rules_md_defaults() -> None:
    rules = load_rules_config(DEFAULT)
    assert rules["leader_ratio"] == {"max_ratio": 0.35, "min_staff": 10}
    assert rules["seconded"]["escalate_after_days"] == 90
    assert rules["township_leadership"] == {
        "max_posts": 9,
        "max_posts_large": 11,
        "large_population": 50000,
        "large_area_km2": 600,
    }
    assert rules["institution_limit"] == {"max_internal_offices": 7, "max_public_units": 5}
    assert rules["volume_guard"]["max_change"] == 0.20


def test_build_args_pass_thresholds_as_vars() -> None:
    rules = load_rules_config(DEFAULT)
    args = dbt_build_args(rules)
    assert args[0] == "build"
    assert args[1] == "--vars"
    assert json.loads(args[2]) == {"rules": rules, "macros_digest": macros_digest()}
    assert "--select" not in args
    # unit tests run in `make test` (tests/dbt), not on the night's data
    assert args[args.index("--exclude-resource-type") + 1] == "unit_test"
    assert dbt_build_args(rules, select=["marts"])[-2:] == ["--select", "marts"]


def test_edited_threshold_reaches_the_vars(tmp_path: Path) -> None:
    text = DEFAULT.read_text(encoding="utf-8").replace("max_ratio: 0.35", "max_ratio: 0.4")
    edited = tmp_path / "rules.yml"
    edited.write_text(text, encoding="utf-8")
    args = dbt_build_args(load_rules_config(edited))
    assert json.loads(args[2])["rules"]["leader_ratio"]["max_ratio"] == 0.4


@pytest.mark.parametrize(
    "broken",
    [
        [],
        {"leader_ratio": {"max_ratio": 0.35}},
        {**load_rules_config(DEFAULT), "seconded": {"escalate_after_days": -1}},
        {**load_rules_config(DEFAULT), "volume_guard": {"max_change": "20%"}},
    ],
)
def test_broken_config_is_refused(broken: object) -> None:
    with pytest.raises(ConfigError):
        validate_rules_config(broken)


def test_unreadable_config_names_the_file(tmp_path: Path) -> None:
    missing = tmp_path / "nope.yml"
    with pytest.raises(ConfigError, match="nope.yml"):
        load_rules_config(missing)


def test_dbt_state_is_kept_per_warehouse(tmp_path: Path) -> None:
    from orchestration.paths import run_target_dir

    first, second = tmp_path / "a" / "w.duckdb", tmp_path / "b" / "w.duckdb"
    assert run_target_dir(first) == tmp_path / "a" / "w.duckdb.dbt"
    assert run_target_dir(first) != run_target_dir(second)


def test_command_line_paths_override_the_environment_the_rest_comes_from_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from orchestration.settings import settings_from_env

    monkeypatch.setenv("BIANZHI_WAREHOUSE", str(tmp_path / "env.duckdb"))
    monkeypatch.setenv("BIANZHI_NIGHTLY_EXPORT", "off")
    monkeypatch.setenv("BIANZHI_DQ_CONFIG", str(tmp_path / "dq.yml"))
    assert settings_from_env().warehouse == tmp_path / "env.duckdb"
    given = settings_from_env(True, warehouse=tmp_path / "cli.duckdb", landing=tmp_path)
    assert given.warehouse == tmp_path / "cli.duckdb" and given.landing == tmp_path
    assert given.build_path == tmp_path / "cli.duckdb.build"
    assert given.accept_anomalies and given.nightly_export == "off"
    assert given.dq_config == tmp_path / "dq.yml"


def test_duckdb_memory_limit_comes_from_the_environment_and_bounds_every_connection(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """BIANZHI_DUCKDB_MEMORY_LIMIT reaches the job's connections and the suites' connections;
    set with SET, so a plain `duckdb.connect` of the same file (dbt's, the suites' own) still
    opens while a limited one is open."""
    import duckdb

    from expectations.dbapi import open_buffered
    from orchestration.definitions import build_resources
    from orchestration.settings import DEFAULT_DUCKDB_MEMORY_LIMIT, settings_from_env

    def limit(con: duckdb.DuckDBPyConnection) -> str:
        return con.execute("select current_setting('memory_limit')").fetchone()[0]

    monkeypatch.setenv("BIANZHI_WAREHOUSE", str(tmp_path / "w.duckdb"))
    monkeypatch.delenv("BIANZHI_DUCKDB_MEMORY_LIMIT", raising=False)
    assert settings_from_env().duckdb_memory_limit == DEFAULT_DUCKDB_MEMORY_LIMIT == "2GB"
    monkeypatch.setenv("BIANZHI_DUCKDB_MEMORY_LIMIT", "300MB")
    settings = settings_from_env()
    assert build_resources(settings)["data_quality"].memory_limit == "300MB"
    con = settings.connect_build()
    try:
        assert limit(con) == "286.1 MiB"  # DuckDB shows 300 MB in MiB
        plain = duckdb.connect(str(settings.build_path))  # would fail if opened with a config
        plain.close()
        suites = open_buffered(settings.build_path, "100MB")
        assert limit(con) == "95.3 MiB"  # one database, one setting: the last SET wins
        suites.close()
    finally:
        con.close()


def test_macros_digest_changes_with_any_macro(tmp_path: Path) -> None:
    """The batch fingerprint covers the macros through this digest: the same files give the
    same digest, an edited, added or renamed macro file another."""
    macros = tmp_path / "macros"
    shutil.copytree(MACRO_DIR, macros)
    same = macros_digest(macros)
    assert same == macros_digest(MACRO_DIR) and len(same) == 16
    rules_sql = macros / "rules.sql"
    rules_sql.write_text(rules_sql.read_text(encoding="utf-8") + "\n-- edited\n", "utf-8")
    edited = macros_digest(macros)
    (macros / "materializations" / "extra.sql").write_text("{% macro x() %}{% endmacro %}")
    added = macros_digest(macros)
    (macros / "materializations" / "extra.sql").rename(macros / "extra.sql")
    moved = macros_digest(macros)
    assert len({same, edited, added, moved}) == 4
    assert (
        json.loads(dbt_build_args(load_rules_config(DEFAULT), macro_dir=macros)[2])["macros_digest"]
        == moved
    )


def test_macros_digest_covers_the_generic_tests(tmp_path: Path) -> None:
    """A data test that checks by batch keeps its passes while its fingerprint holds; the
    fingerprint covers the generic tests' SQL through this digest, so an edited generic test
    checks every batch again (dbt_project/macros/tested_batches.sql)."""
    generic = tmp_path / "generic"
    shutil.copytree(GENERIC_TEST_DIR, generic)
    same = macros_digest(MACRO_DIR, generic)
    assert same == macros_digest()
    grain = generic / "unique_combination_of_columns.sql"
    grain.write_text(grain.read_text(encoding="utf-8") + "\n-- edited\n", "utf-8")
    assert macros_digest(MACRO_DIR, generic) != same
