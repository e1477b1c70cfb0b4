"""Exim mainlog parsing: arrivals with A=/U=, deliveries, bounces, deferrals."""

from __future__ import annotations

from audit.loglines.exim import EximParser
from audit.loglines.records import DeliveryStatus, SubmissionEvent

MID = "1rNabc-000123-AB"
ARRIVAL = (
    f"2025-03-11 02:00:01 {MID} <= alice@example.com H=(laptop) [198.18.3.4]:51234 "
    "P=esmtpsa X=TLS1.3 A=dovecot_login:alice@example.com S=1234 for bob@gmail.com carol@yahoo.com"
)
DELIVERED = (
    f"2025-03-11 02:00:02 {MID} => bob@gmail.com R=dnslookup T=remote_smtp "
    'H=gmail-smtp-in.l.google.com [142.250.102.27] I=[192.0.2.10]:25 C="250 2.0.0 OK"'
)
BOUNCED = (
    f"2025-03-11 02:00:03 {MID} ** carol@yahoo.com R=dnslookup T=remote_smtp "
    "H=mta5.am0.yahoodns.net [67.195.204.72]: SMTP error from remote mail server after "
    "RCPT TO:<carol@yahoo.com>: 553 5.7.1 [BL21] Connections not accepted from IP addresses "
    "on Spamhaus XBL"
)
DEFERRED = (
    f"2025-03-11 02:00:04 {MID} == dan@gmail.com R=dnslookup T=remote_smtp defer (-44) "
    "H=gmail-smtp-in.l.google.com [142.250.102.27]: SMTP error from remote mail server after "
    "end of data: 421-4.7.28 unusual rate of unsolicited mail"
)


def test_an_authenticated_arrival_names_the_auth_id_client_and_recipients() -> None:
    (event,) = EximParser().parse(ARRIVAL) or []
    assert isinstance(event, SubmissionEvent)
    assert (event.account, event.client_ip, event.recipients) == (
        "alice@example.com",
        "198.18.3.4",
        2,
    )


def test_deliveries_carry_the_account_status_reply_and_local_ip() -> None:
    parser = EximParser()
    parser.parse(ARRIVAL)
    (sent,) = parser.parse(DELIVERED) or []
    (bounced,) = parser.parse(BOUNCED) or []
    (deferred,) = parser.parse(DEFERRED) or []
    assert sent.status is DeliveryStatus.SENT and sent.local_ip == "192.0.2.10"
    assert bounced.status is DeliveryStatus.BOUNCED and bounced.reply.startswith("SMTP error")
    assert "553 5.7.1" in bounced.reply and bounced.account == "alice@example.com"
    assert deferred.status is DeliveryStatus.DEFERRED and deferred.remote


def test_a_local_script_submission_is_attributed_to_the_unix_user() -> None:
    line = f"2025-03-11 02:00:01 {MID} <= www-data@web1.example.com U=www-data P=local S=900"
    (event,) = EximParser().parse(line) or []
    assert event.account == "local:www-data" and event.local


def test_a_forwarded_delivery_is_marked() -> None:
    line = DELIVERED.replace("bob@gmail.com R=", "bob@gmail.com <info@example.com> R=")
    (event,) = EximParser().parse(line) or []
    assert event.forwarded


def test_garbled_and_non_message_lines() -> None:
    parser = EximParser()
    assert parser.parse("2025-03-11 garbage") is None
    assert parser.parse("2025-03-11 02:00:00 Start queue run: pid=123") == []
