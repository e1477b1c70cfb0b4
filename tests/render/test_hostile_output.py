"""Hostile bytes from DNS reach every output as visible escapes: the JUnit XML stays
well-formed and the HTML carries no raw NUL, ESC or bidi override (a live run and a
re-rendered saved result)."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from audit.cli import main

SOA = "@ 300 IN SOA ns.{0}. hostmaster.{0}. 1 3600 600 86400 300\n"
# ESC [31m, NUL and U+202E (UTF-8 E2 80 AE) inside an SPF record's text; the 7-bit one
# reaches the finding's detail (unknown mechanism), the other the evidence.
HOSTILE_TXT = '@ IN TXT "v=spf1 ip4:127.0.0.1 \\027[31mred\\000nul\\226\\128\\174rtl -all"\n'
ASCII_TXT = '@ IN TXT "v=spf1 ip4:127.0.0.1 \\027[31mred\\000nul -all"\n'
RAW = ("\x1b", "\x00", "\u202e")


def run(argv: list[str]) -> int:
    with pytest.raises(SystemExit) as exited:
        main(argv)
    return int(exited.value.code)


def audit_to_files(nameserver: str, domain: str, folder: Path) -> Path:
    outputs = [folder / f"r.{ext}" for ext in ("json", "xml", "html", "txt")]
    argv = ["audit", domain, "--checks", "spf", "--ip", "127.0.0.9", "--nameserver", nameserver]
    run([*argv, *[a for p in outputs for a in ("-o", str(p))]])
    return folder


@pytest.fixture
def lab(dns_server):
    zones = {"hostile.test": HOSTILE_TXT, "ctl.test": ASCII_TXT}
    return dns_server(zones={name: SOA.format(name) + txt for name, txt in zones.items()})


@pytest.fixture
def hostile_run(lab, tmp_path: Path) -> Path:
    return audit_to_files(lab.nameserver, "hostile.test", tmp_path)


@pytest.fixture
def control_run(lab, tmp_path: Path) -> Path:
    return audit_to_files(lab.nameserver, "ctl.test", tmp_path)


def test_the_html_of_a_hostile_run_shows_control_characters_as_escapes(hostile_run):
    html = (hostile_run / "r.html").read_text(encoding="utf-8")

    assert not any(char in html for char in RAW)
    assert "\\x1b[31mred\\x00nul\\u202ertl" in html


def test_a_saved_result_with_hostile_text_renders_well_formed_junit(control_run):
    # given a saved result whose finding and unknown texts carry raw control characters
    # (as a detail quoting a TXT record or an SMTP reply can)
    saved = json.loads((control_run / "r.json").read_text(encoding="utf-8"))
    hostile = "quoted \x1b[2J\x00\x07\u202e\ufffe reply"
    saved["findings"][0]["detail"] = hostile
    saved["findings"][0]["title"] = hostile
    saved["checks"][0]["unknowns"] = [{"subject": hostile, "reason": "timeout", "detail": hostile}]
    tampered, rendered = control_run / "hostile.json", control_run / "again.xml"
    tampered.write_text(json.dumps(saved), encoding="utf-8")

    # when it is re-rendered as JUnit
    code = run(["report", str(tampered), "-o", str(rendered)])

    # then the XML parses and shows each character as an escape
    text = rendered.read_text(encoding="utf-8")
    assert code == 0
    ET.fromstring(text)
    assert "quoted \\x1b[2J\\x00\\x07\\u202e\\ufffe reply" in text
