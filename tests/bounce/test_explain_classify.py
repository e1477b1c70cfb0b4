"""`explain` classification over real bounce strings (facts file §2, §3) and its remediations."""

from __future__ import annotations

import pytest
from support.explain_cases import CASES

from audit.bounce.explain import classify
from audit.bounce.extract import make_rejection
from audit.knowledge.dnsbl.catalog import shipped_catalog
from audit.knowledge.providers import shipped_knowledge


def classified(text: str, remote_host: str | None = None):
    return classify(make_rejection(text, remote_host), shipped_knowledge(), shipped_catalog())


def test_the_table_covers_at_least_forty_real_strings():
    assert len(CASES) >= 40
    assert len({case[0] for case in CASES}) == len(CASES)


@pytest.mark.parametrize(
    ("text", "remote_host", "provider", "blocklist", "reason", "temporary", "sending_ip"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_real_bounce_is_classified(
    text, remote_host, provider, blocklist, reason, temporary, sending_ip
):
    # given a real rejection string, when it is classified
    result = classified(text, remote_host)
    # then provider, list, reason, class and client IP are the expected ones
    assert (result.provider, result.blocklist, result.reason.value) == (provider, blocklist, reason)
    assert (result.temporary, result.sending_ip) == (temporary, sending_ip)


@pytest.mark.parametrize("case", CASES, ids=[case[0] for case in CASES])
def test_every_classification_has_a_usable_remediation(case):
    result = classified(case[1], case[2])
    assert result.remediation.summary and result.remediation.steps
    assert all(link.startswith("https://") for link in result.remediation.links)


def test_unknown_text_gets_no_provider_and_generic_advice():
    result = classified("the server said something we have never seen before")
    assert (result.provider, result.blocklist, result.reason.value) == (None, None, "other")
    assert result.remediation.provider is None
    assert result.temporary is False


def test_a_4xx_unknown_text_is_temporary_but_still_other():
    result = classified("451 4.3.0 Mail server temporarily rejected message.")
    assert (result.provider, result.reason.value, result.temporary) == (None, "other", True)


def test_standard_status_codes_give_the_reason_without_a_provider():
    assert (
        classified("550 5.1.1 <x@example.org>: Recipient address rejected").reason == "user_unknown"
    )
    assert classified("552 5.2.2 Mailbox full").reason == "mailbox_full"
    assert classified("550 5.7.25 Reverse DNS validation failed").reason == "require_ptr"


def test_microsoft_as1450_uses_the_spamhaus_route_from_the_catalog():
    # given Microsoft's EOP Spamhaus rejection
    result = classified(next(c[1] for c in CASES if c[0] == "ms-as1450"))
    # then Microsoft blocked, but the remediation is the catalog's Spamhaus route
    zen = shipped_catalog().get("zen.spamhaus.org")
    assert result.provider == "microsoft-outlook"
    assert result.remediation.provider == "spamhaus"
    assert zen is not None and zen.delisting is not None
    assert zen.delisting.url in result.remediation.links
    assert zen.delisting.steps[0] in result.remediation.steps


def test_spamhaus_rejections_warn_to_check_the_listing_first():
    result = classified(next(c[1] for c in CASES if c[0] == "postfix-cbl"))
    assert result.remediation.steps[0] == shipped_knowledge().caveats["spamhaus"]


def test_other_lists_get_no_spamhaus_warning():
    result = classified(next(c[1] for c in CASES if c[0] == "postscreen-barracuda"))
    assert shipped_knowledge().caveats["spamhaus"] not in result.remediation.steps


def test_a_named_sublist_selects_its_own_route():
    # given an Exim rejection naming ZEN and its CSS sub-list
    result = classified(next(c[1] for c in CASES if c[0] == "exim-css"))
    css = shipped_catalog().get("zen.spamhaus.org").codes["127.0.0.3"].delisting  # type: ignore[union-attr]
    # then the CSS route applies, not ZEN's generic one
    assert css is not None and result.remediation.summary == css.summary


def test_orange_naming_cloudmark_refers_to_cloudmarks_route():
    result = classified(next(c[1] for c in CASES if c[0] == "orange-ofr006-102"))
    assert (result.provider, result.remediation.provider) == ("orange", "cloudmark")


def test_microsoft_consumer_block_uses_the_sender_support_route():
    result = classified(next(c[1] for c in CASES if c[0] == "outlook-s3150"))
    assert "https://sendersupport.olc.protection.outlook.com/" in result.remediation.links


def test_a_defunct_list_says_so_instead_of_a_delisting_route():
    result = classified(next(c[1] for c in CASES if c[0] == "sorbs-historic"))
    assert "shut down" in result.remediation.summary
    assert result.remediation.provider == "sorbs"


def test_an_uncatalogued_zone_is_reported_without_a_guessed_provider():
    result = classified(next(c[1] for c in CASES if c[0] == "cobion-uncatalogued"))
    assert result.provider is None and result.remediation.provider is None
    assert "dnsbl.cobion.com" in result.remediation.summary


def test_a_dqs_zone_maps_to_the_public_catalog_zone():
    dqs_zone = "abcdefghijklmnopqrstuvwxyz.zen.dq.spamhaus.net"
    text = f"554 5.7.1 Client host [203.0.113.5] blocked using {dqs_zone}"
    assert classified(text).blocklist == "zen.spamhaus.org"


def test_a_transactional_relay_adds_its_shared_ip_policy():
    text = (
        "550 5.7.1 Client host [203.0.113.5] (o1.ptr1234.sendgrid.net) blocked using bl.spamcop.net"
    )
    steps = classified(text).remediation.steps
    assert any("SendGrid" in step for step in steps)


def test_the_remote_host_identifies_the_provider_when_the_text_does_not():
    result = classified("550 5.7.1 Local Policy Violation", "mx0b-00123.pphosted.com")
    assert result.provider == "proofpoint"


def test_an_unverified_route_is_marked_as_such():
    result = classified(next(c[1] for c in CASES if c[0] == "free-too-many-spams"))
    assert result.remediation.links == ()
    assert "not confirmed" in result.remediation.steps[-1]
