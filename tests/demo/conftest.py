"""Demo counties generated once per test session (each takes about a second)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

import demo


@dataclass(frozen=True)
class Generated:
    landing: Path
    summary: demo.DemoSummary


def _generate(factory: pytest.TempPathFactory, name: str, **kw: object) -> Generated:
    landing = factory.mktemp(name) / "landing"
    return Generated(landing, demo.generate(landing, **kw))  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def mixed(tmp_path_factory: pytest.TempPathFactory) -> Generated:
    """The default demo (mixed formats, three batches) at a small size."""
    return _generate(tmp_path_factory, "mixed", seed=20261120, people=800)


@pytest.fixture(scope="session")
def csv300(tmp_path_factory: pytest.TempPathFactory) -> Generated:
    return _generate(tmp_path_factory, "csv300", seed=7, people=300, fmt="csv")


@pytest.fixture(scope="session")
def xlsx300(tmp_path_factory: pytest.TempPathFactory) -> Generated:
    return _generate(tmp_path_factory, "xlsx300", seed=7, people=300, fmt="xlsx")


@pytest.fixture(scope="session", params=["mixed", "csv300", "xlsx300"])
def any_format(request: pytest.FixtureRequest) -> Generated:
    return request.getfixturevalue(request.param)


@pytest.fixture(scope="session", params=[(1500, 3), (400, 6)], ids=["3-batches", "6-batches"])
def built(request: pytest.FixtureRequest) -> demo.Built:
    """The county in memory (typed), for checks on the data rather than on the files; also
    with six batches, where time-dependent cases start or stop firing."""
    people, batches = request.param
    return demo.build(seed=11, people=people, batches=batches)
