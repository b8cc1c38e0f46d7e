"""The volume guard's arithmetic and the exit-code decision, without running a pipeline."""

from __future__ import annotations

from datetime import date

from orchestration.outcome import FailedCheck, StepFailure, decide
from orchestration.volume import violations, volume_changes

D1, D2, D3 = date(2026, 10, 20), date(2026, 11, 20), date(2026, 11, 21)


def test_first_load_has_nothing_to_compare() -> None:
    assert volume_changes(None, {D2: 10}) == []


def test_exactly_twenty_percent_passes_and_more_blocks() -> None:
    changes = volume_changes((D1, 1000), {D2: 1200, D3: 799})
    assert [round(c.change, 3) for c in changes] == [0.2, 0.201]
    blocked = violations(changes, 0.20)
    assert [c.batch_date for c in blocked] == [D3]
    assert "799 rows" in blocked[0].describe()


def test_drop_to_zero_and_growth_from_zero() -> None:
    assert violations(volume_changes((D1, 1000), {D2: 0}), 0.2)[0].change == 1.0
    assert violations(volume_changes((D1, 0), {D2: 5}), 0.2)
    assert not violations(volume_changes((D1, 0), {D2: 0}), 0.2)


def test_exit_codes() -> None:
    assert decide(True, [], []).exit_code == 0
    unreadable = StepFailure("landing_batches", "人员花名册.xlsx: no header row", 2)
    out = decide(False, [unreadable], [])
    assert (out.exit_code, out.status) == (2, "unreadable")
    assert "人员花名册.xlsx" in out.message
    blocked = decide(False, [], [FailedCheck("roster_volume", "35% change")])
    assert (blocked.exit_code, blocked.status) == (1, "blocked")
    crashed = decide(False, [StepFailure("warehouse_models", "boom", None)], [])
    assert (crashed.exit_code, crashed.status) == (1, "failed")
    assert decide(False, [], []).exit_code == 1
