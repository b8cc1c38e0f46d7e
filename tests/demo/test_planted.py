"""The planted cases: one per rule of rules.md at least, with the variants the demo promises."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
from demo_readback import id_text, read_table, text

import demo

RULES_MD = Path(__file__).resolve().parents[3] / "shared" / "contract" / "rules.md"
ALL = ["2026-08-20", "2026-10-20", "2026-11-20"]


SEED = Path(__file__).resolve().parents[2] / "dbt_project" / "seeds" / "rule_catalog.csv"


def test_rule_codes_are_the_catalogues() -> None:
    """The demo plants every rule of the project's rule catalogue, in its order."""
    with SEED.open(encoding="utf-8", newline="") as fh:
        codes = [row["rule_code"] for row in csv.DictReader(fh)]
    assert codes == demo.RULE_CODES


@pytest.mark.skipif(not RULES_MD.exists(), reason="the contract is not beside this checkout")
def test_rule_codes_are_the_contracts() -> None:
    codes = re.findall(r"^\| ([A-Z_]+) \|", RULES_MD.read_text(encoding="utf-8"), re.M)
    assert codes == demo.RULE_CODES


def test_every_rule_fires_at_least_once(mixed) -> None:
    for code in demo.RULE_CODES:
        cases = mixed.summary.planted[code]
        assert cases, code
        assert all(set(c.batches) <= set(ALL) and c.batches for c in cases), code


def notes(cases: list[demo.PlantedCase]) -> str:
    return " | ".join(c.note for c in cases)


def test_planted_variants(mixed) -> None:
    p, near = mixed.summary.planted, mixed.summary.near_misses
    assert notes(p["OVERSTAFFED"]).count("authorized 0") == 2
    assert any(c.batches == ALL[:2] for c in p["OVERSTAFFED"])  # resolved by a future grant
    assert {c.category for c in p["OVER_LEADERSHIP"]} == {"副职"}
    for word in [
        "check digit",
        "birth date",
        "gender",
        "Excel-damaged: a numeric",
        "exponent form",
    ]:
        assert word in notes(p["INVALID_ID"]), word
    assert "离岗待退" in notes(p["OVER_AGE"]) and "reform" in notes(p["OVER_AGE"])
    assert any(c.batches == ALL[2:] for c in p["OVER_AGE"])  # retires between batches 2 and 3
    assert "2026-12-01" in notes(near["OVER_AGE"])
    revoked = p["REVOKED_INSTITUTION"]
    assert any(c.id_number for c in revoked) and any(c.category == "事业编制" for c in revoked)
    assert "work unit" in notes(revoked)
    unknown = p["UNKNOWN_INSTITUTION"]
    assert any(c.id_number for c in unknown) and any(not c.id_number for c in unknown)
    assert all(c.category for c in unknown)
    ratio = p["LEADER_RATIO"]
    assert any(c.township_code and not c.institution_code for c in ratio)  # a township
    assert any(c.institution_code for c in ratio)  # an institution with staff >= 10
    assert "0.35 exactly" in notes(near["LEADER_RATIO"]) and "staff 9" in notes(
        near["LEADER_RATIO"]
    )
    assert len(p["TOWNSHIP_LEADERSHIP_QUOTA"]) == 2
    assert {c.category for c in p["INSTITUTION_LIMIT"]} == {"内设机构", "事业单位"}
    assert "内设机构 of the own slot unit" in notes(near["SECONDED"])
    assert len(p["DUPLICATE_SLOT"]) == 2 and len({c.id_number for c in p["DUPLICATE_SLOT"]}) == 1
    assert len(p["ID_CONFLICT"]) == 2 and len({c.person_name for c in p["ID_CONFLICT"]}) == 2


def test_cross_batch_cases(mixed) -> None:
    cross = mixed.summary.cross_batch
    assert cross["resolves"] and cross["returns"]
    assert all(c.rule == "SECONDED" and c.batches[0] == ALL[0] for c in cross["escalates"])
    assert any(c.batches == ALL for c in cross["escalates"])  # seconded since batch 1
    back = cross["returns"][0]
    assert back.batches == [ALL[0], ALL[2]]


def test_planted_people_and_units_are_in_the_files(mixed) -> None:
    s = mixed.summary
    rosters = {
        f.batch_date: read_table(mixed.landing / f.path, f.sheet, f.header_row)
        for f in s.files_of("roster")
    }
    ids = {
        b: {id_text(v) for v in t.values("身份证号码", "身份证号", "证件号码")}
        for b, t in rosters.items()
    }
    names = {b: {text(v) for v in t.values("姓名")} for b, t in rosters.items()}
    f = s.files_of("institutions")[0]
    codes = set(
        map(text, read_table(mixed.landing / f.path, f.sheet, f.header_row).values("机构编码"))
    )
    f = s.files_of("townships")[0]
    towns = set(
        map(text, read_table(mixed.landing / f.path, f.sheet, f.header_row).values("行政区划代码"))
    )
    for cases in list(s.planted.values()) + list(s.near_misses.values()):
        for c in cases:
            for b in c.batches:
                if c.id_number:
                    assert c.id_number in ids[b] and c.person_name in names[b], c
            assert not c.institution_code or c.institution_code in codes, c
            assert not c.township_code or c.township_code in towns, c
