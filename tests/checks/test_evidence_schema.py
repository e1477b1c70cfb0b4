"""Each check's evidence: its TypedDicts (checks/<id>/evidence.py) against the shipped
schema's `$defs`, real evidence from a run of every check against them, and every key
a report section reads against the types."""

from __future__ import annotations

import ast
import asyncio
import copy
import json
import typing
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from support.evidence_schema import (
    CHECK_EVIDENCE,
    EVIDENCE,
    FINDING_EVIDENCE,
    SCHEMAS,
    generated,
    is_typeddict,
)
from support.paths import FIXTURES

import audit
from audit.engine.runner import run_audit
from audit.lab.demo import demo_lab
from audit.model import CheckId
from audit.render.document.build import build_document
from checks.registry import CHECKS

SCHEMA = json.loads(SCHEMAS[0].read_text(encoding="utf-8"))
SAMPLES = Path(audit.__file__).parents[1] / "samples"


def strict(node: Any) -> Any:
    """The schema with every described object closed: a key the types do not declare
    fails validation (the shipped schema leaves them open for newer versions)."""
    if isinstance(node, dict):
        closed = {key: strict(value) for key, value in node.items()}
        if "properties" in closed and "additionalProperties" not in closed:
            closed["additionalProperties"] = False
        return closed
    if isinstance(node, list):
        return [strict(item) for item in node]
    return node


HAND_WRITTEN = {"classification", "unknown"}
# Closing the rules themselves would close their `if` and make them never apply.
OPEN = HAND_WRITTEN | {CHECK_EVIDENCE, FINDING_EVIDENCE}


def with_evidence_rules(schema: dict[str, Any], closed: bool) -> dict[str, Any]:
    """The shipped schema with `check_evidence` / `finding_evidence` applied to every
    `checks` / `findings` item (as a consumer that wants the shapes checked does);
    `closed`: the evidence definitions refuse undeclared keys too."""
    applied = copy.deepcopy(schema)
    items = applied["properties"]
    items["checks"]["items"]["allOf"] = [{"$ref": f"#/$defs/{CHECK_EVIDENCE}"}]
    items["findings"]["items"]["allOf"] = [{"$ref": f"#/$defs/{FINDING_EVIDENCE}"}]
    if closed:
        applied["$defs"] = {
            name: node if name in OPEN else strict(node) for name, node in schema["$defs"].items()
        }
    return applied


def validator(closed: bool = True) -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(with_evidence_rules(SCHEMA, closed))


def errors_of(document: dict[str, Any]) -> list[str]:
    """Where and why `document` fails the closed definitions, briefly."""
    return [f"{e.json_path}: {e.message[:200]}" for e in validator().iter_errors(document)]


@pytest.fixture(scope="module")
def lab_document() -> dict[str, Any]:
    """Every check against the offline lab (what `mailhygiene demo` runs)."""
    with demo_lab() as lab:  # the MX answers STARTTLS: the TLS evidence is filled
        result = asyncio.run(run_audit(lab.plan()))
    return json.loads(json.dumps(build_document(result)))


# -- the types and the schema ------------------------------------------------------------


def test_the_schema_holds_the_definitions_generated_from_the_types():
    """Given the TypedDicts, when their schema is generated, then the shipped schema's
    `$defs` are exactly those (plus its hand-written ones): regenerate with
    `.venv/bin/python tests/support/evidence_schema.py` after changing a type."""
    defs = {k: v for k, v in SCHEMA["$defs"].items() if k not in HAND_WRITTEN}
    assert defs == generated()


@pytest.mark.parametrize(("rules", "key"), [(CHECK_EVIDENCE, "id"), (FINDING_EVIDENCE, "code")])
def test_the_rules_name_every_check_id_and_finding_code(rules, key):
    named = {rule["if"]["properties"][key]["const"] for rule in SCHEMA["$defs"][rules]["allOf"]}
    every = (
        {c.value for c in CheckId}
        if key == "id"
        else set().union(*(by_code for _, by_code in EVIDENCE.values()))
    )
    assert named == every


def test_the_document_itself_does_not_apply_the_rules():
    """Additive only: a document valid under schema_version "1" before stays valid."""
    assert "allOf" not in SCHEMA["properties"]["checks"]["items"]
    assert "allOf" not in SCHEMA["properties"]["findings"]["items"]


def test_the_samples_schema_is_the_shipped_one():
    assert SCHEMAS[1].read_bytes() == SCHEMAS[0].read_bytes()


def test_every_check_declares_its_evidence():
    assert set(EVIDENCE) == set(CheckId) == set(CHECKS)


@pytest.mark.parametrize("check_id", list(CheckId), ids=str)
def test_every_finding_code_has_its_evidence_type(check_id):
    _, by_code = EVIDENCE[check_id]
    assert set(by_code) == set(CHECKS[check_id].finding_codes)
    assert all(is_typeddict(shape) for shape in by_code.values())


# -- real evidence against the schema ----------------------------------------------------


def test_the_lab_run_records_evidence_for_every_check(lab_document):
    recorded = {c["id"] for c in lab_document["checks"] if c["evidence"]}
    assert recorded == {c.value for c in CheckId}


def test_real_evidence_of_every_check_has_exactly_the_declared_keys(lab_document):
    """Given a run of every check, then its evidence and every finding's validate
    against the closed definitions: a key missing from the evidence, or present in
    it but not in the types, fails."""
    assert errors_of(lab_document) == []


@pytest.mark.parametrize(
    "path",
    [SAMPLES / "demo" / "report.json", FIXTURES / "report" / "northwind-result.json"],
    ids=["samples-demo", "northwind-fixture"],
)
def test_saved_documents_follow_the_closed_definitions(path):
    document = json.loads(path.read_text(encoding="utf-8"))
    assert errors_of(document) == []


def test_evidence_that_lost_a_declared_key_is_refused_by_the_shipped_rules(lab_document):
    """Given ptr evidence without a required key, then the shipped (open) definitions
    refuse it; the document itself stays valid under the shipped schema."""
    document = copy.deepcopy(lab_document)
    ptr = next(c for c in document["checks"] if c["id"] == "ptr")
    del ptr["evidence"]["ips"][0]["fcrdns"]
    assert not validator(closed=False).is_valid(document)
    assert jsonschema.Draft202012Validator(SCHEMA).is_valid(document)


def test_a_key_the_types_do_not_declare_is_refused_by_the_closed_definitions(lab_document):
    document = copy.deepcopy(lab_document)
    document["findings"][0]["evidence"]["undeclared"] = 1
    assert validator(closed=False).is_valid(document)
    assert not validator().is_valid(document)


def test_a_check_that_recorded_nothing_is_valid(lab_document):
    document = copy.deepcopy(lab_document)
    for check in document["checks"]:
        check["evidence"] = {}
    assert validator().is_valid(document)


# -- what the report sections read -------------------------------------------------------


def declared_keys(tp: Any, seen: set[str] | None = None) -> set[str]:
    """Every key of a TypedDict and of the TypedDicts it holds."""
    seen = set() if seen is None else seen
    if tp.__name__ in seen:
        return set()
    seen.add(tp.__name__)
    keys = set(tp.__required_keys__ | tp.__optional_keys__)
    for hint in typing.get_type_hints(tp).values():
        for inner in _typeddicts_in(hint):
            keys |= declared_keys(inner, seen)
    return keys


def _typeddicts_in(hint: Any) -> list[Any]:
    if is_typeddict(hint):
        return [hint]
    return [t for arg in typing.get_args(hint) for t in _typeddicts_in(arg)]


def read_keys(source: str) -> set[str]:
    """String keys read with `x["key"]` or `x.get("key")` in a module."""
    keys = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant):
            keys.add(node.slice.value)
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "get"
            and node.args
            and isinstance(node.args[0], ast.Constant)
        ):
            keys.add(node.args[0].value)
    return {k for k in keys if isinstance(k, str)}


# Keys of the document itself, not of the evidence.
DOCUMENT_KEYS = {"evidence"}


@pytest.mark.parametrize("check_id", list(CheckId), ids=str)
def test_every_key_a_report_section_reads_is_declared(check_id):
    """mypy checks `x["key"]` on a TypedDict but not `x.get("key")`: this checks both."""
    source = (Path(audit.__file__).parents[1] / "checks" / check_id.value / "report.py").read_text()
    evidence, _ = EVIDENCE[check_id]
    assert read_keys(source) - DOCUMENT_KEYS <= declared_keys(evidence)
