"""The evidence part of audit/schema/result.schema.json, generated from the TypedDicts
of `checks/<id>/evidence.py`.

Each TypedDict becomes a `$defs` entry named after it (keys, required-ness and value
types); `$defs/check_evidence` and `$defs/finding_evidence` hold one if/then rule per
check id and per finding code pointing at them. tests/checks/test_evidence_schema.py
asserts the shipped schema holds exactly this; after changing an evidence type,
regenerate both copies (audit/schema/ and samples/) with:

    .venv/bin/python tests/support/evidence_schema.py
"""

from __future__ import annotations

import json
import sys
import types
import typing
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal, NotRequired, Union, get_args, get_origin, is_typeddict

__all__ = ["CHECK_EVIDENCE", "EVIDENCE", "FINDING_EVIDENCE", "SCHEMAS", "generated", "is_typeddict"]

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:  # run as a script
    sys.path.insert(0, str(REPO))

from audit.model import CheckId  # noqa: E402
from checks.blacklist import evidence as blacklist  # noqa: E402
from checks.dkim import evidence as dkim  # noqa: E402
from checks.dmarc import evidence as dmarc  # noqa: E402
from checks.message import evidence as message  # noqa: E402
from checks.mx import evidence as mx  # noqa: E402
from checks.ptr import evidence as ptr  # noqa: E402
from checks.relay import evidence as relay  # noqa: E402
from checks.spf import evidence as spf  # noqa: E402
from checks.volume import evidence as volume  # noqa: E402

SCHEMAS = (
    REPO / "audit" / "schema" / "result.schema.json",
    REPO / "samples" / "result.schema.json",
)

# CheckId -> (the check's evidence TypedDict, finding code -> that finding's TypedDict)
EVIDENCE: Mapping[CheckId, tuple[type, Mapping[str, type]]] = {
    CheckId.BLACKLIST: (blacklist.BlacklistEvidenceDocument, blacklist.FINDING_EVIDENCE),
    CheckId.PTR: (ptr.PtrEvidenceDocument, ptr.FINDING_EVIDENCE),
    CheckId.SPF: (spf.SpfEvidenceDocument, spf.FINDING_EVIDENCE),
    CheckId.DKIM: (dkim.DkimEvidenceDocument, dkim.FINDING_EVIDENCE),
    CheckId.DMARC: (dmarc.DmarcEvidenceDocument, dmarc.FINDING_EVIDENCE),
    CheckId.RELAY: (relay.RelayEvidenceDocument, relay.FINDING_EVIDENCE),
    CheckId.VOLUME: (volume.VolumeEvidenceDocument, volume.FINDING_EVIDENCE),
    CheckId.MX: (mx.MxEvidenceDocument, mx.FINDING_EVIDENCE),
    CheckId.MESSAGE: (message.MessageEvidenceDocument, message.FINDING_EVIDENCE),
}
NOTHING_RECORDED = "nothing_recorded"
CHECK_EVIDENCE, FINDING_EVIDENCE = "check_evidence", "finding_evidence"
SCALARS = {str: "string", int: "integer", float: "number", bool: "boolean", type(None): "null"}
JSON_SCALARS = {str, int, float, bool, type(None)}


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/$defs/{name}"}


def _is_json_value(members: tuple[Any, ...]) -> bool:
    """audit.model.document.JsonValue, as typing evaluates it (any JSON value)."""
    origins = {get_origin(m) for m in members}
    return set(members) >= JSON_SCALARS and {list, dict} <= origins


def _union(members: tuple[Any, ...], defs: dict[str, Any]) -> dict[str, Any]:
    if _is_json_value(members):
        return {}
    parts = [schema_of(m, defs) for m in members]
    if all(set(p) == {"type"} for p in parts):
        return {"type": [p["type"] for p in parts]}
    if all(set(p) == {"enum"} or p == {"type": "null"} for p in parts):
        return {"enum": [v for p in parts for v in p.get("enum", [None])]}
    return {"anyOf": parts}


def typed_dict(tp: Any, defs: dict[str, Any]) -> dict[str, str]:
    name = tp.__name__
    if name not in defs:
        defs[name] = {}  # placeholder: recursive types (an SPF term holds a record)
        hints = typing.get_type_hints(tp)
        node: dict[str, Any] = {"type": "object"}
        if tp.__required_keys__:
            node["required"] = sorted(tp.__required_keys__)
        node["properties"] = {key: schema_of(hints[key], defs) for key in sorted(hints)}
        defs[name] = node
    return ref(name)


def schema_of(tp: Any, defs: dict[str, Any]) -> dict[str, Any]:
    """The JSON Schema of one annotation; TypedDicts go to `defs` and are referenced."""
    if is_typeddict(tp):
        return typed_dict(tp, defs)
    if tp in SCALARS:
        return {"type": SCALARS[tp]}
    origin, args = get_origin(tp), get_args(tp)
    if origin is Literal:
        return {"enum": list(args)}
    if origin is NotRequired:
        return schema_of(args[0], defs)
    if origin in (Union, types.UnionType):
        return _union(args, defs)
    if origin is list:
        return {"type": "array", "items": schema_of(args[0], defs)}
    if origin is dict and args[0] is str:
        return {"type": "object", "additionalProperties": schema_of(args[1], defs)}
    raise TypeError(f"no JSON Schema for {tp!r}")


def _when(key: str, value: str, evidence: dict[str, Any]) -> dict[str, Any]:
    return {
        "if": {"required": [key], "properties": {key: {"const": value}}},
        "then": {"properties": {"evidence": evidence}},
    }


def generated() -> dict[str, Any]:
    """The evidence definitions for the schema's `$defs`: one per TypedDict, and
    `check_evidence` / `finding_evidence`, the rules for a `checks` item (per id) and a
    `findings` item (per code). The document's own nodes do not reference them: a saved
    document valid before stays valid (schema_version "1", additive only); a consumer
    that wants the shapes checked applies them to the items."""
    defs: dict[str, Any] = {}
    checks, findings = [], []
    for check_id, (evidence, by_code) in EVIDENCE.items():
        shape = {"anyOf": [ref(NOTHING_RECORDED), typed_dict(evidence, defs)]}
        checks.append(_when("id", check_id.value, shape))
        for code, finding_evidence in sorted(by_code.items()):
            findings.append(_when("code", code, typed_dict(finding_evidence, defs)))
    defs[NOTHING_RECORDED] = {
        "description": "What a check records when it crashed or had nothing to look at.",
        "type": "object",
        "maxProperties": 0,
    }
    defs[CHECK_EVIDENCE] = {
        "description": "Apply to a `checks` item: its evidence has its check's shape.",
        "allOf": checks,
    }
    defs[FINDING_EVIDENCE] = {
        "description": "Apply to a `findings` item: its evidence has its code's shape.",
        "allOf": findings,
    }
    return defs


HAND_WRITTEN_DEFS = ("classification", "unknown")  # not evidence


def apply(schema: dict[str, Any]) -> dict[str, Any]:
    """`schema` with its evidence definitions replaced by the generated ones."""
    kept = {name: schema["$defs"][name] for name in HAND_WRITTEN_DEFS}
    schema["$defs"] = kept | generated()
    return schema


def dump(node: Any, indent: int = 0, lead: int = 0) -> str:
    """JSON with a node on one line when it fits in 100 columns with its comma;
    `lead` is what precedes it on its line (its key)."""
    flat = json.dumps(node, ensure_ascii=False)
    if indent + lead + len(flat) < 100 or not isinstance(node, dict | list) or not node:
        return flat
    pad, inner = " " * indent, " " * (indent + 2)
    if isinstance(node, list):
        items = [inner + dump(item, indent + 2) for item in node]
        return "[\n" + ",\n".join(items) + "\n" + pad + "]"
    entries = [
        f"{inner}{json.dumps(k)}: {dump(v, indent + 2, len(json.dumps(k)) + 2)}"
        for k, v in node.items()
    ]
    return "{\n" + ",\n".join(entries) + "\n" + pad + "}"


def main() -> None:
    schema = apply(json.loads(SCHEMAS[0].read_text(encoding="utf-8")))
    text = dump(schema) + "\n"
    for path in SCHEMAS:
        path.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
