"""`python -m demo --out DIR --seed N --people N [--format mixed|xlsx|csv] [--batches 3]`."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from demo.generator import FORMATS, generate


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m demo", description="Write the deterministic demo county."
    )
    parser.add_argument("--out", required=True, type=Path, help="landing folder to write into")
    parser.add_argument("--seed", type=int, default=20261120)
    parser.add_argument("--people", type=int, default=3000)
    parser.add_argument("--format", dest="fmt", choices=FORMATS, default="mixed")
    parser.add_argument("--batches", type=int, default=3, help="1-6 (default 3)")
    parser.add_argument(
        "--summary", type=Path, default=None, help="also write the summary (JSON) to this file"
    )
    parser.add_argument(
        "--force",
        action="store_true",
        help="replace batch folders of the same dates that already exist",
    )
    args = parser.parse_args(argv)
    if args.summary is not None:
        out = args.out.resolve()
        if out in args.summary.resolve().parents:
            parser.error("--summary must not be inside the landing folder")
    started = time.monotonic()
    try:
        summary = generate(
            args.out,
            seed=args.seed,
            people=args.people,
            fmt=args.fmt,
            batches=args.batches,
            overwrite=args.force,
            summary_path=args.summary,
        )
    except (ValueError, FileExistsError) as exc:
        print(f"demo: {exc}", file=sys.stderr)
        return 2
    for f in summary.files:
        print(f"{f.path}\t{f.rows} rows ({f.loaded_rows} to load)")
    print(f"demo county written to {args.out} in {time.monotonic() - started:.1f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
