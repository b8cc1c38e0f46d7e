"""Dealing one call's suites between two processes (expectations/worker.py): the groups, and
the results put back in the order one process returns them.

Why these: a suite dealt to neither process would silently go unchecked, one dealt to both
would be stored twice, and the Dagster checks and `audit.dq_results` read the results in order.
"""

from __future__ import annotations

import random
from datetime import date

import pytest

from expectations.checks import BatchWindow
from expectations.config import load_config
from expectations.runner import SuiteResult, deal, in_run_order, split_suites, suite_catalog
from expectations.suites import SUITES


def test_deal_puts_the_heaviest_first_onto_the_lightest_group() -> None:
    groups = deal({"a": 5, "b": 4, "c": 3, "d": 3}, 2)
    # a → 1st (5); b → 2nd (4); c → 2nd (7); d → 1st (8)
    assert groups == [["a", "d"], ["b", "c"]]


def test_deal_never_returns_an_empty_group() -> None:
    assert deal({"only": 9}, 2) == [["only"]]
    assert deal({}, 2) == []


def test_deal_breaks_ties_by_name_into_the_first_group() -> None:
    assert deal({"y": 2, "x": 2}, 2) == [["x"], ["y"]]


@pytest.mark.parametrize("layer", ["raw", "marts", None])
def test_every_suite_of_the_layer_is_dealt_exactly_once(layer) -> None:
    groups = split_suites(layer=layer)
    dealt = [name for group in groups for name in group]
    assert sorted(dealt) == sorted(s.name for s in suite_catalog(layer=layer))
    assert len(groups) == 2 and len(dealt) == len(set(dealt))


def test_the_two_groups_of_a_layer_differ_by_less_than_one_suite() -> None:
    config = load_config(None)
    window = BatchWindow(date(2000, 1, 1), None, date(2000, 1, 1))
    weight = {n: len(d.spec(window, config.thresholds).checks) for n, d in SUITES.items()}
    for layer in ("raw", "marts"):
        groups = split_suites(layer=layer)
        loads = [sum(weight[name] for name in group) for group in groups]
        assert abs(loads[0] - loads[1]) <= max(weight[n] for group in groups for n in group)


def test_suites_reading_one_table_are_dealt_apart() -> None:
    tables = {"big": "marts.roster", "also_big": "marts.roster", "a": "x", "b": "y"}
    # by weight alone also_big (1) joins big (9): a and b (5 + 5) make the other group heavier
    assert deal({"big": 9, "a": 5, "b": 5, "also_big": 1}, 2) == [["big", "also_big"], ["a", "b"]]
    groups = deal({"big": 9, "a": 5, "b": 5, "also_big": 1}, 2, tables)
    assert groups == [["big"], ["a", "b", "also_big"]]
    # with every group already holding the table, the lightest group takes it
    assert deal({"p": 3, "q": 2, "r": 1}, 2, dict.fromkeys("pqr", "t")) == [["p"], ["q", "r"]]


def test_the_suites_on_the_roster_mart_run_in_different_processes() -> None:
    """marts_roster and headcount_change both read marts.roster, a view over every person: at
    province scale they are the layer's two heaviest suites."""
    on_roster = {s.name for s in suite_catalog(layer="marts") if s.target == "marts.roster"}
    assert on_roster == {"marts_roster", "headcount_change"}
    groups = split_suites(layer="marts")
    assert [len(on_roster & set(group)) for group in groups] == [1, 1]


def test_a_subset_is_dealt_and_unknown_names_are_refused() -> None:
    assert split_suites(suites=["raw_townships"]) == [["raw_townships"]]
    with pytest.raises(ValueError, match="no_such_suite"):
        split_suites(suites=["raw_townships", "no_such_suite"])


def _result(suite: str, batch: date) -> SuiteResult:
    return SuiteResult(
        suite=suite,
        target="t",
        asset_key=("t",),
        layer=SUITES[suite].layer,
        batch_date=batch,
        blocking=False,
        success=True,
        expectations=(),
        seconds=0.0,
    )


def test_results_of_two_processes_come_back_batch_by_batch_in_catalogue_order() -> None:
    names = list(SUITES)
    first, second = date(2026, 10, 20), date(2026, 11, 20)
    expected = [_result(n, first) for n in names] + [_result(n, second) for n in names]
    shuffled = expected[:]
    random.Random(7).shuffle(shuffled)
    assert in_run_order(shuffled) == expected
