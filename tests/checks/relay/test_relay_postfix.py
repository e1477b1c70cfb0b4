"""End-to-end: the relay check against a real Postfix on loopback (tests/postfix_fixture.py).

One private instance for the module, two listeners: closed (127.0.0.1 is outside its
mynetworks) and open (mynetworks = 0.0.0.0/0). Skipped without Postfix unless
MAILHYGIENE_REQUIRE_POSTFIX=1.
"""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator

import pytest
from support.postfix_fixture import POSTFIX, Postfix, start_postfix, stop_postfix
from support.relaylab import codes, outcomes, run_relay

from checks.relay.variants import variants

pytestmark = pytest.mark.postfix


@pytest.fixture(scope="module")
def postfix() -> Iterator[Postfix]:
    instance = start_postfix()
    yield instance
    stop_postfix(instance)


def test_closed_postfix_rejects_every_variant(postfix: Postfix) -> None:
    # given Postfix with reject_unauth_destination, probed from outside its mynetworks
    result = run_relay(f"127.0.0.1:{postfix.closed_port}")
    # then every variant is rejected and there is no relay finding
    assert set(outcomes(result).values()) == {"rejected"}
    assert "RELAY_OPEN" not in codes(result)
    assert "RELAY_ADDRESS_TRICK_ACCEPTED" not in codes(result)
    assert result.unknowns == ()


def test_default_error_limits_do_not_change_the_verdict(postfix: Postfix) -> None:
    # given a closed Postfix with its default smtpd_soft_error_limit (10) and
    # smtpd_error_sleep_time (1 s): from the 11th error on, every reply waits a second
    started = time.perf_counter()
    result = run_relay(f"127.0.0.1:{postfix.default_limits_port}")
    elapsed = time.perf_counter() - started
    # then every variant is still tried and rejected, with no relay finding
    print(f"\nrelay probe against a default-limits Postfix: {elapsed:.2f} s")
    assert len(outcomes(result)) == len(variants())
    assert set(outcomes(result).values()) == {"rejected"}
    assert "RELAY_OPEN" not in codes(result)
    assert result.unknowns == ()


def test_a_lower_error_limit_is_learned_and_kept_below(postfix: Postfix) -> None:
    # given a closed Postfix that slows every reply from its 3rd error on
    started = time.perf_counter()
    result = run_relay(f"127.0.0.1:{postfix.low_limit_port}")
    elapsed = time.perf_counter() - started
    server = result.evidence["servers"][0]
    # then the probe notices the slowdown, stays below it on fresh connections, and
    # still tries and rejects every variant
    print(f"\nrelay probe against a Postfix with smtpd_soft_error_limit=3: {elapsed:.2f} s")
    assert set(outcomes(result).values()) == {"rejected"}
    assert len(outcomes(result)) == len(variants())
    assert server["connections"] > 2
    assert result.unknowns == ()


def test_open_postfix_is_an_open_relay(postfix: Postfix) -> None:
    result = run_relay(f"127.0.0.1:{postfix.open_port}")
    assert codes(result)["RELAY_OPEN"] == "critical"
    assert outcomes(result)["null-sender"] == "accepted_at_rcpt"


def test_postfix_banner_and_extensions_are_recorded(postfix: Postfix) -> None:
    server = run_relay(f"127.0.0.1:{postfix.closed_port}").evidence["servers"][0]
    assert server["banner"] == ["220 mx.postfix-lab.test ESMTP Postfix"]
    assert "PIPELINING" in server["esmtp_extensions"]
    assert server["quit_sent"] is True


def test_nothing_was_queued(postfix: Postfix) -> None:
    # given both listeners probed: no DATA was ever sent, so the queue stays empty
    run_relay(f"127.0.0.1:{postfix.open_port}")
    assert POSTFIX is not None
    queue = subprocess.run(
        ["postqueue", "-c", str(postfix.config_dir), "-p"], capture_output=True, text=True
    )
    assert "Mail queue is empty" in queue.stdout
