"""The collector is off during the first heavy import and everything is frozen at exit."""

from __future__ import annotations

import gc
import subprocess
import sys
import tomllib
from collections.abc import Iterator

import pytest

from orchestration.gc_policy import (
    collection_paused,
    exit_without_final_collection,
    imports_without_collection,
)
from orchestration.paths import PROJECT_ROOT


@pytest.fixture(autouse=True)
def _thawed() -> Iterator[None]:
    """Each test starts and ends with nothing frozen and the collector on."""
    gc.unfreeze()
    gc.enable()
    yield
    gc.unfreeze()
    gc.enable()


def test_a_pause_turns_the_collector_off_and_back_as_it_was() -> None:
    with collection_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    assert gc.get_freeze_count() == 0  # a pause freezes nothing
    gc.disable()
    with collection_paused():
        assert not gc.isenabled()
    assert not gc.isenabled()


def test_the_first_import_runs_without_collection_and_is_frozen_after() -> None:
    with imports_without_collection("bianzhi_not_a_module"):
        assert not gc.isenabled()
        made = [[] for _ in range(1000)]
    assert gc.isenabled()
    assert gc.get_freeze_count() >= len(made)


def test_an_imported_module_leaves_the_collector_alone() -> None:
    with imports_without_collection("gc"):
        assert gc.isenabled()
    assert gc.get_freeze_count() == 0


def test_a_collector_switched_off_by_the_caller_stays_off() -> None:
    gc.disable()
    with imports_without_collection("bianzhi_not_a_module"):
        pass
    assert not gc.isenabled()


def test_an_import_that_fails_still_turns_the_collector_back_on() -> None:
    with pytest.raises(ImportError), imports_without_collection("bianzhi_not_a_module"):
        import bianzhi_not_a_module  # noqa: F401
    assert gc.isenabled()


def test_exit_freezes_and_keeps_the_code() -> None:
    with pytest.raises(SystemExit) as exited:
        exit_without_final_collection(2)
    assert exited.value.code == 2
    assert gc.get_freeze_count() > 0


def test_the_console_script_exits_through_entry_with_mains_code(tmp_path) -> None:
    scripts = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    assert scripts["scripts"]["bianzhi"] == "orchestration.cli:entry"
    missing = tmp_path / "no-landing"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "orchestration.cli",
            "run",
            "--landing",
            str(missing),
            "--warehouse",
            str(tmp_path / "w.duckdb"),
        ],
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
        check=False,
    )
    assert done.returncode == 2, done.stderr
    assert "landing folder does not exist" in done.stderr
