"""Golden file locking the JSON document's shape (tests/golden/audit_ptr.json).

Built through `run_audit` against a lab DNS server with a fixed clock; volatile values
(durations, the server's random port, the tool version) are normalised before the
comparison. Regenerate after an intended change with UPDATE_GOLDEN=1.
"""

from __future__ import annotations

import asyncio
import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import jsonschema
from support.paths import TESTS

import audit
from audit.engine.options import RunOptions
from audit.engine.runner import RunPlan, run_audit
from audit.model import CheckId
from audit.net.dns import Nameserver
from audit.render.document.build import build_document as result_document
from audit.render.json_report import render_json
from checks.ptr.options import PtrOptions
from checks.registry import instantiate

GOLDEN = TESTS / "golden" / "audit_ptr.json"
SCHEMA = Path(audit.__file__).parent / "schema" / "result.schema.json"
SOA = "@ 300 IN SOA ns.{0}. hostmaster.{0}. 1 3600 600 86400 300\n"

# One IP of each kind: clean, generic + multiple, unconfirmed, missing, timing out.
ZONES = {
    "2.0.192.in-addr.arpa": SOA.format("2.0.192.in-addr.arpa")
    + "1 IN PTR mail.example.test.\n"
    + "2 IN PTR dsl-gw.example.test.\n2 IN PTR mail2.example.test.\n"
    + "3 IN PTR nowhere.example.test.\n"
    + "5 IN PTR slow.example.test.\n",
    "example.test": SOA.format("example.test")
    + "mail IN A 192.0.2.1\ndsl-gw IN A 192.0.2.2\nmail2 IN A 192.0.2.2\n",
}
IPS = ("192.0.2.1", "192.0.2.2", "192.0.2.3", "192.0.2.4", "192.0.2.5")
VOLATILE_KEYS = {"duration_s", "elapsed", "elapsed_ms"}


def normalise(value: Any, port: int) -> Any:
    if isinstance(value, dict):
        return {
            key: "<volatile>" if key in VOLATILE_KEYS else normalise(item, port)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [normalise(item, port) for item in value]
    if isinstance(value, str):
        return value.replace(f":{port}", ":<port>")
    return value


def build_document(dns_server) -> tuple[dict[str, Any], int]:
    server = dns_server(zones=ZONES, behaviours={"slow.example.test": "timeout"})
    run = RunOptions(
        domain="example.test",
        nameservers=(Nameserver.parse(server.nameserver),),
        given_ips=IPS,
        timeout=0.5,
    )
    options = (PtrOptions(expect_ptr_suffixes=("example.test",)),)
    plan = RunPlan(run, tuple(instantiate([CheckId.PTR])), options)
    result = asyncio.run(run_audit(plan, clock=lambda: datetime(2026, 1, 1, tzinfo=UTC)))
    return json.loads(render_json(result_document(result))), server.port


def test_json_document_matches_the_golden_file(dns_server):
    document, port = build_document(dns_server)
    document["tool"]["version"] = "<version>"
    actual = normalise(document, port)
    if os.environ.get("UPDATE_GOLDEN") == "1":
        GOLDEN.parent.mkdir(exist_ok=True)
        GOLDEN.write_text(json.dumps(actual, indent=2, ensure_ascii=False) + "\n", "utf-8")
    expected = json.loads(GOLDEN.read_text(encoding="utf-8"))
    assert actual == expected


def test_golden_file_is_a_valid_document():
    document = json.loads(GOLDEN.read_text(encoding="utf-8"))
    document = normalise(document, 0)
    document["duration_s"] = 0.0
    for check in document["checks"]:
        check["duration_s"] = 0.0
    jsonschema.validate(document, json.loads(SCHEMA.read_text(encoding="utf-8")))
