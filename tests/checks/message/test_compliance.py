"""The compliance verdict (checks/compliance.py) over hand-made run results."""

from __future__ import annotations

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
