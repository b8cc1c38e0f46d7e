"""Errors that stop a batch.

Why a class of its own: the orchestration maps `UnreadableSourceError` (and its subclasses) to
exit code 2 — "unreadable input, nothing published" — while any other exception is a bug. Every
message names the file (or batch folder) and the problem, because an operator reads it at 02:00
with nothing else to go on.
"""

from __future__ import annotations


class UnreadableSourceError(Exception):
    """A landing file or batch cannot be loaded at all; the whole batch is rolled back."""


class BatchOrderError(UnreadableSourceError):
    """A batch folder is older than the newest batch already loaded.

    Loading it would rewrite history (carry-forward, first_seen of findings), so ingest refuses;
    it is an `UnreadableSourceError` so that upstream it is exit code 2 like any unusable input.
    """
