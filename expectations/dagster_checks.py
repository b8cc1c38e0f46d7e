"""Suites as Dagster asset checks: the specs to declare and the results to yield.

Why here and not in the orchestration: how a suite's outcome maps onto a check — which suites
can block, that only a failed *blocking* expectation is an ERROR (a failed warn-only expectation
is a WARN, which Dagster records but does not block on), how several batches of one suite fold
into one check result — is data-quality semantics. The orchestration only declares a
`@multi_asset_check` per layer with these specs and yields these results (see
expectations/README.md for the exact wiring).

Importing this module imports Dagster (not Great Expectations).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path

from dagster import AssetCheckResult, AssetCheckSeverity, AssetCheckSpec, AssetKey, MetadataValue

from expectations.checks import Layer
from expectations.runner import SuiteInfo, SuiteResult, suite_catalog

#: Maps a suite's target table ("marts.findings") to the Dagster asset key that holds it.
AssetKeyFor = Callable[[str], AssetKey]


def default_asset_key(target: str) -> AssetKey:
    """["raw", source] / ["audit", table] for ingest assets, ["marts", model] for dbt marts."""
    schema, table = target.split(".", 1)
    return AssetKey([schema, table])


def check_specs(
    layer: Layer,
    config_path: Path | None = None,
    asset_key_for: AssetKeyFor = default_asset_key,
) -> list[AssetCheckSpec]:
    """One AssetCheckSpec per suite of the layer; blocking where the config can block."""
    return [_spec(info, asset_key_for) for info in suite_catalog(config_path, layer)]


def _spec(info: SuiteInfo, asset_key_for: AssetKeyFor) -> AssetCheckSpec:
    return AssetCheckSpec(
        name=info.check_name,
        asset=asset_key_for(info.target),
        blocking=info.blocking,
        description=f"Great Expectations suite {info.name}: {info.description}"[:1000],
    )


def check_results(
    results: Iterable[SuiteResult],
    specs: Sequence[AssetCheckSpec],
    asset_key_for: AssetKeyFor = default_asset_key,
) -> Iterator[AssetCheckResult]:
    """One AssetCheckResult per spec: the suite's results over every evaluated batch.

    passed: every expectation passed. severity: ERROR when a blocking expectation failed (that
    stops what is downstream, publishing included), else WARN. A spec without results (no batch
    loaded, or the suite was not selected) passes with a description saying so, because a
    multi-asset check must answer for every spec it declares.
    """
    by_check: dict[str, list[SuiteResult]] = {}
    for result in results:
        by_check.setdefault(result.check_name, []).append(result)
    for spec in specs:
        found = sorted(by_check.get(spec.name, []), key=lambda r: r.batch_date)
        if not found:
            yield AssetCheckResult(
                asset_key=spec.asset_key,
                check_name=spec.name,
                passed=True,
                description="nothing to check (no batch loaded)",
            )
            continue
        blocking_failed = any(r.blocking_failed for r in found)
        yield AssetCheckResult(
            asset_key=asset_key_for(found[0].target),
            check_name=spec.name,
            passed=all(r.success for r in found),
            severity=AssetCheckSeverity.ERROR if blocking_failed else AssetCheckSeverity.WARN,
            description="; ".join(r.describe() for r in found)[:2000],
            metadata=_metadata(found),
        )


def _metadata(results: list[SuiteResult]) -> dict[str, object]:
    last = results[-1]
    return {
        "batches": [r.batch_date.isoformat() for r in results],
        "expectations": MetadataValue.int(sum(len(r.expectations) for r in results)),
        "failed_blocking": sorted({e.expectation for r in results for e in r.failed("blocking")}),
        "failed_warn": sorted({e.expectation for r in results for e in r.failed("warn")}),
        "seconds": MetadataValue.float(round(sum(r.seconds for r in results), 3)),
        "results": MetadataValue.md(
            "\n\n".join(f"**{r.batch_date}**\n\n{r.markdown()}" for r in results)
        ),
        "target": last.target,
    }
