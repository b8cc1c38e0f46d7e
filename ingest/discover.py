"""Find batch folders and the source files inside them.

Why keyword matching with a fixed precedence: county exports are named by people
(`XX乡镇人员花名册(11月).xlsx`, `机构编制核定台账.csv`), so a file name only has to *contain* its
source's keyword. Keywords overlap (`乡镇` appears in many names, `机构` in `机构编制核定`), so a
name is matched against the sources most-specific first — 花名册/roster, then 编制核定/quota, then
机构/institutions, then 乡镇/townships — and takes the first that matches. English keywords are
matched case-insensitively.

Only `.xlsx` and `.csv` files are sources; anything else (`.xls`, `.pdf`, `readme.txt`, Excel's
`~$` lock files, hidden dot-files) is ignored. Two files of one source in one batch are an error:
ingest will not guess which one is meant.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from ingest.errors import UnreadableSourceError
from ingest.spec import DISCOVERY_ORDER, SPECS

BATCH_DIR = re.compile(r"^\d{4}-\d{2}-\d{2}$")
SOURCE_SUFFIXES = (".xlsx", ".csv")


def batch_folders(landing: Path) -> dict[date, Path]:
    """Batch folders under `landing` (directories named YYYY-MM-DD that are real dates)."""
    found: dict[date, Path] = {}
    for entry in landing.iterdir():
        if not (entry.is_dir() and BATCH_DIR.match(entry.name)):
            continue
        try:
            found[date.fromisoformat(entry.name)] = entry
        except ValueError:  # e.g. 2026-13-01: not a batch folder
            continue
    return dict(sorted(found.items()))


def source_of(file_name: str) -> str | None:
    """The source a file name belongs to, or None (precedence: see the module docstring)."""
    lowered = file_name.lower()
    for source in DISCOVERY_ORDER:
        if any(k.lower() in lowered for k in SPECS[source].keywords):
            return source
    return None


def is_candidate(path: Path) -> bool:
    """A visible .xlsx / .csv file that is not an Excel lock file."""
    name = path.name
    return (
        path.is_file()
        and path.suffix.lower() in SOURCE_SUFFIXES
        and not name.startswith(("~$", "."))
    )


def source_files(batch: Path) -> dict[str, Path]:
    """Map source → file for one batch folder; two files of one source raise."""
    found: dict[str, list[Path]] = {}
    for path in sorted(batch.iterdir()):
        if not is_candidate(path):
            continue
        source = source_of(path.stem)
        if source is not None:
            found.setdefault(source, []).append(path)
    for source, paths in found.items():
        if len(paths) > 1:
            names = ", ".join(p.name for p in paths)
            raise UnreadableSourceError(
                f"batch {batch.name}: {len(paths)} files for source {source} ({names}); "
                "keep exactly one per batch"
            )
    return {s: found[s][0] for s in SPECS if s in found}
