"""Result documents sized like real audits, for the report's size bounds and `make bench`.

Built from the full offline-lab result (relay and volume included) by cloning its
findings onto more sending IPs: a 1-IP audit, and a 50-IP / 200-finding one with 99
listings (the shape issue 12 measured: 104 pages, a 5-page "summary").
"""

from __future__ import annotations

import copy
import ipaddress
import json
from pathlib import Path
from typing import Any

FULL_RESULT = (
    Path(__file__).resolve().parent.parent / "fixtures" / "report" / ("northwind-full-result.json")
)
LISTED_IP = "203.0.113.77"
PER_IP_CODES = ("SPF_IP_NOT_AUTHORIZED", "PTR_MISSING", "PTR_GENERIC")


def full_document() -> dict[str, Any]:
    """A fresh copy of the demo's result with every check (relay, volume too)."""
    return copy.deepcopy(json.loads(FULL_RESULT.read_text(encoding="utf-8")))


def _retarget(finding: dict[str, Any], old: str, new: str) -> dict[str, Any]:
    text = json.dumps(finding).replace(old, new)
    clone: dict[str, Any] = json.loads(text)
    return clone


def _spf_not_authorized(ip: str) -> dict[str, Any]:
    return {
        "check": "spf",
        "code": "SPF_IP_NOT_AUTHORIZED",
        "severity": "high",
        "subject": ip,
        "title": "Sending IP not authorized by SPF",
        "detail": f"check_host({ip}, northwind.example) = softfail at ~all",
        "evidence": {"ip": ip, "result": "softfail", "matched_term": "~all"},
        "remediation": {
            "summary": f"Authorize {ip} in the SPF record of northwind.example.",
            "steps": [f"Add ip4:{ip} to the SPF record of northwind.example."],
            "links": ["https://www.rfc-editor.org/rfc/rfc7208#section-5.6"],
            "provider": None,
        },
    }


def _ips(count: int) -> list[str]:
    first = ipaddress.ip_address("198.51.100.101")
    return [str(first + offset) for offset in range(count)]


def _blacklist_results(document: dict[str, Any], ips: list[str]) -> None:
    blacklist = next(c for c in document["checks"] if c["id"] == "blacklist")
    listed = [r for r in blacklist["evidence"]["results"] if r["target"] == LISTED_IP]
    results = list(blacklist["evidence"]["results"])
    for ip in ips:
        results += [_retarget(r, LISTED_IP, ip) for r in listed]
    blacklist["evidence"]["results"] = results


def scaled_document(ip_count: int = 50, finding_count: int = 200) -> dict[str, Any]:
    """`ip_count` more sending IPs, each listed where 203.0.113.77 is and failing SPF,
    up to `finding_count` findings in all."""
    document = full_document()
    ips = _ips(ip_count)
    listings = [f for f in document["findings"] if f["subject"] == LISTED_IP]
    ptr = next(f for f in document["findings"] if f["code"] == "PTR_MISSING")
    findings = list(document["findings"])
    for ip in ips:
        if len(findings) >= finding_count:
            break
        findings.append(_spf_not_authorized(ip))
        findings += [_retarget(f, LISTED_IP, ip) for f in listings if f is not ptr]
    findings = findings[:finding_count]
    document["findings"] = findings
    document["target"]["ips"] += [{"ip": ip, "source": "log", "detail": "mail log"} for ip in ips]
    _blacklist_results(document, ips)
    _recount(document)
    return document


def single_ip_document() -> dict[str, Any]:
    """The demo narrowed to one sending IP (198.51.100.10, clean) and the domain's findings."""
    document = full_document()
    keep = "198.51.100.10"
    others = {ip["ip"] for ip in document["target"]["ips"]} - {keep}
    document["target"]["ips"] = [ip for ip in document["target"]["ips"] if ip["ip"] == keep]
    document["findings"] = [
        f
        for f in document["findings"]
        if f["subject"] not in others and f["check"] in ("spf", "dkim", "dmarc")
    ]
    document["checks"] = [c for c in document["checks"] if c["id"] not in ("volume", "relay")]
    _recount(document)
    return document


def _recount(document: dict[str, Any]) -> None:
    counts = dict.fromkeys(("critical", "high", "medium", "low", "info"), 0)
    for finding in document["findings"]:
        counts[finding["severity"]] += 1
    document["summary"]["counts"] = counts
