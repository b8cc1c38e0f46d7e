"""Scope filters in SQL: which rows of a table belong to a county, township or institution."""

from __future__ import annotations

from typing import Any

from exports.warehouse import Scope

Params = list[Any]


def institution_filter(scope: Scope, column: str) -> tuple[str, Params]:
    if scope.institutions is None:
        return "true", []
    return f"{column} in (select unnest(?::varchar[]))", [list(scope.institutions)]


def finding_filter(scope: Scope) -> tuple[str, Params]:
    """Findings of the scope's institutions; a township scope also takes township-level ones."""
    sql, params = institution_filter(scope, "h.institution_code")
    if scope.kind == "township":
        return f"({sql} or h.township_code = ?)", [*params, scope.code]
    return sql, params
