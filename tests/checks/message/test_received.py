"""Received headers (RFC 5321 §4.4): client, receiver and TLS of a hop, as MTAs write them."""

from __future__ import annotations

import pytest

from checks.message.received import parse_hop, trusted_index

POSTFIX_TLS = (
    "from out.shop.test (out.shop.test [192.0.2.10]) (using TLSv1.3 with cipher "
    "TLS_AES_256_GCM_SHA384 (256/256 bits)) by mx.receiver.test (Postfix) with ESMTPS id 4Q;"
    " Tue, 1 Dec 2026 09:00:00 +0000"
)
EXIM_TLS = (
    "from [192.0.2.10] (helo=out.shop.test) by mx.receiver.test with esmtps "
    "(TLS1.3) tls TLS_AES_256_GCM_SHA384 (Exim 4.97) id 1; Tue, 1 Dec 2026 09:00:00 +0000"
)
PLAIN = "from out.shop.test ([192.0.2.10]) by mx.receiver.test with ESMTP id 5; Tue, 1 Dec 2026"
IPV6 = "from out.shop.test (out.shop.test [IPv6:2001:db8::25]) by mx.receiver.test with SMTP"
LOCAL = "by mx.receiver.test (Postfix, from userid 1000) id 6; Tue, 1 Dec 2026 09:00:00 +0000"


@pytest.mark.parametrize(
    ("header", "ip", "tls"),
    [
        (POSTFIX_TLS, "192.0.2.10", True),
        (EXIM_TLS, "192.0.2.10", True),
        (PLAIN, "192.0.2.10", False),
        (IPV6, "2001:db8::25", False),
        (LOCAL, None, None),
    ],
    ids=["postfix-tls", "exim-tls", "plain", "ipv6", "local-pickup"],
)
def test_each_hop_states_its_client_ip_and_tls(header, ip, tls):
    hop = parse_hop(header)
    assert (hop["ip"], hop["tls"], hop["by"]) == (ip, tls, "mx.receiver.test")


def test_without_trusted_receivers_the_topmost_hop_is_trusted():
    hops = [parse_hop(PLAIN), parse_hop(POSTFIX_TLS)]
    assert trusted_index(hops, ()) == 0


def test_a_trusted_receiver_domain_picks_its_topmost_hop():
    inner = parse_hop(POSTFIX_TLS.replace("mx.receiver.test", "mx2.inner.test"))
    hops = [parse_hop(PLAIN), inner]
    assert trusted_index(hops, ("inner.test",)) == 1


def test_no_hop_by_a_trusted_receiver_means_no_trusted_hop():
    assert trusted_index([parse_hop(PLAIN)], ("elsewhere.test",)) is None


def test_exims_helo_comment_names_the_helo():
    assert parse_hop(EXIM_TLS)["helo"] == "out.shop.test"
