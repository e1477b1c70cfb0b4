"""Compromise attempts in the logs are findings with the attacking IPs (issue 9, item 7):
SASL brute force per IP and per account, relay attempts, dictionary attacks."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import jsonschema
import pytest
from support import mail_logs as ml

import audit
from audit.cli import main

SCHEMA = json.loads((Path(audit.__file__).parent / "schema" / "result.schema.json").read_text())


def logs_json(capsys, path: Path) -> tuple[int, dict]:
    with pytest.raises(SystemExit) as exited:
        main(["logs", str(path), "--format", "json"])
    document = json.loads(capsys.readouterr().out)
    jsonschema.validate(document, SCHEMA)
    return int(exited.value.code or 0), document


def findings(document: dict, code: str) -> list[dict]:
    return [f for f in document["findings"] if f["code"] == code]


def sasl_failure(n: int, ip: str, user: str | None = None) -> str:
    at = ml.START + timedelta(seconds=n)
    tail = f", sasl_username={user}" if user else ""
    return ml.syslog(
        at, "postfix/smtpd[1001]",
        f"warning: unknown[{ip}]: SASL LOGIN authentication failed: authentication failure{tail}",
    )  # fmt: skip


def test_two_thousand_sasl_failures_from_eighty_ips_are_a_brute_force_finding(
    capsys, tmp_path: Path
) -> None:
    # given 2,000 SASL failures from 80 IPs within one hour (the reproduction)
    ips = [f"198.51.100.{n}" for n in range(1, 81)]
    lines = [sasl_failure(n, ips[n % 80]) for n in range(2000)]
    path = ml.write(tmp_path / "mail.log", lines)
    # when `logs` reads it
    _, document = logs_json(capsys, path)
    # then one brute-force finding lists the attacking IPs (50 shown, 30 more counted)
    (finding,) = findings(document, "VOLUME_SASL_BRUTE_FORCE")
    assert finding["severity"] == "medium"
    evidence = finding["evidence"]
    assert evidence["attempts"] == 2000 and evidence["more_attacking_ips"] == 30
    assert {entry["ip"] for entry in evidence["attacking_ips"]} <= set(ips)
    assert all(entry["attempts"] == 25 for entry in evidence["attacking_ips"])


def test_failed_logins_for_one_account_from_many_ips_are_an_account_finding(
    capsys, tmp_path: Path
) -> None:
    # given 40 failed logins for alice@example.com, each from another IP (under the per-IP
    # threshold), no mail sent as her
    lines = [sasl_failure(n, f"203.0.113.{n}", "alice@example.com") for n in range(40)]
    path = ml.write(tmp_path / "mail.log", lines)
    # when `logs` reads it
    _, document = logs_json(capsys, path)
    # then the account is the subject of a medium finding; no per-IP brute force
    (finding,) = findings(document, "VOLUME_SASL_ACCOUNT_ATTACKED")
    assert finding["severity"] == "medium" and finding["subject"] == "alice@example.com"
    assert finding["evidence"]["client_ips"] == 40 and finding["evidence"]["logged_in_from"] == []
    assert findings(document, "VOLUME_SASL_BRUTE_FORCE") == []


def test_an_account_that_sends_mail_from_an_ip_that_failed_its_login_is_high(
    capsys, tmp_path: Path
) -> None:
    # given 20 failed logins for alice@example.com, then mail sent as her from one of them
    lines = [sasl_failure(n, f"203.0.113.{n}", "alice@example.com") for n in range(20)]
    after = ml.START + timedelta(minutes=5)
    lines += ml.postfix_delivery(
        500, after, "bob@example.net", ml.OTHER_MX, client_ip="203.0.113.7"
    )
    path = ml.write(tmp_path / "mail.log", lines)
    # when `logs` reads it
    _, document = logs_json(capsys, path)
    # then the account finding is high and names the IP the password worked from
    (finding,) = findings(document, "VOLUME_SASL_ACCOUNT_ATTACKED")
    assert finding["severity"] == "high"
    assert finding["evidence"]["logged_in_from"] == ["203.0.113.7"]


def test_relay_denied_attempts_in_an_exim_mainlog_are_a_relay_attempts_finding(
    capsys, tmp_path: Path
) -> None:
    # given an Exim mainlog with 10 "relay not permitted" rejections from each of 2 IPs
    lines = [
        f"{ml.exim_stamp(ml.START)} H=(bulk) [192.0.2.{50 + n % 2}] F=<s@example.net> "
        f"rejected RCPT <victim{n}@example.org>: relay not permitted"
        for n in range(20)
    ]
    path = ml.write(tmp_path / "mainlog", lines)
    # when `logs` reads it
    _, document = logs_json(capsys, path)
    # then a low finding lists both IPs with 10 attempts each
    (finding,) = findings(document, "VOLUME_RELAY_ATTEMPTS")
    assert finding["severity"] == "low"
    attackers = {(e["ip"], e["attempts"]) for e in finding["evidence"]["attacking_ips"]}
    assert attackers == {("192.0.2.50", 10), ("192.0.2.51", 10)}


def test_many_unknown_recipients_from_one_ip_are_a_dictionary_attack(
    capsys, tmp_path: Path
) -> None:
    # given one IP trying 30 unknown local recipients, another retrying one address 30 times
    def reject(n: int, ip: str, rcpt: str) -> str:
        return ml.syslog(
            ml.START + timedelta(seconds=n), "postfix/smtpd[1001]",
            f"NOQUEUE: reject: RCPT from unknown[{ip}]: 550 5.1.1 <{rcpt}>: Recipient address "
            f"rejected: User unknown in local recipient table; from=<x@example.net> "
            f"to=<{rcpt}> proto=ESMTP helo=<x>",
        )  # fmt: skip

    lines = [reject(n, "192.0.2.60", f"guess{n}@example.com") for n in range(30)]
    lines += [reject(n, "192.0.2.61", "typo@example.com") for n in range(30)]
    path = ml.write(tmp_path / "mail.log", lines)
    # when `logs` reads it
    _, document = logs_json(capsys, path)
    # then only the IP that tried many addresses is a dictionary attacker
    (finding,) = findings(document, "VOLUME_DICTIONARY_ATTACK")
    assert [e["ip"] for e in finding["evidence"]["attacking_ips"]] == ["192.0.2.60"]
    assert finding["evidence"]["attacking_ips"][0]["targets"] == 30


def test_exim_authenticator_failures_through_syslog_are_a_brute_force_finding(
    capsys, tmp_path: Path
) -> None:
    # given Exim logging through syslog: 12 authenticator failures from one IP
    lines = [ml.via_syslog(ml.exim_auth_failure(n * 250, ml.START), ml.START) for n in range(12)]
    path = ml.write(tmp_path / "mail.log", lines)
    # when `logs` reads it
    _, document = logs_json(capsys, path)
    # then a brute-force finding names the IP
    (finding,) = findings(document, "VOLUME_SASL_BRUTE_FORCE")
    assert [e["ip"] for e in finding["evidence"]["attacking_ips"]] == ["198.51.100.0"]
