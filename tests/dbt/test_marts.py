"""Published marts: no identity numbers, the rule catalogue, workforce structure, thresholds as
vars (a second build of the rule models on a copy, with other thresholds)."""

from __future__ import annotations

import copy
import re
import shutil

import pytest
from dbt_harness import DBT_DIR, RULES, Warehouse, failures, run_dbt
from dbt_scenario import B6, PEOPLE, SHARED_ID, T_BING, T_DING

RULE_CODES = {
    "OVERSTAFFED", "VACANT", "OVER_LEADERSHIP", "OVER_RANK", "MIXED_CATEGORY", "MIXED_QUOTA",
    "MIXED_LEADERSHIP", "WORKER_IN_MANAGEMENT", "SECONDED", "DUPLICATE_SLOT", "ID_CONFLICT",
    "INVALID_ID", "OVER_AGE", "REVOKED_INSTITUTION", "UNKNOWN_INSTITUTION", "NEGATIVE_QUOTA",
    "LEADER_RATIO", "TOWNSHIP_LEADERSHIP_QUOTA", "INSTITUTION_LIMIT",
}  # fmt: skip


def test_rule_catalog_and_every_rule_fires_in_the_scenario(warehouse) -> None:
    catalog = dict(warehouse.rows("select rule_code, severity from marts.rule_catalog"))
    assert set(catalog) == RULE_CODES
    assert catalog["VACANT"] == "info" and catalog["SECONDED"] == "warn"
    fired = {r[0] for r in warehouse.rows("select distinct rule_code from marts.findings")}
    assert fired == RULE_CODES


def test_marts_hold_no_identity_number(warehouse) -> None:
    numbers = {p.number for p in PEOPLE if p.number} | {SHARED_ID}
    columns = warehouse.rows(
        "select table_name, column_name from information_schema.columns "
        "where table_schema = 'marts' and data_type = 'VARCHAR'"
    )
    assert not [c for c in columns if "id_number" in c[1]]
    id_like = re.compile(r"\d{17}[\dX]")
    for table, column in columns:
        values = warehouse.rows(f'select distinct "{column}" from marts."{table}"')
        leaked = [v[0] for v in values if v[0] and (v[0] in numbers or id_like.search(v[0]))]
        assert not leaked, f"marts.{table}.{column} holds identity numbers: {leaked[:3]}"


def test_workforce_structure_county_and_townships(warehouse) -> None:
    county = warehouse.rows(
        "select headcount, staff, staff_none, leaders, age_under_30 + age_30_44 + age_45_plus, "
        "bachelor_plus, bachelor_plus_share from marts.workforce_structure "
        "where as_of = ? and scope = 'county'",
        [B6],
    )
    roster = warehouse.rows(
        "select count(*), count(*) filter (where quota_type <> '无'), "
        "count(*) filter (where quota_type = '无'), count(*) filter (where leadership <> '无') "
        "from marts.roster where as_of = ?",
        [B6],
    )[0]
    headcount, staff, none, leaders, aged, bachelor, share = county[0]
    assert (headcount, staff, none, leaders) == roster
    assert aged == headcount and bachelor == headcount and share == 1.0
    # "全区乡镇工作人员共N人，担任领导职务M人，占P%" from the township rows
    towns = warehouse.rows(
        "select sum(staff), sum(leaders) from marts.workforce_structure "
        "where as_of = ? and scope = 'township'",
        [B6],
    )
    assert towns == [(30, 11)]
    same = warehouse.rows(
        "select w.township_code from marts.workforce_structure w "
        "join marts.township_leadership t on t.as_of = w.as_of and t.township_code = w.scope_code "
        "where w.as_of = ? and w.scope = 'township' and (w.staff, w.leaders, w.leader_ratio) "
        "= (t.staff, t.leaders, t.leader_ratio)",
        [B6],
    )
    assert sorted(r[0] for r in same) == [T_BING, T_DING]


def test_no_threshold_literal_in_model_sql() -> None:
    literals = re.compile(r"(?<![\d.])(0\.35|50000|600|90|11)(?![\d.])")
    for path in (DBT_DIR / "models").rglob("*.sql"):
        text = re.sub(r"--[^\n]*", "", path.read_text(encoding="utf-8"))
        assert not literals.findall(text), f"{path.name} hard-codes a threshold"


@pytest.fixture(scope="module")
def stricter(warehouse: Warehouse, tmp_path_factory: pytest.TempPathFactory) -> Warehouse:
    """The rule models rebuilt on a copy of the scenario with other thresholds."""
    path = tmp_path_factory.mktemp("dbt_vars") / "build.duckdb"
    warehouse.con.close()
    try:
        shutil.copyfile(warehouse.path, path)
    finally:
        warehouse.con = Warehouse(warehouse.path, warehouse.build).con
    rules = copy.deepcopy(RULES)
    rules["leader_ratio"]["max_ratio"] = 0.39
    rules["township_leadership"]["max_posts"] = 10
    rules["seconded"]["escalate_after_days"] = 91
    run = run_dbt(
        path,
        [
            "build",
            "--select",
            "int_institution_findings_evaluated+",
            "--exclude-resource-type",
            "unit_test",
        ],
        rules,
        "pytest_vars",
    )
    assert run.success, failures(run) or run.exception
    return Warehouse(path, run)


def test_thresholds_come_from_vars(stricter: Warehouse) -> None:
    # leaders / staff = 0.40 > 0.39 still fires; 0.35 does not; G1's 10 posts are now allowed
    assert stricter.findings("LEADER_RATIO", B6, institution_code="A02")
    assert stricter.findings("LEADER_RATIO", B6, institution_code="A02")[0]["allowed"] == 0.39
    stricter.none("TOWNSHIP_LEADERSHIP_QUOTA", B6, institution_code="G1")
    assert stricter.one("SECONDED", B6, person="吴九")["severity"] == "warn"  # 91 days, not > 91
