"""The compliance verdict (checks/compliance.py) over hand-made run results."""

from __future__ import annotations

import re

from audit.model import CheckId, CheckResult, Finding, Severity
from audit.model.compliance import RuleState
from checks.compliance import evaluate


def states(*results: CheckResult) -> dict[str, RuleState]:
    return {v.rule: v.state for v in evaluate(results).rules}


def finding(check: CheckId, code: str) -> Finding:
    return Finding(check, code, Severity.HIGH, "example.test", code)


def test_without_any_result_every_rule_is_unknown():
    assert set(states().values()) == {RuleState.UNKNOWN}


def test_a_missing_dmarc_record_fails_the_dmarc_rules_of_every_provider():
    verdict = states(
        CheckResult(CheckId.DMARC, findings=(finding(CheckId.DMARC, "DMARC_MISSING"),))
    )
    for rule in ("gmail.dmarc", "microsoft.dmarc", "apple.dmarc", "yahoo.dmarc"):
        assert verdict[rule] is RuleState.NOT_MET


def test_a_clean_ptr_check_meets_the_ptr_rules():
    verdict = states(CheckResult(CheckId.PTR))
    assert verdict["gmail.ptr"] is verdict["apple.ptr"] is RuleState.MET


def test_rules_only_a_message_shows_stay_unknown_after_a_dns_audit():
    verdict = states(
        CheckResult(CheckId.SPF), CheckResult(CheckId.DKIM), CheckResult(CheckId.DMARC)
    )
    assert verdict["gmail.alignment"] is RuleState.UNKNOWN
    assert verdict["gmail.one_click_unsubscribe"] is RuleState.UNKNOWN
    assert verdict["gmail.spf_and_dkim"] is RuleState.MET


def test_the_spam_rate_is_always_unknown_with_where_to_look():
    verdict = {v.rule: v for v in evaluate((CheckResult(CheckId.PTR),)).rules}
    assert verdict["gmail.spam_rate"].state is RuleState.UNKNOWN
    assert "Postmaster Tools" in verdict["gmail.spam_rate"].reason


FINDING_CODE = re.compile(r"\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+\b")


def reasons(*results: CheckResult) -> dict[str, str]:
    return {v.rule: v.reason for v in evaluate(results).rules}


def assert_client_sentences(texts: dict[str, str]) -> None:
    for rule, text in texts.items():
        assert text[:1].isupper() and text.endswith("."), (rule, text)
        assert "(s)" not in text and "--" not in text and "`" not in text, (rule, text)
        assert not FINDING_CODE.search(text), (rule, text)


def test_the_reasons_without_any_result_are_client_sentences():
    assert_client_sentences(reasons())


def titled(check: CheckId, code: str) -> CheckResult:
    title = f"The {check} record of example.test is broken"
    return CheckResult(check, findings=(Finding(check, code, Severity.HIGH, "x", title),))


def test_the_reasons_of_broken_dns_records_are_client_sentences():
    assert_client_sentences(
        reasons(
            titled(CheckId.SPF, "SPF_MISSING"),
            titled(CheckId.DKIM, "DKIM_NOT_FOUND"),
            titled(CheckId.DMARC, "DMARC_MISSING"),
            CheckResult(CheckId.PTR),
        )
    )


def test_a_broken_record_is_named_by_its_finding_title():
    titled = Finding(
        CheckId.DMARC, "DMARC_MISSING", Severity.HIGH, "example.test", "No DMARC record"
    )
    reason = reasons(CheckResult(CheckId.DMARC, findings=(titled,)))["gmail.dmarc"]
    assert reason == "DMARC record is not in order: No DMARC record."


def test_both_spf_and_dkim_take_a_plural_verb():
    """Given SPF and DKIM published, when the bulk rule needing both is answered, then its
    reason agrees in number."""
    reason = reasons(CheckResult(CheckId.SPF), CheckResult(CheckId.DKIM))["gmail.spf_and_dkim"]
    assert reason == "SPF and DKIM are both published and valid."
