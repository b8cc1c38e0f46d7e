"""Identity numbers: normalisation, GB 11643 validation, Excel damage, person_key (HMAC)."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import duckdb
import pytest
from ingest_builders import (
    KEY,
    Num,
    load,
    make_id,
    one,
    person_key,
    roster_only,
    roster_row,
    rows,
    with_bad_check,
)
from stdnum.cn import ric

from ingest.identity import hmac_pads, person_key_sql


def id_with_x_check() -> str:
    for seq in range(100, 1000):
        body = "320102" + "19850301" + f"{seq:03d}"
        if ric.calc_check_digit(body + "0") == "X":
            return body + "X"
    raise AssertionError("no X check digit found")


def roster_result(tmp_path: Path, cells: list[list[Any]], fmt: str = "csv") -> list[tuple]:
    roster_only(tmp_path, cells, fmt=fmt)
    con, _ = load(tmp_path)
    return rows(
        con,
        "select id_number, id_valid, id_problem, person_key from raw.roster order by row_number",
    )


def test_valid_number_and_exact_person_key(tmp_path: Path) -> None:
    number = make_id()
    assert ric.is_valid(number)
    got = roster_result(tmp_path, [roster_row(number)])
    assert got == [(number, True, None, person_key(number))]
    assert person_key(number) != person_key(number, key=b"another key")


def test_lowercase_x_and_full_width_are_normalised(tmp_path: Path) -> None:
    number = id_with_x_check()
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in number[:6]) + number[6:]
    gender = "男" if int(number[16]) % 2 else "女"
    cells = [
        roster_row(number.lower(), birth="1985-03-01", gender=gender),
        roster_row(" " + full_width.lower() + "　", birth="1985-03-01", gender=gender),
    ]
    got = roster_result(tmp_path, cells)
    assert got == [(number, True, None, person_key(number))] * 2


PROBLEMS: list[tuple[dict[str, Any], str]] = [
    ({"id_number": with_bad_check(make_id())}, "bad_check_digit"),
    ({"birth": "1990-03-08"}, "birth_mismatch"),
    ({"birth": "1990.04"}, "birth_mismatch"),
    ({"gender": "女"}, "gender_mismatch"),
    ({"id_number": "11010119900307"}, "bad_length"),
    ({"id_number": "1101011990030712A4"}, "bad_format"),
    ({"id_number": make_id(birth="19901307")}, "bad_format"),
]


def test_problems_are_flagged_and_rows_kept(tmp_path: Path) -> None:
    got = roster_result(tmp_path, [roster_row(**cells) for cells, _ in PROBLEMS])
    assert [(valid, problem) for _, valid, problem, _ in got] == [
        (False, problem) for _, problem in PROBLEMS
    ]
    assert all(key == person_key(number) for number, _, _, key in got)


def test_month_precision_birth_date_matches(tmp_path: Path) -> None:
    got = roster_result(tmp_path, [roster_row(birth="1990.03"), roster_row(birth="1990年3月")])
    assert [g[1:3] for g in got] == [(True, None), (True, None)]


def test_excel_damaged_numeric_cell(tmp_path: Path) -> None:
    got = roster_result(
        tmp_path,
        [roster_row(Num(3.20102198503e17), birth="1985-03-01"), roster_row(Num(float(make_id())))],
        fmt="xlsx",
    )
    assert got[0] == (
        "320102198503000000",
        False,
        "excel_damaged",
        person_key("320102198503000000"),
    )
    assert got[1][2] == "excel_damaged"
    assert "E" not in got[1][0] and len(got[1][0]) == 18


def test_exponent_text_in_csv_is_excel_damage(tmp_path: Path) -> None:
    texts = ["3.20102198503E+17", "3.20102198503e+17", "3.20102198503E17"]
    got = roster_result(tmp_path, [roster_row(text) for text in texts])
    damaged = ("320102198503000000", False, "excel_damaged", person_key("320102198503000000"))
    assert got == [damaged] * len(texts)


def test_blank_id_with_name_is_kept_keyed_by_name(tmp_path: Path) -> None:
    roster_only(tmp_path, [roster_row("", name="李四"), roster_row("", name="")])
    con, _ = load(tmp_path)
    got = rows(con, "select id_number, id_valid, id_problem, person_key, name from raw.roster")
    assert got == [(None, False, "missing", person_key("name:李四"), "李四")]
    assert one(con, "select reason from audit.quarantine") == "身份证号 / 姓名: both blank"


def test_name_required_even_with_an_id(tmp_path: Path) -> None:
    roster_only(tmp_path, [roster_row(name=" ")])
    con, _ = load(tmp_path)
    assert one(con, "select count(*) from raw.roster") == 0
    assert one(con, "select reason from audit.quarantine") == "姓名: required value missing"


def test_id_kept_as_it_arrived_in_quarantine(tmp_path: Path) -> None:
    number = make_id().lower()
    roster_only(tmp_path, [roster_row(number, 编制类型="行政编")])
    con, _ = load(tmp_path)
    assert one(con, "select json_extract_string(raw, '$.身份证号') from audit.quarantine") == number


@pytest.mark.parametrize("key", [b"k", b"x" * 64, b"a long key " * 10, "密钥".encode()])
def test_sql_hmac_matches_python(key: bytes) -> None:
    rng = random.Random(7)
    texts = [
        "",
        "name:张三",
        "3201021985030100 1",
        *(
            "".join(rng.choice("0123456789X中文") for _ in range(rng.randint(1, 30)))
            for _ in range(200)
        ),
    ]
    con = duckdb.connect()
    ipad, opad = hmac_pads(key)
    got = con.execute(
        f"select t, {person_key_sql('t')} from unnest($texts) as u(t)",
        {"texts": texts, "ipad": ipad, "opad": opad},
    ).fetchall()
    assert {t: k for t, k in got} == {t: person_key(t, key) for t in texts}


def test_person_key_uses_the_given_key(tmp_path: Path) -> None:
    roster_only(tmp_path, [roster_row()])
    con, _ = load(tmp_path, key=b"other")
    assert one(con, "select person_key from raw.roster") == person_key(make_id(), b"other")
    assert one(con, "select person_key from raw.roster") != person_key(make_id(), KEY)


def reference_shape(text: str | None) -> int:
    """id_shape's contract, written plainly: 0 fine/blank, 1 length, 2 format, 3 check."""
    import datetime as dt

    if text is None:
        return 0
    text = text.upper()
    if len(text) != 18:
        return 1
    if not (text[:17].isascii() and text[:17].isdigit()) or text[17] not in "0123456789X":
        return 2
    try:
        dt.date(int(text[6:10]), int(text[10:12]), int(text[12:14]))
    except ValueError:
        return 2
    return 0 if ric.calc_check_digit(text) == text[17] else 3


def test_id_shape_matches_a_plain_reference() -> None:
    import pyarrow as pa

    from ingest.identity import id_shape

    rng = random.Random(11)
    texts: list[str | None] = [
        None,
        "",
        "x",
        make_id(),
        make_id().lower(),
        id_with_x_check(),
        id_with_x_check().lower(),
        make_id(birth="20000229"),
        make_id(birth="19000229"),
        make_id(birth="19901300"),
        make_id(birth="19900100"),
        "１" * 18,
        "1" * 17 + "Y",
        "1" * 19,
    ]
    for _ in range(3000):
        body = "".join(rng.choice("0123456789") for _ in range(17))
        body = (
            body[:6]
            + str(rng.randint(1900, 2030))
            + f"{rng.randint(0, 13):02d}"
            + f"{rng.randint(0, 32):02d}"
            + body[14:]
        )
        last = rng.choice("0123456789X")
        texts.append(body + last if rng.random() < 0.9 else body + last + "1")
    got = id_shape(pa.chunked_array([pa.array(texts[:700]), pa.array(texts[700:])])).to_pylist()
    assert got == [reference_shape(t) for t in texts]
    assert {0, 1, 2, 3} <= set(got)


def test_id_shape_on_large_strings() -> None:
    import pyarrow as pa

    from ingest.identity import id_shape

    texts = [make_id(), with_bad_check(make_id()), None, "123"]
    got = id_shape(pa.array(texts, pa.large_string()).slice(0)).to_pylist()
    assert got == [0, 3, 0, 1]
    assert id_shape(pa.array(texts, pa.string()).slice(1)).to_pylist() == [3, 0, 1]
