"""orchestration/cache_files.py: the start-up caches' files are written whole or not at all."""

from __future__ import annotations

from pathlib import Path

from orchestration.cache_files import package_versions, write_whole


def test_a_file_is_written_whole_and_replaces_the_old_one(tmp_path: Path) -> None:
    path = tmp_path / "cache" / "kept.bin"
    assert write_whole(path, b"first") and path.read_bytes() == b"first"
    assert write_whole(path, b"second") and path.read_bytes() == b"second"
    assert sorted(p.name for p in path.parent.iterdir()) == ["kept.bin"]  # no partial left


def test_a_failed_write_leaves_nothing_behind(tmp_path: Path) -> None:
    path = tmp_path / "kept.bin"
    path.mkdir()  # the rename over it fails
    assert not write_whole(path, b"data")
    assert path.is_dir() and not any(path.iterdir())
    assert [p.name for p in tmp_path.iterdir()] == ["kept.bin"]


def test_versions_name_absent_packages() -> None:
    got = package_versions(["duckdb", "no-such-package-bianzhi"])
    assert got[0].startswith("duckdb==") and got[0] != "duckdb==absent"
    assert got[1] == "no-such-package-bianzhi==absent"
