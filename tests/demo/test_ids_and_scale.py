"""Identifier helpers against python-stdnum, the retirement examples of rules.md, and scale."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
from stdnum.cn import ric, uscc

import demo
from demo.idnum import bad_check, retirement_date, ric_from_prefix, ric_prefix
from demo.idnum import ric as make_ric
from demo.idnum import uscc as make_uscc


def test_vectorised_check_digits_agree_with_stdnum() -> None:
    rng = np.random.default_rng(0)
    n = 3000
    birth = np.datetime64("1960-01-01") + rng.integers(0, 16000, n).astype("timedelta64[D]")
    region = rng.choice(np.array([510321, 510300, 420100]), n)
    numbers = ric_from_prefix(ric_prefix(region, birth, rng.integers(0, 800, n)))
    assert all(ric.is_valid(str(x)) for x in numbers)
    assert any(str(x).endswith("X") for x in numbers)
    one = make_ric("510321", date(1985, 3, 17), 123)
    assert ric.is_valid(one) and not ric.is_valid(bad_check(one))


def test_identity_numbers_stay_unique_when_a_region_is_full() -> None:
    """2,000 men born on one day: the most frequent region (55 %) would need ~1,100 of its 400
    order codes, so the allocator must move the overflow to other regions — every number
    unique and valid, its birth date and gender digit still the person's."""
    from demo import pools
    from demo.people import IdAllocator

    n = 2000
    birth = np.full(n, np.datetime64("1980-05-05"))
    male = np.ones(n, dtype=bool)
    ids = IdAllocator()
    numbers = ids.allocate(np.random.default_rng(3), birth, male).astype("U18").tolist()
    assert len(set(numbers)) == n
    assert all(ric.is_valid(x) for x in numbers)
    assert {x[6:14] for x in numbers} == {"19800505"}
    assert all(int(x[16]) % 2 == 1 for x in numbers)
    assert {x[:6] for x in numbers} == set(pools.ID_REGIONS)  # the overflow went elsewhere
    # a second call keeps clear of the numbers already given
    more = ids.allocate(np.random.default_rng(4), birth[:100], male[:100])
    assert not set(more.astype("U18").tolist()) & set(numbers)


def test_credit_codes() -> None:
    code = make_uscc("1", "510322", "00870612")
    assert uscc.is_valid(code) and code.startswith("11510322")


def test_retirement_examples_of_rules_md() -> None:
    assert retirement_date(date(1964, 12, 20), True, False) == date(2024, 12, 1)
    assert retirement_date(date(1965, 3, 14), True, False) == date(2025, 4, 1)
    assert retirement_date(date(1980, 6, 2), False, False) == date(2038, 2, 1)
    assert retirement_date(date(1977, 1, 5), True, False) == date(2040, 1, 1)
    assert retirement_date(date(1975, 3, 9), False, True) == date(2025, 5, 1)


def test_small_and_s_bench_sizes(tmp_path: Path) -> None:
    small = demo.generate(tmp_path / "small", seed=1, people=300, fmt="csv", batches=1)
    assert small.files_of("roster")[0].loaded_rows == 296  # 300 rows, 4 planted row errors
    assert small.counts["townships"] == 8
    big = demo.generate(tmp_path / "big", seed=1, people=20_000, fmt="csv", batches=1)
    assert big.files_of("roster")[0].loaded_rows == 19_996
    assert big.counts["townships"] == 80
    assert 700 <= big.counts["institutions"] <= 900  # about one per 25 people
    assert big.files_of("roster")[0].rows == 20_000 + 5  # 3 blank + 2 totals in csv
