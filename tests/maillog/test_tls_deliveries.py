"""Deliveries over TLS per mailbox provider, from the logs (issue 14 item 2): Postfix's
`... TLS connection established to host[ip]:25` line (smtp_tls_loglevel >= 1) before the
deliveries of the same smtp process, Exim's `X=` cipher on `=>` lines."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from audit.maillog.facts import TlsFacts
from audit.maillog.ingest import read_logs

TODAY = date(2026, 11, 30)
GMAIL = "gmail-smtp-in.l.google.com[142.250.102.27]:25"
OUTLOOK = "example-com.mail.protection.outlook.com[52.101.42.5]:25"


def postfix_message(qid: str, pid: int, rcpt: str, relay: str, tls: str | None) -> list[str]:
    """One outbound message as Postfix logs it, with its TLS line when `tls` names one."""
    lines = [
        f"Nov 21 10:00:01 mx postfix/smtpd[900]: {qid}: client=laptop[198.51.100.7], "
        "sasl_method=PLAIN, sasl_username=alice@example.com",
        f"Nov 21 10:00:01 mx postfix/qmgr[800]: {qid}: from=<alice@example.com>, size=1234, "
        "nrcpt=1 (queue active)",
    ]
    if tls is not None:
        lines.append(
            f"Nov 21 10:00:02 mx postfix/smtp[{pid}]: {tls} TLS connection established to "
            f"{relay}: TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits) "
            "key-exchange X25519 server-signature RSA-PSS (2048 bits) server-digest SHA256"
        )
    lines += [
        f"Nov 21 10:00:03 mx postfix/smtp[{pid}]: {qid}: to=<{rcpt}>, relay={relay}, "
        "delay=1.2, delays=0.1/0/0.5/0.6, dsn=2.0.0, status=sent (250 2.0.0 OK  1732183203 "
        "a640c23a62f3a-aa0e2c1d3f6si12345466b.123 - gsmtp)",
        f"Nov 21 10:00:03 mx postfix/qmgr[800]: {qid}: removed",
    ]
    return lines


def facts_of(tmp_path: Path, lines: list[str]) -> tuple[TlsFacts, ...]:
    log = tmp_path / "mail.log"
    log.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return read_logs([str(log)], today=TODAY).tls


def test_a_postfix_delivery_after_its_tls_line_counts_as_over_tls(tmp_path):
    lines = postfix_message("4A1B2C3D4E", 3001, "bob@gmail.com", GMAIL, "Verified")
    assert facts_of(tmp_path, lines) == (TlsFacts("gmail", tls=1, plain=0),)


def test_every_peer_verification_level_of_postfix_counts_as_tls(tmp_path):
    lines = [
        line
        for n, level in enumerate(("Trusted", "Untrusted", "Anonymous", "Verified"))
        for line in postfix_message(f"5B{n}C3D4E", 3100 + n, "bob@gmail.com", GMAIL, level)
    ]
    assert facts_of(tmp_path, lines) == (TlsFacts("gmail", tls=4, plain=0),)


def test_a_postfix_delivery_without_a_tls_line_counts_as_clear_text(tmp_path):
    lines = [
        *postfix_message("6C1B2C3D4E", 3201, "bob@gmail.com", GMAIL, "Trusted"),
        *postfix_message("6C2B2C3D4E", 3202, "carol@outlook.com", OUTLOOK, None),
    ]
    assert facts_of(tmp_path, lines) == (
        TlsFacts("gmail", tls=1, plain=0),
        TlsFacts("microsoft", tls=0, plain=1),
    )


def test_another_smtp_process_tls_line_does_not_cover_a_delivery(tmp_path):
    # pid 3301 opened TLS to Gmail; pid 3302's delivery to Gmail logged no TLS line
    tls_line = postfix_message("7D1B2C3D4E", 3301, "bob@gmail.com", GMAIL, "Trusted")
    plain = postfix_message("7D2B2C3D4E", 3302, "dan@gmail.com", GMAIL, None)
    assert facts_of(tmp_path, [*tls_line, *plain]) == (TlsFacts("gmail", tls=1, plain=1),)


def test_a_reused_tls_connection_covers_the_next_delivery_of_its_process(tmp_path):
    first = postfix_message("8E1B2C3D4E", 3401, "bob@gmail.com", GMAIL, "Trusted")
    reused = postfix_message("8E2B2C3D4E", 3401, "dan@gmail.com", GMAIL, None)  # conn_use=2
    assert facts_of(tmp_path, [*first, *reused]) == (TlsFacts("gmail", tls=2, plain=0),)


def test_a_log_without_tls_lines_counts_every_remote_delivery_as_clear_text(tmp_path):
    lines = postfix_message("9F1B2C3D4E", 3501, "bob@gmail.com", GMAIL, None)
    assert facts_of(tmp_path, lines) == (TlsFacts("gmail", tls=0, plain=1),)


def test_local_deliveries_are_not_counted(tmp_path):
    lines = [
        "Nov 21 10:00:01 mx postfix/qmgr[800]: AB1B2C3D4E: from=<bob@gmail.com>, size=99, "
        "nrcpt=1 (queue active)",
        "Nov 21 10:00:02 mx postfix/local[3601]: AB1B2C3D4E: to=<alice@example.com>, "
        "relay=local, delay=0.1, dsn=2.0.0, status=sent (delivered to mailbox)",
    ]
    assert facts_of(tmp_path, lines) == ()


def exim_delivery(mid: str, rcpt: str, host: str, ip: str, cipher: str | None) -> str:
    x = f" X={cipher} CV=yes" if cipher else ""
    return (
        f"2026-11-21 10:00:03 {mid} => {rcpt} R=dnslookup T=remote_smtp H={host} [{ip}]"
        f'{x} C="250 2.0.0 OK 1732183203 - gsmtp"'
    )


def test_exim_deliveries_count_by_their_cipher_field(tmp_path):
    lines = [
        "2026-11-21 10:00:01 1tE5aB-000Abc-7x <= alice@example.com H=laptop [198.51.100.7] "
        "P=esmtpsa X=TLS1.3:TLS_AES_256_GCM_SHA384:256 A=dovecot_plain:alice S=1234 "
        "for bob@gmail.com bob@yahoo.com",
        exim_delivery(
            "1tE5aB-000Abc-7x", "bob@gmail.com", "gmail-smtp-in.l.google.com", "142.250.102.27",
            "TLS1.3:TLS_AES_256_GCM_SHA384:256",
        ),
        exim_delivery(
            "1tE5aB-000Abc-7x", "bob@yahoo.com", "mta7.am0.yahoodns.net", "67.195.204.72", None
        ),
        "2026-11-21 10:00:04 1tE5aB-000Abc-7x Completed",
    ]  # fmt: skip
    assert facts_of(tmp_path, lines) == (
        TlsFacts("gmail", tls=1, plain=0),
        TlsFacts("yahoo", tls=0, plain=1),
    )
