"""Which findings held in a given batch: the one definition the workbook and report share.

Why from `marts.findings_history` and on `status = 'open'`: a finding held in batch D exactly
when its history row as of D says open. Selecting on presence alone would also take findings
the history carries forward as resolved. first_seen is recomputed over the batches up to D, so
what is shown as of an earlier batch never depends on batches loaded after it.
"""

from __future__ import annotations

HELD = "select * from marts.findings_history where status = 'open'"


def first_seen_sql(as_of_param: str = "?") -> str:
    """finding_id → first batch it held in, up to and including the as-of batch."""
    return (
        f"select finding_id, min(as_of) as first_seen from ({HELD}) "
        f"where as_of <= {as_of_param} group by finding_id"
    )
