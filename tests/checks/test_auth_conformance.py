"""Conformance tier for the dkim and dmarc checks: hand-written vectors in the shapes of
public test suites (Mail::DKIM, dkimpy, OpenDMARC, Mail::DMARC, checkdmarc), each with
the verdict an RFC-following receiver reaches and its RFC section
(tests/fixtures/auth/conformance.toml). Every vector is served by a lab DNS server on
loopback and judged by our code; the agreement is printed, disagreements listed."""

from __future__ import annotations

import asyncio
import tomllib
from collections.abc import Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from support.authlab import run_check
from support.paths import FIXTURES

from audit.lab.dnsserver import LabDnsServer, RecordStore
from audit.model import CheckResult
from audit.net.dns import DnsClient, Nameserver
from checks.dkim.check import discover_keys, is_usable
from checks.dmarc.check import DmarcCheck

VECTORS = tomllib.loads((FIXTURES / "auth" / "conformance.toml").read_text(encoding="utf-8"))
ORIGIN = "conf.test"
MIN_AGREEMENT = 0.98  # issue 11
LOOKUP_TIMEOUT_S = 2.0  # generous: a slow answer on a loaded machine must not read as unknown


def _txt(text: str) -> str:
    """A TXT rdata in zone syntax: character-strings of at most 200 octets."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    chunks = [escaped[i : i + 200] for i in range(0, len(escaped), 200)] or [""]
    return " ".join(f'"{chunk}"' for chunk in chunks)


def _fill(template: str, domain: str) -> str:
    return template.format(domain=domain, **VECTORS["keys"])


def _dkim_lines(vector: Mapping[str, Any]) -> list[str]:
    name = f"sel._domainkey.{vector['id']}.dkim"
    if "record" not in vector:
        return []
    return [f"{name} TXT {_txt(_fill(vector['record'], vector['id']))}"]


def _dmarc_lines(vector: Mapping[str, Any]) -> list[str]:
    label = f"{vector['id']}.dmarc"
    domain = f"{label}.{ORIGIN}"
    lines = [f"{label} MX 10 mx.{ORIGIN}.", f"sub.{label} A 192.0.2.1"]
    records = vector.get("records") or ([vector["record"]] if "record" in vector else [])
    lines += [f"_dmarc.{label} TXT {_txt(_fill(text, domain))}" for text in records]
    if "apex" in vector:
        lines.append(f"{label} TXT {_txt(_fill(vector['apex'], domain))}")
    if "parent" in vector:
        lines.append(f"_dmarc.{label} TXT {_txt(_fill(vector['parent'], domain))}")
    return lines


def zone_text() -> str:
    lines = ["$TTL 300", f"@ SOA ns.{ORIGIN}. hostmaster.{ORIGIN}. 1 3600 600 86400 300"]
    lines += [f"@ NS ns.{ORIGIN}.", "ns A 127.0.0.1", "mx A 127.0.0.1"]
    lines += [line for vector in VECTORS["dkim"] for line in _dkim_lines(vector)]
    lines += [line for vector in VECTORS["dmarc"] for line in _dmarc_lines(vector)]
    return "\n".join(lines) + "\n"


def behaviours() -> dict[str, str]:
    found = {}
    for vector in VECTORS["dkim"]:
        if "behaviour" in vector:
            found[f"sel._domainkey.{vector['id']}.dkim.{ORIGIN}"] = vector["behaviour"]
    for vector in VECTORS["dmarc"]:
        if "behaviour" in vector:
            found[f"_dmarc.{vector['id']}.dmarc.{ORIGIN}"] = vector["behaviour"]
    return found


WORKERS = 4  # vectors run side by side, each worker with its own lab server


@pytest.fixture(scope="module")
def servers() -> Iterator[list[LabDnsServer]]:
    store = RecordStore()
    store.add_zone_text(ORIGIN, zone_text())
    # the tree walk's last step (RFC 9989 §4.10) asks _dmarc.test: answer it (NXDOMAIN)
    store.add_zone_text("test", "@ 300 SOA ns.conf.test. h.conf.test. 1 3600 600 86400 300\n")
    for name, behaviour in behaviours().items():
        store.set_behaviour(name, behaviour)
    labs = [LabDnsServer(store).start() for _ in range(WORKERS)]
    yield labs
    for lab in labs:
        lab.stop()


# -- verdicts -----------------------------------------------------------------------


def dkim_verdict(nameserver: str, vector: Mapping[str, Any]) -> tuple[str, set[str]]:
    """The DKIM_KEYS fact for selector `sel`, and the codes judge_dkim gives."""
    from checks.dkim.check import judge_dkim

    async def go() -> Any:
        client = DnsClient([Nameserver.parse(nameserver)], timeout=LOOKUP_TIMEOUT_S, retries=0)
        return await discover_keys(client, f"{vector['id']}.dkim.{ORIGIN}", ("sel",))

    evidence = asyncio.run(go())
    probe = next(p for p in evidence.probes if p.selector == "sel")
    findings, _ = judge_dkim(evidence)
    codes = {f.code for f in findings}
    if probe.lookup.status.value == "unknown":
        return "unknown", codes
    if probe.key is None:
        return "none", codes
    return ("usable" if is_usable(probe.key) else "unusable"), codes


def dmarc_verdict(nameserver: str, vector: Mapping[str, Any]) -> tuple[str, set[str]]:
    label = f"{vector['id']}.dmarc.{ORIGIN}"
    domain = f"sub.{label}" if "parent" in vector else label
    result: CheckResult = run_check(DmarcCheck(), nameserver, domain, timeout=LOOKUP_TIMEOUT_S)
    codes = {f.code for f in result.findings}
    evidence = result.evidence
    if result.unknowns and evidence.get("problem") == "dns":
        return "unknown", codes
    if evidence.get("problem"):
        return str(evidence["problem"]), codes
    at_domain = (evidence.get("location") or "").lower() == domain
    tags = evidence["tags"]
    return str(tags["p"] if at_domain else tags.get("sp") or tags["p"]), codes


def judged(labs: list[LabDnsServer]) -> list[tuple[str, Mapping[str, Any], str, set[str]]]:
    """Every vector's verdict; worker i judges every WORKERS-th vector on lab server i
    (each vector in its own event loop)."""
    jobs = [
        (kind, verdict, vector)
        for kind, verdict in (("dkim", dkim_verdict), ("dmarc", dmarc_verdict))
        for vector in VECTORS[kind]
    ]

    def run_share(worker: int) -> list[tuple[str, set[str]]]:
        nameserver = labs[worker].nameserver
        return [job[1](nameserver, job[2]) for job in jobs[worker::WORKERS]]

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        shares = list(pool.map(run_share, range(WORKERS)))
    verdicts = [shares[i % WORKERS][i // WORKERS] for i in range(len(jobs))]
    return [(kind, vector, *got) for (kind, _, vector), got in zip(jobs, verdicts, strict=True)]


def agrees(vector: Mapping[str, Any], got: str, codes: set[str]) -> bool:
    return got == vector["expected"] and set(vector.get("codes", ())) <= codes


def test_every_vector_states_its_verdict_rfc_and_source() -> None:
    for kind in ("dkim", "dmarc"):
        for vector in VECTORS[kind]:
            assert {"id", "source", "expected", "rfc"} <= set(vector), vector.get("id")


SCORES: list[str] = []  # printed in pytest's terminal summary, so CI logs show them


class _ScoreReporter:
    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        for line in SCORES:
            terminalreporter.write_line(line)


@pytest.fixture(scope="module", autouse=True)
def report_scores(request: pytest.FixtureRequest) -> Iterator[None]:
    plugin = _ScoreReporter()
    request.config.pluginmanager.register(plugin, "auth-conformance-scores")
    yield


def test_conformance_agreement(servers: list[LabDnsServer]) -> None:
    # given every vector served from a lab DNS server on loopback
    rows = judged(servers)
    # then our verdict agrees with the receiver's; each disagreement is listed with why
    agreeing = [row for row in rows if agrees(row[1], row[2], row[3])]
    unexplained = []
    print()
    for kind, vector, got, codes in rows:
        if not agrees(vector, got, codes):
            why = vector.get("disagreement", "UNEXPLAINED")
            print(
                f"  disagree {kind} {vector['id']}: expected {vector['expected']} "
                f"{vector.get('codes', [])}, got {got} {sorted(codes)} ({why})"
            )
            if "disagreement" not in vector:
                unexplained.append(vector["id"])
    for kind in ("dkim", "dmarc"):
        mine = [row for row in rows if row[0] == kind]
        good = [row for row in mine if agrees(row[1], row[2], row[3])]
        print(f"  {kind} conformance: {len(good)}/{len(mine)} vectors agree")
        SCORES.append(f"{kind.upper()} conformance: {len(good)}/{len(mine)} vectors agree")
    same_as_source = [row for row in rows if "source_verdict" not in row[1]]
    print(
        f"  the source suites' own verdicts: {len(same_as_source)}/{len(rows)} the same "
        "(the others: where the suite predates or departs from the RFC, see source_verdict)"
    )
    share = len(agreeing) / len(rows)
    print(f"  DKIM+DMARC conformance: {len(agreeing)}/{len(rows)} ({share:.1%})")
    SCORES.append(
        f"DKIM+DMARC conformance: {len(agreeing)}/{len(rows)} ({share:.1%}); the source "
        f"suites' own verdicts: {len(same_as_source)}/{len(rows)} the same"
    )
    assert share >= MIN_AGREEMENT
    assert unexplained == []
