"""The written analysis report (机构编制运行情况分析报告), in Markdown and in HTML.

Why this shape: a 编办 analysis report reads basic figures first (机构、编制、实有), then the
workforce structure, then the problems with counts and typical cases, then the change since
the previous period, then what to do next. Every number comes from `report_data.gather`; this
module only words them. The county's reader is a person, so sentences, not dumps: tables are
kept for what is naturally tabular.
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

from exports.dates import zh_date
from exports.document import Block, Bullets, Heading, Paragraph, Table, to_html, to_markdown
from exports.report_data import QuotaTotals, ReportData, gather
from exports.titles import county_word
from exports.warehouse import open_warehouse, resolve_as_of

SEVERITY_ZH = {"error": "严重", "warn": "警告", "info": "提示"}
SECTION_NUMBERS = "一二三四五六七八九十"
SUB_NUMBERS = [f"（{n}）" for n in SECTION_NUMBERS]

REPORT_TABLES = ("marts.township_summary", "marts.township_leadership", "marts.rule_catalog")

SUGGESTIONS = {
    "OVERSTAFFED": (
        "对超编单位严格执行“先出后进”“退一进一”，限期消化超编人员，超编期间不得新进人员。"
    ),
    "VACANT": "结合工作需要统筹使用空余编制，优先保障基层和重点领域用编需求。",
    "OVER_LEADERSHIP": "对超职数配备领导干部的单位，停止新任相应职务，逐步消化超配职数。",
    "OVER_RANK": "规范领导干部职级配备，不得超过机构规格配备。",
    "MIXED_CATEGORY": "逐人核实人员类别与所占编制类型，按规定办理编制调整或身份变更。",
    "MIXED_QUOTA": "清理混编问题，行政编制与事业编制不得混用。",
    "MIXED_LEADERSHIP": "规范领导职务任职，避免跨编制类型混岗任职。",
    "WORKER_IN_MANAGEMENT": "工勤人员不得占用管理岗位或担任领导职务，限期调整到位。",
    "SECONDED": "清理在编不在岗人员，借调期满按规定返回原单位，确需长期使用的按程序办理调动。",
    "DUPLICATE_SLOT": "坚持一人一编，立即核查一人多编人员并核销多占编制。",
    "ID_CONFLICT": "核对身份证号与姓名，更正错误信息，杜绝一号多人。",
    "INVALID_ID": "核对并更正无效身份证号；导出花名册时将身份证号列设为文本格式，防止被Excel损坏。",
    "OVER_AGE": "对达到法定退休年龄仍在编人员及时办理退休手续并核销编制。",
    "REVOKED_INSTITUTION": "已撤销机构的人员和编制应及时划转或核销。",
    "UNKNOWN_INSTITUTION": "规范单位名称填报，统一使用机构名录中的规范名称或机构编码。",
    "NEGATIVE_QUOTA": "核查编制核减批复，更正核减后为负数的编制台账。",
    "LEADER_RATIO": "从严控制领导职务设置，逐步降低领导职务占比。",
    "TOWNSHIP_LEADERSHIP_QUOTA": "按乡镇领导职数核定标准调整乡镇领导职数。",
    "INSTITUTION_LIMIT": "按机构限额要求整合精简乡镇内设机构和事业单位。",
}


def pct(part: int | float, whole: int | float) -> str:
    """`48.5%`, or `—` where the whole is zero."""
    return f"{100 * part / whole:.1f}%" if whole else "—"


def signed(delta: int) -> str:
    return f"+{delta}" if delta > 0 else str(delta)


def report_title(county: str) -> str:
    return f"{county}机构编制运行情况分析报告"


def compose(data: ReportData) -> list[Block]:
    """The report as blocks, section by section."""
    d = zh_date(data.as_of)
    basis = f"数据截至{d}批次"
    if data.previous:
        basis += f"，上期批次为{zh_date(data.previous)}"
    blocks: list[Block] = [
        Heading(1, report_title(data.county)),
        Paragraph(f"（{basis}；由机构编制实名制数据仓库根据当期数据自动生成。）"),
    ]
    sections = [
        _basic(data),
        _workforce(data),
        _problems(data),
        _changes(data),
        _data_quality(data),
        _suggestions(data),
    ]
    for number, (title, body) in zip(SECTION_NUMBERS, sections, strict=False):
        blocks.append(Heading(2, f"{number}、{title}"))
        blocks.extend(body)
    return blocks


def _basic(data: ReportData) -> tuple[str, list[Block]]:
    cw, total = county_word(data.county), data.quota_totals[-1]
    kinds = "、".join(f"{k}{n}个" for k, n in data.institutions_by_category.items())
    count = sum(data.institutions_by_category.values())
    text = (
        f"截至{zh_date(data.as_of)}，{cw}共有机构{count}个"
        + (f"（{kinds}）" if kinds else "")
        + f"。核定编制合计{total.authorized}名，实有人员{total.occupied}名，"
        f"空编{total.vacancy}名，超编{total.overstaffed}名。"
    )
    overstaffed = [t for t in data.quota_totals[:-1] if t.overstaffed]
    if overstaffed:
        text += "超编主要集中在" + "、".join(f"{t.label}（{t.overstaffed}名）" for t in overstaffed)
        text += "。"
    body: list[Block] = [
        Paragraph(text),
        Heading(3, "（一）分编制类型情况"),
        _quota_table(data.quota_totals, "编制类型", usage=True),
        Heading(3, "（二）分乡镇情况"),
        _quota_table(data.townships, "乡镇", usage=True),
    ]
    return "机构编制基本情况", body


def _quota_table(rows: list[QuotaTotals], first: str, usage: bool) -> Table:
    headers = [first, "核定", "实有", "空编", "超编"] + (["使用率"] if usage else [])
    return Table(
        headers,
        [
            [
                r.label,
                str(r.authorized),
                str(r.occupied),
                str(r.vacancy),
                str(r.overstaffed),
                *([pct(r.occupied, r.authorized)] if usage else []),
            ]
            for r in rows
        ],
        numeric=range(1, len(headers)),
    )


def leadership_sentence(data: ReportData) -> str:
    """`全县乡镇工作人员共540人，担任领导职务262人，占48.5%。`"""
    staff = sum(t.staff for t in data.township_leaders)
    leaders = sum(t.leaders for t in data.township_leaders)
    share, cw = pct(leaders, staff), county_word(data.county)
    return f"{cw}乡镇工作人员共{staff}人，担任领导职务{leaders}人，占{share}。"


def _workforce(data: ReportData) -> tuple[str, list[Block]]:
    cw, body = county_word(data.county), []
    w = data.workforce
    if w is not None:
        quotas = "、".join(f"{k}{n}人" for k, n in w.by_quota.items() if n)
        body.append(
            Paragraph(
                f"{cw}实名制在册人员共{w.headcount}人，其中占用编制{w.staff}人"
                + (f"（{quotas}）" if quotas else "")
                + f"，未占用编制{w.headcount - w.staff}人。"
            )
        )
        body.append(
            Paragraph(
                f"年龄结构：30岁以下{w.age_under_30}人，占{pct(w.age_under_30, w.headcount)}；"
                f"30至44岁{w.age_30_44}人，占{pct(w.age_30_44, w.headcount)}；"
                f"45岁及以上{w.age_45_plus}人，占{pct(w.age_45_plus, w.headcount)}。"
                f"学历结构：大学本科及以上学历{w.bachelor_plus}人，"
                f"占{pct(w.bachelor_plus, w.headcount)}。"
                f"领导职务：{cw}担任领导职务{w.leaders}人，占在册人员的"
                f"{pct(w.leaders, w.headcount)}。"
            )
        )
    text = leadership_sentence(data)
    flagged = [t.township_name for t in data.township_leaders if t.flagged]
    if flagged:
        text += f"其中{'、'.join(flagged)}领导职务占比超过规定比例。"
    body.append(Paragraph(text))
    if data.township_leaders:
        body.append(
            Table(
                ["乡镇", "工作人员", "担任领导职务", "占比", "是否超比例"],
                [
                    [
                        t.township_name,
                        str(t.staff),
                        str(t.leaders),
                        pct(t.leaders, t.staff),
                        "是" if t.flagged else "",
                    ]
                    for t in data.township_leaders
                ],
                numeric=(1, 2, 3),
            )
        )
    return "人员结构", body


def _problems(data: ReportData) -> tuple[str, list[Block]]:
    open_rules = [r for r in data.rules if r.open_count]
    total = sum(r.open_count for r in open_rules)
    by_severity = {s: sum(r.open_count for r in open_rules if r.severity == s) for s in SEVERITY_ZH}
    parts = "、".join(f"{SEVERITY_ZH[s]}{n}个" for s, n in by_severity.items() if n)
    body: list[Block] = [
        Paragraph(
            f"截至{zh_date(data.as_of)}，核查发现未整改问题{total}个"
            + (f"，其中{parts}" if parts else "")
            + "。各类问题情况如下（明细见核查工作簿“问题清单”表）。"
        )
    ]
    if not open_rules:
        return "存在的主要问题", body
    body.append(
        Table(
            ["规则编码", "问题类型", "严重程度", "未整改", "涉及单位", "本期新增", "本期整改"],
            [
                [
                    r.rule_code,
                    r.name_zh,
                    SEVERITY_ZH.get(r.severity, r.severity),
                    str(r.open_count),
                    str(r.institutions),
                    str(r.new_count) if data.previous else "—",
                    str(r.resolved_count) if data.previous else "—",
                ]
                for r in data.rules
            ],
            numeric=(3, 4, 5, 6),
        )
    )
    for sub, rule in zip(SUB_NUMBERS, open_rules, strict=False):
        severity = SEVERITY_ZH.get(rule.severity, rule.severity)
        body.append(Heading(3, f"{sub}{rule.name_zh}（{rule.rule_code}，{severity}）"))
        text = f"共{rule.open_count}个"
        if rule.institutions:
            text += f"，涉及{rule.institutions}个单位"
        if data.previous:
            text += f"，较上期新增{rule.new_count}个、整改{rule.resolved_count}个"
        body.append(Paragraph(text + "。突出情况："))
        body.append(
            Bullets([f"{c.detail}（{_since(c.first_seen, c.open_days)}）" for c in rule.worst])
        )
    return "存在的主要问题", body


def _since(first_seen: date, open_days: int) -> str:
    if open_days <= 0:
        return "本期新发现"
    return f"首次发现于{zh_date(first_seen)}，已持续{open_days}天"


def _changes(data: ReportData) -> tuple[str, list[Block]]:
    if data.previous is None or data.previous_quota_totals is None:
        return "与上期相比变化情况", [Paragraph("本期为首个加载批次，暂无上期数据可比。")]
    before = {t.label: t for t in data.previous_quota_totals}
    rows = []
    for now in data.quota_totals:
        old = before.get(now.label, QuotaTotals(now.label, 0, 0, 0, 0))
        rows.append(
            [
                now.label,
                str(old.authorized),
                str(now.authorized),
                signed(now.authorized - old.authorized),
                str(old.occupied),
                str(now.occupied),
                signed(now.occupied - old.occupied),
            ]
        )
    body: list[Block] = []
    text = f"与上期（{zh_date(data.previous)}）相比："
    if data.workforce and data.previous_workforce:
        a, b = data.previous_workforce.headcount, data.workforce.headcount
        text += f"在册人员由{a}人变为{b}人（{signed(b - a)}）；"
    new = sum(r.new_count for r in data.rules)
    resolved = sum(r.resolved_count for r in data.rules)
    text += f"本期新增问题{new}个，已整改（不再出现）问题{resolved}个。"
    body.append(Paragraph(text))
    body.append(
        Table(
            ["编制类型", "上期核定", "本期核定", "增减", "上期实有", "本期实有", "增减"],
            rows,
            numeric=range(1, 7),
        )
    )
    moved = [r for r in data.rules if r.new_count or r.resolved_count]
    if moved:
        body.append(
            Bullets([f"{r.name_zh}：新增{r.new_count}个，整改{r.resolved_count}个" for r in moved])
        )
    return "与上期相比变化情况", body


def _data_quality(data: ReportData) -> tuple[str, list[Block]]:
    load = data.load
    if load is None or not load.files:
        return "数据质量说明", [Paragraph("本批次无加载记录。")]
    text = (
        f"本批次共加载数据文件{load.files}个"
        + (f"（其中沿用上期{load.carried}个）" if load.carried else "")
        + f"，读取数据行{load.rows_read}行，入库{load.rows_loaded}行，"
        f"隔离{load.rows_quarantined}行。隔离行未计入本报告统计，"
        "请数据报送单位核实更正（原因明细见核查工作簿“数据质量”表）。"
    )
    table = Table(
        ["数据来源", "文件", "读取", "入库", "隔离", "沿用上期"],
        [
            [src, name, str(read), str(loaded), str(q), "是" if carried else ""]
            for src, name, read, loaded, q, carried in load.by_source
        ],
        numeric=(2, 3, 4),
    )
    return "数据质量说明", [Paragraph(text), table]


def _suggestions(data: ReportData) -> tuple[str, list[Block]]:
    items = [
        SUGGESTIONS[r.rule_code]
        for r in data.rules
        if r.open_count and r.severity in ("error", "warn") and r.rule_code in SUGGESTIONS
    ]
    items.append("坚持机构编制实名制动态管理，每期核查问题纳入整改台账，逐项销号。")
    return "下一步工作建议", [Bullets(items)]


def write_report(warehouse: Path, out: Path, as_of: date | None = None) -> list[Path]:
    """Write `bianzhi_report_<as_of>.md` and `.html` into `out`; returns their paths."""
    warehouse, out = warehouse.resolve(), out.resolve()
    with open_warehouse(warehouse, extra=REPORT_TABLES) as con:
        day = resolve_as_of(con, as_of)
        data = gather(con, day)
    blocks = compose(data)
    out.mkdir(parents=True, exist_ok=True)
    stem = f"bianzhi_report_{day.isoformat()}"
    written = []
    html = to_html(blocks, report_title(data.county))
    for suffix, text in ((".md", to_markdown(blocks)), (".html", html)):
        final = out / f"{stem}{suffix}"
        tmp = out / f".{final.name}.{os.getpid()}.tmp"
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, final)
        written.append(final)
    return written
