"""The environment of the measured processes: the night as it runs where it is installed."""

from __future__ import annotations

import pytest

from bench.harness import BENCH_PII_KEY, child_env


def test_measured_processes_run_as_installed(monkeypatch: pytest.MonkeyPatch) -> None:
    """No persistent Dagster instance, the bench's fixed key, and Python's bytecode cache on
    even when the harness's own shell turns it off."""
    monkeypatch.setenv("PYTHONDONTWRITEBYTECODE", "1")
    monkeypatch.setenv("DAGSTER_HOME", "/nowhere")
    monkeypatch.delenv("BIANZHI_PII_KEY", raising=False)
    env = child_env()
    assert "PYTHONDONTWRITEBYTECODE" not in env
    assert "DAGSTER_HOME" not in env
    assert env["BIANZHI_PII_KEY"] == BENCH_PII_KEY


def test_a_key_given_to_the_harness_is_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BIANZHI_PII_KEY", "operator key")
    assert child_env()["BIANZHI_PII_KEY"] == "operator key"
