"""One inspection export: read, write the workbook and manifest, log, then reveal the files.

Why this order: the data are read through one read-only connection (closed before anything is
written). The workbook and manifest are first written under temporary names; only once the log
row is published in `audit.export_log` are they renamed into place. So an export that could not
be logged (a run held the lock too long, a crash) leaves no workbook behind: every file a user
finds in the output folder has its row in the log.
"""

from __future__ import annotations

import getpass
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from exports.errors import UsageError
from exports.export_log import ExportLogEntry, record_export
from exports.manifest import (
    ExportedFile,
    build_manifest,
    describe_file,
    sha256_of,
    write_manifest,
)
from exports.mask import scrub_text
from exports.sheets import all_sheets
from exports.tables import Sheet
from exports.titles import county_name, inspection_title
from exports.warehouse import Scope, open_warehouse, previous_batch, resolve_as_of, resolve_scope
from exports.workbook import write_workbook


@dataclass(frozen=True)
class ExportResult:
    workbook: Path
    manifest_path: Path
    manifest: dict[str, Any]
    sheets: list[Sheet]
    scope: Scope
    as_of: date


def file_stem(scope: Scope, as_of: date, unmasked: bool) -> str:
    """`bianzhi_<scope>_<as_of>[_unmasked]`: deterministic, so a re-export replaces its file."""
    stem = f"bianzhi_{scope.slug}_{as_of.isoformat()}"
    return f"{stem}_unmasked" if unmasked else stem


def _current_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return str(os.getuid())


def run_export(
    warehouse: Path,
    out: Path,
    *,
    as_of: date | None = None,
    township: str | None = None,
    institution: str | None = None,
    unmasked: bool = False,
    resolved_since: date | None = None,
    wait_seconds: float = 600.0,
    log: Callable[[ExportLogEntry], None] | None = None,
    published_as: Path | None = None,
) -> ExportResult:
    """Export one scope. `log` replaces the default logging (lock, copy, append, publish): the
    nightly job reads its own build file and appends the log row there, so the row is published
    with the batch it exports; `published_as` is then the path the manifest names."""
    warehouse = warehouse.resolve()
    out = out.resolve()
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {out}: exists and is not a folder")
    with open_warehouse(warehouse) as con:
        day = resolve_as_of(con, as_of)
        scope = resolve_scope(con, day, township, institution)
        since = resolved_since or previous_batch(con, day)
        sheets = all_sheets(con, day, scope, unmasked, since)
        county = county_name(con, day)
    now = datetime.now(UTC)
    exported_at = now.replace(microsecond=now.microsecond // 1000 * 1000)  # milliseconds

    out.mkdir(parents=True, exist_ok=True)
    stem = file_stem(scope, day, unmasked)
    final_book, final_manifest = out / f"{stem}.xlsx", out / f"{stem}.manifest.json"
    tmp_book = out / f".{stem}.xlsx.{os.getpid()}.tmp"
    tmp_manifest = out / f".{stem}.manifest.json.{os.getpid()}.tmp"
    try:
        title = inspection_title(county, scope, day)
        comment = "身份证号未脱敏，仅限核查使用" if unmasked else "身份证号已脱敏"
        scrub = None if unmasked else scrub_text
        write_workbook(tmp_book, title, sheets, day, scrub=scrub, comment=comment)
        book_file = describe_file(tmp_book, final_book.name, sheets)
        manifest = build_manifest(
            files=[book_file],
            as_of=day,
            scope_key=scope.key,
            scope_name=scope.label or scope.name,
            unmasked=unmasked,
            exported_at=exported_at,
            resolved_since=since,
            warehouse=published_as or warehouse,
        )
        write_manifest(tmp_manifest, manifest)
        if unmasked:  # personal data in clear: readable by the exporting user only
            os.chmod(tmp_book, 0o600)
        manifest_file = ExportedFile(final_manifest.name, sha256_of(tmp_manifest), 0, {})
        entry = ExportLogEntry(
            exported_at=exported_at.replace(tzinfo=None),
            scope=scope.key,
            as_of=day,
            unmasked=unmasked,
            files=[book_file, manifest_file],
            scope_name=scope.label or scope.name,
            out_dir=out,
            exported_by=_current_user(),
            resolved_since=since,
        )
        if log is None:
            record_export(warehouse, entry, wait_seconds)
        else:
            log(entry)
        os.replace(tmp_book, final_book)
        os.replace(tmp_manifest, final_manifest)
    finally:
        tmp_book.unlink(missing_ok=True)
        tmp_manifest.unlink(missing_ok=True)
    return ExportResult(final_book, final_manifest, manifest, sheets, scope, day)
