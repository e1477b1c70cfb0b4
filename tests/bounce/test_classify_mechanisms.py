"""Classification order: provider pattern, named list, RFC 3463 status, phrases (as data)."""

from __future__ import annotations

import pytest

from audit.bounce.explain import classify
from audit.bounce.extract import make_rejection
from audit.knowledge.dnsbl.catalog import shipped_catalog
from audit.knowledge.providers import shipped_knowledge
from audit.model.rejection import Classification


def classified(text: str, remote_host: str | None = None) -> Classification:
    return classify(make_rejection(text, remote_host), shipped_knowledge(), shipped_catalog())


def test_a_bad_sender_status_wins_over_a_does_not_exist_phrase() -> None:
    # given a Sendmail refusal of the *sender's* domain (RFC 3463 X.1.8)
    text = (
        "553 5.1.8 <root@host.example>... Domain of sender address root@host.example does not exist"
    )
    # when it is classified
    result = classified(text)
    # then it is a policy refusal, not an unknown recipient to remove
    assert result.reason.value == "policy"


def test_a_sender_domain_phrase_without_status_is_not_an_unknown_user() -> None:
    # given the same refusal without an enhanced status code
    # when it is classified
    result = classified("553 Domain of sender address root@host.example does not exist")
    # then the phrase about the sender decides
    assert result.reason.value == "policy"


def test_a_provider_code_in_the_text_wins_over_a_filtering_host() -> None:
    # given Cox's AUP#CDRBL code in a reply from a Cloudmark-hosted filter
    text = "550 5.1.0 <b@mailer.example.com> sender rejected. AUP#CDRBL"
    # when it is classified with that filter as the remote MTA
    result = classified(text, "cxr.mx.a.cloudfilter.net")
    # then Cox's pattern explains it: blocked, Cox's route
    assert (result.provider, result.reason.value) == ("cox", "blocked")


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("554 5.7.1 <kijitora@example.org>: Relay access denied", "relaying_denied"),
        ("550 Insecure Mail Relay", "relaying_denied"),
        (
            "554 5.6.0 This message has been scored as spam with a probability of 90%",
            "spam_content",
        ),
        ("550 Virus Detected; Content Rejected", "spam_content"),
        ("550 5.7.1 Message content rejected, UBE, id=00000-22-225", "spam_content"),
        (
            "550 5.1.0 192.0.2.1 is not allowed to send from <x.net> per it's SPF Record",
            "auth_failure",
        ),
        ("550 Bad SPF records for [example.org:192.0.2.2]", "auth_failure"),
        ("450 4.7.1 Access denied. IP name lookup failed [192.0.2.222]", "require_ptr"),
        ("550 domain [example.com] mismatches client ip 192.0.2.225.", "require_ptr"),
        ("451 4.7.1 Please try again slower", "rate_limited"),
        ("550 Access from ip address 192.0.2.1 blocked", "blocked"),
        ("550 5.1.6 recipient no longer on server: kijitora@example.jp", "user_unknown"),
        ("Host or domain name not found. Name service error for name=example.jp", "user_unknown"),
        ("525 5.7.13 Disabled recipient address", "user_unknown"),
        ("501 5.1.8 Sender address rejected", "policy"),
        ("550 5.2.0 Mail rejete. Mail rejected. ofr_506 [506]", "spam_content"),
        (
            "550 5.4.1 [a@example.org]: Recipient address rejected: Access denied"
            " [X.prod.protection.outlook.com]",
            "user_unknown",
        ),
        ("SMTP error from remote mail server after initial connection: 550 Rejected", "blocked"),
        ("SMTP error from remote mail server after EHLO mx.example.com: 550 Rejected", "blocked"),
        (
            "550 5.1.1 <a@example.com> - 192.0.2.2 has sent to too many recipients this hour."
            " IB607 <http://x.co/rlbounce>",
            "rate_limited",
        ),
    ],
)
def test_generic_phrases_and_statuses_name_the_reason(text: str, reason: str) -> None:
    # given a rejection from an unknown receiver, when it is classified
    # then the phrase data or the RFC 3463 status names the reason
    assert classified(text).reason.value == reason


@pytest.mark.parametrize("reason", ["relaying_denied", "spam_content", "complaint"])
def test_the_new_reasons_have_generic_advice(reason: str) -> None:
    # given the shipped knowledge, then each new reason has advice with a link
    advice = shipped_knowledge().generic[reason]
    assert advice.summary and advice.steps and advice.links


@pytest.mark.parametrize(
    ("text", "reason", "rule"),
    [
        (
            "421-4.7.23 The sending IP does not match the IP address of the hostname specified"
            " in the pointer (PTR) record. gsmtp",
            "require_ptr",
            "gmail.ptr",
        ),
        ("550-5.7.25 The IP address sending this message does not have a PTR record gsmtp",
         "require_ptr", "gmail.ptr"),
        ("421-4.7.29 Your email has been rate limited because this message wasn't sent over a"
         " TLS connection. gsmtp", "policy", "gmail.tls"),
        ("421-4.7.31 Your email has been rate limited because DMARC policy is not enforced"
         " for this domain gsmtp", "auth_failure", "gmail.dmarc"),
        ("550-5.7.26 Unauthenticated email from example.com is not accepted gsmtp",
         "auth_failure", "gmail.authentication"),
        ("421-4.7.28 Gmail has detected an unusual rate of unsolicited mail gsmtp",
         "rate_limited", "gmail.spam_rate"),
        ("550 5.7.515 Access denied, sending domain example.com does not meet the required"
         " authentication level.", "auth_failure", "microsoft.authentication"),
        ("421 4.7.0 [TSS04] Messages from 192.0.2.1 temporarily deferred due to unexpected"
         " volume or user complaints", "bad_reputation", "yahoo.spam_rate"),
    ],
)  # fmt: skip
def test_a_providers_requirement_code_names_the_rule_it_enforces(
    text: str, reason: str, rule: str
) -> None:
    # given a mailbox provider's rejection for one of its sender requirements
    # when it is classified
    result = classified(text)
    # then it carries the rule id and the reason the rule is about, not "rate limited"
    assert (result.reason.value, result.requirement) == (reason, rule)


def test_an_ordinary_rejection_carries_no_requirement() -> None:
    # given a rejection that enforces no sender requirement, when it is classified
    # then its requirement is None
    assert classified("550 5.1.1 <a@example.net>: User unknown").requirement is None


def test_t_onlines_reply_format_names_t_online_without_its_host_name() -> None:
    # given T-Online's "(BL)" reply with its contact address edited out
    text = (
        "554 IP=192.0.2.254 - A problem occurred. (Ask your postmaster for help or to contact"
        " postmaster@example.org to clarify.) (BL)"
    )
    # when it is classified
    result = classified(text)
    # then its format identifies T-Online, and the block
    assert (result.provider, result.reason.value) == ("t-online", "blocked")


def test_gmail_reporting_another_servers_refusal_is_not_attributed_to_gmail() -> None:
    # given Gmail's DSN wording for a refusal by the recipient's own server
    text = (
        "Google tried to deliver your message, but it was rejected by the recipient domain."
        " The error that the other server returned was: 550 5.7.1 Access denied"
        " https://support.google.com/mail/answer/7720"
    )
    # when it is classified
    result = classified(text)
    # then Google's links do not make Google the refuser
    assert result.provider is None


def test_a_gmail_refusal_is_still_gmails() -> None:
    # given Gmail's own refusal, when it is classified, then it is Gmail's
    text = "550-5.7.26 This mail has been blocked because the sender is unauthenticated. gsmtp"
    assert classified(text).provider == "google-gmail"
