"""The result document: its TypedDicts (audit/model/document.py) against the shipped
schema, the builder's output against both, and reading a saved document back."""

from __future__ import annotations

import json
import typing
from pathlib import Path
from typing import Any, get_args

import pytest
from support.report_fixtures import DEMO_RESULT, demo_document

import audit
from audit.model import document as types
from audit.model.errors import InputError
from audit.render.document.load import load_document

SCHEMA = json.loads(
    (Path(audit.__file__).parent / "schema" / "result.schema.json").read_text(encoding="utf-8")
)
# The schema leaves `target` open: `blacklist` with several domains adds `domains`.
KEYS_THE_SCHEMA_LEAVES_OPEN = {"TargetDocument": {"domains"}}


def at(path: str) -> dict[str, Any]:
    """The schema node at a slash path ('properties/checks/items')."""
    node: dict[str, Any] = SCHEMA
    for part in filter(None, path.split("/")):
        node = node[part]
    return node


TYPED_NODES = [
    (types.ResultDocument, ""),
    (types.ToolDocument, "properties/tool"),
    (types.TargetDocument, "properties/target"),
    (types.SendingIpDocument, "properties/target/properties/ips/items"),
    (types.ResolverDocument, "properties/resolver"),
    (types.SummaryDocument, "properties/summary"),
    (types.DelistingDocument, "properties/summary/properties/delisting"),
    (types.CheckDocument, "properties/checks/items"),
    (types.FindingDocument, "properties/findings/items"),
    (types.RemediationDocument, "properties/findings/items/properties/remediation"),
    (types.UnknownDocument, "$defs/unknown"),
    (types.ClassificationDocument, "$defs/classification"),
    (types.LookupDocument, "$defs/LookupDocument"),
]


@pytest.mark.parametrize(("typed", "path"), TYPED_NODES, ids=[t.__name__ for t, _ in TYPED_NODES])
def test_typed_dict_required_keys_are_the_schema_required_keys(typed, path):
    assert set(typed.__required_keys__) == set(at(path).get("required", []))


@pytest.mark.parametrize(("typed", "path"), TYPED_NODES, ids=[t.__name__ for t, _ in TYPED_NODES])
def test_typed_dict_keys_are_the_schema_properties(typed, path):
    declared = set(typed.__required_keys__) | set(typed.__optional_keys__)
    extra = KEYS_THE_SCHEMA_LEAVES_OPEN.get(typed.__name__, set())
    assert declared - extra == set(at(path)["properties"])


@pytest.mark.parametrize(
    ("literal", "path"),
    [
        (types.SeverityLabel, "properties/findings/items/properties/severity"),
        (types.CheckStatusLabel, "properties/checks/items/properties/status"),
        (types.SummaryStatusLabel, "properties/summary/properties/status"),
    ],
)
def test_literal_labels_are_the_schema_enums(literal, path):
    assert set(get_args(literal)) == set(at(path)["enum"]) - {None}


def test_the_demo_document_has_every_declared_key():
    """Given the demo's saved result (written by the builder), then every key the types
    declare is present, optional ones included: the builder always writes them."""
    document = demo_document()
    hints = typing.get_type_hints(types.ResultDocument)
    assert set(document) - {"rejections"} == set(hints) - {"rejections"}
    check = document["checks"][0]
    assert set(check) == set(typing.get_type_hints(types.CheckDocument))


# -- loading a saved document ------------------------------------------------------------------


def saved(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "saved.json"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_saved_document_loads_as_written():
    assert load_document(DEMO_RESULT) == demo_document()


@pytest.mark.parametrize("number", ["NaN", "Infinity", "-Infinity", "1e999"])
def test_a_non_finite_number_is_refused(tmp_path, number):
    """Given a saved result whose duration is NaN or infinite (Python's JSON parser reads
    them), when loaded, then it is one InputError naming the value."""
    text = DEMO_RESULT.read_text(encoding="utf-8")
    text = text.replace('"duration_s": ', f'"duration_s": {number}, "was": ', 1)
    with pytest.raises(InputError, match="not a finite number") as raised:
        load_document(saved(tmp_path, text))
    assert "\n" not in str(raised.value)


def test_a_started_at_that_is_not_iso_8601_is_refused(tmp_path):
    document = demo_document()
    document["started_at"] = "yesterday"
    with pytest.raises(InputError, match="started_at"):
        load_document(saved(tmp_path, json.dumps(document)))
