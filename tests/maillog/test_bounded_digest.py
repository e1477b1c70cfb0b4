"""The digest's per-key tables are bounded (issue 9, item 4): rejections from any number
of remote hosts, relaying clients and sending IPs; the totals the judges read stay exact
and the facts say which table was capped."""

from __future__ import annotations

import pytest

from audit.knowledge.volume import shipped_rules
from audit.loglines.records import DeliveryEvent, DeliveryStatus
from audit.maillog import digest as digest_module
from audit.maillog.digest import Digest
from checks.volume.judge import judge_remote_blocks

SPAMHAUS = "554 5.7.1 Service unavailable; Client host [192.0.2.1] blocked using zen.spamhaus.org"
UNKNOWN = "550 5.1.1 <u@x.example>: Recipient address rejected: User unknown"


def bounce(n: int, reply: str, local_ip: str | None = None) -> DeliveryEvent:
    return DeliveryEvent(
        at=None,
        message_id=f"q{n}",
        recipient=f"u{n}@dom{n}.example",
        status=DeliveryStatus.BOUNCED,
        remote=True,
        relay_host=f"mx{n}.dom{n}.example",
        relay_ip="198.51.100.1",
        reply=reply,
        local_ip=local_ip,
    )


@pytest.fixture
def small_tables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(digest_module, "MAX_REJECTION_KINDS", 100)
    monkeypatch.setattr(digest_module, "MAX_SENDING_IPS", 10)


@pytest.mark.usefixtures("small_tables")
def test_rejections_from_thousands_of_hosts_stay_within_the_bound() -> None:
    # given 5,000 bounces, each from its own remote host, and a table of 100 kinds
    digest = Digest()
    for n in range(5000):
        digest.add(bounce(n, UNKNOWN if n % 2 else SPAMHAUS))
    facts = digest.facts(())
    # then at most 100 kinds are kept, every bounce is still counted, and the cap is stated
    assert len(facts.rejections) <= 100
    assert sum(r.count for r in facts.rejections) == 5000
    (capped,) = [c for c in facts.capped if c.table.startswith("remote rejections")]
    assert capped.limit == 100 and capped.folded_keys > 0
    # and the blocklist finding counts all 2,500 Spamhaus refusals
    (finding,) = judge_remote_blocks(facts.rejections, shipped_rules().thresholds)
    assert finding.evidence["rejections"] == 2500


@pytest.mark.usefixtures("small_tables")
def test_sending_ips_are_a_top_k_table() -> None:
    # given deliveries from 1,000 sending IPs, one of them busy
    digest = Digest()
    for n in range(1000):
        digest.add(bounce(n, "250 ok", local_ip=f"192.0.2.{n % 250}.{n}"))
        digest.add(bounce(n, "250 ok", local_ip="192.0.2.7"))
    facts = digest.facts(())
    # then at most 10 are kept, the busy one first with its whole count
    assert len(facts.sending_ips) <= 10 and facts.sending_ips[0] == ("192.0.2.7", 1000)
    assert any(c.table == "sending IPs" for c in facts.capped)
