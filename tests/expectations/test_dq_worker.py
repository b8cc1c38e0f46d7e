"""The data-quality worker process: same results as in-process, errors cross back, docs are
rendered after the caller moved on, and the worker never outlives its run.

Why these: the nightly job's check steps trust the worker's answers as if `run_suites` ran in
the job's process; an answer lost or a worker left behind (holding the build file) would be
worse than the two seconds it saves.
"""

from __future__ import annotations

import os
import shutil
import signal
import time
from pathlib import Path

import duckdb
import pytest
from dq_fixtures import SECOND

import expectations.worker as worker_module
from expectations import run_suites
from expectations.runner import split_suites
from expectations.worker import SuiteWorker, WorkerGoneError, adopt_or_start, prestart

SUITES = ["raw_townships", "load_report", "marts_townships"]


def _comparable(results: list) -> list[tuple]:
    """Everything of a SuiteResult but the seconds it took."""
    return [
        (r.suite, r.layer, r.batch_date, r.success, r.blocking, r.expectations) for r in results
    ]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _gone(pid: int, within: float = 5.0) -> bool:
    """Whether `pid` ends within `within` seconds. The helper is the worker's child, not ours:
    once the worker is gone it is reaped by init, so it may be a zombie for a moment."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if not _alive(pid) or _zombie(pid):
            return True
        time.sleep(0.05)
    return False


def _zombie(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] == "Z"


def _answer_in_this_process(build: Path, tmp_path: Path, run_id: str) -> list:
    """The suites run in the test's process, on a copy of `build` (a run writes into the file
    it checks)."""
    twin = tmp_path / "twin.duckdb.build"
    shutil.copyfile(build, twin)
    return run_suites(twin, run_id, tmp_path / "docs_here", suites=SUITES, docs="never")


@pytest.mark.parametrize("helper", [False, True], ids=["one process", "with helper"])
def test_the_worker_answers_what_the_job_process_would(
    build: Path, tmp_path: Path, helper: bool
) -> None:
    here = _answer_in_this_process(build, tmp_path, "run-a")
    worker = SuiteWorker(helper=helper)
    try:
        there = worker.run_suites(build, "run-a", tmp_path / "docs", suites=SUITES, docs="never")
    finally:
        worker.close()
    assert _comparable(there) == _comparable(here) and len(there) == 3
    con = duckdb.connect(str(build), read_only=True)  # the worker stored its rows, then let go
    try:
        stored = con.execute(
            "select count(*), count(distinct suite), count(distinct checked_at) "
            "from audit.dq_results"
        ).fetchone()
    finally:
        con.close()
    # every row once, stamped with the one time of the call, whichever process checked it
    assert stored == (sum(len(r.expectations) for r in there), 3, 1)


def test_with_a_helper_both_processes_check_and_the_docs_show_every_suite(
    build: Path, tmp_path: Path
) -> None:
    docs = tmp_path / "dq_docs"
    worker = SuiteWorker(helper=True)
    try:
        helper_pid = worker.helper_pid()
        assert helper_pid is not None and helper_pid != worker.pid
        results = worker.run_suites(build, "run-h", docs, suites=SUITES, docs="never")
        # the helper ran its share: its GX session holds validation results of this run
        helper_entries = worker._helper.call("session_entries", "run-h")
        worker.render_docs_later("run-h", build, docs)
    finally:
        worker.close()
    assert [r.suite for r in results] == ["raw_townships", "load_report", "marts_townships"]
    dealt = split_suites(suites=SUITES)
    assert len(dealt) == 2 and sorted(dealt[0] + dealt[1]) == sorted(SUITES)
    # (GX keys a suite named "<suite>.<batch date>" by the parts of its name)
    helper_suites = {key for key, _ in helper_entries["expectations_store"]}
    assert helper_suites == {(name, SECOND.isoformat()) for name in dealt[1]}
    html = (docs / "index.html").read_text(encoding="utf-8")
    assert all(name in html for name in SUITES)
    assert _gone(helper_pid) and _gone(worker.pid)


def test_a_helper_that_is_gone_leaves_every_suite_to_the_worker(
    build: Path, tmp_path: Path
) -> None:
    here = _answer_in_this_process(build, tmp_path, "run-g")
    worker = SuiteWorker(helper=True)
    try:
        helper_pid = worker.helper_pid()
        assert helper_pid is not None
        os.kill(helper_pid, signal.SIGKILL)
        assert _gone(helper_pid)
        there = worker.run_suites(build, "run-g", tmp_path / "docs", suites=SUITES, docs="never")
        assert worker.helper_pid() is None  # dropped: later calls do not try it again
    finally:
        worker.close()
    assert _comparable(there) == _comparable(here)


def test_errors_of_a_split_call_are_raised_once_both_processes_answered(tmp_path: Path) -> None:
    worker = SuiteWorker(helper=True)
    try:
        with pytest.raises(FileNotFoundError):
            worker.run_suites(tmp_path / "nope.duckdb", "r", tmp_path / "docs", docs="never")
        with pytest.raises(FileNotFoundError):  # neither process has an answer left over
            worker.run_suites(tmp_path / "nope.duckdb", "r", tmp_path / "docs", docs="never")
    finally:
        worker.close()


@pytest.mark.parametrize(
    ("value", "cores", "wanted"),
    [("", 2, True), ("", 1, False), ("1", 8, False), ("2", 1, True)],
)
def test_the_helper_is_wanted_on_two_cores_unless_configured(
    monkeypatch: pytest.MonkeyPatch, value: str, cores: int, wanted: bool
) -> None:
    monkeypatch.setenv(worker_module.ENV_DQ_PROCESSES, value)
    monkeypatch.setattr(worker_module.os, "cpu_count", lambda: cores)
    assert worker_module.helper_wanted() is wanted


def test_an_error_in_the_worker_is_raised_in_the_caller(tmp_path: Path) -> None:
    worker = SuiteWorker()
    try:
        with pytest.raises(FileNotFoundError):
            worker.run_suites(tmp_path / "nope.duckdb", "r", tmp_path / "docs")
        missing = tmp_path / "missing.duckdb"
        with pytest.raises(FileNotFoundError):  # the worker survives its callers' errors
            worker.run_suites(missing, "r", tmp_path / "docs")
    finally:
        worker.close()


def test_docs_are_rendered_after_the_call_returns_and_close_waits_for_them(
    build: Path, tmp_path: Path
) -> None:
    docs = tmp_path / "dq_docs"
    worker = SuiteWorker()
    try:
        worker.run_suites(build, "run-d", docs, suites=SUITES, docs="never")
        assert not (docs / "index.html").exists()
        worker.render_docs_later("run-d", build, docs)
        duckdb.connect(str(build)).close()  # the build file is free while the docs render
    finally:
        worker.close()
    html = (docs / "index.html").read_text(encoding="utf-8")
    assert "raw_townships" in html and "marts_townships" in html
    assert not _alive(worker.pid)


def test_docs_of_another_run_are_not_rendered(build: Path, tmp_path: Path) -> None:
    docs = tmp_path / "dq_docs"
    worker = SuiteWorker()
    try:
        worker.run_suites(build, "run-e", docs, suites=["raw_townships"], docs="never")
        worker.render_docs_later("run-f", build, docs)  # no session of run-f in the worker
    finally:
        worker.close()
    assert not (docs / "index.html").exists()


def test_a_killed_worker_is_an_error_not_a_hang(build: Path, tmp_path: Path) -> None:
    worker = SuiteWorker()
    try:
        os.kill(worker.pid, signal.SIGKILL)
        with pytest.raises(WorkerGoneError, match="-9"):
            worker.run_suites(build, "r", tmp_path / "docs", suites=["raw_townships"])
    finally:
        worker.close()


def test_closing_a_worker_that_is_still_importing_is_immediate() -> None:
    worker = SuiteWorker()
    started = time.perf_counter()
    worker.close()
    assert time.perf_counter() - started < 1.5  # Great Expectations' import takes longer
    assert not _alive(worker.pid)


def test_a_prestarted_worker_is_adopted_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(worker_module.ENV_DQ_WORKER, raising=False)
    monkeypatch.setattr(worker_module, "_PRESTARTED", None)
    prestart()
    early = worker_module._PRESTARTED
    assert early is not None
    first, second = adopt_or_start(), adopt_or_start()
    try:
        assert first is early and second is not early
    finally:
        first.close()
        second.close()


def test_no_worker_is_prestarted_when_switched_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(worker_module.ENV_DQ_WORKER, "off")
    monkeypatch.setattr(worker_module, "_PRESTARTED", None)
    prestart()
    assert worker_module._PRESTARTED is None


def test_no_helper_where_processes_cannot_fork(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(worker_module.ENV_DQ_PROCESSES, "2")
    monkeypatch.delattr(worker_module.os, "fork")
    assert worker_module.helper_wanted() is False


def test_a_worker_whose_import_failed_raises_it_in_the_caller(
    build: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Great Expectations cannot be imported in the worker (a package planted in front of it
    raises): the warm-up's failure is only logged, the worker still serves, and each call
    raises the import's error in the caller, as the job's own process would, not a hang."""
    planted = tmp_path / "planted" / "great_expectations"
    planted.mkdir(parents=True)
    (planted / "__init__.py").write_text("raise ImportError('planted: no GX here')\n")
    monkeypatch.syspath_prepend(str(planted.parent))  # the worker's PYTHONPATH is our sys.path
    worker = SuiteWorker(helper=False)
    try:
        for _ in range(2):  # the worker survives the first failed call
            with pytest.raises(ImportError, match="planted: no GX here"):
                worker.run_suites(build, "r", tmp_path / "docs", suites=SUITES, docs="never")
        assert _alive(worker.pid)
    finally:
        worker.close()
