"""Landing layout, determinism, formats and the command line."""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import demo

KEYWORDS = {
    "townships": ("乡镇", "townships"),
    "institutions": ("机构", "institutions"),
    "quota_grants": ("编制核定", "quota"),
    "roster": ("花名册", "roster"),
}


def sources_of(name: str) -> set[str]:
    low = name.lower()
    return {s for s, kws in KEYWORDS.items() if any(k in low for k in kws)}


def digests(landing: Path) -> dict[str, str]:
    return {
        str(p.relative_to(landing)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(landing.rglob("*"))
        if p.is_file()
    }


def test_batch_folders_and_sources(any_format) -> None:
    landing, summary = any_format.landing, any_format.summary
    folders = sorted(p.name for p in landing.iterdir())
    assert folders == ["2026-08-20", "2026-10-20", "2026-11-20"] == summary.batch_dates
    assert (demo.DEFAULT_DATES[-1] - demo.DEFAULT_DATES[0]).days > 90
    held = {}
    for folder in folders:
        files = sorted((landing / folder).iterdir())
        assert all(f.is_file() for f in files)
        per_file = [sources_of(f.name) for f in files]
        assert all(len(s) == 1 for s in per_file), [f.name for f in files]  # one keyword each
        held[folder] = sorted(s for ss in per_file for s in ss)
        assert len(held[folder]) == len(set(held[folder]))  # one file per source
    assert held["2026-08-20"] == sorted(KEYWORDS)  # the first batch has all four sources
    assert all("roster" in h for h in held.values())
    omitted = {d: sorted(set(KEYWORDS) - set(h)) for d, h in held.items()}
    assert any(omitted[d] for d in folders[1:])  # a later batch omits some sources
    assert omitted == {d: sorted(v) for d, v in summary.carried_forward.items()}
    assert {d: sorted(v) for d, v in summary.sources_by_batch.items()} == held
    listed = {f.path for f in summary.files}
    assert listed == {f"{d}/{f.name}" for d in folders for f in (landing / d).iterdir()}


def test_formats(mixed, csv300, xlsx300) -> None:
    assert {f.format for f in mixed.summary.files} == {"xlsx", "csv"}
    assert {f.format for f in csv300.summary.files} == {"csv"}
    assert {f.format for f in xlsx300.summary.files} == {"xlsx"}
    for g in (mixed, csv300):
        encodings = {f.encoding for f in g.summary.files if f.format == "csv"}
        assert {"gb18030", "utf-8-sig"} <= encodings


def test_same_seed_same_bytes_other_seed_other_bytes(tmp_path: Path, mixed) -> None:
    again = demo.generate(tmp_path / "again", seed=20261120, people=800)
    assert digests(tmp_path / "again") == digests(mixed.landing)
    assert again.to_dict() == mixed.summary.to_dict()
    demo.generate(tmp_path / "other", seed=20261121, people=800)
    other = digests(tmp_path / "other")
    assert other.keys() == digests(mixed.landing).keys()
    assert all(other[k] != v for k, v in digests(mixed.landing).items() if "花名册" in k)


def test_xlsx_metadata_do_not_depend_on_the_clock(mixed) -> None:
    workbook = next(mixed.landing.rglob("*.xlsx"))
    with zipfile.ZipFile(workbook) as z:
        core = z.read("docProps/core.xml").decode()
        stamps = {i.date_time for i in z.infolist()}
    assert "2026-11-20T08:00:00Z" in core
    assert len(stamps) == 1 and next(iter(stamps))[0] == 1980  # a fixed stamp, not the clock


def test_batches_parameter(tmp_path: Path) -> None:
    one = demo.generate(tmp_path / "one", people=200, batches=1)
    assert one.batch_dates == ["2026-08-20"]
    assert sorted(one.sources_by_batch["2026-08-20"]) == sorted(KEYWORDS)
    four = demo.generate(tmp_path / "four", people=200, batches=4, fmt="csv")
    assert four.batch_dates[-1] == "2026-12-20"
    assert four.sources_by_batch["2026-12-20"] == ["roster"]
    with pytest.raises(ValueError):
        demo.generate(tmp_path / "zero", batches=0)


def test_refuses_to_overwrite_and_keeps_summary_out_of_landing(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    demo.generate(landing, people=200, batches=1, fmt="csv")
    with pytest.raises(FileExistsError):
        demo.generate(landing, people=200, batches=1, fmt="csv")
    demo.generate(landing, people=250, batches=1, fmt="csv", overwrite=True)
    assert [p.name for p in landing.iterdir()] == ["2026-08-20"]  # no temporary folder left
    with pytest.raises(ValueError, match="landing"):
        demo.generate(tmp_path / "x", people=200, summary_path=tmp_path / "x" / "s.json")


def test_cli(tmp_path: Path) -> None:
    landing, summary = tmp_path / "landing", tmp_path / "summary.json"
    cmd = [
        sys.executable,
        "-m",
        "demo",
        "--out",
        str(landing),
        "--seed",
        "5",
        "--people",
        "250",
        "--format",
        "csv",
        "--batches",
        "2",
        "--summary",
        str(summary),
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert sorted(p.name for p in landing.iterdir()) == ["2026-08-20", "2026-10-20"]
    data = json.loads(summary.read_text(encoding="utf-8"))
    assert data["seed"] == 5 and data["batch_dates"] == ["2026-08-20", "2026-10-20"]
    assert set(data["planted"]) == set(demo.RULE_CODES)
    assert not list(landing.rglob("*.json"))
    again = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert again.returncode == 2 and "exists" in again.stderr
    inside = subprocess.run(
        cmd[:-1] + [str(landing / "s.json"), "--force"], capture_output=True, text=True, timeout=120
    )
    assert inside.returncode == 2 and "landing" in inside.stderr


def test_summary_json_round_trip(mixed) -> None:
    data = json.loads(mixed.summary.to_json())
    assert data["format"] == "mixed" and data["people"] == 800
    for f in data["files"]:
        assert f["rows"] == f["loaded_rows"] + f["blank_rows"] + f["totals_rows"] + f["error_rows"]
        assert re.fullmatch(r"[0-9a-f]{64}", f["sha256"])
