"""Errors every layer may raise for the CLI to report (one line, exit 2)."""

from __future__ import annotations


class InputError(ValueError):
    """Bad user input: the CLI prints it on one line and exits 2."""
