"""Institution-, township- and grant-level rules, the quota ledger and unit-name resolution."""

from __future__ import annotations

import pytest
from dbt_scenario import B1, B2, B3, B6, BATCHES, T_BING, T_DING, T_JIA, T_YI


def authorized(wh, as_of: str, code: str, quota_type: str) -> int:
    return wh.value(
        "select authorized from marts.staffing_reconciliation "
        "where as_of = ? and institution_code = ? and quota_type = ?",
        [as_of, code, quota_type],
    )


def test_every_batch_stays_queryable(warehouse) -> None:
    for table in ("staffing_reconciliation", "roster", "institutions", "findings_history"):
        got = [
            str(r[0])
            for r in warehouse.rows(f"select distinct as_of from marts.{table} order by 1")
        ]
        assert got == list(BATCHES), table


def test_core_and_same_day_add_apply_core_first(warehouse) -> None:
    # 核定10; 核增5 (2024-06-01); on 2025-06-01 a 核增2 listed before a 核定8 → 8 + 2
    assert authorized(warehouse, B1, "A02", "行政编制") == 15
    assert authorized(warehouse, B3, "A02", "行政编制") == 10
    events = warehouse.rows(
        "select change, amount, value_after, is_effective from marts.quota_events "
        "where as_of = ? and institution_code = 'A02' and kind = '行政编制' "
        "order by effective_on, event_seq nulls last",
        [B6],
    )
    assert events == [
        ("核定", 10, 10, True),
        ("核增", 5, 15, True),
        ("核定", 8, 8, True),
        ("核增", 2, 10, True),
        ("核减", 3, None, False),
    ]


def test_future_dated_grant_does_not_count_yet(warehouse) -> None:
    assert authorized(warehouse, B6, "A02", "行政编制") == 10  # the 2026-06-01 核减 3 waits
    warehouse.none("VACANT", B6, institution_code="A02")
    warehouse.none("OVERSTAFFED", B6, institution_code="A02")


def test_grant_by_alias_name_resolves(warehouse) -> None:
    assert authorized(warehouse, B6, "A01", "行政编制") == 12
    assert not warehouse.findings("UNKNOWN_INSTITUTION", category="县就业服务局")


def test_occupied_counts_an_identity_once_per_institution_and_type(warehouse) -> None:
    rows = warehouse.value(
        "select count(*) from marts.roster where as_of = ? and slot_institution_code = 'A01' "
        "and quota_type = '行政编制'",
        [B6],
    )
    occupied = warehouse.value(
        "select occupied from marts.staffing_reconciliation where as_of = ? "
        "and institution_code = 'A01' and quota_type = '行政编制'",
        [B6],
    )
    assert (rows, occupied) == (12, 11)  # 赵二 is listed twice


def test_slot_in_internal_office_counts_at_parent(warehouse) -> None:
    assert (
        warehouse.value(
            "select slot_institution_code from marts.roster where as_of = ? and name = '周六'", [B6]
        )
        == "A01"
    )
    assert not warehouse.rows(
        "select * from marts.staffing_reconciliation where institution_code = 'A01-1'"
    )


def test_overstaffed_with_zero_quota(warehouse) -> None:
    b03 = warehouse.one("OVERSTAFFED", institution_code="B03", category="事业编制")
    assert (b03["measured"], b03["allowed"], b03["severity"]) == (1, 0, "error")
    assert b03["detail_zh"] == "县农技站 事业编制 核定0名，实有1名，超编1名"
    never_granted = warehouse.one("OVERSTAFFED", institution_code="B04", category="事业编制")
    # 钱三, and 钟一 listed twice under one number (once as 钟 一): two people
    assert (never_granted["measured"], never_granted["allowed"]) == (2, 0)


def test_vacant(warehouse) -> None:
    a01 = warehouse.one("VACANT", institution_code="A01", category="行政编制")
    assert (a01["measured"], a01["allowed"], a01["severity"]) == (11, 12, "info")
    assert a01["detail_zh"] == "县人力资源和社会保障局 行政编制 核定12名，实有11名，空编1名"
    row = warehouse.rows(
        "select vacancy, overstaffed_by from marts.staffing_reconciliation "
        "where as_of = ? and institution_code = 'A01' and quota_type = '行政编制'",
        [B6],
    )
    assert row == [(1, 0)]


def test_negative_quota_keeps_firing_after_a_later_core(warehouse) -> None:
    b01 = warehouse.one("NEGATIVE_QUOTA", B6, institution_code="B01", category="事业编制")
    assert (b01["measured"], b01["allowed"]) == (-2, 0)
    assert authorized(warehouse, B6, "B01", "事业编制") == 20
    assert "2021-03-01" in b01["detail_zh"]


def test_negative_only_within_a_day_is_not_negative_quota(warehouse) -> None:
    warehouse.none("NEGATIVE_QUOTA", institution_code="B02")
    assert authorized(warehouse, B6, "B02", "事业编制") == 1


def test_over_leadership_counts_internal_office_leaders_at_parent(warehouse) -> None:
    found = warehouse.one("OVER_LEADERSHIP", B6, institution_code="A01", category="副职")
    assert (found["measured"], found["allowed"]) == (2, 1)
    warehouse.none("OVER_LEADERSHIP", B6, institution_code="A01", category="正职")
    warehouse.none("OVER_LEADERSHIP", B6, institution_code="A01", category="内设机构正职")
    assert warehouse.rows(
        "select authorized, actual from marts.leadership_reconciliation "
        "where as_of = ? and institution_code = 'A01' and leadership_kind = '内设机构正职'",
        [B6],
    ) == [(1, 1)]


def test_revoked_institution_with_quota_and_people(warehouse) -> None:
    warehouse.none("REVOKED_INSTITUTION", B2, institution_code="A09")  # revoked 2025-06-30
    inst = warehouse.one("REVOKED_INSTITUTION", B3, institution_code="A09", category="行政编制")
    assert (inst["measured"], inst["allowed"]) == (3, 0)
    person = warehouse.one("REVOKED_INSTITUTION", B3, person="陈一")
    assert person["institution_code"] == "A09" and person["category"] == ""
    assert "县粮食局已于2025-06-30撤销" in person["detail_zh"]
    # a revoked unit's name resolves to it: REVOKED_INSTITUTION, not UNKNOWN_INSTITUTION
    warehouse.none("UNKNOWN_INSTITUTION", person="陈一")


def test_active_name_wins_over_revoked_namesake(warehouse) -> None:
    assert (
        warehouse.value(
            "select slot_institution_code from marts.roster where as_of = ? and name = '陈二'", [B6]
        )
        == "B05"
    )
    warehouse.none("REVOKED_INSTITUTION", person="陈二")


def test_unknown_institution_for_roster_and_grant_rows(warehouse) -> None:
    slot = warehouse.one("UNKNOWN_INSTITUTION", person="陈三")
    assert (slot["category"], slot["institution_code"], slot["township_code"]) == (
        "县不存在局",
        None,
        None,
    )
    work = warehouse.one("UNKNOWN_INSTITUTION", person="陈四")
    assert (work["category"], work["institution_code"]) == ("县外星局", "A01")
    grant = warehouse.one("UNKNOWN_INSTITUTION", category="县神秘办")
    assert grant["person_key"] is None and grant["institution_code"] is None


@pytest.mark.parametrize(
    ("code", "fires", "limit"),
    [("G1", True, 9), ("G2", False, 11), ("G3", True, 11), ("G4", False, 9)],
)
def test_township_leadership_quota_bounds(warehouse, code: str, fires: bool, limit: int) -> None:
    # G1 10 posts, 甲镇 exactly 50,000 people and 600 km² (not large); G2 11, 乙镇 50,001 people;
    # G3 12, 丙乡 600.5 km²; G4 9
    found = warehouse.findings("TOWNSHIP_LEADERSHIP_QUOTA", B6, institution_code=code)
    assert bool(found) is fires
    if fires:
        assert found[0]["allowed"] == limit and found[0]["severity"] == "warn"


@pytest.mark.parametrize(
    ("township", "category", "count", "fires"),
    [
        (T_JIA, "内设机构", 8, True),
        (T_YI, "内设机构", 7, False),
        (T_JIA, "事业单位", 5, False),
        (T_YI, "事业单位", 6, True),
    ],
)
def test_institution_limit(warehouse, township, category, count, fires) -> None:
    found = warehouse.findings("INSTITUTION_LIMIT", B6, township_code=township, category=category)
    assert bool(found) is fires
    if fires:
        assert found[0]["measured"] == count and found[0]["institution_code"] is None


@pytest.mark.parametrize(
    ("code", "staff", "leaders", "fires"),
    [("A02", 10, 4, True), ("A03", 9, 4, False), ("A04", 20, 7, False), ("A05", 20, 8, True)],
)
def test_leader_ratio_institutions(warehouse, code, staff, leaders, fires) -> None:
    row = warehouse.rows(
        "select staff, leaders from marts.workforce_structure "
        "where as_of = ? and scope = 'institution' and scope_code = ?",
        [B6, code],
    )
    assert row == [(staff, leaders)]
    assert bool(warehouse.findings("LEADER_RATIO", B6, institution_code=code)) is fires


@pytest.mark.parametrize(
    ("township", "staff", "leaders", "fires"), [(T_BING, 10, 4, True), (T_DING, 20, 7, False)]
)
def test_leader_ratio_townships(warehouse, township, staff, leaders, fires) -> None:
    row = warehouse.rows(
        "select staff, leaders, leader_ratio from marts.township_leadership "
        "where as_of = ? and township_code = ?",
        [B6, township],
    )
    assert row == [(staff, leaders, leaders / staff)]
    found = warehouse.findings("LEADER_RATIO", B6, township_code=township, institution_code=None)
    assert bool(found) is fires
    if fires:
        assert found[0]["detail_zh"].startswith(
            "丙乡 乡镇工作人员（在编）10人，担任领导职务4人，占40.0%"
        )


def test_township_ref_by_name_and_inherited_by_internal_offices(warehouse) -> None:
    rows = dict(
        warehouse.rows(
            "select institution_code, township_code from marts.institutions "
            "where as_of = ? and institution_code in ('G2', 'G2-1', 'A01')",
            [B6],
        )
    )
    assert rows == {"G2": T_YI, "G2-1": T_YI, "A01": None}
