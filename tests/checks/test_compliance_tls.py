"""The TLS rules of the compliance verdict answered from the mail logs (issue 14 item 2):
met when every delivery to the provider used TLS, not met with the count, unknown when
the logs show no TLS line at all (the log level) or no delivery to that provider."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from audit.knowledge.volume import shipped_rules
from audit.maillog.ingest import read_logs
from audit.model import CheckId, CheckResult
from audit.model.compliance import RuleState, RuleVerdict
from checks.compliance import evaluate
from checks.volume.summary import volume_evidence


def gmail_tls(*rows: dict[str, object]) -> RuleVerdict:
    result = CheckResult(CheckId.VOLUME, evidence={"tls_deliveries": list(rows)})
    return next(v for v in evaluate((result,)).rules if v.rule == "gmail.tls")


def test_every_gmail_delivery_over_tls_meets_the_rule():
    verdict = gmail_tls({"provider": "gmail", "tls": 120, "plain": 0})
    assert verdict.state is RuleState.MET
    assert "all 120 deliveries to Gmail" in verdict.reason


def test_gmail_deliveries_in_clear_text_fail_the_rule_with_the_count():
    verdict = gmail_tls({"provider": "gmail", "tls": 117, "plain": 3})
    assert verdict.state is RuleState.NOT_MET
    assert "3 of 120 deliveries to Gmail" in verdict.reason


def test_a_log_without_any_tls_line_leaves_the_rule_unknown_naming_the_log_level():
    verdict = gmail_tls({"provider": "gmail", "tls": 0, "plain": 40})
    assert verdict.state is RuleState.UNKNOWN
    assert "smtp_tls_loglevel" in verdict.reason


def test_a_log_without_gmail_deliveries_leaves_the_gmail_rule_unknown():
    verdict = gmail_tls({"provider": "microsoft", "tls": 5, "plain": 0})
    assert verdict.state is RuleState.UNKNOWN
    assert "no delivery to Gmail" in verdict.reason


def test_without_logs_the_rule_still_asks_for_a_message_or_logs():
    verdict = next(v for v in evaluate(()).rules if v.rule == "gmail.tls")
    assert verdict.state is RuleState.UNKNOWN
    # (in client words: the reason names the mail logs, not the option)
    assert "mail logs" in verdict.reason and "message" in verdict.reason


def test_a_real_postfix_log_answers_the_gmail_tls_rule(tmp_path: Path):
    log = tmp_path / "mail.log"
    log.write_text(
        "Nov 21 10:00:01 mx postfix/qmgr[800]: 4A1B2C3D4E: from=<alice@example.com>, "
        "size=1234, nrcpt=1 (queue active)\n"
        "Nov 21 10:00:02 mx postfix/smtp[3001]: Trusted TLS connection established to "
        "gmail-smtp-in.l.google.com[142.250.102.27]:25: TLSv1.3 with cipher "
        "TLS_AES_256_GCM_SHA384 (256/256 bits)\n"
        "Nov 21 10:00:03 mx postfix/smtp[3001]: 4A1B2C3D4E: to=<bob@gmail.com>, "
        "relay=gmail-smtp-in.l.google.com[142.250.102.27]:25, delay=1.2, "
        "delays=0.1/0/0.5/0.6, dsn=2.0.0, status=sent (250 2.0.0 OK - gsmtp)\n",
        encoding="utf-8",
    )
    facts = read_logs([str(log)], today=date(2026, 11, 30))
    evidence = volume_evidence(facts, shipped_rules().thresholds)
    verdict = gmail_tls(*evidence["tls_deliveries"])
    assert verdict.state is RuleState.MET
