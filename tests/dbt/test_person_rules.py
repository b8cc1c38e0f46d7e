"""Person-level rules: each fires for its case and stays silent for the case beside it."""

from __future__ import annotations

import pytest
from dbt_scenario import B6


@pytest.mark.parametrize(
    ("rule", "person", "institution"),
    [
        ("OVER_RANK", "钱一", "B01"),
        ("MIXED_CATEGORY", "孙一", "B01"),  # 公务员 on 事业编制
        ("MIXED_CATEGORY", "孙二", "B01"),  # 参公人员 on 事业编制 outside a 参公事业单位
        ("MIXED_CATEGORY", "孙五", "B01"),  # 编外人员 on a quota
        ("MIXED_QUOTA", "李一", "B01"),  # 行政编制 in a 事业单位
        ("MIXED_QUOTA", "李二", "A01"),  # 事业编制 in a 行政机关
        ("MIXED_LEADERSHIP", "李三", "B01"),
        ("WORKER_IN_MANAGEMENT", "王一", "B01"),
        ("SECONDED", "郑十", "A01"),  # status 借调
        ("SECONDED", "李三", "B01"),  # works at A01
        ("INVALID_ID", "冯一", "B01"),
    ],
)
def test_fires(warehouse, rule: str, person: str, institution: str) -> None:
    found = warehouse.one(rule, B6, person=person)
    assert found["institution_code"] == institution
    assert found["category"] == ""
    assert len(found["person_key"]) == 16
    assert found["detail_zh"].startswith(person)


@pytest.mark.parametrize(
    ("rule", "person"),
    [
        ("OVER_RANK", "钱二"),  # 副科级 in a 副科级 unit
        ("OVER_RANK", "钱三"),  # unit rank 未定级
        ("MIXED_CATEGORY", "孙三"),  # 参公人员 on 事业编制 in a 参公事业单位
        ("MIXED_CATEGORY", "孙四"),  # 编外人员 without a quota
        ("MIXED_QUOTA", "孙三"),
        ("MIXED_LEADERSHIP", "李四"),  # 行政编制 leading in a 行政机关
        ("WORKER_IN_MANAGEMENT", "王二"),  # 工勤技能岗位, no leadership
        ("SECONDED", "周三"),  # works in a 内设机构 of the slot unit
        ("SECONDED", "周一"),
        ("DUPLICATE_SLOT", "赵二"),  # listed twice on the same slot
        ("ID_CONFLICT", "赵一"),  # two rows, one name
        ("ID_CONFLICT", "钟一"),  # the same name once written with a space
        ("DUPLICATE_SLOT", "钟一"),
        ("INVALID_ID", "周一"),
    ],
)
def test_does_not_fire(warehouse, rule: str, person: str) -> None:
    warehouse.none(rule, B6, person=person)


def test_internal_office_work_unit_counts_at_parent(warehouse) -> None:
    assert warehouse.rows(
        "select work_institution_code, work_unit_name from marts.roster "
        "where as_of = ? and name = '周三'",
        [B6],
    ) == [("A01", "办公室")]


def test_unit_names_by_alias_and_after_folding(warehouse) -> None:
    got = dict(
        warehouse.rows(
            "select name, slot_institution_code from marts.roster "
            "where as_of = ? and name in ('周一', '周二')",
            [B6],
        )
    )
    assert got == {"周一": "A01", "周二": "A01"}


def test_duplicate_slot_one_finding_per_slot_unit(warehouse) -> None:
    found = sorted(
        f["institution_code"] for f in warehouse.findings("DUPLICATE_SLOT", B6, person="赵一")
    )
    assert found == ["A01", "B01"]
    f = warehouse.one("DUPLICATE_SLOT", B6, person="赵一", institution_code="A01")
    assert (f["measured"], f["allowed"]) == (2, 1)


def test_id_conflict_one_finding_per_slot_unit(warehouse) -> None:
    found = warehouse.findings("ID_CONFLICT", B6)
    assert sorted((f["person_name"], f["institution_code"]) for f in found) == [
        ("赵三", "B02"),
        ("赵叁", "B01"),
    ]
    assert all("赵三、赵叁" in f["detail_zh"] for f in found)
