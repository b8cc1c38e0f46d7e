"""Turn a finished Dagster run into the `bianzhi run` exit code and message.

Why a pure module: warehouse.md fixes the exit codes (0 published, 1 a blocking check failed,
2 unreadable input). Deciding them from the run's events in one small function keeps the rule
testable without running a pipeline.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class StepFailure:
    step: str
    message: str
    exit_code: int | None  # as asked by the step (Failure metadata), if it asked


@dataclass(frozen=True)
class FailedCheck:
    name: str
    description: str


@dataclass(frozen=True)
class Outcome:
    exit_code: int
    status: str  # published | blocked | unreadable | failed
    message: str


def decide(
    published: bool, failures: list[StepFailure], failed_checks: list[FailedCheck]
) -> Outcome:
    """Exit 0 only when the publish step ran; 2 for unreadable input; 1 for everything else."""
    if published and not failures:
        return Outcome(0, "published", "published")
    unreadable = [f for f in failures if f.exit_code == 2]
    if unreadable:
        return Outcome(2, "unreadable", "; ".join(f.message for f in unreadable))
    if failed_checks:
        text = "; ".join(f"{c.name}: {c.description}" for c in failed_checks)
        return Outcome(1, "blocked", f"blocking check failed — {text}")
    if failures:
        text = "; ".join(f"{f.step}: {f.message}" for f in failures)
        return Outcome(1, "failed", f"run failed — {text}")
    return Outcome(1, "failed", "run did not publish")
