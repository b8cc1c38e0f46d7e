"""The SQL check-digit tests agree with the standards (and python-stdnum) on every input.

Why: the share of invalid identity numbers and the USCC check are computed in SQL inside the
suites' queries; a slip in a weight or an index would silently misreport every county.
"""

from __future__ import annotations

import random

import duckdb
import pytest
from stdnum.cn import ric, uscc

from expectations.identifiers import (
    USCC_ALPHABET,
    id_number_digits_sql,
    id_number_is_valid,
    id_number_valid_sql,
    uscc_is_valid,
    uscc_valid_sql,
)
from expectations.runner import mask_identity_numbers


def _sql(expression: str, values: list[str | None]) -> list[bool | None]:
    con = duckdb.connect()
    try:
        con.execute("create table t (i integer, v varchar)")
        con.executemany("insert into t values (?, ?)", list(enumerate(values)))
        query = f"select {expression} from (select *, {id_number_digits_sql('v')} as d from t)"
        return [r[0] for r in con.execute(f"{query} order by i").fetchall()]
    finally:
        con.close()


#: the check digit as the suites compute it: from the digits column of a subquery (`d`, above)
ID_VALID = id_number_valid_sql("v", digits="d")


def test_identity_number_sql_matches_python_and_stdnum() -> None:
    rng = random.Random(11643)
    numbers = [
        "".join(rng.choice("0123456789") for _ in range(17)) + rng.choice("0123456789X")
        for _ in range(2000)
    ]
    python = [id_number_is_valid(n) for n in numbers]
    assert 100 < sum(python) < 300  # about 1 in 11 random numbers is valid
    assert python == [ric.calc_check_digit(n) == n[-1] for n in numbers]
    assert _sql(ID_VALID, numbers) == python


@pytest.mark.parametrize(
    ("number", "valid"),
    [
        ("11010519491231002X", True),  # GB 11643 example
        ("110105194912310021", False),
        ("11010519491231002x", False),  # ingest normalises x to X; raw holds X
        ("3.20102198503E+17", False),  # damaged by Excel
        ("320102198503000000", False),
        ("1101051949123100", False),
        (None, False),  # missing counts as invalid
    ],
)
def test_identity_number_examples(number: str | None, valid: bool) -> None:
    assert id_number_is_valid(number) is valid
    assert _sql(ID_VALID, [number]) == [valid]


def test_uscc_sql_matches_python_and_stdnum() -> None:
    rng = random.Random(32100)
    codes = ["".join(rng.choice(USCC_ALPHABET) for _ in range(18)) for _ in range(2000)]
    python = [uscc_is_valid(c) for c in codes]
    assert 30 < sum(python) < 120  # about 1 in 31
    assert python == [uscc.calc_check_digit(c) == c[-1] for c in codes]
    assert _sql(uscc_valid_sql("v"), codes) == python


@pytest.mark.parametrize(
    ("code", "valid"),
    [
        ("91350100M000100Y43", True),  # python-stdnum's example
        ("91350100M000100Y42", False),
        ("91350100M000100Y4", False),
        ("91350100M0001O0Y43", False),  # O is not in the alphabet
    ],
)
def test_uscc_examples(code: str, valid: bool) -> None:
    assert uscc_is_valid(code) is valid
    assert _sql(uscc_valid_sql("v"), [code]) == [valid]


def test_missing_uscc_stays_null_in_sql() -> None:
    """NULL is for the `uscc_required` check to judge (内设机构 have none), not a bad code."""
    assert _sql(uscc_valid_sql("v"), [None]) == [None]


def test_identity_numbers_are_masked_in_result_texts() -> None:
    text = "person_key=11010519491231002X slot=G1; 4401061990010112345678"
    assert mask_identity_numbers(text) == (
        "person_key=110105********002X slot=G1; 4401061990010112345678"
    )
