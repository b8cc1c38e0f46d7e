"""The written analysis report against the mini warehouse: sections, and numbers = marts."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import duckdb
import exports_minidb as mini_db
import pytest

from exports.cli import report_command
from exports.report import compose, leadership_sentence
from exports.report_data import gather
from exports.titles import county_word, infer_county_name

SECTIONS = (
    "机构编制运行情况分析报告",
    "一、机构编制基本情况",
    "二、人员结构",
    "三、存在的主要问题",
    "四、与上期相比变化情况",
    "五、数据质量说明",
    "六、下一步工作建议",
)


def _report(warehouse: Path, out: Path, as_of: str | None = None) -> tuple[str, str]:
    args = argparse.Namespace(warehouse=warehouse, out=out, as_of=as_of)
    assert report_command(args) == 0
    (md,) = out.glob("*.md")
    (html,) = out.glob("*.html")
    return md.read_text("utf-8"), html.read_text("utf-8")


def _one(warehouse: Path, sql: str, params: list) -> tuple:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        row = con.execute(sql, params).fetchone()
        assert row is not None
        return row
    finally:
        con.close()


def test_sections_in_markdown_and_html(mini_pristine: Path, tmp_path: Path) -> None:
    md, html = _report(mini_pristine, tmp_path)
    for section in SECTIONS:
        assert section in md, section
        assert section in html, section
    assert md.startswith("# XX县机构编制运行情况分析报告")
    assert (tmp_path / "bianzhi_report_2026-11-20.md").is_file()


def test_html_is_self_contained(mini_pristine: Path, tmp_path: Path) -> None:
    _, html = _report(mini_pristine, tmp_path)
    assert html.startswith("<!DOCTYPE html>") and '<meta charset="utf-8">' in html
    for remote in ("http://", "https://", "<script", "<link", "@import", "url("):
        assert remote not in html, remote
    assert "<table>" in html and "<h2>三、存在的主要问题</h2>" in html


def test_leadership_sentence_equals_the_marts(mini_pristine: Path, tmp_path: Path) -> None:
    md, _ = _report(mini_pristine, tmp_path)
    match = re.search(r"全县乡镇工作人员共(\d+)人，担任领导职务(\d+)人，占([\d.]+)%", md)
    assert match, "the leadership sentence is missing"
    staff, leaders = _one(
        mini_pristine,
        "select sum(staff), sum(leaders) from marts.township_leadership where as_of = ?",
        [mini_db.B2],
    )
    assert (int(match[1]), int(match[2])) == (staff, leaders)
    assert match[3] == f"{100 * leaders / staff:.1f}"


def test_totals_and_findings_equal_the_marts(mini_pristine: Path, tmp_path: Path) -> None:
    md, _ = _report(mini_pristine, tmp_path)
    authorized, occupied = _one(
        mini_pristine,
        "select sum(authorized), sum(occupied) from marts.staffing_reconciliation where as_of = ?",
        [mini_db.B2],
    )
    assert f"核定编制合计{authorized}名，实有人员{occupied}名" in md
    assert f"| 合计 | {authorized} | {occupied} |" in md
    (open_count,) = _one(
        mini_pristine, "select count(*) from marts.findings where status = 'open'", []
    )
    assert f"核查发现未整改问题{open_count}个" in md
    (vacant,) = _one(
        mini_pristine,
        "select count(*) from marts.findings where status = 'open' and rule_code = 'VACANT'",
        [],
    )
    assert re.search(rf"\| VACANT \| 空编 \| 提示 \| {vacant} \|", md)
    # the worst VACANT case (largest gap) is named first
    section = md.split("（VACANT，提示）")[1]
    assert section.index("县委办公室 行政编制 核定10名") < section.index("仙市镇人民政府")


def test_changes_since_the_previous_batch(mini_pristine: Path, tmp_path: Path) -> None:
    md, _ = _report(mini_pristine, tmp_path)
    assert "与上期（2026年10月20日）相比：在册人员由7人变为8人（+1）" in md
    # new: OVER_AGE, INVALID_ID, 2 × DUPLICATE_SLOT, SECONDED (returned);
    # resolved: MIXED_QUOTA, LEADER_RATIO
    assert "本期新增问题5个，已整改（不再出现）问题2个" in md
    assert "- 混编：新增0个，整改1个" in md


def test_worst_cases_name_one_sentence_once(mini_pristine: Path, tmp_path: Path) -> None:
    md, _ = _report(mini_pristine, tmp_path)
    assert "| DUPLICATE_SLOT | 一人多编 | 严重 | 2 | 2 | 2 | 0 |" in md
    assert md.count(mini_db.DUPLICATE_DETAIL) == 1


def test_report_as_of_the_first_batch(mini_pristine: Path, tmp_path: Path) -> None:
    md, _ = _report(mini_pristine, tmp_path, "2026-09-20")
    assert "截至2026年9月20日" in md
    assert "本期为首个加载批次，暂无上期数据可比" in md
    assert "| VACANT | 空编 | 提示 | 3 | 3 | — | — |" in md
    assert (tmp_path / "bianzhi_report_2026-09-20.md").is_file()


def test_every_open_rule_gets_a_subsection(mini_pristine: Path) -> None:
    con = duckdb.connect(str(mini_pristine), read_only=True)
    try:
        data = gather(con, mini_db.B2)
    finally:
        con.close()
    text = "\n".join(getattr(b, "text", "") for b in compose(data))
    for rule in data.rules:
        if rule.open_count:
            assert f"（{rule.rule_code}，" in text
        else:
            assert f"（{rule.rule_code}，" not in text
    assert leadership_sentence(data).startswith("全县乡镇工作人员共6人")


def test_county_name_is_inferred_from_county_level_institutions(tmp_path: Path) -> None:
    con = duckdb.connect()
    con.execute("create schema marts")
    con.execute(
        "create table marts.institutions as select * from (values "
        "('2026-11-20'::date, '中共清溪县委办公室', '县直'), "
        "('2026-11-20', '清溪县财政局', '县直'), "
        "('2026-11-20', '清溪县城市管理局', '县直'), ('2026-11-20', '县人民医院', '县直'), "
        "('2026-11-20', '牛佛镇人民政府', '乡镇'), ('2026-11-20', '牛佛镇农业服务中心', '乡镇'), "
        "('2026-11-20', '牛佛镇文化站', '乡镇')"
        ") t(as_of, institution_name, level)"
    )
    assert infer_county_name(con, mini_db.B2) == "清溪县"
    assert infer_county_name(con, mini_db.B1) is None  # no institutions that day
    con.execute("insert into marts.institutions values ('2026-11-20', '老城区民政局', '县直')")
    con.execute("insert into marts.institutions values ('2026-11-20', '老城区财政局', '县直')")
    assert infer_county_name(con, mini_db.B2) is None  # 3 of 6: no majority
    assert county_word("自流井区") == "全区" and county_word("清溪县") == "全县"


def test_county_name_comes_from_the_environment(
    mini_pristine: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BIANZHI_COUNTY_NAME", "自流井区")
    md, _ = _report(mini_pristine, tmp_path)
    assert md.startswith("# 自流井区机构编制运行情况分析报告")
    assert "全区乡镇工作人员共" in md


def test_unknown_date_exits_2(
    mini_pristine: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = argparse.Namespace(warehouse=mini_pristine, out=tmp_path / "r", as_of="2020-01-01")
    assert report_command(args) == 2
    assert "no batch of that date" in capsys.readouterr().err
    assert not (tmp_path / "r").exists()
