"""The message check on messages signed by the tests, keys served by the fixture DNS."""

from __future__ import annotations

import asyncio

import pytest
from support import messages as m
from support.context import check_context

from audit.model import CheckStatus
from audit.model.compliance import RuleState
from audit.net.dns import DnsClient, Nameserver
from checks.compliance import evaluate
from checks.message.check import MessageCheck
from checks.message.options import MessageOptions


@pytest.fixture
def analyse_files(dns_server, tmp_path):
    server = dns_server(zones=m.zones(), behaviours={"s9._domainkey.shop.test": "servfail"})

    def run(*datas: bytes, trusted: tuple[str, ...] = ()):
        paths = []
        for index, data in enumerate(datas):
            path = tmp_path / f"m{index}.eml"
            path.write_bytes(data)
            paths.append(str(path))
        dns = DnsClient([Nameserver.parse(server.nameserver)], timeout=1.0)
        options = MessageOptions(files=tuple(paths), trusted_receivers=trusted)
        ctx = check_context(dns, options=[options])
        return asyncio.run(MessageCheck().run(ctx))

    return run


def codes(result) -> set[str]:
    return {f.code for f in result.findings}


def analysis(result, index: int = 0):
    return result.evidence["messages"][index]["analysis"]


def test_a_signed_one_click_message_from_an_authorised_ip_passes(analyse_files):
    result = analyse_files(m.delivered(m.sign(m.message())))
    assert result.status is CheckStatus.PASS
    assert analysis(result)["dmarc"]["result"] == "pass"
    assert analysis(result)["unsubscribe"] == {
        "present": True,
        "https": ["https://shop.test/u/1"],
        "mailto": ["mailto:u@shop.test"],
        "one_click": True,
        "signed": True,
    }


def test_a_message_without_one_click_is_reported(analyse_files):
    result = analyse_files(m.delivered(m.sign(m.message(one_click=False))))
    assert codes(result) == {"MESSAGE_ONE_CLICK_MISSING"}


def test_unsigned_unsubscribe_fields_are_reported(analyse_files):
    signed = m.sign(m.message(), include=m.SIGNED)
    result = analyse_files(m.delivered(signed))
    assert "MESSAGE_UNSUBSCRIBE_UNSIGNED" in codes(result)
    assert "MESSAGE_DKIM_FIELD_UNSIGNED" in codes(result)


def test_a_body_changed_after_signing_fails_with_body_hash_mismatch(analyse_files):
    signed = m.sign(m.message()).replace(b"newsletter.", b"newsletter!")
    result = analyse_files(m.delivered(signed))
    signature = analysis(result)["dkim"][0]
    assert (signature["result"], signature["problem"]) == ("fail", "body_hash_mismatch")
    assert "MESSAGE_DKIM_FAILED" in codes(result)


def test_content_appended_under_l_still_verifies_but_is_reported(analyse_files):
    appended = m.sign(m.message(), length=True) + b"Click http://phish.test/ now\r\n"
    result = analyse_files(m.delivered(appended))
    signature = analysis(result)["dkim"][0]
    assert signature["result"] == "pass"
    assert signature["unsigned_body_bytes"] > 0
    assert "MESSAGE_DKIM_LENGTH_LIMIT" in codes(result)


def test_a_key_lookup_that_fails_leaves_the_signature_unknown(analyse_files):
    result = analyse_files(m.delivered(m.sign(m.message(), selector="s9")))
    signature = analysis(result)["dkim"][0]
    assert (signature["result"], signature["problem"]) == ("unknown", "key_lookup_failed")
    assert "MESSAGE_DKIM_FAILED" not in codes(result)
    assert result.unknowns


def test_a_1024_bit_key_passes_and_is_noted(analyse_files):
    result = analyse_files(m.delivered(m.sign(m.message(), selector="s1024", bits=1024)))
    assert analysis(result)["dkim"][0]["key_bits"] == 1024
    assert codes(result) == {"MESSAGE_DKIM_KEY_1024"}


def test_an_unauthorised_ip_fails_spf_and_dmarc_without_dkim(analyse_files):
    result = analyse_files(m.delivered(m.message(), ip=m.STRANGER_IP))
    assert {"MESSAGE_SPF_FAILED", "MESSAGE_DKIM_MISSING", "MESSAGE_DMARC_FAILED"} <= codes(result)


def test_a_forged_gmail_from_is_reported(analyse_files):
    result = analyse_files(m.delivered(m.message(sender="someone@gmail.com")))
    assert "MESSAGE_GMAIL_FROM_FORGED" in codes(result)


def test_a_forwarded_message_keeps_dmarc_through_dkim_and_a_valid_arc_set(analyse_files):
    forwarded = m.delivered(
        m.arc_sealed(m.sign(m.message())),
        ip="203.0.113.5",
        helo="fwd.forwarder.test",
        mail_from="srs@forwarder.test",
    )
    result = analyse_files(forwarded)
    assert analysis(result)["arc"] == {"sets": 1, "result": "pass", "detail": "success"}
    assert analysis(result)["dmarc"]["spf_aligned"] is False
    assert analysis(result)["dmarc"]["result"] == "pass"


def test_a_broken_arc_seal_is_reported(analyse_files):
    sealed = m.arc_sealed(m.sign(m.message())).replace(b"Our offers", b"Our offerz")
    result = analyse_files(m.delivered(sealed))
    assert "MESSAGE_ARC_FAILED" in codes(result)


def test_the_trusted_receiver_picks_its_own_hop(analyse_files):
    inner = m.delivered(m.sign(m.message()), by="mx.inner.test")
    outer = m.received(ip="10.0.0.9", helo="mx.inner.test", by="store.receiver.test") + inner
    result = analyse_files(outer, trusted=("inner.test",))
    assert analysis(result)["trusted_hop"] == 1
    assert analysis(result)["spf"]["ip"] == m.SENDING_IP


def test_repeated_subject_and_a_missing_message_id_break_the_format_rules(analyse_files):
    data = m.message(extra_headers="Subject: again\r\n").replace(b"Message-ID: <", b"X-Old-ID: <")
    result = analyse_files(m.delivered(m.sign(data)))
    rules = {p["rule"] for p in analysis(result)["format"]}
    assert rules == {"message_id", "repeated_field"}


def test_an_mbox_yields_each_message(analyse_files):
    one, two = m.delivered(m.sign(m.message())), m.delivered(m.message(one_click=False))
    mbox = (
        b"From a@b Sat Jan  1 00:00:00 2026\n"
        + one
        + b"\nFrom a@b Sat Jan  1 00:00:00 2026\n"
        + two
    )
    result = analyse_files(mbox)
    assert [item["source"].rsplit("#", 1)[1] for item in result.evidence["messages"]] == ["1", "2"]


def test_a_header_flood_is_not_analysed(analyse_files):
    flood = b"".join(b"X-Junk: %d\r\n" % i for i in range(1100)) + m.message()
    result = analyse_files(flood)
    assert result.evidence["messages"][0]["reason"] == "input_limit"
    assert result.status is CheckStatus.UNKNOWN


def test_the_compliant_message_meets_gmails_message_rules(analyse_files):
    result = analyse_files(m.delivered(m.sign(m.message())))
    states = {v.rule: v.state for v in evaluate((result,)).rules}
    rules = (
        "gmail.dkim",
        "gmail.spf",
        "gmail.ptr",
        "gmail.alignment",
        "gmail.one_click_unsubscribe",
    )
    for rule in rules:
        assert states[rule] is RuleState.MET
    assert states["gmail.spam_rate"] is RuleState.UNKNOWN


def test_every_answer_the_requirements_name_exists():
    from audit.knowledge.requirements import requirements
    from checks.compliance import ANSWERS

    assert {r.answered_by for r in requirements()} <= set(ANSWERS)


def test_the_connecting_ip_is_forward_confirmed_when_its_ptr_resolves_back(analyse_files):
    result = analyse_files(m.delivered(m.sign(m.message())))
    assert analysis(result)["connecting_ptr"] == {
        "ip": m.SENDING_IP,
        "names": [f"out.{m.DOMAIN}"],
        "confirmed": True,
    }


def test_a_connecting_ip_without_ptr_fails_the_ptr_rules(analyse_files):
    result = analyse_files(m.delivered(m.sign(m.message()), ip=m.STRANGER_IP))
    states = {v.rule: v.state for v in evaluate((result,)).rules}
    assert states["gmail.ptr"] is states["apple.ptr"] is RuleState.NOT_MET


def test_a_signature_past_its_x_expiry_fails_as_expired(analyse_files):
    expired = m.sign(m.message()).replace(b"DKIM-Signature: v=1;", b"DKIM-Signature: v=1; x=1000;")
    signature = analysis(analyse_files(m.delivered(expired)))["dkim"][0]
    assert (signature["result"], signature["problem"], signature["expires"]) == (
        "fail",
        "expired",
        1000,
    )


def test_an_rsa_sha1_signature_is_not_accepted(analyse_files):
    sha1 = m.sign(m.message()).replace(b"a=rsa-sha256", b"a=rsa-sha1", 1)
    signature = analysis(analyse_files(m.delivered(sha1)))["dkim"][0]
    assert (signature["result"], signature["problem"]) == ("fail", "sha1")


def test_without_received_or_return_path_dmarc_is_unknown_not_failed(analyse_files):
    result = analyse_files(m.message())  # as a sent-folder copy: no receiver's headers
    assert analysis(result)["dmarc"]["result"] == "unknown"
    assert "MESSAGE_DMARC_FAILED" not in codes(result)


def test_the_verdict_over_messages_counts_them_in_words(analyse_files):
    signed = m.delivered(m.sign(m.message()))
    unsigned = m.delivered(m.message(), ip=m.STRANGER_IP)
    verdict = {v.rule: v.reason for v in evaluate((analyse_files(signed, unsigned),)).rules}
    assert verdict["gmail.dkim"] == "DKIM fails in 1 of the 2 messages analysed."
    assert verdict["gmail.one_click_unsubscribe"] == (
        "Signed one-click unsubscribe fails in 1 of the 2 messages analysed."
    )


def test_one_message_is_the_one_message_analysed(analyse_files):
    result = analyse_files(m.delivered(m.sign(m.message())))
    verdict = {v.rule: v.reason for v in evaluate((result,)).rules}
    assert verdict["gmail.spf"] == "SPF is in order in the one message analysed."


def test_spf_and_dkim_failing_in_a_message_agree_in_number(analyse_files):
    result = analyse_files(m.delivered(m.message(), ip=m.STRANGER_IP))
    verdict = {v.rule: v.reason for v in evaluate((result,)).rules}
    assert verdict["gmail.spf_and_dkim"] == "SPF and DKIM fail in the one message analysed."
