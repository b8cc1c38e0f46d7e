"""The one error the commands turn into exit code 2 (bad usage, unknown scope or date)."""

from __future__ import annotations


class UsageError(Exception):
    """The request cannot be served as asked; the message says why, for the command line."""
