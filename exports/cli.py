"""`bianzhi export` and `bianzhi report`: argparse namespaces in, exit codes out.

orchestration/cli.py parses the arguments and calls these two functions; everything they do is
here. Exit codes: 0 done; 1 the export could not be recorded (a run held the warehouse lock for
too long; nothing was written); 2 bad usage, unknown scope or date, unreadable warehouse.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from exports.dates import parse_as_of
from exports.errors import UsageError
from orchestration.publish import RunLockedError

DEFAULT_WAIT_SECONDS = 600.0


def _fail(command: str, code: int, message: str) -> int:
    print(f"bianzhi {command}: {message}", file=sys.stderr)
    return code


def export_command(args: argparse.Namespace) -> int:
    from exports.export import run_export

    try:
        as_of = parse_as_of(args.as_of) if args.as_of else None
        result = run_export(
            Path(args.warehouse),
            Path(args.out),
            as_of=as_of,
            township=args.township,
            institution=args.institution,
            unmasked=bool(args.unmasked),
            wait_seconds=float(getattr(args, "wait", DEFAULT_WAIT_SECONDS)),
        )
    except UsageError as exc:
        return _fail("export", 2, str(exc))
    except RunLockedError as exc:
        return _fail("export", 1, f"{exc}; nothing exported")
    masked = "身份证号未脱敏 (unmasked)" if args.unmasked else "身份证号已脱敏 (masked)"
    print(f"bianzhi export: {result.workbook} ({result.scope.key}, as of {result.as_of}, {masked})")
    for sheet in result.sheets:
        print(f"  {sheet.name}: {sheet.row_count} rows")
    print(f"  manifest: {result.manifest_path}")
    return 0


def report_command(args: argparse.Namespace) -> int:
    from exports.report import write_report

    try:
        as_of = parse_as_of(args.as_of) if args.as_of else None
        paths = write_report(Path(args.warehouse), Path(args.out), as_of=as_of)
    except UsageError as exc:
        return _fail("report", 2, str(exc))
    for path in paths:
        print(f"bianzhi report: {path}")
    return 0
