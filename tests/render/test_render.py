"""Renderers (audit/render/*): JSON per the schema, JUnit XML, text; hostile DNS data."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from pathlib import Path

import jsonschema
import pytest

import audit
from audit.engine.verdict import summarize
from audit.knowledge.remediation import attach
from audit.model import (
    AuditResult,
    CheckId,
    CheckResult,
    Finding,
    IpSource,
    ResolverInfo,
    SendingIp,
    Severity,
    Target,
    Unknown,
    UnknownReason,
)
from audit.render.document.build import build_document
from audit.render.json_report import render_json as render_json_document
from audit.render.junit import render_junit as render_junit_document
from audit.render.text import render_text_string as render_text_document

SCHEMA = json.loads(
    (Path(audit.__file__).parent / "schema" / "result.schema.json").read_text(encoding="utf-8")
)


def to_document(result: AuditResult):
    return build_document(result)


def render_json(result: AuditResult) -> str:
    return render_json_document(build_document(result))


def render_junit(result: AuditResult, fail_on: Severity | None) -> str:
    return render_junit_document(build_document(result), fail_on)


def render_text_string(result: AuditResult, width: int = 100) -> str:
    return render_text_document(build_document(result), width)


HOSTILE = ["[bold]x[/bold]", "<script>alert(1)</script>", "a&b\"c'd", "[link=https://evil.test]y"]


def result_with(*checks: CheckResult, run_unknowns=(), fail_on=Severity.HIGH) -> AuditResult:
    return AuditResult(
        tool_version="0.0.0-test",
        target=Target("example.test", (SendingIp("192.0.2.1", IpSource.GIVEN),)),
        started_at=datetime(2026, 1, 1, tzinfo=UTC),
        duration_s=0.5,
        resolver=ResolverInfo(("127.0.0.1:5353",), False),
        checks=checks,
        summary=summarize(list(checks), list(run_unknowns), fail_on, False),
        unknowns=tuple(run_unknowns),
    )


def ptr_result(title: str = "no PTR", severity=Severity.HIGH, code="PTR_MISSING", **kw):
    finding = attach(
        Finding(CheckId.PTR, code, severity, "192.0.2.1", title, detail=kw.pop("detail", ""), **kw)
    )
    return CheckResult(check=CheckId.PTR, findings=(finding,), detail="1 IP checked")


def hostile_result(text: str) -> AuditResult:
    finding = attach(
        Finding(
            CheckId.PTR,
            "PTR_GENERIC",
            Severity.MEDIUM,
            "192.0.2.1",
            f"PTR looks generic ({text})",
            detail=text,
            evidence={"ptr": [text]},
        )
    )
    check = CheckResult(
        check=CheckId.PTR,
        findings=(finding,),
        unknowns=(Unknown(text, UnknownReason.TIMEOUT, text),),
        detail=text,
    )
    return result_with(check, fail_on=Severity.MEDIUM)


# -- JSON --------------------------------------------------------------------------------------


def test_json_document_validates_against_the_schema():
    document = json.loads(render_json(result_with(ptr_result())))
    jsonschema.validate(document, SCHEMA)


def test_json_document_with_unknowns_validates():
    unknown = Unknown("sending IPs", UnknownReason.DEADLINE, "too slow")
    check = CheckResult(check=CheckId.PTR, unknowns=(unknown,))
    document = to_document(result_with(check, run_unknowns=[unknown]))
    jsonschema.validate(document, SCHEMA)
    assert document["summary"]["status"] == "incomplete"


def test_json_finding_carries_code_severity_and_remediation():
    finding = to_document(result_with(ptr_result()))["findings"][0]
    assert (finding["code"], finding["severity"], finding["check"]) == (
        "PTR_MISSING",
        "high",
        "ptr",
    )
    assert finding["remediation"]["steps"]


def test_json_summary_names_the_delisting_blockers():
    summary = to_document(result_with(ptr_result()))["summary"]
    assert summary["delisting"]["ready"] is False
    assert summary["delisting"]["blockers"] == ["PTR_MISSING"]
    assert summary["worst_severity"] == "high"


def test_json_worst_severity_info_is_not_null():
    # Severity.INFO is 0: a truthiness test would render it as null
    document = to_document(result_with(ptr_result(severity=Severity.INFO)))
    assert document["summary"]["worst_severity"] == "info"


def test_json_worst_severity_is_null_without_findings():
    document = to_document(result_with(CheckResult(check=CheckId.PTR)))
    assert document["summary"]["worst_severity"] is None


def test_json_evidence_keys_are_sorted():
    check = CheckResult(check=CheckId.PTR, evidence={"b": 1, "a": {"z": 1, "y": 2}})
    evidence = to_document(result_with(check))["checks"][0]["evidence"]
    assert list(evidence) == ["a", "b"]
    assert list(evidence["a"]) == ["y", "z"]


@pytest.mark.parametrize("text", HOSTILE)
def test_json_keeps_hostile_strings_verbatim(text):
    document = json.loads(render_json(hostile_result(text)))
    assert document["findings"][0]["detail"] == text
    assert document["findings"][0]["evidence"] == {"ptr": [text]}


# -- JUnit -------------------------------------------------------------------------------------


def test_junit_failing_finding_is_a_failure():
    root = ET.fromstring(render_junit(result_with(ptr_result()), Severity.HIGH))
    assert [f.get("type") for f in root.iter("failure")] == ["PTR_MISSING"]


def test_junit_finding_below_fail_on_is_not_a_failure():
    root = ET.fromstring(render_junit(result_with(ptr_result()), Severity.CRITICAL))
    assert list(root.iter("failure")) == []


def test_junit_unknown_is_an_error():
    check = CheckResult(
        check=CheckId.PTR, unknowns=(Unknown("192.0.2.1", UnknownReason.TIMEOUT, ""),)
    )
    root = ET.fromstring(render_junit(result_with(check), Severity.HIGH))
    assert [e.get("type") for e in root.iter("error")] == ["timeout"]


@pytest.mark.parametrize("text", HOSTILE)
def test_junit_escapes_hostile_strings(text):
    xml = render_junit(hostile_result(text), Severity.MEDIUM)
    root = ET.fromstring(xml)  # well-formed despite the input
    assert "<script>" not in xml
    failure = next(root.iter("failure"))
    assert failure.text.startswith(text)
    assert text in failure.get("message")


# -- text --------------------------------------------------------------------------------------


def test_text_names_the_finding_code_and_status():
    text = render_text_string(result_with(ptr_result()))
    assert "PTR_MISSING" in text
    assert "exit 1" in text


@pytest.mark.parametrize("text", HOSTILE)
def test_text_shows_hostile_strings_literally(text):
    rendered = render_text_string(hostile_result(text), width=200)
    assert text in rendered


def test_text_report_shows_terminal_escapes_instead_of_interpreting_them():
    """Given a finding whose title carries ANSI escapes and a bidi override (hostile TXT
    or PTR data), when rendered as text, then no raw control character reaches the
    terminal: each is shown as a visible escape."""
    hostile = "evil \x1b[2J\x1b]0;owned\x07 \u202etxt"
    result = result_with(
        CheckResult(
            check=CheckId.PTR,
            findings=(Finding(CheckId.PTR, "PTR_GENERIC", Severity.MEDIUM, "192.0.2.1", hostile),),
        )
    )
    text = render_text_string(result)
    assert "\x1b" not in text and "\u202e" not in text and "\x07" not in text
    assert "\\x1b[2J" in text and "\\u202e" in text


# -- one renderer input ------------------------------------------------------------------------


def test_text_and_junit_of_a_saved_document_equal_the_live_outputs():
    """Given a result and its document saved as JSON and read back, when rendered as text
    and JUnit, then the outputs are identical: every renderer takes the document."""
    result = result_with(ptr_result(), CheckResult(check=CheckId.SPF, skipped=True))
    saved = json.loads(render_json(result))
    assert render_text_document(saved) == render_text_string(result)
    assert render_junit_document(saved, Severity.HIGH) == render_junit(result, Severity.HIGH)
