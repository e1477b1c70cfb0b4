"""A third-party line corpus: postfix_exporter's test lines (Apache-2.0, vendored in
tests/fixtures/logs/postfix_exporter/), each with the parse we expect, and the exporter's
own counters per case compared with ours. The agreement is printed in pytest's terminal
summary ("postfix_exporter corpus: N/M lines ..."), as the RFC 7208 score is."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from support.paths import FIXTURES

from audit.loglines.postfix import PostfixParser
from audit.loglines.records import AttemptEvent, AttemptKind, DeliveryEvent, Event, SubmissionEvent

CORPUS = json.loads((FIXTURES / "logs" / "postfix_exporter" / "lines.json").read_text("utf-8"))
LINES = [(case, entry) for case in CORPUS["cases"] for entry in case["lines"]]
REFERENCE = date(2026, 12, 31)  # the corpus' stamps have no year
LINE_OUTCOMES: dict[int, bool] = {}
COUNT_OUTCOMES: dict[str, bool] = {}


def encoded(event: Event) -> dict[str, Any]:
    if isinstance(event, DeliveryEvent):
        return {"event": "delivery", "status": event.status.value, "recipient": event.recipient,
                "relay_host": event.relay_host, "remote": event.remote}  # fmt: skip
    if isinstance(event, SubmissionEvent):
        return {"event": "submission", "account": event.account, "client_ip": event.client_ip,
                "sender": event.sender}  # fmt: skip
    return {"event": "attempt", "attempt": event.kind.value, "client_ip": event.client_ip,
            "account": event.account}  # fmt: skip


def parsed(lines: list[str]) -> list[list[Event] | None]:
    """Each line's events, the lines of one case through one parser (queue state shared)."""
    parser = PostfixParser(REFERENCE)
    return [parser.parse(line) for line in lines]


def our_counts(events: list[Event]) -> dict[str, int]:
    """Ours, under the names of the exporter's counters they correspond to."""
    deliveries = [e for e in events if isinstance(e, DeliveryEvent)]
    return {
        "saslFailedCount": sum(
            isinstance(e, AttemptEvent) and e.kind is AttemptKind.AUTH_FAILED for e in events
        ),
        "expiredCount": sum(e.recipient == "" and e.status.value == "bounced" for e in deliveries),
        "smtpDeferred": sum(e.remote and e.status.value == "deferred" for e in deliveries),
        "smtpBounced": sum(e.remote and e.status.value == "bounced" for e in deliveries),
        "virtualDelivered": sum(e.relay_host == "virtual" for e in deliveries),
    }


class _CorpusScore:
    """Prints the corpus' agreement in the terminal summary."""

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        lines, counts = sum(LINE_OUTCOMES.values()), sum(COUNT_OUTCOMES.values())
        terminalreporter.write_line(
            f"postfix_exporter corpus: {lines}/{len(LINES)} lines parse as expected; "
            f"{counts}/{len(COUNT_OUTCOMES)} of the exporter's own counters agree with ours"
        )


@pytest.fixture(scope="module", autouse=True)
def report_score(request: pytest.FixtureRequest) -> Iterator[None]:
    plugin = _CorpusScore()
    if not request.config.pluginmanager.has_plugin("postfix-exporter-corpus"):
        request.config.pluginmanager.register(plugin, "postfix-exporter-corpus")
    yield


@pytest.mark.parametrize(
    "index", range(len(LINES)), ids=[f"{c['case']}-{n}" for n, (c, _) in enumerate(LINES)]
)
def test_each_corpus_line_parses_as_expected(index: int) -> None:
    # given a line of the corpus (after the lines of its case before it)
    case, entry = LINES[index]
    lines = [e["line"] for e in case["lines"]]
    position = case["lines"].index(entry)
    # when its case is parsed in order
    events = parsed(lines)[position]
    # then the line gives the events the corpus expects
    got = None if events is None else [encoded(e) for e in events]
    LINE_OUTCOMES[index] = got == entry["expect"]
    assert got == entry["expect"]


COUNTED = [
    (case, name)
    for case in CORPUS["cases"]
    for name in case["exporter_counts"]
    if name in our_counts([])
]


@pytest.mark.parametrize("case_and_counter", COUNTED, ids=[f"{c['case']}-{n}" for c, n in COUNTED])
def test_the_exporters_counters_agree_with_ours(case_and_counter) -> None:
    # given a case and one of the exporter's expected counters that we also count
    case, name = case_and_counter
    # when the case's lines are parsed
    events = [e for found in parsed([e["line"] for e in case["lines"]]) for e in found or []]
    # then our count is the exporter's
    agrees = our_counts(events)[name] == case["exporter_counts"][name]
    COUNT_OUTCOMES[f"{case['source']}:{case['case']}:{name}"] = agrees
    assert our_counts(events)[name] == case["exporter_counts"][name]
