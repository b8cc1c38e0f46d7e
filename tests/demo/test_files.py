"""The files as a loader sees them: counts, encodings, sheets, headers and each kind of mess."""

from __future__ import annotations

import re
from collections import Counter

from demo_readback import (
    Table,
    date_style,
    detect_encoding,
    header_key,
    id_text,
    parse_date,
    read_rows,
    read_table,
    text,
)
from python_calamine import CalamineWorkbook, SheetVisibleEnum
from stdnum.cn import ric

import demo


def tables(g, source: str | None = None) -> list[tuple[demo.FileSummary, Table]]:
    return [
        (f, read_table(g.landing / f.path, f.sheet, f.header_row))
        for f in g.summary.files
        if source is None or f.source == source
    ]


def test_counts_match_the_summary(any_format) -> None:
    for f, t in tables(any_format):
        assert len(t.titles) == f.title_rows <= 5
        assert len(t.rows) == f.rows
        assert sum(t.is_blank(r) for r in t.rows) == f.blank_rows
        assert sum(t.is_totals(r) for r in t.rows) == f.totals_rows
        assert f.rows - f.blank_rows - f.totals_rows - f.error_rows == f.loaded_rows
        for e in f.row_errors:  # a row error is a real data row, where the summary says
            row = t.rows[e["row_number"] - f.header_row - 1]
            assert not t.is_blank(row) and not t.is_totals(row)


def test_totals_rows_of_every_kind_and_blank_rows(mixed) -> None:
    firsts = Counter()
    for _, t in tables(mixed):
        for r in t.rows:
            if t.is_totals(r):
                firsts[next(text(c) for c in r if text(c))] += 1
                if text(r[0]) == "":
                    firsts["not in the first cell"] += 1
    assert set(firsts) == {"合计", "总计", "小计", "not in the first cell"}
    assert sum(f.blank_rows for f in mixed.summary.files) >= 5


def test_title_rows_and_header_synonyms(mixed, csv300) -> None:
    files = mixed.summary.files + csv300.summary.files
    assert {f.title_rows for f in files} >= {0, 1, 2, 3, 5}
    roster = tables(mixed, "roster")
    t0 = roster[0][1]
    assert text(t0.titles[0][0]) == "清溪县机构编制实名制人员花名册"
    assert any("截至2026年8月20日" in text(c) for r in t0.titles for c in r)
    raw = [str(h) for g in (mixed, csv300) for _, t in tables(g) for h in t.header]
    keys = {header_key(h) for h in raw}
    for synonym in [
        "身份证号码",
        "身份证号",
        "证件号码",
        "出生年月",
        "编制单位",
        "所在单位",
        "单位名称",
        "序号",
        "区划代码",
        "核定数",
        "主管部门编码",
    ]:
        assert synonym in keys, synonym
    assert any(h != h.strip(" ") for h in raw)  # surrounding spaces
    assert any("\u3000" in h for h in raw)  # full-width characters
    assert any(h.endswith("*") for h in raw)  # required-field marker
    assert any("（" in h for h in raw) and any("(" in h for h in raw)


def test_encodings(mixed, csv300) -> None:
    seen = set()
    for g in (mixed, csv300):
        for f in g.summary.files:
            if f.format != "csv":
                continue
            raw = (g.landing / f.path).read_bytes()
            assert detect_encoding(raw) == f.encoding
            if f.encoding == "gb18030":
                raw.decode("gb18030")  # and not UTF-8 (detect_encoding tried it)
            seen.add(f.encoding)
    assert seen == {"gb18030", "utf-8-sig", "utf-8"}


def test_hidden_sheet_and_sheet_found_by_keyword(mixed) -> None:
    f = mixed.summary.files_of("roster")[0]
    wb = CalamineWorkbook.from_path(str(mixed.landing / f.path))
    meta = wb.sheets_metadata
    visible = [m.name for m in meta if m.visible == SheetVisibleEnum.Visible]
    hidden = [m.name for m in meta if m.visible != SheetVisibleEnum.Visible]
    assert hidden == f.hidden_sheets and len(hidden) == 1
    assert visible[0] != f.sheet and "花名册" not in visible[0]  # the right sheet: by keyword
    assert "花名册" in hidden[0] and meta[1].name == hidden[0]  # hidden, keyword, ahead of data
    stale = read_table(mixed.landing / f.path, hidden[0], 2)
    live = read_table(mixed.landing / f.path, f.sheet, f.header_row)
    stale_ids = {id_text(v) for v in stale.values("身份证号码")}
    live_ids = {id_text(v) for v in live.values("身份证号码")}
    assert stale_ids and not stale_ids & live_ids  # loading it would add people


def roster_rows(g) -> list[tuple[str, Table]]:
    return [(f.batch_date, t) for f, t in tables(g, "roster")]


def test_identity_numbers_valid_except_planted(any_format) -> None:
    planted = any_format.summary.planted["INVALID_ID"]
    for batch, t in roster_rows(any_format):
        ids = [id_text(v) for v in t.values("身份证号码", "身份证号", "证件号码")]
        birth = t.values("出生年月", "出生日期")
        gender = t.values("性别")
        bad = {i for i in ids if i and not ric.is_valid(i)}
        mismatch = set()
        for i, b, g in zip(ids, birth, gender, strict=True):
            if not ric.is_valid(i):
                continue
            parsed = parse_date(b)
            assert parsed is not None
            d, month_only = parsed
            fmt = "%Y%m" if month_only else "%Y%m%d"
            if i[6 : 14 if not month_only else 12] != d.strftime(fmt) or (
                "男" if int(i[16]) % 2 else "女"
            ) != text(g):
                mismatch.add(i)
        expected = {c.id_number for c in planted if batch in c.batches}
        assert bad | mismatch == expected
        assert len(expected) == 5
        assert ids.count("") == 1  # the planted row with neither number nor name


def test_excel_damaged_and_messy_identity_cells(mixed) -> None:
    kinds = Counter()
    for _, t in tables(mixed, "roster"):
        for v in t.values("身份证号码", "身份证号", "证件号码"):
            if isinstance(v, float):
                kinds["numeric"] += 1
                assert v == float(int(f"{v:.0f}")) and f"{v:.11E}".startswith("3.20102198503")
            elif isinstance(v, str):
                if re.search("[０-９]", v):
                    kinds["full-width"] += 1
                if v.endswith("x"):
                    kinds["lowercase x"] += 1
                if re.fullmatch(r"\d\.\d+E\+17", v):
                    kinds["exponent text"] += 1
    assert kinds["numeric"] == 2  # the two xlsx rosters
    assert kinds["full-width"] >= 3 and kinds["lowercase x"] >= 3 and kinds["exponent text"] == 3


def test_date_styles_all_present(mixed) -> None:
    styles = Counter()
    unparseable = []
    date_headers = {
        "出生年月",
        "出生日期",
        "入编日期",
        "参加工作时间",
        "参加工作日期",
        "设立日期",
        "撤销日期",
        "批复日期",
        "生效日期",
    }
    for _, t in tables(mixed):
        for i, h in enumerate(t.header):
            if header_key(h) in date_headers:
                for r in t.data():
                    if i < len(r) and text(r[i]):
                        styles[date_style(r[i])] += 1
                        if parse_date(r[i]) is None:
                            unparseable.append(text(r[i]))
    expected = {
        "iso",
        "slash",
        "dot",
        "compact",
        "cn",
        "month_dot",
        "month_dash",
        "month_cn",
        "native",
        "serial",
    }
    assert expected <= set(styles)
    assert None not in styles
    # only the planted row errors: 入编日期 in each roster, 设立日期 in the registry
    assert sorted(unparseable) == ["2010年13月"] + ["2019.13.05"] * 3


def test_integers_in_several_forms(mixed, xlsx300) -> None:
    forms = Counter()
    for g in (mixed, xlsx300):
        for _, t in tables(g, "quota_grants") + tables(g, "townships"):
            for v in t.values("数量", "核定数", "常住人口", "人口"):
                if isinstance(v, float):
                    forms["numeric"] += 1
                elif re.fullmatch(r"\d+\.0", v):
                    forms["12.0"] += 1
                elif re.fullmatch("[０-９]+", v):
                    forms["full-width"] += 1
                elif re.fullmatch(r"\d+", v):
                    forms["12"] += 1
    assert {"numeric", "12.0", "full-width", "12"} <= set(forms)


def test_unit_names_aliases_spaces_and_padding(mixed) -> None:
    inst = tables(mixed, "institutions")[0][1]
    aliases = {a for cell in inst.values("加挂牌子") for a in re.split("[、；;,]", text(cell)) if a}
    names = {text(n) for n in inst.values("机构名称")}
    assert aliases and not aliases & names
    slot_cells = [
        v for _, t in roster_rows(mixed) for v in t.values("编制单位", "所在单位", "编制所在单位")
    ]
    assert any(text(v) in aliases for v in slot_cells)  # 加挂牌子 used as the slot unit
    spaced = [v for v in slot_cells if re.search("[ \u3000]", text(v))]
    assert spaced and all(re.sub("[ \u3000]", "", text(v)) in names | aliases for v in spaced)
    grant_names = [
        v for _, t in tables(mixed, "quota_grants") for v in t.values("机构名称", "单位名称")
    ]
    assert any(text(v) in aliases for v in grant_names)
    person_names = [v for _, t in roster_rows(mixed) for v in t.values("姓名")]
    assert any(isinstance(v, str) and v != v.strip(" \u3000") for v in person_names)


def test_credit_codes_valid_except_one(any_format) -> None:
    from stdnum.cn import uscc

    t = tables(any_format, "institutions")[0][1]
    codes = t.values("统一社会信用代码", "社会信用代码")
    kinds = t.values("机构类别", "单位类别")
    assert all(text(c) == "" for c, k in zip(codes, kinds, strict=True) if k == "内设机构")
    given = [text(c) for c in codes if text(c)]
    assert len(given) == len(set(given))
    assert sum(not uscc.is_valid(c) for c in given) == 1


def test_row_errors_are_the_planted_ones(mixed) -> None:
    reasons = Counter(e["reason"].split(" ")[0] for f in mixed.summary.files for e in f.row_errors)
    assert reasons["unparseable"] >= 3 and reasons["unknown"] >= 4 and reasons["missing"] >= 3
    assert reasons["two"] >= 4  # two 核定 on one date: both rows, in both grants files
    f = mixed.summary.files_of("roster")[0]
    rows = read_rows(mixed.landing / f.path, f.sheet)
    cells = {e["reason"]: {text(c) for c in rows[e["row_number"] - 1]} for e in f.row_errors}
    assert "2019.13.05" in cells["unparseable 入编日期 2019.13.05"]
    assert "在职" in cells["unknown 在岗状态 在职"]


def test_volume_change_between_batches_is_small(any_format) -> None:
    loaded = [f.loaded_rows for f in any_format.summary.files_of("roster")]
    for a, b in zip(loaded, loaded[1:], strict=False):
        assert abs(b - a) / a < 0.05
