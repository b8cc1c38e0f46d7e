"""Ingest: read the county's landing files into typed `raw.*` tables, quarantine row errors,
report every row, and key people by an HMAC of their identity number.

Public API (used by orchestration)::

    from ingest import load_landing, UnreadableSourceError, LoadResult
    result = load_landing(con, landing, pii_key)

Modules: `discover` (batch folders, file → source), `read` (xlsx via calamine / csv via DuckDB into
raw cell text), `headers` (header row, synonyms), `normalise` (text/date/integer SQL), `identity`
(GB 11643, GB 32100, person_key), `typed` (the per-file typing SQL and row errors), `schema`
(DDL), `load` (batches, transactions, carry-forward, load report).
"""

from ingest.errors import BatchOrderError, UnreadableSourceError
from ingest.load import LoadResult, SourceLoad, load_landing

__all__ = ["BatchOrderError", "LoadResult", "SourceLoad", "UnreadableSourceError", "load_landing"]
