"""The RFC 7208 test suite (openspf.org, release 2014.04) against our check_host().

Each scenario's zone data is served by a lab DNS server on loopback, the way the
suite's own drivers (pyspf's testspf.py) interpret it:
- SPF (type 99) records are copied to TXT when a name has no TXT entry at all;
- "TIMEOUT" makes every record type not listed before it time out;
- a list value is one record of several character-strings (RFC 7208 §3.3).
A result given as a list means any of them is accepted; explanations are checked
where the suite gives one ("DEFAULT" = no exp= explanation).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import dns.message
import dns.name
import dns.rdataclass
import dns.rdatatype
import dns.rdtypes.ANY.SPF
import dns.rdtypes.ANY.TXT
import pytest
import yaml
from support.paths import FIXTURES

from audit.lab.dnsserver import LabDnsServer, RecordStore
from audit.net.dns import DnsClient, Nameserver
from checks.spf.eval import SpfEvaluator, sender_for

SUITE = FIXTURES / "spf" / "rfc7208-tests.yml"
TIMEOUT_S = 0.3


class SuiteRecordStore(RecordStore):
    """A store where a name may time out for some record types only."""

    def __init__(self) -> None:
        super().__init__()
        self.answered_types: dict[dns.name.Name, set[int]] = {}

    def answer(self, query: dns.message.Message) -> dns.message.Message | None:
        if query.question:
            question = query.question[0]
            allowed = self.answered_types.get(question.name)
            if allowed is not None and question.rdtype not in allowed:
                return None  # the suite's TIMEOUT
        return super().answer(query)


def _txt_strings(value: str | list[str]) -> list[bytes]:
    parts = [value] if isinstance(value, str) else value
    strings: list[bytes] = []
    for part in parts:
        try:
            raw = part.encode("latin-1")
        except UnicodeEncodeError:
            raw = part.encode("utf-8")
        strings.extend(raw[i : i + 255] for i in range(0, len(raw), 255) or [0])
    return strings


def _entries(records: list[Any]) -> list[tuple[str, Any]]:
    """pyspf's getrdata(): the records a name yields, in order, SPF copied to TXT last
    when the name has no TXT entry; "NONE" values yield nothing."""
    yielded: list[tuple[str, Any]] = []
    generated: list[tuple[str, Any]] = []
    has_txt = any(isinstance(r, dict) and "TXT" in r for r in records)
    for record in records:
        if not isinstance(record, dict):
            yielded.append((str(record), None))
            continue
        for rdtype, value in record.items():
            if rdtype == "SPF" and not has_txt:
                generated.append(("TXT", value))
            if value != "NONE":
                yielded.append((rdtype, value))
    return yielded + generated


def _absolute(name: str) -> str:
    return name if name.endswith(".") else name + "."


def _add(store: SuiteRecordStore, owner: dns.name.Name, rdtype: str, value: Any) -> None:
    if rdtype in ("TXT", "SPF"):
        strings = _txt_strings(value)
        if not strings:
            return  # a record of no strings cannot be represented (dnspython refuses it)
        kind = dns.rdtypes.ANY.TXT.TXT if rdtype == "TXT" else dns.rdtypes.ANY.SPF.SPF
        store.add_rdata(owner, kind(dns.rdataclass.IN, dns.rdatatype.from_text(rdtype), strings))
    elif rdtype == "MX":
        store.add(owner.to_text(), "MX", f"{value[0]} {_absolute(value[1])}")
    elif rdtype in ("PTR", "CNAME"):
        store.add(owner.to_text(), rdtype, _absolute(value))
    else:
        store.add(owner.to_text(), rdtype, str(value))


def build_store(zonedata: dict[str, list[Any]]) -> SuiteRecordStore:
    store = SuiteRecordStore()
    store.add_origin(".")
    for name, records in zonedata.items():
        owner = dns.name.from_text(name)
        entries = _entries(records)
        for rdtype, value in entries:
            if rdtype != "TIMEOUT":
                _add(store, owner, rdtype, value)
        kinds = [rdtype for rdtype, _ in entries]
        if "TIMEOUT" in kinds:
            before = kinds[: kinds.index("TIMEOUT")]
            store.answered_types[owner] = {dns.rdatatype.from_text(k) for k in before}
    return store


@dataclass(frozen=True)
class SuiteCase:
    scenario: int
    name: str
    spec: dict[str, Any]


def load_suite() -> tuple[list[dict[str, Any]], list[SuiteCase]]:
    scenarios = list(yaml.safe_load_all(SUITE.read_text(encoding="utf-8")))
    cases = [
        SuiteCase(index, name, spec)
        for index, scenario in enumerate(scenarios)
        for name, spec in scenario["tests"].items()
    ]
    return scenarios, cases


SCENARIOS, CASES = load_suite()
OUTCOMES: dict[str, bool] = {}


@pytest.fixture(scope="module")
def suite_servers() -> Iterator[dict[int, LabDnsServer]]:
    servers = {
        index: LabDnsServer(build_store(scenario["zonedata"])).start()
        for index, scenario in enumerate(SCENARIOS)
    }
    yield servers
    for server in servers.values():
        server.stop()


class _PassCountReporter:
    """Prints "RFC 7208 conformance: N/M passed" in the terminal summary."""

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        passed = sum(OUTCOMES.values())
        terminalreporter.write_line(f"RFC 7208 conformance: {passed}/{len(CASES)} passed")


@pytest.fixture(scope="module", autouse=True)
def report_pass_count(request: pytest.FixtureRequest) -> Iterator[None]:
    plugin = _PassCountReporter()
    if not request.config.pluginmanager.is_registered(plugin):
        request.config.pluginmanager.register(plugin, "rfc7208-pass-count")
    yield


async def _evaluate(nameserver: str, spec: dict[str, Any]) -> tuple[str, str | None]:
    client = DnsClient([Nameserver.parse(nameserver)], timeout=TIMEOUT_S, retries=0)
    helo = str(spec.get("helo") or "")
    sender, domain = sender_for(str(spec.get("mailfrom") or ""), helo)
    outcome = await SpfEvaluator(client).check_host(str(spec["host"]), domain, sender, helo)
    return outcome.result.value, outcome.explanation


@pytest.mark.parametrize("case", CASES, ids=[f"{c.scenario}-{c.name}" for c in CASES])
def test_rfc7208_suite(case: SuiteCase, suite_servers: dict[int, LabDnsServer]) -> None:
    # given the scenario's zone data on a loopback DNS server
    server = suite_servers[case.scenario]
    expected = case.spec["result"]
    accepted = {expected} if isinstance(expected, str) else set(expected)
    OUTCOMES[case.name] = False
    # when check_host() evaluates the test's identity
    result, explanation = asyncio.run(_evaluate(server.nameserver, case.spec))
    # then the result is one the suite accepts, with its explanation where given
    assert result in accepted, f"{case.spec.get('description', '')} {case.spec.get('spec')}"
    if "explanation" in case.spec and result == "fail":
        assert (explanation or "DEFAULT") == case.spec["explanation"]
    OUTCOMES[case.name] = True
