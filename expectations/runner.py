"""Run the suites with Great Expectations on the run's DuckDB build file, keep the results.

Why it is shaped like this:
- One ephemeral GX context and one SQL datasource per run (reused when the orchestration calls
  once after ingest and once after dbt with the same run_id), so the ~4 s GX import and the
  context set-up are paid once, and the Data Docs index lists every suite of the run.
- Suites run on query assets in DuckDB: GX only sends aggregate queries; no table is pulled
  into pandas.
- Every connection is closed before returning. dbt (in-process) and the publish step open the
  same file next; a connection left open would block them or leave the WAL unflushed.
- Results go to `audit.dq_results` in the build file (published with it) and to the Data Docs
  folder beside the warehouse (kept even when a blocking failure stops publishing).
"""

from __future__ import annotations

import json
import logging
import re
import shutil
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

import duckdb

from expectations.checks import BatchWindow, Layer, SuiteSpec
from expectations.config import DataQualityConfig, DataQualityConfigError, load_config
from expectations.suites import SUITES

log = logging.getLogger(__name__)

#: First pass, every suite: BASIC gives element and unexpected counts and observed values, and
#: no unexpected values (`partial_unexpected_count` 0). Second pass, only the expectations that
#: failed (rare): SUMMARY with the suite's index columns names the rows (file and row number,
#: institution code) a steward must fix — or, for a suite without index columns, shows a few
#: unexpected values. Why no values in the first pass: GX fetches them with one query per
#: row-level expectation, `… where <unexpected> limit n`, which on a clean column finds nothing
#: and so reads the whole batch — one more scan of the suite's query per expectation. With
#: limit 0 DuckDB answers at once: the checks of a night took 3.6 → 3.0 s at S and
#: 9.7 → 6.0 s at L (docs/benchmarks.md). Asking every expectation for its rows up front would
#: cost about 70 % more GX time on a clean night.
RESULT_FORMAT: dict[str, Any] = {"result_format": "BASIC", "partial_unexpected_count": 0}
DETAIL_FORMAT: dict[str, Any] = {"result_format": "SUMMARY", "partial_unexpected_count": 10}
MAX_OBSERVED_CHARS = 2000
DATASOURCE = "warehouse"
DOCS_SITE = "dq_docs"

DQ_RESULTS_DDL = """
create schema if not exists audit;
create table if not exists audit.dq_results (
    run_id varchar,
    batch_date date,
    suite varchar,
    expectation varchar,
    "column" varchar,
    severity varchar,          -- blocking | warn
    success boolean,
    observed_value varchar,
    element_count bigint,
    unexpected_count bigint,
    checked_at timestamp,      -- UTC
    target varchar,            -- schema.table the suite checks
    expectation_type varchar,  -- the GX expectation, e.g. expect_column_values_to_be_in_set
    kind varchar               -- the kind that set its default severity (config)
)
"""
DQ_COLUMNS = (
    "run_id",
    "batch_date",
    "suite",
    "expectation",
    '"column"',
    "severity",
    "success",
    "observed_value",
    "element_count",
    "unexpected_count",
    "checked_at",
    "target",
    "expectation_type",
    "kind",
)


@dataclass(frozen=True)
class ExpectationResult:
    """The outcome of one expectation, as stored in audit.dq_results."""

    expectation: str
    expectation_type: str
    kind: str
    column: str | None
    severity: str  # blocking | warn
    success: bool
    observed_value: str | None
    element_count: int | None
    unexpected_count: int | None
    description: str


@dataclass(frozen=True)
class SuiteResult:
    """The outcome of one suite on one batch, ready to become a Dagster asset check result."""

    suite: str
    target: str
    asset_key: tuple[str, ...]
    layer: str
    batch_date: date
    blocking: bool  # the suite holds at least one blocking expectation
    success: bool  # every expectation passed
    expectations: tuple[ExpectationResult, ...]
    seconds: float

    @property
    def check_name(self) -> str:
        """The Dagster asset-check name for this suite."""
        return f"dq_{self.suite}"

    @property
    def blocking_failed(self) -> bool:
        """A blocking expectation failed: publishing must stop."""
        return any(not e.success and e.severity == "blocking" for e in self.expectations)

    def failed(self, severity: str | None = None) -> list[ExpectationResult]:
        return [
            e
            for e in self.expectations
            if not e.success and (severity is None or e.severity == severity)
        ]

    def describe(self) -> str:
        """One line for logs and the Dagster check description."""
        if self.success:
            return f"{self.suite} ({self.batch_date}): {len(self.expectations)} expectations passed"
        parts = [f"{e.expectation} [{e.severity}]: {e.observed_value}" for e in self.failed()]
        return f"{self.suite} ({self.batch_date}): " + "; ".join(parts)

    def markdown(self) -> str:
        """The per-expectation table for Dagster metadata (MetadataValue.md)."""
        lines = [
            "| expectation | severity | success | observed | unexpected / rows |",
            "|---|---|---|---|---|",
        ]
        for e in self.expectations:
            counts = "" if e.element_count is None else f"{e.unexpected_count} / {e.element_count}"
            observed = (e.observed_value or "").replace("|", "\\|")
            mark = "✅" if e.success else ("⛔" if e.severity == "blocking" else "⚠️")
            lines.append(f"| {e.expectation} | {e.severity} | {mark} | {observed} | {counts} |")
        return "\n".join(lines)

    def metadata(self) -> dict[str, Any]:
        """Plain values for Dagster metadata (the orchestration may wrap `results` in
        MetadataValue.md)."""
        return {
            "suite": self.suite,
            "target": self.target,
            "batch_date": self.batch_date.isoformat(),
            "expectations": len(self.expectations),
            "failed_blocking": [e.expectation for e in self.failed("blocking")],
            "failed_warn": [e.expectation for e in self.failed("warn")],
            "seconds": round(self.seconds, 3),
            "results": self.markdown(),
        }


@dataclass(frozen=True)
class SuiteInfo:
    """What the orchestration needs at definition time: no GX import, no database."""

    name: str
    target: str
    asset_key: tuple[str, ...]
    layer: str
    blocking: bool
    description: str

    @property
    def check_name(self) -> str:
        return f"dq_{self.name}"


# --- catalogue -----------------------------------------------------------------------------------


def suite_catalog(config_path: Path | None = None, layer: Layer | None = None) -> list[SuiteInfo]:
    """Every suite with its target asset and whether it can block, under the given config."""
    config = _checked_config(config_path)
    window = BatchWindow(date(2000, 1, 1), None, date(2000, 1, 1))
    infos = []
    for definition in SUITES.values():
        if layer is not None and definition.layer != layer:
            continue
        spec = _apply_config(definition.spec(window, config.thresholds), config)
        infos.append(
            SuiteInfo(
                name=spec.name,
                target=spec.target,
                asset_key=spec.asset_key,
                layer=spec.layer,
                blocking=any(sev == "blocking" for _, sev in _severities(spec, config)),
                description=definition.description,
            )
        )
    return infos


def _checked_config(config_path: Path | None) -> DataQualityConfig:
    config = load_config(config_path)
    window = BatchWindow(date(2000, 1, 1), None, date(2000, 1, 1))
    known = {
        f"{name}.{check.name}"
        for name, definition in SUITES.items()
        for check in definition.spec(window, config.thresholds).checks
    }
    unknown = sorted(set(config.overrides) - known)
    if unknown:
        raise DataQualityConfigError(
            f"severity.overrides names unknown expectation(s): {', '.join(unknown)}"
        )
    return config


def _severities(spec: SuiteSpec, config: DataQualityConfig) -> list[tuple[str, str]]:
    return [(ch.name, config.severity(spec.name, ch.name, ch.kind)) for ch in spec.checks]


def _apply_config(spec: SuiteSpec, config: DataQualityConfig) -> SuiteSpec:
    """Drop the expectations configured `off`."""
    keep = tuple(ch for ch in spec.checks if config.severity(spec.name, ch.name, ch.kind) != "off")
    return replace(spec, checks=keep)


# --- batches -------------------------------------------------------------------------------------


def batch_windows(
    db_path: Path, batch_dates: Sequence[date] | None = None, read_only: bool = False
) -> list[BatchWindow]:
    """The batches to evaluate (default: the newest loaded), each with the batch before it."""
    if not Path(db_path).is_file():  # connecting would create an empty database
        raise FileNotFoundError(f"{db_path}: no such warehouse file")
    con = duckdb.connect(str(db_path), read_only=read_only)
    try:
        loaded = _loaded_batches(con)
    finally:
        con.close()
    if not loaded:
        return []
    wanted = sorted(set(batch_dates)) if batch_dates else [loaded[-1]]
    missing = [d for d in wanted if d not in loaded]
    if missing:
        raise ValueError(f"{db_path}: batch(es) not loaded: {', '.join(map(str, missing))}")
    windows = []
    for day in wanted:
        earlier = [d for d in loaded if d < day]
        windows.append(BatchWindow(day, earlier[-1] if earlier else None, loaded[-1]))
    return windows


def _loaded_batches(con: duckdb.DuckDBPyConnection) -> list[date]:
    for schema, table in (("audit", "batches"), ("raw", "roster")):
        found = con.execute(
            "select count(*) from information_schema.tables "
            "where table_schema = ? and table_name = ?",
            [schema, table],
        ).fetchone()
        if found and found[0]:
            rows = con.execute(
                f"select distinct batch_date from {schema}.{table} "
                "where batch_date is not null order by 1"
            ).fetchall()
            if rows:
                return [r[0] for r in rows]
    return []


def suite_specs(
    windows: Sequence[BatchWindow],
    config: DataQualityConfig,
    layer: Layer | None = None,
    names: Iterable[str] | None = None,
) -> list[SuiteSpec]:
    """The suites to evaluate for the given batches (batch-less targets once, as of the
    newest)."""
    wanted = set(names) if names is not None else None
    unknown = (wanted or set()) - set(SUITES)
    if unknown:
        raise ValueError(f"unknown suite(s): {', '.join(sorted(unknown))}")
    specs = []
    for i, window in enumerate(sorted(windows, key=lambda w: w.batch)):
        last = i == len(windows) - 1
        for definition in SUITES.values():
            if layer is not None and definition.layer != layer:
                continue
            if wanted is not None and definition.name not in wanted:
                continue
            if not definition.per_batch and not last:
                continue
            spec = _apply_config(definition.spec(window, config.thresholds), config)
            if spec.checks:
                specs.append(spec)
    return specs


# --- the GX session ------------------------------------------------------------------------------


class _Session:
    """One ephemeral GX context, one SQL datasource on the build file, one Data Docs site."""

    def __init__(
        self,
        run_id: str,
        db_path: Path,
        docs_dir: Path,
        memory_limit: str | None = None,
        read_only: bool = False,
    ) -> None:
        import great_expectations as gx
        from great_expectations.data_context.types.base import (
            DataContextConfig,
            InMemoryStoreBackendDefaults,
            ProgressBarsConfig,
        )
        from sqlalchemy.pool import StaticPool

        self.run_id = run_id
        self.db_path = db_path
        self.docs_dir = docs_dir
        self.gx = gx
        #: How the next connection opens (set per `run_suites` call; see `_connect`). Adding the
        #: datasource below already connects once.
        self.memory_limit = memory_limit
        self.read_only = read_only
        # The site shows the latest run (the history is audit.dq_results): pages of earlier
        # runs would no longer be linked from the index and would grow by ~1.5 MB a night.
        for earlier in ("validations", "expectations"):
            shutil.rmtree(docs_dir / earlier, ignore_errors=True)
        docs_dir.mkdir(parents=True, exist_ok=True)
        config = DataContextConfig(
            store_backend_defaults=InMemoryStoreBackendDefaults(),
            analytics_enabled=False,
            progress_bars=ProgressBarsConfig(globally=False),
            data_docs_sites={
                DOCS_SITE: {
                    "class_name": "SiteBuilder",
                    "show_how_to_buttons": False,
                    "store_backend": {
                        "class_name": "TupleFilesystemStoreBackend",
                        "base_directory": str(docs_dir),
                    },
                    "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
                }
            },
        )
        self.context = gx.get_context(project_config=config, mode="ephemeral")
        self.datasource = self.context.data_sources.add_sql(
            name=DATASOURCE,
            connection_string=f"duckdb:///{db_path}",
            kwargs={"creator": self._connect, "poolclass": StaticPool},
        )

    def _connect(self) -> Any:
        """The datasource's connections: every call of `run_suites` ends with `release`, so the
        next call's first query opens a connection with that call's options."""
        from expectations.dbapi import open_buffered

        return open_buffered(self.db_path, self.memory_limit, self.read_only)

    def matches(self, run_id: str, db_path: Path, docs_dir: Path) -> bool:
        return (run_id, db_path, docs_dir) == (self.run_id, self.db_path, self.docs_dir)

    def validate(self, spec: SuiteSpec, run_time: datetime, detail: bool = False) -> Any:
        """Register the spec as asset + suite + validation definition and run it (`detail`:
        the second pass, which lists the unexpected rows by the suite's index columns)."""
        import great_expectations.expectations as gxe
        from great_expectations.core.run_identifier import RunIdentifier

        gx = self.gx
        name = f"{spec.name}.{spec.batch_date.isoformat()}" + (".rows" if detail else "")
        self._forget(name)
        query = spec.query.strip()
        if not query.lower().startswith("select"):  # GX accepts only queries starting SELECT
            query = f"select * from (\n{query}\n) as dq_query"
        from expectations.dbapi import register_query_asset

        register_query_asset(query)
        asset = self.datasource.add_query_asset(name=name, query=query)
        batch_definition = asset.add_batch_definition_whole_table("batch")
        expectations = [
            getattr(gxe, ch.expectation)(
                **ch.kwargs, meta={"dq_name": ch.name, "dq_kind": ch.kind}, description=ch.why
            )
            for ch in spec.checks
        ]
        suite = self.context.suites.add(
            gx.ExpectationSuite(
                name=name, expectations=expectations, meta={"notes": spec.description}
            )
        )
        definition = self.context.validation_definitions.add(
            gx.ValidationDefinition(name=name, data=batch_definition, suite=suite)
        )
        result_format = dict(DETAIL_FORMAT if detail else RESULT_FORMAT)
        if detail and spec.index_columns:
            result_format["unexpected_index_column_names"] = list(spec.index_columns)
        return definition.run(
            result_format=result_format,
            run_id=RunIdentifier(run_name=self.run_id, run_time=run_time),
        )

    def _forget(self, name: str) -> None:
        """Drop what an earlier call of the same run registered under `name` (a re-run)."""
        for remove in (
            lambda: self.context.validation_definitions.delete(name),
            lambda: self.context.suites.delete(name),
            lambda: self.datasource.delete_asset(name),
        ):
            try:
                remove()
            except Exception:  # noqa: BLE001 - absent is the normal case
                pass

    def build_docs(self) -> None:
        self.context.build_data_docs(site_names=[DOCS_SITE])

    def release(self) -> None:
        """Close every connection GX holds on the build file (dbt and publish open it next)."""
        engine = self.datasource._engine  # noqa: SLF001 - GX offers no public close
        if engine is not None:
            engine.dispose()
        execution_engine = self.datasource._execution_engine  # noqa: SLF001
        if execution_engine is not None:
            execution_engine.close()


_SESSION: _Session | None = None


def _session(
    run_id: str,
    db_path: Path,
    docs_dir: Path,
    memory_limit: str | None = None,
    read_only: bool = False,
) -> _Session:
    global _SESSION
    if _SESSION is None or not _SESSION.matches(run_id, db_path, docs_dir):
        _SESSION = _Session(run_id, db_path, docs_dir, memory_limit, read_only)
    _SESSION.memory_limit, _SESSION.read_only = memory_limit, read_only
    return _SESSION


# --- the API -------------------------------------------------------------------------------------


def run_suites(
    db_path: Path,
    run_id: str,
    docs_dir: Path,
    config_path: Path | None = None,
    *,
    layer: Layer | None = None,
    batch_dates: Sequence[date] | None = None,
    suites: Iterable[str] | None = None,
    docs: Literal["always", "when_due", "never"] = "always",
    memory_limit: str | None = None,
    run_time: datetime | None = None,
    store: bool = True,
    read_only: bool = False,
) -> list[SuiteResult]:
    """Evaluate the data-quality suites on the DuckDB file `db_path` (the run's build file).

    - `layer`: "raw" (raw sources and the load report; run after ingest), "marts" (dbt marts and
      the measures built on them; run after dbt), or None for both.
    - `batch_dates`: the batches to evaluate; default the newest loaded batch. Each is compared
      with the batch loaded just before it.
    - `suites`: a subset of suite names (default all of the layer).

    Appends one row per expectation to `audit.dq_results` in `db_path`, renders the GX Data Docs
    into `docs_dir`, and returns one SuiteResult per suite and batch. Severity comes from
    `config_path` (default config/data_quality.yml); expectations configured `off` are skipped.
    A suite whose table is missing or whose query fails is reported failed (with the error as
    the observed value), never skipped silently.

    `docs="when_due"` renders the Data Docs only when `docs_due` says so; `docs="never"` leaves
    rendering to a later `render_docs` (the nightly job's worker process renders while the night
    goes on, when `docs_due` says so).
    `memory_limit`: DuckDB's `memory_limit` for the suites' queries (default: DuckDB's own).

    For the worker processes that share one call (expectations/worker.py): `run_time` (default
    now) stamps the results, `store=False` leaves writing `audit.dq_results` to the caller
    (`store_results`), `read_only` opens the file read-only so that another process can read it
    at the same time.
    """
    started = time.perf_counter()
    db_path = Path(db_path).resolve()
    docs_dir = Path(docs_dir).resolve()
    config = _checked_config(config_path)
    specs = suite_specs(batch_windows(db_path, batch_dates, read_only), config, layer, suites)
    if not specs:
        log.info("data quality: nothing to check in %s", db_path)
        return []
    session = _session(run_id, db_path, docs_dir, memory_limit, read_only)
    run_time = run_time or datetime.now(UTC)
    results = []
    try:
        for spec in specs:
            t0 = time.perf_counter()
            try:
                validation = session.validate(spec, run_time)
                outcome = _expectation_results(spec, config, validation)
                outcome = _with_failed_rows(session, spec, config, outcome, run_time)
            except Exception as exc:  # noqa: BLE001 - a broken suite is a failed suite
                log.exception("data quality: suite %s could not run", spec.name)
                outcome = _errored(spec, config, exc)
            results.append(_suite_result(spec, config, outcome, time.perf_counter() - t0))
        try:
            if docs == "always" or (docs == "when_due" and docs_due(layer, results)):
                session.build_docs()
        except Exception:  # noqa: BLE001 - docs are a view of the results, not a check
            log.exception("data quality: Data Docs could not be rendered into %s", docs_dir)
    finally:
        session.release()
    if store:
        store_results(db_path, run_id, run_time, results)
    log.info(
        "data quality: %d suites, %d failed (%d blocking) in %.2f s",
        len(results),
        sum(not r.success for r in results),
        sum(r.blocking_failed for r in results),
        time.perf_counter() - started,
    )
    return results


def docs_due(layer: Layer | None, results: Sequence[SuiteResult]) -> bool:
    """Whether a night renders the Data Docs after this layer's suites: after the marts (or both
    layers), when the site holds both layers' results of the run (one GX session per run), or
    after the raw layer when it blocks the night, since the marts layer then never runs.
    Rendering costs ~0.7 s, so a night renders once."""
    return layer != "raw" or any(r.blocking_failed for r in results)


def render_docs(run_id: str, db_path: Path, docs_dir: Path) -> bool:
    """Render the Data Docs site of this process's GX session of `run_id` (every suite it ran).

    Rendering reads the results GX keeps in memory, not the DuckDB file, so it may run while
    another process already works on the build file. False when this process holds no session
    of that run or rendering failed (logged: the docs are a view of audit.dq_results, not a
    check)."""
    key = (run_id, Path(db_path).resolve(), Path(docs_dir).resolve())
    if _SESSION is None or not _SESSION.matches(*key):
        return False
    try:
        _SESSION.build_docs()
    except Exception:  # noqa: BLE001 - see the docstring
        log.exception("data quality: Data Docs could not be rendered into %s", key[2])
        return False
    return True


# --- one call in two processes (expectations/worker.py) -----------------------------------------

#: The GX stores the Data Docs are rendered from: the suites and their validation results.
_DOCS_STORES = ("expectations_store", "validation_results_store")
_STORE_ID_KEY = (".ge_store_backend_id",)


def split_suites(
    config_path: Path | None = None,
    layer: Layer | None = None,
    suites: Iterable[str] | None = None,
    parts: int = 2,
) -> list[list[str]]:
    """The suites a `run_suites` call would run, dealt into at most `parts` groups of about
    equal work, for processes that run them side by side (`deal`). A suite's work is counted
    as its number of expectations: at county scale a suite's time is GX's per-expectation
    work, ~15 ms each. Suites reading the same table go to different groups where they can: at
    province scale a suite's time is its table's rows (the two suites on `marts.roster`, a view
    over 2 M people, took 2.6 s of the marts layer's 4.8 s at L)."""
    config = _checked_config(config_path)
    wanted = set(suites) if suites is not None else None
    unknown = (wanted or set()) - set(SUITES)
    if unknown:
        raise ValueError(f"unknown suite(s): {', '.join(sorted(unknown))}")
    window = BatchWindow(date(2000, 1, 1), None, date(2000, 1, 1))
    chosen = {
        name: definition
        for name, definition in SUITES.items()
        if (layer is None or definition.layer == layer) and (wanted is None or name in wanted)
    }
    weights = {
        name: len(_apply_config(definition.spec(window, config.thresholds), config).checks)
        for name, definition in chosen.items()
    }
    return deal(weights, parts, {name: definition.target for name, definition in chosen.items()})


def deal(
    weights: Mapping[str, int], parts: int, tables: Mapping[str, str] | None = None
) -> list[list[str]]:
    """Names into at most `parts` non-empty groups: the heaviest first, each onto the group
    that holds the least so far (ties: the first group; names in a group by weight). With
    `tables` (name → the table it reads), a name goes to the lightest group holding no name of
    its table, where there is one."""
    groups: list[list[str]] = [[] for _ in range(parts)]
    loads = [0] * parts
    held: list[set[str]] = [set() for _ in range(parts)]
    for name in sorted(weights, key=lambda n: (-weights[n], n)):
        table = (tables or {}).get(name)
        free = [i for i in range(parts) if table is None or table not in held[i]] or range(parts)
        lightest = min(free, key=lambda i: (loads[i], i))
        groups[lightest].append(name)
        loads[lightest] += weights[name]
        if table is not None:
            held[lightest].add(table)
    return [group for group in groups if group]


def in_run_order(results: Iterable[SuiteResult]) -> list[SuiteResult]:
    """The results of one call run in parts, in the order one process returns them (batch by
    batch, suites in catalogue order)."""
    order = {name: i for i, name in enumerate(SUITES)}
    return sorted(results, key=lambda r: (r.batch_date, order[r.suite]))


def session_entries(run_id: str) -> dict[str, list[tuple[tuple[str, ...], str]]]:
    """What this process's GX session of `run_id` holds for the Data Docs — the suites and
    their validation results, serialized as GX's stores keep them — for `adopt_entries` in the
    process that renders the docs. Empty when this process holds no session of that run."""
    if _SESSION is None or _SESSION.run_id != run_id:
        return {}
    entries = {}
    for store in _DOCS_STORES:
        backend = getattr(_SESSION.context, store).store_backend
        keys = [key for key in backend.list_keys() if tuple(key) != _STORE_ID_KEY]
        entries[store] = [(tuple(key), backend.get(key)) for key in keys]
    return entries


def adopt_entries(
    run_id: str,
    db_path: Path,
    docs_dir: Path,
    entries: dict[str, list[tuple[tuple[str, ...], str]]],
) -> bool:
    """Add another process's `session_entries` of the run to this process's session of it, so
    that `render_docs` here shows every suite the run checked, whichever process ran it. False
    when this process holds no session of the run (a session is not started here: starting
    one connects to the build file, which the caller may be writing)."""
    key = (run_id, Path(db_path).resolve(), Path(docs_dir).resolve())
    if _SESSION is None or not _SESSION.matches(*key):
        return False
    for store, items in entries.items():
        backend = getattr(_SESSION.context, store).store_backend
        for store_key, value in items:
            backend.set(store_key, value)
    return True


def warm_up() -> None:
    """Import Great Expectations and what a session needs, before the first suite is due."""
    import great_expectations  # noqa: F401
    import great_expectations.expectations  # noqa: F401
    from great_expectations.core.run_identifier import RunIdentifier  # noqa: F401

    import expectations.dbapi  # noqa: F401


def _with_failed_rows(
    session: _Session,
    spec: SuiteSpec,
    config: DataQualityConfig,
    outcome: list[ExpectationResult],
    run_time: datetime,
) -> list[ExpectationResult]:
    """Second pass over the row-level expectations that failed: their observed values then name
    the rows (by the suite's index columns), or show a few unexpected values (a suite without
    index columns). Counts and success stay those of the first pass."""
    failed = {
        e.expectation
        for e in outcome
        if not e.success and e.element_count is not None and e.unexpected_count
    }
    if not failed:
        return outcome
    detail_spec = replace(spec, checks=tuple(ch for ch in spec.checks if ch.name in failed))
    try:
        detail = session.validate(detail_spec, run_time, detail=True)
    except Exception:  # noqa: BLE001 - the first pass stands; only the row list is missing
        log.exception("data quality: rows of the failures of %s could not be listed", spec.name)
        return outcome
    observed = {
        e.expectation: e.observed_value
        for e in _expectation_results(detail_spec, config, detail)
        if e.observed_value and not e.observed_value.startswith("error")
    }
    return [
        replace(e, observed_value=observed.get(e.expectation, e.observed_value)) for e in outcome
    ]


def _suite_result(
    spec: SuiteSpec,
    config: DataQualityConfig,
    outcome: list[ExpectationResult],
    seconds: float,
) -> SuiteResult:
    return SuiteResult(
        suite=spec.name,
        target=spec.target,
        asset_key=spec.asset_key,
        layer=spec.layer,
        batch_date=spec.batch_date,
        blocking=any(sev == "blocking" for _, sev in _severities(spec, config)),
        success=all(e.success for e in outcome),
        expectations=tuple(outcome),
        seconds=seconds,
    )


def _expectation_results(
    spec: SuiteSpec, config: DataQualityConfig, validation: Any
) -> list[ExpectationResult]:
    by_name = {ch.name: ch for ch in spec.checks}
    found: dict[str, ExpectationResult] = {}
    for item in validation.results:
        name = (item.expectation_config.meta or {}).get("dq_name")
        check = by_name.get(name)
        if check is None:
            continue
        result = item.result or {}
        found[name] = ExpectationResult(
            expectation=check.name,
            expectation_type=item.expectation_config.type,
            kind=check.kind,
            column=check.column,
            severity=config.severity(spec.name, check.name, check.kind),
            success=bool(item.success),
            observed_value=(_observed(result, item.exception_info) or "")[:MAX_OBSERVED_CHARS]
            or None,
            element_count=_int(result.get("element_count")),
            unexpected_count=_int(result.get("unexpected_count")),
            description=check.why,
        )
    # keep the suite's order; an expectation GX did not report is a failure, not a pass
    return [
        found.get(ch.name)
        or ExpectationResult(
            ch.name,
            "",
            ch.kind,
            ch.column,
            config.severity(spec.name, ch.name, ch.kind),
            False,
            "error: no result from Great Expectations",
            None,
            None,
            ch.why,
        )
        for ch in spec.checks
    ]


def _errored(spec: SuiteSpec, config: DataQualityConfig, exc: Exception) -> list[ExpectationResult]:
    message = f"error: {_first_line(str(exc)) or type(exc).__name__}"
    return [
        ExpectationResult(
            ch.name,
            "",
            ch.kind,
            ch.column,
            config.severity(spec.name, ch.name, ch.kind),
            False,
            message,
            None,
            None,
            ch.why,
        )
        for ch in spec.checks
    ]


def _observed(result: dict[str, Any], exception_info: Any) -> str | None:
    """The observed value as text: the measured value where GX gives one, else how many rows
    broke the expectation with a few of them identified; the error where the query failed."""
    error = _exception_message(exception_info)
    if error:
        return mask_identity_numbers(f"error: {error}")
    if result.get("observed_value") is not None:
        return _text(result["observed_value"])
    if "partial_missing_list" in result:  # a set expectation on distinct values
        text = f"missing {_text(result['partial_missing_list'])}"
        if result.get("partial_unexpected_list"):
            text += f", unexpected {_text(result['partial_unexpected_list'])}"
        return text
    if result.get("element_count") is None:
        return None
    checked = result["element_count"] - (result.get("missing_count") or 0)
    bad = result.get("unexpected_count") or 0
    text = f"{bad} of {checked} rows unexpected"
    if bad and checked:
        text += f" ({100 * bad / checked:.2f} %)"
    examples = result.get("partial_unexpected_index_list") or []
    return _with_examples(text, result, examples)


def _with_examples(text: str, result: dict[str, Any], examples: list[dict[str, Any]]) -> str:
    if examples:
        text += ": " + "; ".join(
            " ".join(f"{k}={_text(v)}" for k, v in row.items()) for row in examples
        )
    elif result.get("partial_unexpected_list"):
        text += ": " + ", ".join(_text(v) for v in result["partial_unexpected_list"])
    return text


def _exception_message(exception_info: Any) -> str | None:
    if not exception_info:
        return None
    if isinstance(exception_info, dict) and "raised_exception" in exception_info:
        infos = [exception_info]
    elif isinstance(exception_info, dict):
        infos = [v for v in exception_info.values() if isinstance(v, dict)]
    else:
        return None
    for info in infos:
        if info.get("raised_exception"):
            return _first_line(str(info.get("exception_message") or "")) or "failed"
    return None


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0][:500] if text.strip() else ""


#: An 18-character identity number standing alone in a text (not part of a longer digit run).
_ID_NUMBER = re.compile(r"(?<![0-9])([0-9]{6})[0-9]{8}([0-9]{3}[0-9Xx])(?![0-9])")


def mask_identity_numbers(text: str) -> str:
    """Mask identity numbers (keep region and the last four): results are read by analysts and
    dashboards, and marts must never carry an identity number — not even in a failed check."""
    return _ID_NUMBER.sub(lambda m: m.group(1) + "********" + m.group(2), text)


def _text(value: Any) -> str:
    return mask_identity_numbers(_plain(value))


def _plain(value: Any) -> str:
    if isinstance(value, Decimal):
        return format(float(value), "g")
    if isinstance(value, float):
        return format(value, "g")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | tuple | set | dict):
        return json.dumps(value, ensure_ascii=False, default=str, sort_keys=isinstance(value, dict))
    return str(value)


def _int(value: Any) -> int | None:
    return None if value is None else int(value)


def store_results(
    db_path: Path, run_id: str, run_time: datetime, results: Sequence[SuiteResult]
) -> None:
    """Append one row per expectation of `results` to `audit.dq_results` in `db_path`."""
    checked_at = run_time.replace(tzinfo=None)
    rows = [
        (
            run_id,
            r.batch_date,
            r.suite,
            e.expectation,
            e.column,
            e.severity,
            e.success,
            e.observed_value,
            e.element_count,
            e.unexpected_count,
            checked_at,
            r.target,
            e.expectation_type,
            e.kind,
        )
        for r in results
        for e in r.expectations
    ]
    con = duckdb.connect(str(db_path))
    try:
        con.execute(DQ_RESULTS_DDL)
        if rows:  # one statement: DuckDB's executemany costs a round trip per row
            one = "(" + ", ".join("?" for _ in DQ_COLUMNS) + ")"
            con.execute(
                f"insert into audit.dq_results ({', '.join(DQ_COLUMNS)}) values "
                + ", ".join(one for _ in rows),
                [value for row in rows for value in row],
            )
    finally:
        con.close()
