"""The data-quality suites in a process of their own, started before they are due.

Why a second process: importing Great Expectations costs ~2 s of one core, every night, and
rendering the Data Docs ~0.3 s more — at county scale a fifth of the night. The nightly job
itself runs on one core (Dagster's in-process executor), the machine has two. So the run starts
this worker first: it imports GX on the idle core while the job imports Dagster and dbt and
ingests, and it renders the Data Docs while the job exports and publishes. The suites still run
exactly where the job's steps say (after ingest, after dbt), one call at a time, and the step
waits for their results: only the fixed costs move off the critical path.

The worker holds no file open between calls (`run_suites` closes every connection before it
returns), so the job's own steps and the worker never hold the build file at the same time.
It ends with the run (`close`), or with its parent: a closed pipe ends its loop.

Two processes for one call: while a suite runs, the job waits and one core is idle, and at
county scale a suite's time is GX's own Python work per expectation (~15 ms each), which one
process cannot spread over two cores. So, on a machine with two cores or more, the worker forks
a helper once GX is imported (a fork: no second import), and each `run_suites` call is dealt
between the two (`runner.split_suites`). Both open the build file read-only — DuckDB lets
several processes read a file at once — and the caller writes `audit.dq_results` once both have
answered. The helper's GX results travel to the worker (`runner.adopt_entries`), which renders
the Data Docs of every suite of the run. `BIANZHI_DQ_PROCESSES=1` keeps one process.
"""

from __future__ import annotations

import contextlib
import logging
import os
import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

#: "off" runs the suites in the job's own process (one process to debug).
ENV_DQ_WORKER = "BIANZHI_DQ_WORKER"


#: How much lower the worker's scheduling priority is than the night's (see `_main`).
WORKER_NICENESS = 5


#: How many processes run one call's suites: "1", or "2" (the default on two cores or more).
ENV_DQ_PROCESSES = "BIANZHI_DQ_PROCESSES"


def enabled() -> bool:
    return os.environ.get(ENV_DQ_WORKER, "").strip().lower() != "off"


def helper_wanted() -> bool:
    """Whether the worker forks a helper (see the module docstring)."""
    if not hasattr(os, "fork"):
        return False
    wanted = os.environ.get(ENV_DQ_PROCESSES, "").strip()
    if wanted:
        return wanted != "1"
    return (os.cpu_count() or 1) >= 2


def _tasks() -> dict[str, Callable[..., Any]]:
    from expectations import runner

    return {
        "run_suites": runner.run_suites,
        "render_docs": runner.render_docs,
        "session_entries": runner.session_entries,
        "adopt_entries": runner.adopt_entries,
        "pid": os.getpid,
    }


def _main(argv: list[str]) -> None:
    """`python -m expectations.worker CALLS ANSWERS [HELPER_CALLS HELPER_ANSWERS]`: warm up,
    fork the helper when its pipes are given, and serve.

    The worker runs at a lower priority (WORKER_NICENESS): its warm-up (GX's import, ~2 s of
    CPU) overlaps the night's own imports and ingest on a 2-core machine, and the night is the
    critical path; while the night waits for a suite's answer, nothing competes with it. The
    fork comes right after the import, before any database or thread is open."""
    fds = [int(a) for a in argv]
    calls, answers = Connection(fds[0], writable=False), Connection(fds[1], readable=False)
    helper = None
    if len(fds) == 4:
        helper = Connection(fds[2], writable=False), Connection(fds[3], readable=False)
    _warm_up()
    if helper is not None:
        try:
            pid = os.fork()
        except OSError:  # the caller finds the helper gone and runs every suite here
            log.exception("data quality worker: the helper could not be started")
            pid = -1
        if pid == 0:  # the helper: serve its own pipes, then end without the parent's exit work
            calls.close()
            answers.close()
            try:
                _serve(*helper)
            finally:
                os._exit(0)
        helper[0].close()
        helper[1].close()
    _serve(calls, answers)


def _warm_up() -> None:
    from expectations import runner

    with contextlib.suppress(OSError):
        os.nice(WORKER_NICENESS)

    # GX's import, like Dagster's in `bianzhi run`, without the collector's passes over it
    # (~0.5 s of the ~2.8 s import), and frozen so the suites' collections skip it.
    from orchestration.gc_policy import imports_without_collection

    try:
        with imports_without_collection("great_expectations"):
            runner.warm_up()
    except Exception:  # noqa: BLE001 - the first call imports again and reports the error
        log.exception("data quality worker: warm-up failed")


def _serve(calls: Connection, answers: Connection) -> None:
    """Answer (name, args, kwargs) calls until told to stop (None) or the caller is gone."""
    tasks = _tasks()
    while True:
        try:
            message = calls.recv()
        except (EOFError, OSError):  # the parent is gone
            return
        if message is None:
            return
        name, args, kwargs = message
        try:
            reply: tuple[bool, Any] = (True, tasks[name](*args, **kwargs))
        except BaseException as exc:  # noqa: BLE001 - every error goes back to the caller
            reply = (False, exc)
        try:
            answers.send(reply)
        except (BrokenPipeError, OSError):  # the parent is gone
            return
        except Exception as exc:  # noqa: BLE001 - e.g. an exception that does not pickle
            answers.send((False, RuntimeError(f"{name}: {reply[1]!r} ({exc})")))


class WorkerGoneError(RuntimeError):
    """The worker process ended before it answered (killed, out of memory, crashed)."""


class _Channel:
    """Calls to one process and its answers, pickled over two pipes of their own (so that
    whatever GX prints cannot corrupt them); `pending` counts the calls nobody waited for yet."""

    def __init__(self, calls_w: int, answers_r: int, exitcode: Callable[[], str]) -> None:
        self._send_conn = Connection(calls_w, readable=False)
        self._recv_conn = Connection(answers_r, writable=False)
        self._exitcode = exitcode
        self.pending = 0

    def send(self, name: str, *args: Any, **kwargs: Any) -> None:
        try:
            self._send_conn.send((name, args, kwargs))
        except (BrokenPipeError, OSError) as exc:
            raise WorkerGoneError(f"data quality worker ended ({self._exitcode()})") from exc
        self.pending += 1

    def receive(self) -> Any:
        try:
            ok, value = self._recv_conn.recv()
        except (EOFError, OSError) as exc:
            raise WorkerGoneError(f"data quality worker ended ({self._exitcode()})") from exc
        finally:
            self.pending -= 1
        if not ok:
            raise value
        return value

    def call(self, name: str, *args: Any, **kwargs: Any) -> Any:
        self.drain()
        self.send(name, *args, **kwargs)
        return self.receive()

    def drain(self) -> None:
        """Collect the answers of earlier calls nobody waited for (their errors are logged)."""
        while self.pending:
            try:
                self.receive()
            except WorkerGoneError:
                raise
            except Exception:  # noqa: BLE001 - rendering docs is best effort
                log.exception("data quality worker: an earlier call failed")

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self._send_conn.send(None)  # a helper has no Popen to be ended by: tell it
        self._send_conn.close()
        self._recv_conn.close()


class SuiteWorker:
    """A handle on the worker process (and its helper): `run_suites` waits for the answer,
    `render_docs_later` does not (its answer is collected by the next call or by `close`).

    Why `python -m expectations.worker` and not `multiprocessing`: a fresh interpreter (no fork
    of a threaded Dagster process) that, unlike multiprocessing's "spawn", does not re-run the
    caller's main script. The helper is forked by the worker, from a process that has imported
    GX and holds nothing else.
    """

    def __init__(self, helper: bool | None = None) -> None:
        helper = helper_wanted() if helper is None else helper
        pipes = [os.pipe() for _ in range(4 if helper else 2)]
        # (calls, answers) of the worker, then of the helper: the child reads calls, writes answers
        child_fds = [fd for i, (r, w) in enumerate(pipes) for fd in ((r,) if i % 2 == 0 else (w,))]
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in sys.path if p))
        try:
            self._process = subprocess.Popen(
                [sys.executable, "-m", "expectations.worker", *map(str, child_fds)],
                pass_fds=child_fds,
                stdin=subprocess.DEVNULL,
                env=env,
            )
        finally:
            for fd in child_fds:
                os.close(fd)
        self._worker = _Channel(pipes[0][1], pipes[1][0], self._exitcode)
        self._helper = _Channel(pipes[2][1], pipes[3][0], self._exitcode) if helper else None

    @property
    def pid(self) -> int:
        return self._process.pid

    def helper_pid(self) -> int | None:
        """The helper's process id (None without a helper)."""
        return None if self._helper is None else self._helper.call("pid")

    def _exitcode(self) -> str:
        try:
            return f"exit code {self._process.wait(timeout=1)}"
        except subprocess.TimeoutExpired:
            return "still running"

    def run_suites(
        self,
        db_path: Path,
        run_id: str,
        docs_dir: Path,
        config_path: Path | None = None,
        **kwargs: Any,
    ) -> Any:
        """`expectations.run_suites(...)` in the worker (and its helper, see the module
        docstring); its errors re-raised here."""
        call = dict(kwargs, config_path=config_path)
        parts = self._parts(call)
        if len(parts) < 2:
            return self._worker.call("run_suites", db_path, run_id, docs_dir, **call)
        return self._run_in_two(parts, db_path, run_id, docs_dir, call)

    def _parts(self, call: dict[str, Any]) -> list[list[str]]:
        """The call's suites dealt in two, or one part when the call is not split: no helper,
        one suite, a call that renders docs, or one that already says how to store (the split
        sets `store`, `read_only` and `run_time` itself)."""
        if self._helper is None or call.get("docs", "always") != "never":
            return [[]]
        if {"store", "read_only", "run_time"} & set(call):
            return [[]]
        from expectations.runner import split_suites

        try:
            return split_suites(call["config_path"], call.get("layer"), call.get("suites"), 2)
        except Exception:  # noqa: BLE001 - the worker reports the same error the usual way
            return [[]]

    def _run_in_two(
        self,
        parts: list[list[str]],
        db_path: Path,
        run_id: str,
        docs_dir: Path,
        call: dict[str, Any],
    ) -> Any:
        from expectations.runner import in_run_order, store_results

        assert self._helper is not None
        args = (db_path, run_id, docs_dir)
        shared = dict(call, store=False, read_only=True, run_time=datetime.now(UTC))
        self._worker.drain()
        try:
            self._helper.drain()
            self._helper.send("run_suites", *args, **dict(shared, suites=parts[1]))
        except WorkerGoneError:  # never forked, or gone: the worker runs every suite
            log.warning("data quality worker: the helper is gone; one process runs the suites")
            self._helper.close()
            self._helper = None
            return self._worker.call("run_suites", *args, **call)
        self._worker.send("run_suites", *args, **dict(shared, suites=parts[0]))
        answers: list[Any] = []
        errors: list[BaseException] = []
        for channel in (self._worker, self._helper):  # both answer before anything goes on
            try:
                answers.append(channel.receive())
            except BaseException as exc:  # noqa: BLE001 - re-raised below, the first one
                errors.append(exc)
        if errors:
            raise errors[0]
        results = in_run_order(answers[0] + answers[1])
        entries = self._helper.call("session_entries", run_id)
        self._worker.send("adopt_entries", run_id, db_path, docs_dir, entries)
        if results:  # as one process does: nothing to check, nothing written
            store_results(Path(db_path).resolve(), run_id, shared["run_time"], results)
        return results

    def render_docs_later(self, run_id: str, db_path: Path, docs_dir: Path) -> None:
        """Render the run's Data Docs in the worker while the caller goes on."""
        self._worker.drain()
        self._worker.send("render_docs", run_id, db_path, docs_dir)

    def close(self) -> None:
        """Wait for pending work (the docs), then end the process — at once when it is idle or
        still importing: nothing it does then writes a file. The helper ends when its pipe
        closes (it only ever reads the build file, and only while a call waits for it)."""
        try:
            self._worker.drain()
        except WorkerGoneError:
            pass
        finally:
            if self._process.poll() is None:
                self._process.terminate()
            self._process.wait()
            self._worker.close()
            if self._helper is not None:
                self._helper.close()


_PRESTARTED: SuiteWorker | None = None


def prestart() -> None:
    """Start the worker now, for the run about to begin (`bianzhi run` calls this before it
    imports Dagster, so GX and Dagster import side by side); the run's resource adopts it."""
    global _PRESTARTED
    if _PRESTARTED is None and enabled():
        _PRESTARTED = SuiteWorker()


def adopt_or_start() -> SuiteWorker:
    """The prestarted worker if there is one (each is adopted once), else a new one."""
    global _PRESTARTED
    worker, _PRESTARTED = _PRESTARTED, None
    return worker if worker is not None else SuiteWorker()


if __name__ == "__main__":
    _main(sys.argv[1:])
