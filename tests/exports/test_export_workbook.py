"""The inspection workbook against the hand-built mini warehouse (every number known)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path

import duckdb
import exports_minidb as mini_db
import openpyxl
import pytest
from exports_helpers import data_rows, export_args, read_book, records, unmasked_ids

from exports.cli import export_command
from exports.manifest import sha256_of, verify_manifest
from exports.sheets import SHEET_NAMES
from orchestration.publish import run_lock

B0, B1, B2 = mini_db.B0, mini_db.B1, mini_db.B2


def _export(warehouse: Path, out: Path, **kw: object) -> Path:
    assert export_command(export_args(warehouse, out, **kw)) == 0
    books = sorted(out.glob("*.xlsx"))
    assert books, "no workbook written"
    return max(books, key=lambda p: p.stat().st_mtime_ns)


def _log(warehouse: Path) -> list[tuple]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute(
            "select exported_at, scope, as_of, unmasked, files from audit.export_log "
            "order by exported_at, scope"
        ).fetchall()
    finally:
        con.close()


def _query(warehouse: Path, sql: str, params: list | None = None) -> list[tuple]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def test_sheets_headers_frozen_panes_and_title(mini: Path, out_dir: Path) -> None:
    book_path = _export(mini, out_dir, township=mini_db.NIUFO)
    assert book_path.name == f"bianzhi_township-{mini_db.NIUFO}_{B2}.xlsx"
    book = openpyxl.load_workbook(book_path)
    assert tuple(book.sheetnames) == SHEET_NAMES
    for ws in book:
        assert ws.freeze_panes == "A3", ws.title
        title = ws["A1"].value
        assert title.startswith("XX县 牛佛镇 机构编制核查 截至2026年11月20日"), title
        assert ws.title in title
        assert ws["A2"].font.b, f"{ws.title}: header row not bold"
        widths = [ws.column_dimensions[c].width for c in "AB"]
        assert all(w and w >= 6 for w in widths), (ws.title, widths)
    assert [c.value for c in book["机构编制情况"][2]] == [
        "机构编码", "机构名称", "所属乡镇", "编制类型", "核定", "实有", "空编", "超编",
    ]  # fmt: skip
    assert [c.value for c in book["领导职数"][2]][3:6] == ["职数类别", "核定职数", "实配"]
    roster_header = [c.value for c in book["实名制人员名册"][2]]
    assert roster_header[:3] == ["人员标识", "身份证号（已脱敏）", "姓名"]
    findings_header = [c.value for c in book["问题清单"][2]]
    for needed in ("规则编码", "严重程度", "问题描述", "首次发现"):
        assert needed in findings_header
    # real Excel dates, shown as dates
    birth = book["实名制人员名册"]["E3"]
    assert isinstance(birth.value, datetime) and birth.is_date
    assert birth.number_format == "yyyy-mm-dd"
    # the name column is wider than the code column: widths follow the content
    ws = book["机构编制情况"]
    assert ws.column_dimensions["B"].width > ws.column_dimensions["D"].width


def test_masked_export_holds_no_identity_number_anywhere(mini: Path, out_dir: Path) -> None:
    book = _export(mini, out_dir)
    assert unmasked_ids(book) == []
    roster = records(read_book(book)["实名制人员名册"])
    masked = {r["姓名"]: r["身份证号（已脱敏）"] for r in roster}
    for person in mini_db.PEOPLE:
        if B2 in person.batches:
            assert masked[person.name] == person.id[:6] + "********" + person.id[14:]
    quality = [str(v) for row in read_book(book)["数据质量"] for v in row if v]
    assert any("320102********0011" in v for v in quality), "the quoted number was dropped"
    manifest = json.loads(book.with_name(book.stem + ".manifest.json").read_text("utf-8"))
    assert manifest["masked"] is True


def test_unmasked_export_contains_the_numbers_on_request(mini: Path, out_dir: Path) -> None:
    book = _export(mini, out_dir, unmasked=True)
    assert book.name.endswith("_unmasked.xlsx")
    roster = records(read_book(book)["实名制人员名册"])
    numbers = {r["姓名"]: r["身份证号"] for r in roster}
    assert numbers == {p.name: p.id for p in mini_db.PEOPLE if B2 in p.batches}
    assert set(unmasked_ids(book)) >= {p.id for p in mini_db.PEOPLE if B2 in p.batches}
    assert book.stat().st_mode & 0o077 == 0, "an unmasked workbook must not be world-readable"
    manifest = json.loads(book.with_name(book.stem + ".manifest.json").read_text("utf-8"))
    assert manifest["masked"] is False
    assert _log(mini)[-1][3] is True


def test_counts_equal_the_marts(mini: Path, out_dir: Path) -> None:
    sheets = read_book(_export(mini, out_dir))
    staffing = _query(
        mini,
        "select institution_code, quota_type, authorized, occupied, vacancy, overstaffed_by "
        "from marts.staffing_reconciliation where as_of = ? order by 1, 2",
        [B2],
    )
    got = sorted((r[0], r[3], r[4], r[5], r[6], r[7]) for r in data_rows(sheets["机构编制情况"]))
    assert got == sorted(staffing)
    leaders = _query(
        mini,
        "select institution_code, leadership_kind, authorized, actual "
        "from marts.leadership_reconciliation where as_of = ?",
        [B2],
    )
    got = sorted((r[0], r[3], r[4], r[5]) for r in data_rows(sheets["领导职数"]))
    assert got == sorted(leaders)
    roster = _query(mini, "select person_key from marts.roster where as_of = ?", [B2])
    assert sorted(r[0] for r in data_rows(sheets["实名制人员名册"])) == sorted(r[0] for r in roster)
    open_now = _query(
        mini, "select rule_code, detail_zh, first_seen from marts.findings where status = 'open'"
    )
    got = sorted((r["规则编码"], r["问题描述"], r["首次发现"].date()) for r in records(
        sheets["问题清单"]
    ))  # fmt: skip
    assert got == sorted(open_now)
    quality = data_rows(sheets["数据质量"])
    assert sum(r[5] for r in quality) == 2  # rows_quarantined of the batch
    assert len(quality) == 4


def test_manifest_hashes_and_row_counts_verify(mini: Path, out_dir: Path) -> None:
    book = _export(mini, out_dir, institution="N001")
    manifest_path = out_dir / f"bianzhi_institution-N001_{B2}.manifest.json"
    manifest = json.loads(manifest_path.read_text("utf-8"))
    assert manifest["as_of"] == str(B2)
    assert manifest["scope"] == "institution:N001"
    assert manifest["exported_at"].endswith("+00:00")
    (entry,) = manifest["files"]
    assert entry["name"] == book.name and entry["sha256"] == sha256_of(book)
    sheets = read_book(book)
    expected = {name: len(data_rows(rows)) for name, rows in sheets.items()}
    expected["数据质量"] += len(mini_db.QUARANTINE)  # the second table: quarantine reasons
    assert entry["sheets"] == expected
    assert verify_manifest(manifest_path) == []
    book.write_bytes(book.read_bytes() + b"tampered")
    assert verify_manifest(manifest_path) == [f"{book.name}: sha256 differs"]


def test_every_export_adds_one_log_row(mini: Path, out_dir: Path) -> None:
    assert _query(mini, "select count(*) from information_schema.tables "
                  "where table_name = 'export_log'") == [(0,)]  # fmt: skip
    _export(mini, out_dir)
    _export(mini, out_dir, township=mini_db.XIANSHI, as_of=str(B1))
    _export(mini, out_dir, unmasked=True)
    log = _log(mini)
    assert [(r[1], r[2], r[3]) for r in log] == [
        ("county", B2, False),
        (f"township:{mini_db.XIANSHI}", B1, False),
        ("county", B2, True),
    ]
    files = json.loads(log[1][4])
    book = out_dir / f"bianzhi_township-{mini_db.XIANSHI}_{B1}.xlsx"
    assert {f["name"] for f in files} == {book.name, book.stem + ".manifest.json"}
    assert next(f["sha256"] for f in files if f["name"] == book.name) == sha256_of(book)


def test_as_of_an_earlier_batch_shows_what_the_marts_held_then(mini: Path, out_dir: Path) -> None:
    sheets = read_book(_export(mini, out_dir, as_of="2026-10-20"))
    assert "截至2026年10月20日" in sheets["问题清单"][0][0]
    staffing = _query(
        mini,
        "select institution_code, quota_type, authorized, occupied from "
        "marts.staffing_reconciliation where as_of = ?",
        [B1],
    )
    got = sorted((r[0], r[3], r[4], r[5]) for r in data_rows(sheets["机构编制情况"]))
    assert got == sorted(staffing)
    names = sorted(r[2] for r in data_rows(sheets["实名制人员名册"]))
    assert names == sorted(p.name for p in mini_db.PEOPLE if B1 in p.batches)
    open_then = {(r["规则编码"], r["机构编码"]): r for r in records(sheets["问题清单"])}
    # held in 10-20: LEADER_RATIO (resolved later) and MIXED_QUOTA; SECONDED was not held then
    assert ("LEADER_RATIO", None) in open_then and ("MIXED_QUOTA", "N001") in open_then
    assert ("SECONDED", "N001") not in open_then
    assert ("OVER_AGE", "N002") not in open_then  # appears only in 11-20
    overstaffed = open_then[("OVERSTAFFED", "N001")]
    assert overstaffed["实际"] == 4 and overstaffed["首次发现"].date() == B0
    assert overstaffed["持续天数"] == (B1 - B0).days
    resolved = records(sheets["已整改"])
    assert [(r["规则编码"], r["最后发现"].date(), r["整改确认批次"].date()) for r in resolved] == [
        ("SECONDED", B0, B1)
    ]


def test_a_returning_finding_keeps_its_first_seen(mini: Path, out_dir: Path) -> None:
    sheets = read_book(_export(mini, out_dir))
    seconded = [r for r in records(sheets["问题清单"]) if r["规则编码"] == "SECONDED"]
    assert [(r["姓名"], r["首次发现"].date()) for r in seconded] == [("赵六", B0)]
    resolved = records(sheets["已整改"])
    assert "2026年10月20日批次以来" in sheets["已整改"][0][0]
    assert sorted(r["规则编码"] for r in resolved) == ["LEADER_RATIO", "MIXED_QUOTA"]


def test_first_batch_has_nothing_resolved(mini: Path, out_dir: Path) -> None:
    sheets = read_book(_export(mini, out_dir, as_of="2026-09-20"))
    assert data_rows(sheets["已整改"]) == []
    assert "无更早批次可比" in sheets["已整改"][0][0]
    assert len(data_rows(sheets["问题清单"])) == 6


def test_township_scope_restricts_every_sheet(mini: Path, out_dir: Path) -> None:
    sheets = read_book(_export(mini, out_dir, township=mini_db.XIANSHI))
    assert {r[0] for r in data_rows(sheets["机构编制情况"])} == {"X001"}
    assert {r[0] for r in data_rows(sheets["领导职数"])} == {"X001"}
    assert [r[2] for r in data_rows(sheets["实名制人员名册"])] == ["钱七"]
    assert [(r["规则编码"], r["机构编码"]) for r in records(sheets["问题清单"])] == [
        ("VACANT", "X001")
    ]
    niufo = read_book(_export(mini, out_dir, township=mini_db.NIUFO, as_of=str(B1)))
    codes = {r["机构编码"] for r in records(niufo["问题清单"])}
    assert codes == {"N001", "N002", None}  # None: the township-level LEADER_RATIO
    people = {r[2] for r in data_rows(niufo["实名制人员名册"])}
    assert people == {"张三", "李四", "赵六", "吴十", "郑十一"}


def test_institution_scope_takes_its_people_also_those_working_there(
    mini: Path, out_dir: Path
) -> None:
    sheets = read_book(_export(mini, out_dir, institution="C001"))
    assert "XX县 县委办公室 机构编制核查" in sheets["机构编制情况"][0][0]
    assert {r[0] for r in data_rows(sheets["机构编制情况"])} == {"C001"}
    # 孙八 holds his slot there; 赵六 (slot in 牛佛镇) works there on secondment
    assert sorted(r[2] for r in data_rows(sheets["实名制人员名册"])) == ["孙八", "赵六"]
    assert {r["机构编码"] for r in records(sheets["问题清单"])} == {"C001"}
    niufo_gov = read_book(_export(mini, out_dir, institution="N001"))
    assert "牛佛镇 牛佛镇人民政府" in niufo_gov["领导职数"][0][0]
    # its 内设机构 belongs to it: 张三 works in 党政办
    assert "张三" in {r[2] for r in data_rows(niufo_gov["实名制人员名册"])}


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"as_of": "2026-10-21"}, "no batch of that date"),
        ({"as_of": "2026-13-45"}, "not a date"),
        ({"as_of": "yesterday"}, "not a date"),
        ({"township": "999999999"}, "no such township"),
        ({"institution": "NOPE"}, "no such institution"),
    ],
)
def test_bad_date_or_scope_exits_2_and_writes_nothing(
    mini: Path, out_dir: Path, kw: dict, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    before = sha256_of(mini)
    assert export_command(export_args(mini, out_dir, **kw)) == 2
    assert message in capsys.readouterr().err
    assert not out_dir.exists() or not any(out_dir.iterdir())
    assert sha256_of(mini) == before


def test_missing_warehouse_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert export_command(export_args(tmp_path / "none.duckdb", tmp_path / "out")) == 2
    assert "no such warehouse" in capsys.readouterr().err


def test_a_file_that_is_no_warehouse_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    garbage = tmp_path / "w.duckdb"
    garbage.write_bytes(b"not a database" * 100)
    assert export_command(export_args(garbage, tmp_path / "out")) == 2
    assert "cannot open the warehouse" in capsys.readouterr().err
    empty = tmp_path / "empty.duckdb"
    duckdb.connect(str(empty)).close()
    assert export_command(export_args(empty, tmp_path / "out")) == 2
    assert "not a published bianzhi warehouse" in capsys.readouterr().err


def test_through_the_bianzhi_command(mini: Path, out_dir: Path) -> None:
    from orchestration.cli import main

    assert main(["export", "--warehouse", str(mini), "--out", str(out_dir)]) == 0
    assert (out_dir / f"bianzhi_county_{B2}.xlsx").is_file()
    assert (
        main(["export", "--warehouse", str(mini), "--out", str(out_dir), "--as-of", "1999-01-01"])
        == 2
    )


def test_exit_code_of_the_command_process(mini: Path, out_dir: Path) -> None:
    """The real process (console script entry point): an unknown date ends with status 2."""
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "PYTHONPATH": str(root)}
    proc = subprocess.run(
        [sys.executable, "-m", "orchestration.cli", "export", "--warehouse", str(mini),
         "--out", str(out_dir), "--as-of", "2026-10-21"],
        capture_output=True, text=True, env=env, cwd=root, timeout=120,
    )  # fmt: skip
    assert proc.returncode == 2, proc.stderr
    assert "no batch of that date is loaded" in proc.stderr
    assert not out_dir.exists()


def test_township_and_institution_together_is_a_usage_error(mini: Path, out_dir: Path) -> None:
    from orchestration.cli import main

    argv = ["export", "--warehouse", str(mini), "--out", str(out_dir)]
    with pytest.raises(SystemExit) as exc:
        main([*argv, "--township", mini_db.NIUFO, "--institution", "N001"])
    assert exc.value.code == 2


def test_published_file_is_replaced_atomically(mini: Path, out_dir: Path) -> None:
    reader = duckdb.connect(str(mini), read_only=True)  # a reader open across the export
    before = reader.execute("select count(*) from marts.roster").fetchone()
    inode = mini.stat().st_ino
    _export(mini, out_dir)
    assert reader.execute("select count(*) from marts.roster").fetchone() == before
    reader.close()
    assert mini.stat().st_ino != inode, "the file was written in place, not replaced"
    leftovers = [p.name for p in mini.parent.iterdir() if p.name.endswith((".build", ".wal"))]
    assert leftovers == []
    after = duckdb.connect(str(mini), read_only=True)
    try:
        assert after.execute("select count(*) from marts.roster").fetchone() == before
        assert after.execute("select count(*) from audit.export_log").fetchone() == (1,)
    finally:
        after.close()
    with run_lock(mini, wait_seconds=0):  # released
        pass


def test_export_waits_for_the_lock_and_gives_up_without_a_trace(
    mini: Path, out_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = sha256_of(mini)
    with run_lock(mini):
        code = export_command(export_args(mini, out_dir, wait=0.3))
    assert code == 1
    assert "nothing exported" in capsys.readouterr().err
    assert list(out_dir.iterdir()) == [], "an unlogged workbook was left behind"
    assert sha256_of(mini) == before


def test_same_data_exports_to_the_same_bytes(mini: Path, tmp_path: Path) -> None:
    first = _export(mini, tmp_path / "a")
    second = _export(mini, tmp_path / "b")
    assert sha256_of(first) == sha256_of(second)
    assert date.fromisoformat(first.stem.rsplit("_", 1)[1]) == B2
