"""Findings across batches: identity, first_seen, status, SECONDED escalation, retirement."""

from __future__ import annotations

import hashlib

import pytest
from dbt_scenario import B1, B2, B3, B4, B5, B6, BATCHES, NEWEST


@pytest.mark.parametrize(
    ("person", "day_before", "on_the_day", "retirement"),
    [
        ("老男", B4, B5, "2026-03-01"),  # man born 1965-12: 60 years 3 months
        ("老女干", B4, B5, "2026-03-01"),  # woman cadre born 1970-12: 55 years 3 months (离岗待退)
        ("老女工", B4, B5, "2026-03-01"),  # woman worker born 1975-10: 50 years 5 months
        ("旧男", B1, B2, "2024-12-01"),  # man born 1964-12, before the reform: 60
    ],
)
def test_over_age_on_the_boundary(warehouse, person, day_before, on_the_day, retirement) -> None:
    warehouse.none("OVER_AGE", day_before, person=person)
    found = warehouse.one("OVER_AGE", on_the_day, person=person)
    assert found["first_seen"].isoformat() == on_the_day
    assert retirement in found["detail_zh"]
    assert {
        str(r[0])
        for r in warehouse.rows("select retirement_date from marts.roster where name = ?", [person])
    } == {retirement}


def test_seconded_escalates_after_90_days(warehouse) -> None:
    warehouse.none("SECONDED", B2, person="吴九")
    at_90 = warehouse.one("SECONDED", B5, person="吴九")
    at_91 = warehouse.one("SECONDED", B6, person="吴九")
    assert (at_90["severity"], at_90["measured"], at_90["allowed"]) == ("warn", 90, 90)
    assert (at_91["severity"], at_91["measured"]) == ("error", 91)
    assert at_90["first_seen"].isoformat() == at_91["first_seen"].isoformat() == B3
    current = warehouse.one("SECONDED", person="吴九")
    assert (current["severity"], current["status"], current["open_days"]) == ("error", "open", 91)
    assert current["detail_zh"].endswith("自2025-12-01起已91天")


def test_finding_that_returns_keeps_first_seen(warehouse) -> None:
    # 冯二: held in B1, gone in B2, back from B3
    assert [
        str(r[0])
        for r in warehouse.rows(
            "select as_of from marts.findings_history where rule_code = 'WORKER_IN_MANAGEMENT' "
            "and person_name = '冯二' order by 1"
        )
    ] == [B1, B3, B4, B5, B6]
    assert warehouse.one("WORKER_IN_MANAGEMENT", B3, person="冯二")["first_seen"].isoformat() == B1
    found = warehouse.one("WORKER_IN_MANAGEMENT", person="冯二")
    assert (found["first_seen"].isoformat(), found["last_seen"].isoformat(), found["status"]) == (
        B1,
        B6,
        "open",
    )


def test_finding_gone_in_the_newest_batch_is_resolved(warehouse) -> None:
    found = warehouse.one("INVALID_ID", person="冯三")
    assert (found["status"], found["last_seen"].isoformat(), found["first_seen"].isoformat()) == (
        "resolved",
        B5,
        B1,
    )
    assert found["open_days"] == 456


def test_ledger_finding_resolves_when_the_ledger_changes(warehouse) -> None:
    found = warehouse.one("VACANT", institution_code="A02", category="行政编制")
    assert (found["status"], found["last_seen"].isoformat(), found["allowed"]) == (
        "resolved",
        B2,
        15,
    )


def test_finding_id_is_md5_of_the_identity(warehouse) -> None:
    found = warehouse.one("OVER_RANK", person="钱一")
    identity = "|".join(["OVER_RANK", "", "B01", "", found["person_key"]])
    assert found["finding_id"] == hashlib.md5(identity.encode()).hexdigest()
    found = warehouse.one("INSTITUTION_LIMIT", category="内设机构")
    identity = "|".join(["INSTITUTION_LIMIT", "511025101", "", "内设机构", ""])
    assert found["finding_id"] == hashlib.md5(identity.encode()).hexdigest()


def test_findings_are_the_newest_state_of_the_history(warehouse) -> None:
    open_now = warehouse.rows(
        "select finding_id, severity, measured, allowed, detail_zh from marts.findings "
        "where status = 'open' order by 1"
    )
    newest = warehouse.rows(
        "select finding_id, severity, measured, allowed, detail_zh from marts.findings_history "
        "where as_of = ? order by 1",
        [NEWEST],
    )
    assert open_now == newest
    assert warehouse.value("select count(distinct as_of) from marts.findings_history") == len(
        BATCHES
    )
