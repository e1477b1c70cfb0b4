"""`audit --bounce FILE`: the rejections in bounce files, classified by explain's classifier.

The files are validated before the run (readable, text, not empty: exit 2 otherwise, as for
`--log`) and read again, bounded as `explain` reads them (audit/bounce/input.py), when the
runner classifies them after the checks. Pure apart from reading the files; nothing in a
bounce is fetched.
"""

from __future__ import annotations

from collections.abc import Sequence

from audit.bounce.explain import explain_inputs
from audit.bounce.input import InputText, read_file
from audit.model.errors import InputError
from audit.model.rejection import Classification


def read_bounces(paths: Sequence[str]) -> list[InputText]:
    """Each file's bounded text; an unreadable, binary or empty file is an InputError."""
    if "-" in paths:
        raise InputError("--bounce -: standard input is not supported here; give a file")
    return [read_file(path) for path in paths]


def validate_bounce_files(paths: Sequence[str]) -> tuple[str, ...]:
    """--bounce files, each readable as text (exit 2 otherwise), without duplicates."""
    unique = tuple(dict.fromkeys(paths))
    read_bounces(unique)
    return unique


def classify_bounce_files(paths: Sequence[str]) -> tuple[tuple[Classification, ...], int]:
    """The rejections in the files, in file order, capped as explain caps them, and how
    many were found beyond the cap (not classified)."""
    explained = explain_inputs(read_bounces(paths))
    return tuple(explained.classifications), explained.truncated
