"""The export manifest: what was written, its hash, and what it covers.

Why: an inspection workbook travels (mail, USB stick, a 督查 file). The manifest beside it lets
anyone check that the workbook is the one the warehouse produced (sha256), what it covers (batch
date, scope, masked or not) and how many rows each sheet holds, without opening it.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from exports.tables import Sheet

MANIFEST_FORMAT = "bianzhi-export-manifest/1"


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


@dataclass(frozen=True)
class ExportedFile:
    name: str  # file name inside the output folder
    sha256: str
    size: int
    sheets: dict[str, int]  # sheet name → data rows


def describe_file(path: Path, name: str, sheets: list[Sheet]) -> ExportedFile:
    """Hash `path` (possibly a temporary name) as the file `name` it will become."""
    return ExportedFile(
        name=name,
        sha256=sha256_of(path),
        size=path.stat().st_size,
        sheets={s.name: s.row_count for s in sheets},
    )


def build_manifest(
    *,
    files: list[ExportedFile],
    as_of: date,
    scope_key: str,
    scope_name: str,
    unmasked: bool,
    exported_at: datetime,
    resolved_since: date | None,
    warehouse: Path,
) -> dict[str, Any]:
    return {
        "format": MANIFEST_FORMAT,
        "exported_at": exported_at.isoformat(timespec="milliseconds"),
        "as_of": as_of.isoformat(),
        "scope": scope_key,
        "scope_name": scope_name,
        "masked": not unmasked,
        "resolved_since": resolved_since.isoformat() if resolved_since else None,
        "warehouse": str(warehouse),
        "files": [
            {"name": f.name, "sha256": f.sha256, "bytes": f.size, "sheets": f.sheets} for f in files
        ],
    }


def write_manifest(path: Path, manifest: dict[str, Any]) -> None:
    path.write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def verify_manifest(path: Path) -> list[str]:
    """Problems found checking a manifest against the files beside it (empty: all good)."""
    manifest = json.loads(path.read_text(encoding="utf-8"))
    problems = []
    for entry in manifest["files"]:
        target = path.parent / entry["name"]
        if not target.is_file():
            problems.append(f"{entry['name']}: missing")
        elif sha256_of(target) != entry["sha256"]:
            problems.append(f"{entry['name']}: sha256 differs")
    return problems
