"""The dashboard's pages: widgets and layout only, every number from `dashboard.queries`.

Why a sidebar radio rather than separate page files: one script keeps the warehouse resolution,
the batch picker and the cache in one place, and `AppTest` and a browser can reach every page by
the same Chinese label.

Caching: query results are cached keyed on the published file's identity (inode, mtime, size), so
a new publish (an `os.replace` of the file) shows up on the next rerun while repeated reruns of
an unchanged file cost nothing.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import streamlit as st

from dashboard import queries
from dashboard.present import (
    SEVERITY_ZH,
    STATUS_ZH,
    integer,
    percent,
    to_xlsx,
    zh_table,
)
from dashboard.settings import config_path, leader_ratio_threshold, warehouse_path

PAGES = ("总览", "乡镇", "机构", "问题清单", "数据质量")
FileVersion = tuple[int, int, int]


def file_version(path: Path) -> FileVersion:
    """The published file's identity: a publish replaces the file, changing all three."""
    stat = path.stat()
    return (stat.st_ino, stat.st_mtime_ns, stat.st_size)


@st.cache_data(show_spinner=False, max_entries=1024)
def _cached(path: str, version: FileVersion, name: str, args: tuple[Any, ...]) -> Any:
    """Run `queries.<name>(readonly(path), *args)`; `version` is only part of the cache key."""
    del version
    return getattr(queries, name)(queries.readonly(Path(path)), *args)


class Warehouse:
    """The published file as the pages see it: cached queries keyed on the file's version."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.version = file_version(path)

    def q(self, name: str, *args: Any) -> Any:
        return _cached(str(self.path), self.version, name, args)


def main() -> None:
    """Entry point of `dashboard/app.py`."""
    st.set_page_config(page_title="机构编制实名制数据看板", page_icon="📊", layout="wide")
    path = warehouse_path(sys.argv[1:], os.environ)
    st.sidebar.title("机构编制实名制")
    page = st.sidebar.radio("页面", PAGES, key="page")
    if not path.exists():
        st.error(f"找不到数仓文件：{path}。请先运行 `make run`，或用 --warehouse 指定文件。")
        st.stop()
    try:
        wh = Warehouse(path)
        batch_dates = wh.q("batches")
        if not batch_dates:
            st.warning("数仓中还没有已发布的批次。")
            st.stop()
        as_of = st.sidebar.selectbox(
            "批次（截至日期）",
            sorted(batch_dates, reverse=True),
            format_func=lambda d: d.isoformat(),
            key="as_of",
        )
        st.sidebar.caption(f"数仓文件：{path.name}（只读）")
        RENDER[page](wh, as_of)
    except (duckdb.Error, RuntimeError, OSError) as exc:
        # e.g. a warehouse published before the marts existed, or an unreadable file
        st.error(f"读取数仓失败：{exc}")


# ── 总览 ─────────────────────────────────────────────────────────────────────────────────────


def _totals_metrics(df: pd.DataFrame) -> None:
    """Four metrics: 核定编制, 实有人数, 空编, 超编 summed over the frame's rows."""
    cols = st.columns(4)
    for col, (column, label) in zip(
        cols,
        (
            ("authorized", "核定编制"),
            ("occupied", "实有人数"),
            ("vacancy", "空编"),
            ("overstaffed_by", "超编"),
        ),
        strict=True,
    ):
        col.metric(label, integer(df[column].sum() if not df.empty else 0))


def page_overview(wh: Warehouse, as_of: date) -> None:
    """County totals by quota type, findings by rule and severity, trend over batches."""
    st.title("全县总览")
    st.caption(f"截至 {as_of.isoformat()}")
    totals = wh.q("county_totals", as_of)
    _totals_metrics(totals)
    st.subheader("按编制类型")
    st.dataframe(zh_table(totals), hide_index=True)
    if not totals.empty:
        chart = totals.set_index("quota_type")[["authorized", "occupied"]]
        st.bar_chart(
            chart.rename(columns={"authorized": "核定", "occupied": "实有"}),
            stack=False,
            sort=False,
        )

    st.subheader("问题（按规则与严重程度）")
    by_rule = wh.q("findings_by_rule", as_of)
    st.metric("本批次问题数", integer(by_rule["findings"].sum() if not by_rule.empty else 0))
    st.dataframe(zh_table(by_rule), hide_index=True)

    st.subheader("各批次趋势")
    trend = wh.q("staffing_trend")
    if len(trend) < 2:
        st.caption("只有一个批次，暂无趋势。")
    st.line_chart(
        _by_batch(trend).rename(
            columns={
                "authorized": "核定",
                "occupied": "实有",
                "vacancy": "空编",
                "overstaffed_by": "超编",
            }
        )
    )
    f_trend = wh.q("findings_trend")
    st.line_chart(_by_batch(f_trend).rename(columns=dict(SEVERITY_ZH)))
    st.dataframe(zh_table(trend.merge(f_trend, on="as_of", how="left")), hide_index=True)


def _by_batch(df: pd.DataFrame) -> pd.DataFrame:
    """Indexed by the batch date as text: the axis shows the loaded batches, not a calendar."""
    return df.assign(as_of=df["as_of"].dt.strftime("%Y-%m-%d")).set_index("as_of")


# ── 乡镇 ─────────────────────────────────────────────────────────────────────────────────────


def page_township(wh: Warehouse, as_of: date) -> None:
    """One township: reconciliation, leadership, leader ratio vs threshold, workforce."""
    st.title("乡镇")
    towns = wh.q("townships", as_of)
    names = dict(zip(towns["township_code"], towns["township_name"], strict=True))
    code = st.selectbox(
        "选择乡镇",
        list(names),
        index=None,
        format_func=lambda c: f"{names.get(c, c)}（{c}）",
        placeholder="请选择乡镇",
        key="township",
    )
    if code is None:
        st.info("请在上方选择一个乡镇。")
        return
    st.header(names[code])
    st.caption(f"行政区划代码 {code} · 截至 {as_of.isoformat()}")

    _totals_metrics(wh.q("township_summary", as_of, code))
    st.subheader("各机构编制核查")
    st.dataframe(zh_table(wh.q("township_staffing", as_of, code)), hide_index=True)

    st.subheader("领导职数（核定与实配）")
    st.dataframe(zh_table(wh.q("township_leadership_posts", as_of, code)), hide_index=True)

    st.subheader("领导职务占比")
    threshold = leader_ratio_threshold(config_path())
    ratio = wh.q("township_leader_ratio", as_of, code)
    cols = st.columns(4)
    cols[0].metric("领导职务人数", integer(ratio.get("leaders")))
    cols[1].metric("在编人数", integer(ratio.get("staff")))
    cols[2].metric("领导职务占比", percent(ratio.get("leader_ratio")))
    cols[3].metric("占比上限", percent(threshold))
    value = ratio.get("leader_ratio")
    if value is None:
        st.caption("在编人数为0，占比无定义。")
    elif value > threshold:
        st.warning(f"领导职务占比 {percent(value)} 超过上限 {percent(threshold)}。")
    else:
        st.success(f"领导职务占比 {percent(value)} 未超过上限 {percent(threshold)}。")

    st.subheader("人员结构")
    _workforce(wh.q("workforce", as_of, "township", code))


def _workforce(row: dict[str, Any]) -> None:
    """Age bands and education of a workforce_structure row."""
    if not row:
        st.caption("暂无人员结构数据。")
        return
    cols = st.columns(6)
    cols[0].metric("总人数", integer(row.get("headcount")))
    cols[1].metric("30岁以下", integer(row.get("age_under_30")))
    cols[2].metric("30至44岁", integer(row.get("age_30_44")))
    cols[3].metric("45岁及以上", integer(row.get("age_45_plus")))
    cols[4].metric("本科及以上", integer(row.get("bachelor_plus")))
    cols[5].metric("本科及以上占比", percent(row.get("bachelor_plus_share")))
    ages = pd.DataFrame(
        {
            "年龄段": ["30岁以下", "30至44岁", "45岁及以上"],
            "人数": [row.get("age_under_30"), row.get("age_30_44"), row.get("age_45_plus")],
        }
    ).set_index("年龄段")
    quota = pd.DataFrame(
        {
            "编制类型": ["行政编制", "政法专项编制", "事业编制", "工勤编制", "无编制"],
            "人数": [
                row.get("staff_admin"),
                row.get("staff_judicial"),
                row.get("staff_public"),
                row.get("staff_worker"),
                row.get("staff_none"),
            ],
        }
    ).set_index("编制类型")
    left, right = st.columns(2)
    left.bar_chart(ages, horizontal=True, sort=False)
    right.bar_chart(quota, horizontal=True, sort=False)


# ── 机构 ─────────────────────────────────────────────────────────────────────────────────────


def page_institution(wh: Warehouse, as_of: date) -> None:
    """One institution: its reconciliation, quota ledger history and findings."""
    st.title("机构")
    inst = wh.q("institutions", as_of)
    towns = ["（县直及全部）"] + sorted(set(inst["township_name"].dropna()))
    town = st.selectbox("所属乡镇（可选）", towns, key="institution_township")
    if town != towns[0]:
        inst = inst[inst["township_name"] == town]
    labels = dict(zip(inst["institution_code"], inst["institution_name"], strict=True))
    code = st.selectbox(
        "选择机构",
        list(labels),
        index=None,
        format_func=lambda c: f"{labels.get(c, c)}（{c}）",
        placeholder="请选择机构",
        key="institution",
    )
    if code is None:
        st.info("请在上方选择一个机构。")
        return
    st.header(labels[code])
    st.caption(f"机构编码 {code} · 截至 {as_of.isoformat()}")

    staffing = wh.q("institution_staffing", as_of, code)
    if not staffing.empty:
        _totals_metrics(staffing)
        st.dataframe(zh_table(staffing), hide_index=True)

    st.subheader("编制台账（核定与变动）")
    events = wh.q("quota_events", as_of, code)
    if events.empty:
        st.caption("该机构没有编制核定记录。")
    else:
        st.dataframe(zh_table(events), hide_index=True)

    st.subheader("问题")
    found = wh.q("institution_findings", code)
    st.metric("未整改问题", integer((found["status"] == "open").sum()))
    if found.empty:
        st.caption("该机构没有问题记录。")
    else:
        st.dataframe(zh_table(found, drop=("institution_name",)), hide_index=True)


# ── 问题清单 ──────────────────────────────────────────────────────────────────────────────────


def page_findings(wh: Warehouse, as_of: date) -> None:
    """Filterable findings across batches, with an xlsx download of what is shown."""
    del as_of  # findings carry their own first_seen / last_seen across all batches
    st.title("问题清单")
    batch_dates = sorted(wh.q("batches"))
    catalog = wh.q("rule_catalog")
    rule_names = dict(zip(catalog["rule_code"], catalog["name_zh"], strict=True))
    towns = wh.q("finding_townships")
    town_names = dict(zip(towns["township_code"], towns["township_name"], strict=True))
    c1, c2, c3, c4 = st.columns(4)
    rules = c1.multiselect(
        "规则",
        list(rule_names),
        format_func=lambda r: f"{rule_names[r]}（{r}）",
        key="f_rules",
        placeholder="全部",
    )
    severities = c2.multiselect(
        "严重程度",
        list(queries.SEVERITIES),
        format_func=SEVERITY_ZH.__getitem__,
        key="f_severities",
        placeholder="全部",
    )
    township_codes = c3.multiselect(
        "乡镇",
        list(town_names),
        format_func=lambda c: town_names.get(c) or c,
        key="f_towns",
        placeholder="全部",
    )
    statuses = c4.multiselect(
        "状态",
        list(queries.STATUSES),
        format_func=STATUS_ZH.__getitem__,
        key="f_statuses",
        placeholder="全部",
    )
    first_seen: tuple[date, date] | None = None
    if len(batch_dates) > 1:
        first_seen = st.select_slider(
            "首次发现批次（范围）",
            options=batch_dates,
            value=(batch_dates[0], batch_dates[-1]),
            format_func=lambda d: d.isoformat(),
            key="f_first_seen",
        )
        if first_seen == (batch_dates[0], batch_dates[-1]):
            first_seen = None  # the whole range: no filter (keeps the cache key stable)
    found = wh.q(
        "findings",
        tuple(rules),
        tuple(severities),
        tuple(township_codes),
        tuple(statuses),
        first_seen,
    )
    cols = st.columns(3)
    cols[0].metric("问题数", integer(len(found)))
    cols[1].metric("其中未整改", integer((found["status"] == "open").sum()))
    first = found["first_seen"].min() if not found.empty else None
    cols[2].metric("最早发现", first.date().isoformat() if first is not None else "—")
    table = zh_table(found)
    st.dataframe(table, hide_index=True)
    st.download_button(
        "下载筛选结果（xlsx）",
        data=to_xlsx(table),
        file_name="问题清单.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key="f_download",
    )


# ── 数据质量 ──────────────────────────────────────────────────────────────────────────────────


def page_quality(wh: Warehouse, as_of: date) -> None:
    """Load report, quarantine counts (never the raw rows), dq results, run log."""
    del as_of
    st.title("数据质量")
    st.subheader("入库报告")
    st.dataframe(zh_table(wh.q("load_report")), hide_index=True)

    st.subheader("隔离行（按文件）")
    st.caption("隔离行的原始内容含身份证号，只供数据管理员在数仓中查看，看板只显示计数。")
    by_file = wh.q("quarantine_by_file")
    st.metric("隔离行合计", integer(by_file["rows_quarantined"].sum() if len(by_file) else 0))
    st.dataframe(zh_table(by_file), hide_index=True)
    with st.expander("按原因"):
        st.dataframe(zh_table(wh.q("quarantine_by_reason")), hide_index=True)

    st.subheader("数据质量检查结果（最近几次运行）")
    if wh.q("table_exists", "audit", "dq_results"):
        dq = wh.q("dq_results")
        if {"run_id", "success"} <= set(dq.columns) and not dq.empty:
            latest = dq[dq["run_id"] == dq["run_id"].iloc[0]]
            cols = st.columns(2)
            cols[0].metric("最近一次运行的检查项", integer(len(latest)))
            cols[1].metric("其中未通过", integer((latest["success"] == False).sum()))  # noqa: E712
        st.dataframe(zh_table(dq), hide_index=True)
    else:
        st.info("数仓中还没有数据质量检查结果（audit.dq_results），检查套件运行后会显示在这里。")

    st.subheader("运行记录")
    if wh.q("table_exists", "audit", "run_log"):
        st.dataframe(zh_table(wh.q("run_log")), hide_index=True)
    else:
        st.info("数仓中还没有运行记录（audit.run_log）。")


RENDER: dict[str, Callable[[Warehouse, date], None]] = {
    "总览": page_overview,
    "乡镇": page_township,
    "机构": page_institution,
    "问题清单": page_findings,
    "数据质量": page_quality,
}
