"""`mailhygiene message FILE...` and `audit DOMAIN --message FILE` end to end (loopback DNS)."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import jsonschema
import pytest
from support import messages as m
from support.cli_run import cli

import audit

SCHEMA = json.loads((Path(audit.__file__).parent / "schema" / "result.schema.json").read_text())


@pytest.fixture
def shop(dns_server) -> str:
    return dns_server(zones=m.zones()).nameserver


@pytest.fixture
def good(tmp_path) -> Path:
    path = tmp_path / "good.eml"
    path.write_bytes(m.delivered(m.sign(m.message())))
    return path


@pytest.fixture
def unsigned(tmp_path) -> Path:
    path = tmp_path / "unsigned.eml"
    path.write_bytes(m.delivered(m.message(), ip=m.STRANGER_IP))
    return path


def test_a_compliant_message_exits_0_with_a_valid_document(capsys, shop, good):
    code, out, _ = cli(capsys, "message", str(good), "--nameserver", shop, "--format", "json")
    document = json.loads(out)
    jsonschema.validate(document, SCHEMA)
    assert code == 0
    assert [c["id"] for c in document["checks"]] == ["message"]
    rules = {r["rule"]: r["state"] for r in document["compliance"]}
    assert rules["gmail.one_click_unsubscribe"] == "met"


def test_an_unsigned_message_from_a_stranger_exits_1(capsys, shop, unsigned):
    code, out, _ = cli(capsys, "message", str(unsigned), "--nameserver", shop, "--format", "json")
    codes = {f["code"] for f in json.loads(out)["findings"]}
    assert code == 1
    assert {"MESSAGE_DKIM_MISSING", "MESSAGE_SPF_FAILED"} <= codes


def test_the_text_header_of_a_message_only_run_names_the_from_domains(capsys, shop, good):
    # given one message; when `message` prints its text report
    _, out, _ = cli(capsys, "message", str(good), "--nameserver", shop)
    header = out.splitlines()[0]
    # then the header names the messages and their From domain, not a bare "-"
    document = json.loads(
        cli(capsys, "message", str(good), "--nameserver", shop, "--format", "json")[1]
    )
    analysis = document["checks"][0]["evidence"]["messages"][0]["analysis"]
    assert analysis["from_domain"]
    assert header.endswith(f"— 1 message(s) from {analysis['from_domain']}")


def test_fail_on_never_turns_findings_into_exit_0(capsys, shop, unsigned):
    code, _, _ = cli(capsys, "message", str(unsigned), "--nameserver", shop, "--fail-on", "never")
    assert code == 0


def test_a_message_on_stdin_is_analysed(capsys, monkeypatch, shop):
    data = m.delivered(m.sign(m.message()))
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    code, out, _ = cli(capsys, "message", "-", "--nameserver", shop, "--format", "json")
    assert code == 0
    assert json.loads(out)["checks"][0]["evidence"]["messages"][0]["source"] == "stdin"


def test_a_missing_file_is_a_usage_error(capsys, shop, tmp_path):
    code, _, err = cli(capsys, "message", str(tmp_path / "nope.eml"), "--nameserver", shop)
    assert code == 2
    assert "nope.eml" in err


def test_a_silent_resolver_leaves_the_verdict_incomplete(capsys, silent_nameserver, good):
    code, out, _ = cli(
        capsys, "message", str(good), "--nameserver", silent_nameserver, "--timeout", "0.2",
        "--format", "json",
    )  # fmt: skip
    document = json.loads(out)
    assert code == 3
    assert document["checks"][0]["evidence"]["messages"][0]["analysis"]["dkim"][0]["result"] == (
        "unknown"
    )


def test_audit_with_message_joins_the_message_check_and_the_verdict(capsys, shop, good):
    code, out, _ = cli(
        capsys, "audit", "shop.test", "--ip", m.SENDING_IP, "--checks", "spf,message",
        "--message", str(good), "--nameserver", shop, "--format", "json",
    )  # fmt: skip
    document = json.loads(out)
    assert {c["id"] for c in document["checks"]} == {"spf", "message"}
    assert "compliance" in document
    assert code in (0, 3)


def test_audit_without_message_skips_the_message_check(capsys, shop):
    _, out, _ = cli(
        capsys, "audit", "shop.test", "--ip", m.SENDING_IP, "--nameserver", shop,
        "--checks", "spf,message", "--format", "json",
    )  # fmt: skip
    statuses = {c["id"]: c["status"] for c in json.loads(out)["checks"]}
    assert statuses["message"] == "skipped"


def test_hostile_header_values_are_escaped_in_every_report(capsys, shop, tmp_path):
    hostile = m.message(sender='x"<script>alert(1)</script>"@shop.test').replace(
        b"Message-ID: <", b"Message-ID: <\x1b[31mred\x1b[0m"
    )
    path = tmp_path / "hostile.eml"
    path.write_bytes(m.delivered(hostile))
    html, text = tmp_path / "r.html", tmp_path / "r.txt"
    cli(capsys, "message", str(path), "--nameserver", shop, "-o", str(html), "-o", str(text))
    assert "<script>alert(1)</script>" not in html.read_text()
    assert "&lt;script&gt;" in html.read_text()
    assert "\x1b" not in text.read_text()
