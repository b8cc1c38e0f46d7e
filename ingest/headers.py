"""Header-row detection and header → contract-column mapping.

Why this way: real exports put up to five title rows (`XX县机构编制实名制人员花名册`,
`填报单位：…  截至2026年11月20日`) above the header, mark required columns with `*`, type
headers with full-width characters or stray spaces, and use synonyms. So a header cell is
normalised (NFKC folds full-width to half-width; every whitespace character is removed, which
covers surrounding, full-width and inner spaces such as `姓　名` or a line break in a wrapped
cell; leading/trailing `*` are stripped), and the header row is the first non-blank row among
the first six (five title rows + the header) that holds every required header.

Where two columns map to one contract column (e.g. both `编制所在单位` and its synonym
`所在单位`), the canonical header wins, else the leftmost; the other is ignored like any
unknown column and named in the load report message.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from ingest.errors import UnreadableSourceError
from ingest.spec import SourceSpec

MAX_TITLE_ROWS = 5
_SPACES = re.compile(r"\s+")


def normalise_header(text: str | None) -> str:
    """Fold a header cell for matching: NFKC, no whitespace, no surrounding `*`."""
    if text is None:
        return ""
    folded = unicodedata.normalize("NFKC", str(text))
    return _SPACES.sub("", folded).strip("*")


@dataclass(frozen=True)
class HeaderMap:
    """Where the header is and which file column feeds which contract column.

    row_number: 1-based row of the header (title rows counted). columns: contract column →
    0-based file column index. labels: original header text per file column (as it arrived).
    ignored: original header texts of file columns not used.
    """

    row_number: int
    columns: dict[str, int]
    labels: tuple[str, ...]
    ignored: tuple[str, ...]


def _lookup(spec: SourceSpec) -> dict[str, tuple[str, int]]:
    """normalised header → (contract column, rank) where rank 0 is the canonical header."""
    table: dict[str, tuple[str, int]] = {}
    for f in spec.fields:
        for rank, header in enumerate(f.headers):
            table.setdefault(normalise_header(header), (f.column, rank))
    return table


def map_row(spec: SourceSpec, cells: Sequence[str | None]) -> dict[str, int]:
    """Contract column → file column index for one candidate header row."""
    lookup = _lookup(spec)
    best: dict[str, tuple[int, int]] = {}  # column -> (rank, index)
    for index, cell in enumerate(cells):
        hit = lookup.get(normalise_header(cell))
        if hit is None:
            continue
        column, rank = hit
        if column not in best or rank < best[column][0]:
            best[column] = (rank, index)
    return {column: index for column, (_, index) in best.items()}


def missing_headers(spec: SourceSpec, mapped: dict[str, int]) -> list[str]:
    """Required headers (canonical names) not present in a mapping."""
    missing = [spec.field(c).label for c in spec.required_headers if c not in mapped]
    for group in spec.any_of:
        if not any(c in mapped for c in group):
            missing.append(" / ".join(spec.field(c).label for c in group))
    return missing


def _is_blank(cells: Sequence[str | None]) -> bool:
    return all(normalise_header(c) == "" for c in cells)


def find_header(
    spec: SourceSpec, rows: Sequence[tuple[int, Sequence[str | None]]], file_label: str
) -> HeaderMap:
    """The header row among the first rows of a sheet / csv.

    rows: (1-based row number, cells) from the top of the file, blank rows included.
    Raises UnreadableSourceError naming the file: no header row found, or the best candidate
    lacks a required header.
    """
    candidates = [(n, cells) for n, cells in rows if not _is_blank(cells)]
    candidates = candidates[: MAX_TITLE_ROWS + 1]
    best: tuple[int, int, dict[str, int]] | None = None  # (matches, row, mapping)
    for number, cells in candidates:
        mapped = map_row(spec, cells)
        if not missing_headers(spec, mapped):
            labels = tuple("" if c is None else str(c) for c in cells)
            used = set(mapped.values())
            ignored = tuple(
                label.strip() for i, label in enumerate(labels) if i not in used and label.strip()
            )
            return HeaderMap(number, mapped, labels, ignored)
        if len(mapped) >= 2 and (best is None or len(mapped) > best[0]):
            best = (len(mapped), number, mapped)
    required = ", ".join(missing_headers(spec, {}))
    if best is None:
        raise UnreadableSourceError(
            f"{file_label}: no header row found in the first {MAX_TITLE_ROWS + 1} non-blank rows "
            f"(a {spec.name} header row must hold: {required})"
        )
    _, number, mapped = best
    missing = ", ".join(missing_headers(spec, mapped))
    raise UnreadableSourceError(
        f"{file_label}: required header missing: {missing} (header row {number})"
    )
