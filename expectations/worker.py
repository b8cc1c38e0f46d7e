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
"""

from __future__ import annotations

import contextlib
import logging
import os
import subprocess
import sys
from collections.abc import Callable
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

#: "off" runs the suites in the job's own process (one process to debug).
ENV_DQ_WORKER = "BIANZHI_DQ_WORKER"


#: How much lower the worker's scheduling priority is than the night's (see `_serve`).
WORKER_NICENESS = 5


def enabled() -> bool:
    return os.environ.get(ENV_DQ_WORKER, "").strip().lower() != "off"


def _tasks() -> dict[str, Callable[..., Any]]:
    from expectations import runner

    return {"run_suites": runner.run_suites, "render_docs": runner.render_docs}


def _serve(calls: Connection, answers: Connection) -> None:
    """The worker's loop: warm up, then answer (name, args, kwargs) calls until told to stop.

    The worker runs at a lower priority (WORKER_NICENESS): its warm-up (GX's import, ~2 s of
    CPU) overlaps the night's own imports and ingest on a 2-core machine, and the night is the
    critical path; while the night waits for a suite's answer, nothing competes with it."""
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


class SuiteWorker:
    """A handle on one worker process: `run_suites` waits for its answer, `render_docs_later`
    does not (its answer is collected by the next call or by `close`).

    Why `python -m expectations.worker` and not `multiprocessing`: a fresh interpreter (no fork
    of a threaded Dagster process) that, unlike multiprocessing's "spawn", does not re-run the
    caller's main script. Calls and answers are pickled over two pipes of their own, so whatever
    GX prints cannot corrupt them.
    """

    def __init__(self) -> None:
        to_child_r, to_child_w = os.pipe()
        from_child_r, from_child_w = os.pipe()
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in sys.path if p))
        try:
            self._process = subprocess.Popen(
                [sys.executable, "-m", "expectations.worker", str(to_child_r), str(from_child_w)],
                pass_fds=(to_child_r, from_child_w),
                stdin=subprocess.DEVNULL,
                env=env,
            )
        finally:
            os.close(to_child_r)
            os.close(from_child_w)
        self._send_conn = Connection(to_child_w, readable=False)
        self._recv_conn = Connection(from_child_r, writable=False)
        self._pending = 0  # calls sent whose answers nobody waited for yet

    @property
    def pid(self) -> int:
        return self._process.pid

    def _send(self, name: str, *args: Any, **kwargs: Any) -> None:
        try:
            self._send_conn.send((name, args, kwargs))
        except (BrokenPipeError, OSError) as exc:
            raise WorkerGoneError(f"data quality worker ended ({self._exitcode()})") from exc
        self._pending += 1

    def _receive(self) -> Any:
        try:
            ok, value = self._recv_conn.recv()
        except (EOFError, OSError) as exc:
            raise WorkerGoneError(f"data quality worker ended ({self._exitcode()})") from exc
        finally:
            self._pending -= 1
        if not ok:
            raise value
        return value

    def _exitcode(self) -> str:
        try:
            return f"exit code {self._process.wait(timeout=1)}"
        except subprocess.TimeoutExpired:
            return "still running"

    def _drain(self) -> None:
        """Collect the answers of earlier calls nobody waited for (their errors are logged)."""
        while self._pending:
            try:
                self._receive()
            except WorkerGoneError:
                raise
            except Exception:  # noqa: BLE001 - rendering docs is best effort
                log.exception("data quality worker: an earlier call failed")

    def run_suites(self, *args: Any, **kwargs: Any) -> Any:
        """`expectations.run_suites(*args, **kwargs)` in the worker; its errors re-raised here."""
        self._drain()
        self._send("run_suites", *args, **kwargs)
        return self._receive()

    def render_docs_later(self, run_id: str, db_path: Path, docs_dir: Path) -> None:
        """Render the run's Data Docs in the worker while the caller goes on."""
        self._drain()
        self._send("render_docs", run_id, db_path, docs_dir)

    def close(self) -> None:
        """Wait for pending work (the docs), then end the process — at once when it is idle or
        still importing: nothing it does then writes a file."""
        try:
            self._drain()
        except WorkerGoneError:
            pass
        finally:
            if self._process.poll() is None:
                self._process.terminate()
            self._process.wait()
            self._send_conn.close()
            self._recv_conn.close()


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
    _serve(
        Connection(int(sys.argv[1]), writable=False), Connection(int(sys.argv[2]), readable=False)
    )
