"""The JSON output (SPEC.md "JSON result"): the result document, serialised.

The document is built by audit/render/document/build.py; this only writes it, so a
saved result re-rendered as JSON (`report saved.json -o x.json`) is byte-identical.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from audit.model.document import ResultDocument


def render_json(document: ResultDocument) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
