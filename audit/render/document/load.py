"""A saved result document (`mailhygiene report RESULT.json`): read, checked, validated.

The file must be UTF-8 JSON with finite numbers only (JSON has no NaN or Infinity;
Python's parser accepts them, and a NaN duration would render as "nan s"), and valid
against the shipped schema (audit/schema/result.schema.json). Every failure is one
`InputError` line (exit 2). The document is then rendered as it is: the summary is
taken as recorded, never recomputed, because the report describes that run.
"""

from __future__ import annotations

import json
import math
from datetime import datetime
from importlib import resources
from pathlib import Path
from typing import Any, cast

from audit.model.document import ResultDocument
from audit.model.errors import InputError
from audit.model.textfile import read_text_file

MAX_DOCUMENT_BYTES = 256 * 1024 * 1024  # a /20 blacklist run saves a few tens of MB
MAX_DEPTH = 100  # the demo nests 14 deep; an SPF include tree adds ~3 a level (10 at most)


class NonFiniteNumber(ValueError):
    """A NaN or infinite number in a saved document."""


def _schema() -> dict[str, Any]:
    text = (resources.files("audit") / "schema" / "result.schema.json").read_text("utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded


def validate_document(document: Any, where: str) -> ResultDocument:
    """`document` as a `ResultDocument`, or one InputError naming the first problem."""
    import jsonschema

    if not isinstance(document, dict) or document.get("schema_version") != "1":
        raise InputError(f'{where}: not a mailhygiene result (schema_version "1")')
    error = jsonschema.exceptions.best_match(
        jsonschema.Draft202012Validator(_schema()).iter_errors(document)
    )
    if error is not None:
        path = "/".join(str(p) for p in error.absolute_path) or "(top level)"
        message = " ".join(error.message.split())[:200]
        raise InputError(f"{where}: invalid result document at {path}: {message}")
    _check_started_at(document["started_at"], where)
    return cast(ResultDocument, document)


def _check_started_at(text: str, where: str) -> None:
    # The schema's "date-time" format is not asserted by jsonschema by default; the
    # report shows this date on its cover, so it must parse.
    try:
        datetime.fromisoformat(text)
    except ValueError:
        message = f"{where}: invalid started_at {text!r}: not an ISO-8601 timestamp"
        raise InputError(message) from None


def _refuse_constant(name: str) -> Any:
    raise NonFiniteNumber(name)


def _finite_float(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):  # e.g. 1e999 overflows to inf
        raise NonFiniteNumber(text)
    return number


def parse_document_text(text: str, where: str) -> Any:
    """The JSON value in `text`; NaN, Infinity and overflowing numbers are refused."""
    try:
        value = json.loads(text, parse_constant=_refuse_constant, parse_float=_finite_float)
    except NonFiniteNumber as exc:
        message = f"{where}: not a finite number: {exc} (JSON has no NaN or Infinity)"
        raise InputError(message) from None
    except json.JSONDecodeError as exc:
        raise InputError(f"{where}: not JSON ({exc.msg}, line {exc.lineno})") from None
    except RecursionError:  # the decoder recurses once per nesting level
        raise InputError(f"{where}: nested too deeply to be a result document") from None
    _check_depth(value, where)
    return value


def _check_depth(value: Any, where: str) -> None:
    """Refuse nesting deeper than any result document has: the renderers walk the evidence
    recursively, and a document just under the decoder's limit would exhaust the stack there."""
    pending = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        if depth > MAX_DEPTH:
            raise InputError(f"{where}: nested deeper than {MAX_DEPTH} levels")
        if isinstance(item, dict):
            pending.extend((child, depth + 1) for child in item.values())
        elif isinstance(item, list):
            pending.extend((child, depth + 1) for child in item)


def load_document(path: Path) -> ResultDocument:
    """Read and validate a saved result; every failure is one InputError line."""
    text = read_text_file(path, MAX_DOCUMENT_BYTES, "")
    return validate_document(parse_document_text(text, str(path)), str(path))
