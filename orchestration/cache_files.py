"""The files dbt's start-up caches keep beside the manifest (`dbt_startup`, `jinja_code`):
keyed by the installed versions of the packages that make their contents, and written whole.

Why one place: both caches are read by every night and written after it, possibly by two
nights of two warehouses at once; a reader must never see half a file, and a cache made by
other versions must never be used.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path


def package_versions(packages: Sequence[str]) -> list[str]:
    """`name==version` of each package as installed (`name==absent` when it is not)."""
    parts = []
    for name in packages:
        try:
            parts.append(f"{name}=={metadata.version(name)}")
        except metadata.PackageNotFoundError:
            parts.append(f"{name}==absent")
    return parts


def write_whole(path: Path, data: bytes) -> bool:
    """Write `data` to a file beside `path` and rename it over `path` (atomic on one file
    system); whether it was written. A failed write (disk full, read-only folder) leaves
    `path` as it was: a cache is an optimisation, never a reason for a night to fail."""
    partial = path.with_suffix(f".{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial.write_bytes(data)
        os.replace(partial, path)
    except OSError:
        partial.unlink(missing_ok=True)
        return False
    return True
