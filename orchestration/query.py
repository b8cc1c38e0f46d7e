"""`python -m orchestration.query FILE SQL`: run one query read-only against a warehouse.

Why: the Python package of duckdb ships no CLI; analysts on a machine without the duckdb binary
still get a read-only prompt-free way to paste a query (it never takes a write lock).
"""

from __future__ import annotations

import sys
from pathlib import Path

from orchestration.publish import connect_readonly


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: python -m orchestration.query FILE SQL", file=sys.stderr)
        return 2
    con = connect_readonly(Path(argv[0]))
    try:
        con.sql(argv[1]).show(max_width=200, max_rows=100)
    finally:
        con.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
