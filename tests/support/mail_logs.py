"""Mail-log lines in the formats real servers write, for tests that write whole logs.

- Debian `mail.log` (rsyslog): classic `Mar 11 02:00:01 host prog[pid]: text` or its
  RFC 3339 default (`2025-03-11T02:00:01.000000+00:00`), Postfix lines mixed with
  dovecot, amavis and opendkim ones;
- Exim mainlog (`2025-03-11 02:00:01 1rNabc-000123-AB <= ...`) and Exim logging through
  syslog (`Mar 11 02:00:01 host exim[4000]: 2025-03-11 02:00:01 ...`);
- Postfix `maillog_file` (postlog(1): `Mar 11 02:00:01 host postfix/smtp[8]: ...`).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

START = datetime(2025, 3, 11, 2, 0, 1, tzinfo=UTC)
GMAIL_MX = ("gmail-smtp-in.l.google.com", "142.250.102.27")
OTHER_MX = ("mx.example.org", "192.0.2.25")
GMAIL_NO_SUCH_USER = (
    "550-5.1.1 The email account that you tried to reach does not exist. Please try "
    "double-checking the recipient's email address for typos or unnecessary spaces. For "
    "more information, go to https://support.google.com/mail/?p=NoSuchUser {token} - gsmtp"
)
USER_UNKNOWN = (
    "550 5.1.1 <{rcpt}>: Recipient address rejected: User unknown in virtual mailbox table"
)


def classic(at: datetime) -> str:
    """`Mar 11 02:00:01`: RFC 3164 stamp (day padded with a space)."""
    return f"{at:%b} {at.day:2d} {at:%H:%M:%S}"


def rfc3339(at: datetime) -> str:
    return at.isoformat(timespec="microseconds")


def syslog(at: datetime, program: str, text: str, host: str = "mx1", stamp=classic) -> str:
    return f"{stamp(at)} {host} {program}: {text}"


def qid(n: int) -> str:
    """A Postfix short queue id (hex, 10 characters)."""
    return f"{0x4B00000000 + n:010X}"


def postfix_delivery(
    n: int,
    at: datetime,
    rcpt: str,
    mx: tuple[str, str],
    status: str = "sent",
    reply: str = "250 2.0.0 OK",
    user: str | None = "alice@example.com",
    client_ip: str = "203.0.113.20",
    stamp=classic,
) -> list[str]:
    """smtpd client=, qmgr from=, smtp to= ... status=, qmgr removed: one message."""
    q, (host, ip) = qid(n), mx
    sasl = f", sasl_method=PLAIN, sasl_username={user}" if user else ""
    said = (
        reply
        if status == "sent"
        else f"host {host}[{ip}] said: {reply} (in reply to RCPT TO command)"
    )
    dsn = reply.split()[1] if status != "sent" and reply[:1] in "45" else "2.0.0"
    lines = [
        syslog(at, "postfix/smtpd[1001]", f"{q}: client=unknown[{client_ip}]{sasl}", stamp=stamp),
        syslog(
            at, "postfix/qmgr[1002]",
            f"{q}: from=<{user or 'news@example.com'}>, size=1234, nrcpt=1 (queue active)",
            stamp=stamp,
        ),
        syslog(
            at + timedelta(seconds=1), "postfix/smtp[1003]",
            f"{q}: to=<{rcpt}>, relay={host}[{ip}]:25, delay=1.1, delays=0.1/0/0.5/0.5, "
            f"dsn={dsn.rstrip(',-')}, status={status} ({said})",
            stamp=stamp,
        ),
    ]  # fmt: skip
    if status != "deferred":
        lines.append(
            syslog(at + timedelta(seconds=1), "postfix/qmgr[1002]", f"{q}: removed", stamp=stamp)
        )
    return lines


def gmail_bounce(
    n: int, at: datetime, token: str = "d2e1a72fcca58-7b0f0f1a2c3si1234.42"
) -> list[str]:
    reply = GMAIL_NO_SUCH_USER.format(token=token)
    return postfix_delivery(n, at, f"nobody{n}@gmail.com", GMAIL_MX, "bounced", reply)


def other_bounce(n: int, at: datetime) -> list[str]:
    rcpt = f"nobody{n}@example.org"
    return postfix_delivery(n, at, rcpt, OTHER_MX, "bounced", USER_UNKNOWN.format(rcpt=rcpt))


def dovecot(n: int, at: datetime) -> str:
    return syslog(
        at, "dovecot[800]",
        f"imap-login: Login: user=<user{n}@example.com>, method=PLAIN, rip=198.51.100.{n % 250}, "
        f"lip=192.0.2.10, mpid={3000 + n}, TLS, session=<aBcD{n:08d}>",
    )  # fmt: skip


def amavis(n: int, at: datetime) -> str:
    return syslog(
        at, "amavis[900]",
        f"({n:05d}-01) Passed CLEAN {{RelayedInbound}}, [192.0.2.80]:4444 <a@contoso.example> "
        f"-> <user{n}@example.com>, Hits: -1.2, size: 2345, 123 ms",
    )  # fmt: skip


def opendkim(n: int, at: datetime) -> str:
    return syslog(
        at, "opendkim[700]", f"{qid(n)}: DKIM-Signature field added (s=mail, d=example.com)"
    )


def exim_stamp(at: datetime) -> str:
    return f"{at:%Y-%m-%d %H:%M:%S}"


def exim_message(n: int, at: datetime, rcpt: str = "bob@example.net") -> list[str]:
    """An authenticated submission delivered remotely, then Completed."""
    mid = f"1rN{n:03d}-{n:06d}-AB"
    stamp = exim_stamp(at)
    return [
        f"{stamp} {mid} <= alice@example.com H=(laptop) [203.0.113.20] P=esmtpsa "
        f"A=dovecot_plain:alice@example.com S=1234 for {rcpt}",
        f"{stamp} {mid} => {rcpt} R=dnslookup T=remote_smtp H=mx.example.net [192.0.2.30] "
        'C="250 2.0.0 OK"',
        f"{stamp} {mid} Completed",
    ]


def exim_rejection(n: int, at: datetime) -> str:
    return (
        f"{exim_stamp(at)} H=(bulk) [198.51.100.{n % 250}] F=<spam@spam.example> rejected RCPT "
        f"<user{n}@example.com>: relay not permitted"
    )


def exim_auth_failure(n: int, at: datetime) -> str:
    return (
        f"{exim_stamp(at)} dovecot_login authenticator failed for (User) "
        f"[198.51.100.{n % 250}]:51234 I=[192.0.2.10]:587: 535 Incorrect authentication data "
        f"(set_id=admin{n})"
    )


def via_syslog(line: str, at: datetime, host: str = "mx1") -> str:
    """An Exim line as Exim writes it with log_file_path = syslog."""
    return f"{classic(at)} {host} exim[4000]: {line}"


def write(path, lines: list[str]):
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
