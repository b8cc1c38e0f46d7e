"""Print where the warehouse is and three queries an analyst can paste into duckdb (`make run`)."""

from __future__ import annotations

import sys
from pathlib import Path

QUERIES = (
    (
        "超编单位 (overstaffed institutions, newest batch)",
        "select institution_name, quota_type, authorized, occupied, overstaffed_by\n"
        "from marts.staffing_reconciliation\n"
        "where as_of = (select max(as_of) from marts.staffing_reconciliation)"
        " and overstaffed_by > 0\norder by overstaffed_by desc;",
    ),
    (
        "未整改问题 by rule (open findings)",
        "select rule_code, rule_name_zh, severity, count(*) as findings\n"
        "from marts.findings where status = 'open'\ngroup by all order by findings desc;",
    ),
    (
        "乡镇领导职务占比 (township leader ratio)",
        "select township_name, leaders, staff, round(100 * leader_ratio, 1) as pct\n"
        "from marts.township_leadership\n"
        "where as_of = (select max(as_of) from marts.township_leadership)\n"
        "order by leader_ratio desc nulls last;",
    ),
)


def main(argv: list[str]) -> int:
    warehouse = Path(argv[0] if argv else "data/warehouse.duckdb").resolve()
    print(f"\nThe warehouse is published at {warehouse}")
    print("Query it read-only from the duckdb CLI (`duckdb -readonly FILE`) or from Python:")
    print(f'  .venv/bin/python -m orchestration.query {warehouse} "select ..."')
    for title, sql in QUERIES:
        print(f"\n-- {title}\n{sql}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
