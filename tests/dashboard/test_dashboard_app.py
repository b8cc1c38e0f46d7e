"""Every page of the dashboard, run in-process with `AppTest`, against the marts.

Why compare with the tests' own SQL: a figure on the screen is right only if it equals what the
mart holds; these tests read the marts independently of `dashboard.queries` and compare the
metrics and tables the app rendered, after driving the same widgets a user would.
Each test runs on the mini warehouse and, once it can be built, on the demo county.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import openpyxl
import pandas as pd
import pytest
import yaml
from dashboard_helpers import APP, ID_PATTERN, ROOT, query, scalar
from dashboard_mini import NEW, SECRET_ID, T_NIUFO
from streamlit.testing.v1 import AppTest

import dashboard.pages

PAGES = ("总览", "乡镇", "机构", "问题清单", "数据质量")


def open_app(warehouse: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    """The app on `warehouse`, first run done, no exception and no error shown."""
    monkeypatch.setenv("BIANZHI_WAREHOUSE", str(warehouse))
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.run()
    assert_clean(at)
    return at


def assert_clean(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def goto(at: AppTest, page: str) -> AppTest:
    at.radio(key="page").set_value(page).run()
    assert_clean(at)
    assert at.title[0].value.startswith(page) or page == "总览"
    return at


def metrics(at: AppTest) -> dict[str, str]:
    """Metric label → value as shown; a label shown twice on one page is a test failure."""
    shown = [(m.label, m.value) for m in at.metric]
    labels = [label for label, _ in shown]
    assert len(labels) == len(set(labels)), labels
    return dict(shown)


def table(at: AppTest, heading: str) -> pd.DataFrame:
    """The dataframe whose columns include `heading`... the first such one."""
    for frame in at.dataframe:
        if heading in frame.value.columns:
            return frame.value
    raise AssertionError(f"no table with column {heading!r}")


def rows(df: pd.DataFrame, columns: list[str]) -> list[tuple[Any, ...]]:
    """The frame's rows (for the given columns) as plain Python values, sorted."""
    out = []
    for record in df[columns].itertuples(index=False):
        out.append(tuple(_plain(v) for v in record))
    return sorted(out, key=repr)


def _plain(value: Any) -> Any:
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):
        return value.date() if value == value.normalize() else value.to_pydatetime()
    if hasattr(value, "item"):
        return value.item()
    return value


def sql_rows(path: Path, sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
    return sorted((tuple(_plain(v) for v in r) for r in query(path, sql, params)), key=repr)


def newest(path: Path) -> date:
    return scalar(path, "select max(as_of) from marts.staffing_reconciliation")


def pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.1%}"


def rules_threshold() -> float:
    config = Path(os.environ.get("BIANZHI_CONFIG") or ROOT / "config" / "rules.yml")
    return float(yaml.safe_load(config.read_text(encoding="utf-8"))["leader_ratio"]["max_ratio"])


# ── 总览 ─────────────────────────────────────────────────────────────────────────────────────


def test_overview_figures_equal_the_marts(warehouse: Path, monkeypatch: pytest.MonkeyPatch):
    at = open_app(warehouse, monkeypatch)
    as_of = newest(warehouse)
    auth, occ, vac, over = query(
        warehouse,
        "select sum(authorized), sum(occupied), sum(vacancy), sum(overstaffed_by) "
        "from marts.staffing_reconciliation where as_of = ?",
        [as_of],
    )[0]
    shown = metrics(at)
    assert (shown["核定编制"], shown["实有人数"], shown["空编"], shown["超编"]) == (
        str(auth),
        str(occ),
        str(vac),
        str(over),
    )
    assert rows(table(at, "编制类型"), ["编制类型", "核定", "实有", "空编", "超编"]) == sql_rows(
        warehouse,
        "select quota_type, sum(authorized), sum(occupied), sum(vacancy), sum(overstaffed_by) "
        "from marts.staffing_reconciliation where as_of = ? group by quota_type",
        [as_of],
    )
    # For the newest batch, the findings that held are exactly the open ones.
    open_findings = scalar(warehouse, "select count(*) from marts.findings where status = 'open'")
    assert shown["本批次问题数"] == str(open_findings)
    by_rule = table(at, "问题数")
    assert rows(by_rule, ["规则代码", "问题数"]) == sql_rows(
        warehouse,
        "select rule_code, count(*) from marts.findings where status = 'open' "
        "group by rule_code, severity",
    )
    trend = table(at, "截至日期")
    assert rows(trend, ["截至日期", "核定", "实有", "空编", "超编"]) == sql_rows(
        warehouse,
        "select as_of, sum(authorized), sum(occupied), sum(vacancy), sum(overstaffed_by) "
        "from marts.staffing_reconciliation group by as_of",
    )
    assert rows(trend, ["截至日期", "错误", "警告", "提示"]) == sql_rows(
        warehouse,
        "select as_of, count(*) filter (where severity = 'error'), "
        "count(*) filter (where severity = 'warn'), count(*) filter (where severity = 'info') "
        "from marts.findings_history group by as_of",
    )


def test_overview_follows_the_batch_picker(warehouse: Path, monkeypatch: pytest.MonkeyPatch):
    at = open_app(warehouse, monkeypatch)
    oldest = scalar(warehouse, "select min(as_of) from marts.staffing_reconciliation")
    picker = at.selectbox(key="as_of")
    assert picker.value == newest(warehouse)  # the newest batch by default
    picker.set_value(oldest).run()
    assert_clean(at)
    auth, occ = query(
        warehouse,
        "select sum(authorized), sum(occupied) from marts.staffing_reconciliation where as_of = ?",
        [oldest],
    )[0]
    held = scalar(
        warehouse, "select count(*) from marts.findings_history where as_of = ?", [oldest]
    )
    shown = metrics(at)
    assert (shown["核定编制"], shown["实有人数"], shown["本批次问题数"]) == (
        str(auth),
        str(occ),
        str(held),
    )


# ── 乡镇 ─────────────────────────────────────────────────────────────────────────────────────


def busiest_township(path: Path, as_of: date) -> tuple[str, str]:
    """The township with the most staff (ties by code): the most to compare."""
    code, name = query(
        path,
        "select township_code, township_name from marts.township_leadership where as_of = ? "
        "order by staff desc nulls last, township_code limit 1",
        [as_of],
    )[0]
    return code, name


def test_township_page_figures_equal_the_marts(warehouse: Path, monkeypatch: pytest.MonkeyPatch):
    at = goto(open_app(warehouse, monkeypatch), "乡镇")
    assert not at.header, "no township is shown before one is picked"
    as_of = newest(warehouse)
    code, name = busiest_township(warehouse, as_of)
    at.selectbox(key="township").set_value(code).run()
    assert_clean(at)
    assert at.header[0].value == name
    shown = metrics(at)

    auth, occ, vac, over = query(
        warehouse,
        "select sum(authorized), sum(occupied), sum(vacancy), sum(overstaffed_by) "
        "from marts.township_summary where as_of = ? and township_code = ?",
        [as_of, code],
    )[0]
    assert (shown["核定编制"], shown["实有人数"], shown["空编"], shown["超编"]) == (
        str(auth),
        str(occ),
        str(vac),
        str(over),
    )
    columns = ["机构编码", "编制类型", "核定", "实有", "空编", "超编"]
    assert rows(table(at, "编制类型"), columns) == sql_rows(
        warehouse,
        "select institution_code, quota_type, authorized, occupied, vacancy, overstaffed_by "
        "from marts.staffing_reconciliation where as_of = ? and township_code = ?",
        [as_of, code],
    )
    assert rows(table(at, "职数类别"), ["机构编码", "职数类别", "核定", "实配"]) == sql_rows(
        warehouse,
        "select institution_code, leadership_kind, authorized, actual "
        "from marts.leadership_reconciliation where as_of = ? and township_code = ?",
        [as_of, code],
    )

    leaders, staff, ratio = query(
        warehouse,
        "select leaders, staff, leader_ratio from marts.township_leadership "
        "where as_of = ? and township_code = ?",
        [as_of, code],
    )[0]
    threshold = rules_threshold()
    assert (shown["领导职务人数"], shown["在编人数"], shown["领导职务占比"]) == (
        str(leaders),
        str(staff),
        pct(ratio),
    )
    assert shown["占比上限"] == pct(threshold)
    over_threshold = ratio is not None and ratio > threshold
    assert bool(at.warning) == over_threshold
    assert bool(at.success) == (ratio is not None and not over_threshold)

    headcount, under30, mid, older, bachelor, share = query(
        warehouse,
        "select headcount, age_under_30, age_30_44, age_45_plus, bachelor_plus, "
        "bachelor_plus_share "
        "from marts.workforce_structure where as_of = ? and scope = 'township' "
        "and scope_code = ?",
        [as_of, code],
    )[0]
    assert (
        shown["总人数"],
        shown["30岁以下"],
        shown["30至44岁"],
        shown["45岁及以上"],
        shown["本科及以上"],
    ) == (str(headcount), str(under30), str(mid), str(older), str(bachelor))
    assert shown["本科及以上占比"] == pct(share)


@pytest.mark.parametrize(("max_ratio", "warned"), [(0.35, True), (0.45, False)])
def test_leader_ratio_threshold_comes_from_the_rules_config(
    mini_warehouse: Path,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    max_ratio: float,
    warned: bool,
):
    """牛佛镇 has 15 leaders over 37 staff (40.5 %): over 0.35, not over an edited 0.45."""
    rules = yaml.safe_load((ROOT / "config" / "rules.yml").read_text(encoding="utf-8"))
    rules["leader_ratio"]["max_ratio"] = max_ratio
    config = tmp_path / "rules.yml"
    config.write_text(yaml.safe_dump(rules, allow_unicode=True), encoding="utf-8")
    monkeypatch.setenv("BIANZHI_CONFIG", str(config))
    at = goto(open_app(mini_warehouse, monkeypatch), "乡镇")
    at.selectbox(key="township").set_value(T_NIUFO).run()
    assert_clean(at)
    shown = metrics(at)
    assert shown["领导职务占比"] == "40.5%"
    assert shown["占比上限"] == pct(max_ratio)
    assert bool(at.warning) is warned
    assert bool(at.success) is not warned


# ── 机构 ─────────────────────────────────────────────────────────────────────────────────────


def test_institution_page_shows_its_ledger_and_findings(
    warehouse: Path, monkeypatch: pytest.MonkeyPatch
):
    at = goto(open_app(warehouse, monkeypatch), "机构")
    as_of = newest(warehouse)
    code, name, town = query(
        warehouse,
        "select e.institution_code, any_value(e.institution_name), any_value(t.township_name) "
        "from marts.quota_events e join marts.institutions i using (as_of, institution_code) "
        "left join marts.townships t on t.as_of = i.as_of and t.township_code = i.township_code "
        "where e.as_of = ? group by 1 order by count(*) desc, 1 limit 1",
        [as_of],
    )[0]
    if town is not None:  # narrow the picker by township first, as a user would
        at.selectbox(key="institution_township").set_value(town).run()
        assert_clean(at)
        in_town = scalar(
            warehouse,
            "select count(*) from marts.institutions i join marts.townships t "
            "using (as_of, township_code) where as_of = ? and t.township_name = ?",
            [as_of, town],
        )
        assert len(at.selectbox(key="institution").options) == in_town
    at.selectbox(key="institution").set_value(code).run()
    assert_clean(at)
    assert at.header[0].value == name

    ledger = table(at, "文号")
    assert rows(ledger, ["核定事项", "类别", "文号", "生效日期", "变动", "数量", "变动后"]) == (
        sql_rows(
            warehouse,
            "select item, kind, doc_no, effective_on, change, amount, value_after "
            "from marts.quota_events where as_of = ? and institution_code = ?",
            [as_of, code],
        )
    )
    open_count, total = query(
        warehouse,
        "select count(*) filter (where status = 'open'), count(*) from marts.findings "
        "where institution_code = ?",
        [code],
    )[0]
    shown = metrics(at)
    assert shown["未整改问题"] == str(open_count)
    if total:
        assert rows(table(at, "规则代码"), ["规则代码", "首次发现", "最近发现"]) == sql_rows(
            warehouse,
            "select rule_code, first_seen, last_seen from marts.findings "
            "where institution_code = ?",
            [code],
        )
    auth = scalar(
        warehouse,
        "select coalesce(sum(authorized), 0) from marts.staffing_reconciliation "
        "where as_of = ? and institution_code = ?",
        [as_of, code],
    )
    assert shown.get("核定编制", "0") == str(auth)


# ── 问题清单 ──────────────────────────────────────────────────────────────────────────────────


def test_findings_filters_and_download(warehouse: Path, monkeypatch: pytest.MonkeyPatch):
    calls: list[pd.DataFrame] = []
    real_to_xlsx = dashboard.pages.to_xlsx

    def recording_to_xlsx(df: pd.DataFrame) -> bytes:
        calls.append(df)
        return real_to_xlsx(df)

    monkeypatch.setattr(dashboard.pages, "to_xlsx", recording_to_xlsx)
    at = goto(open_app(warehouse, monkeypatch), "问题清单")
    total = scalar(warehouse, "select count(*) from marts.findings")
    assert metrics(at)["问题数"] == str(total)  # no filter: every finding

    # The most frequent (rule, severity, township) among open findings, filtered by all four.
    rule, severity, town = query(
        warehouse,
        "select rule_code, severity, township_code from marts.findings "
        "where status = 'open' and township_code is not null "
        "group by all order by count(*) desc, 1, 3 limit 1",
    )[0]
    at.multiselect(key="f_rules").set_value([rule])
    at.multiselect(key="f_severities").set_value([severity])
    at.multiselect(key="f_towns").set_value([town])
    at.multiselect(key="f_statuses").set_value(["open"]).run()
    assert_clean(at)
    expected = sql_rows(
        warehouse,
        "select rule_code, detail_zh, first_seen, last_seen from marts.findings "
        "where rule_code = ? and severity = ? and township_code = ? and status = 'open'",
        [rule, severity, town],
    )
    shown = metrics(at)
    assert shown["问题数"] == str(len(expected)) == shown["其中未整改"]
    assert shown["最早发现"] == min(r[2] for r in expected).isoformat()
    found = table(at, "规则代码")
    assert rows(found, ["规则代码", "说明", "首次发现", "最近发现"]) == expected
    assert set(found["状态"]) == {"未整改"}

    # The download carries exactly the filtered table, Chinese headings included.
    assert at.download_button[0].label == "下载筛选结果（xlsx）"
    book = openpyxl.load_workbook(io.BytesIO(real_to_xlsx(calls[-1])), read_only=True)
    sheet = list(book.active.iter_rows(values_only=True))
    assert list(sheet[0]) == list(found.columns)
    detail = sheet[0].index("说明")
    assert sorted((r[0], r[detail]) for r in sheet[1:]) == sorted((r[0], r[1]) for r in expected)


def test_findings_resolved_filter(mini_warehouse: Path, monkeypatch: pytest.MonkeyPatch):
    at = goto(open_app(mini_warehouse, monkeypatch), "问题清单")
    at.multiselect(key="f_statuses").set_value(["resolved"]).run()
    assert_clean(at)
    found = table(at, "规则代码")
    assert set(found["状态"]) == {"已整改"}
    assert len(found) == scalar(
        mini_warehouse, "select count(*) from marts.findings where status = 'resolved'"
    )
    assert metrics(at)["其中未整改"] == "0"


def test_findings_first_seen_range(warehouse: Path, monkeypatch: pytest.MonkeyPatch):
    """Only what the newest batch brought: first seen in the newest batch."""
    at = goto(open_app(warehouse, monkeypatch), "问题清单")
    as_of = newest(warehouse)
    slider = at.select_slider(key="f_first_seen")
    slider.set_range(as_of, as_of).run()
    assert_clean(at)
    expected = scalar(
        warehouse, "select count(*) from marts.findings where first_seen = ?", [as_of]
    )
    assert metrics(at)["问题数"] == str(expected)
    assert set(table(at, "首次发现")["首次发现"]) <= {as_of}


# ── 数据质量 ──────────────────────────────────────────────────────────────────────────────────


def test_quality_page_counts_equal_the_audit_tables(
    warehouse: Path, monkeypatch: pytest.MonkeyPatch
):
    at = goto(open_app(warehouse, monkeypatch), "数据质量")
    report = table(at, "读取行数")
    assert rows(report, ["文件", "读取行数", "入库行数", "隔离行数"]) == sql_rows(
        warehouse,
        "select file_name, rows_read, rows_loaded, rows_quarantined from audit.load_report",
    )
    shown = metrics(at)
    assert shown["隔离行合计"] == str(scalar(warehouse, "select count(*) from audit.quarantine"))
    # Counts only: the table has exactly these columns (never the raw row).
    by_file_columns = ["批次日期", "来源", "文件", "隔离行数"]
    per_file = next(f.value for f in at.dataframe if list(f.value.columns) == by_file_columns)
    assert rows(per_file, ["批次日期", "文件", "隔离行数"]) == sql_rows(
        warehouse,
        "select batch_date, file_name, count(*) from audit.quarantine group by all",
    )
    has_dq = scalar(
        warehouse,
        "select count(*) from information_schema.tables "
        "where table_schema = 'audit' and table_name = 'dq_results'",
    )
    if has_dq:
        latest = scalar(
            warehouse,
            "select run_id from audit.dq_results group by run_id order by max(checked_at) desc "
            "limit 1",
        )
        checks, failed = query(
            warehouse,
            "select count(*), count(*) filter (where not success) from audit.dq_results "
            "where run_id = ?",
            [latest],
        )[0]
        assert (shown["最近一次运行的检查项"], shown["其中未通过"]) == (str(checks), str(failed))
        assert "检查项" in table(at, "检查项").columns


def test_quality_page_without_dq_results_says_so(
    mini_without_dq: Path, monkeypatch: pytest.MonkeyPatch
):
    at = goto(open_app(mini_without_dq, monkeypatch), "数据质量")
    notes = [i.value for i in at.info]
    assert any("audit.dq_results" in n for n in notes), notes
    assert "隔离行合计" in metrics(at)  # the rest of the page is still there


def test_quality_page_lists_the_run_log(mini_warehouse: Path, monkeypatch: pytest.MonkeyPatch):
    at = goto(open_app(mini_warehouse, monkeypatch), "数据质量")
    log = table(at, "记录时间")
    assert list(log["状态"]) == ["已发布", "已拦截", "已发布"]  # newest first, in Chinese


# ── No identity numbers anywhere ─────────────────────────────────────────────────────────────


def everything_shown(at: AppTest) -> str:
    """All text of the rendered page: every element's protobuf and every table's values."""
    parts = []

    def walk(node: Any) -> None:
        proto = getattr(node, "proto", None)
        if proto is not None:
            parts.append(str(proto))
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at._tree)
    parts.extend(f.value.to_csv() for f in at.dataframe)
    return "\n".join(parts)


def test_no_identity_number_on_any_page(warehouse: Path, monkeypatch: pytest.MonkeyPatch):
    """The mini warehouse plants SECRET_ID in quarantine.raw, a reason and a dq observed value."""
    at = open_app(warehouse, monkeypatch)
    as_of = newest(warehouse)
    code, _ = busiest_township(warehouse, as_of)
    seen = []
    for page in PAGES:
        goto(at, page)
        if page == "乡镇":
            at.selectbox(key="township").set_value(code).run()
        elif page == "机构":
            first = scalar(
                warehouse,
                "select min(institution_code) from marts.institutions where as_of = ?",
                [as_of],
            )
            at.selectbox(key="institution").set_value(first).run()
        text = everything_shown(at)
        seen.append(page)
        assert SECRET_ID not in text, page
        assert not ID_PATTERN.findall(text), (page, ID_PATTERN.findall(text)[:3])
    assert seen == list(PAGES)


# ── Reading the published file ───────────────────────────────────────────────────────────────


def test_a_new_publish_shows_up(
    mini_warehouse: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
):
    """Results are cached per file version: replacing the file (a publish) refreshes them."""
    published = tmp_path / "warehouse.duckdb"
    shutil.copyfile(mini_warehouse, published)
    at = open_app(published, monkeypatch)
    before = int(metrics(at)["核定编制"])
    at.run()
    assert int(metrics(at)["核定编制"]) == before  # unchanged file: same figure (from cache)

    build = tmp_path / "warehouse.duckdb.build"
    shutil.copyfile(published, build)
    con = duckdb.connect(str(build))
    con.execute(
        "update marts.staffing_reconciliation set authorized = authorized + 10 "
        "where as_of = ? and institution_code = 'C01' and quota_type = '行政编制'",
        [NEW],
    )
    con.close()
    os.replace(build, published)  # what orchestration.publish does
    at.run()
    assert_clean(at)
    assert int(metrics(at)["核定编制"]) == before + 10


def test_the_dashboard_holds_no_lock_between_queries(
    mini_warehouse: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
):
    """After every page has rendered, another process can still open the file for writing."""
    published = tmp_path / "warehouse.duckdb"
    shutil.copyfile(mini_warehouse, published)
    at = open_app(published, monkeypatch)
    for page in PAGES:
        goto(at, page)
    probe = (
        "import duckdb, sys; con = duckdb.connect(sys.argv[1]); "
        "con.execute('create table audit.probe as select 1 as x'); con.close()"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe, str(published)], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr


def test_missing_warehouse_is_explained(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    monkeypatch.setenv("BIANZHI_WAREHOUSE", str(tmp_path / "nowhere.duckdb"))
    at = AppTest.from_file(str(APP), default_timeout=60).run()
    assert not at.exception
    assert "找不到数仓文件" in at.error[0].value


def test_a_warehouse_without_marts_is_explained(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    """A file published before the marts existed: a readable error, not a traceback."""
    bare = tmp_path / "bare.duckdb"
    duckdb.connect(str(bare)).close()
    monkeypatch.setenv("BIANZHI_WAREHOUSE", str(bare))
    at = AppTest.from_file(str(APP), default_timeout=60).run()
    assert not at.exception
    assert "读取数仓失败" in at.error[0].value
