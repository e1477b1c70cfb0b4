"""Reading real bounce messages: mbox separators, RFC 3464 parts, lenient MIME."""

from __future__ import annotations

from audit.bounce.explain import explain_inputs, rejections_in
from audit.bounce.input import from_argument

DSN_WITHOUT_DIAGNOSTIC = """\
From: MAILER-DAEMON@mx.example.org
To: sender@example.com
Subject: Returned mail
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="XX"

--XX
Content-Type: text/plain

<user@yahoo.example>: host mta5.am0.yahoodns.net[192.0.2.9] said:
    421 4.7.0 [TSS04] Messages from 192.0.2.1 temporarily deferred due to
    unexpected volume or user complaints (in reply to MAIL FROM command)

--XX
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.org

Final-Recipient: rfc822; user@yahoo.example
Action: delayed
Status: 4.0.0

--XX--
"""


def test_an_mbox_separator_line_is_not_read_as_a_rejection() -> None:
    # given a DSN saved in an mbox, opened by a "From " separator line
    text = "From MAILER-DAEMON Thu Jul  2 12:05:05 2020\n" + DSN_WITHOUT_DIAGNOSTIC
    # when its rejections are extracted
    found = rejections_in(text)
    # then the message is read as one DSN: one rejection, the server's reply
    assert len(found) == 1
    assert "421 4.7.0 [TSS04]" in found[0].text


def test_every_message_of_an_mbox_is_read() -> None:
    # given an mbox holding the same DSN twice
    one = "From MAILER-DAEMON Thu Jul  2 12:05:05 2020\n" + DSN_WITHOUT_DIAGNOSTIC
    # when its rejections are extracted
    found = rejections_in(one + "\n" + one)
    # then each message gives its rejection
    assert len(found) == 2


def test_a_status_without_diagnostic_code_takes_the_reply_of_the_text_part() -> None:
    # given a DSN whose delivery-status block has Status: 4.0.0 and no Diagnostic-Code
    # when it is classified (RFC 3464 §2.1: the human-readable part explains the failure)
    [found] = rejections_in(DSN_WITHOUT_DIAGNOSTIC)
    # then the text is the reply the text part quotes for that recipient, status kept
    assert "[TSS04]" in found.text
    assert found.status == "4.0.0"


def test_an_mbox_status_header_is_not_a_delivery_status() -> None:
    # given a plain-text bounce whose headers carry the mbox reader's "Status: RO"
    text = (
        "From: postmaster@example.org\nSubject: Undeliverable\nStatus: RO\n\n"
        "did not reach the following recipient(s):\n"
        "user@example.org: The recipient name is not recognized\n"
    )
    # when it is explained
    explained = explain_inputs([from_argument(text)])
    # then the body is what is classified, not "Status: RO"
    assert "not recognized" in explained.classifications[0].input


ARF_REPORT = """\
From: feedback@mail.example.net
To: abuse@example.com
Subject: FW: Earn money
MIME-Version: 1.0
Content-Type: multipart/report; report-type=feedback-report; boundary="R"

--R
Content-Type: text/plain

This is an email abuse report for an email message received from IP 192.0.2.1.

--R
Content-Type: message/feedback-report

Feedback-Type: abuse
User-Agent: SomeGenerator/1.0
Version: 1
Source-IP: 192.0.2.1
Original-Rcpt-To: <user1@example.net>
Original-Rcpt-To: <user2@example.net>

--R
Content-Type: text/rfc822-headers

From: <somespammer@example.com>
Subject: Earn money

--R--
"""


def test_an_arf_report_is_a_complaint_per_recipient() -> None:
    # given an ARF feedback report (RFC 5965) naming two complaining recipients
    # when it is explained
    explained = explain_inputs([from_argument(ARF_REPORT)])
    # then each recipient's complaint is classified as such, with the source IP
    reasons = [c.reason.value for c in explained.classifications]
    assert reasons == ["complaint", "complaint"]
    assert explained.classifications[0].sending_ip == "192.0.2.1"


def test_an_auto_reply_is_said_to_be_one_not_classified() -> None:
    # given an RFC 3834 vacation reply
    text = (
        "From: kijitora@example.net\nTo: sender@example.com\nSubject: Away until May 5\n"
        "Auto-Submitted: auto-replied\n\nI am away until May 5th.\n"
    )
    # when it is explained
    explained = explain_inputs([from_argument(text)])
    # then nothing is classified and the input is listed as an auto-reply
    assert explained.classifications == []
    assert "auto-reply" in explained.unclassified[0].reason


def test_a_bounce_marked_auto_submitted_is_still_a_bounce() -> None:
    # given an Exim-style bounce (bounces are auto-submitted too, RFC 3464 §2)
    text = (
        "From: Mail Delivery System <Mailer-Daemon@mx.example.org>\n"
        "Subject: Mail delivery failed: returning message to sender\n"
        "Auto-Submitted: auto-replied\n\n"
        "  user@example.net\n"
        "    SMTP error from remote mail server after RCPT TO:<user@example.net>:\n"
        "    550 5.1.1 <user@example.net>: Recipient address rejected: User unknown\n"
    )
    # when it is explained
    explained = explain_inputs([from_argument(text)])
    # then the refusal is classified
    assert [c.reason.value for c in explained.classifications] == ["user_unknown"]


def test_a_dsn_of_delivered_recipients_is_a_delivery_notification() -> None:
    # given a DSN whose recipient was delivered (RFC 3464 §2.3.3 Action: delivered)
    text = DSN_WITHOUT_DIAGNOSTIC.replace("Action: delayed", "Action: delivered").replace(
        "Status: 4.0.0", "Status: 2.0.0"
    )
    # when it is explained
    explained = explain_inputs([from_argument(text)])
    # then nothing is classified and the input is listed as a delivery notification
    assert explained.classifications == []
    assert "delivery notification" in explained.unclassified[0].reason


def test_each_exim_recipient_block_is_its_own_rejection() -> None:
    # given an Exim bounce listing two recipients, each followed by its indented SMTP error
    text = (
        "The following address(es) failed:\n\n"
        "  kijitora@example.jp\n"
        "    SMTP error from remote mail server after RCPT TO:<kijitora@example.jp>:\n"
        "    host mx.example.jp [192.0.2.153]: 550 5.1.1 <kijitora@example.jp>... User Unknown\n"
        "  sabatora@example.jp\n"
        "    SMTP error from remote mail server after RCPT TO:<sabatora@example.jp>:\n"
        "    host mx.example.jp [192.0.2.153]: 552 5.2.2 <sabatora@example.jp>... Mailbox Full\n"
    )
    # when it is explained
    explained = explain_inputs([from_argument(text)])
    # then each recipient gets its own classification
    reasons = [c.reason.value for c in explained.classifications]
    assert reasons == ["user_unknown", "mailbox_full"]


def test_a_quoted_header_line_of_the_returned_message_is_no_rejection() -> None:
    # given a text bounce that quotes the returned message's "X-Spam-Flag: NO"
    text = "550 5.1.1 <a@example.net>: User unknown\n\nX-Spam-Flag: NO\nSubject: Reject test\n"
    # when it is explained
    explained = explain_inputs([from_argument(text)])
    # then only the server's reply is classified
    assert [c.reason.value for c in explained.classifications] == ["user_unknown"]


def test_a_boundary_that_does_not_match_the_body_does_not_lose_the_reply() -> None:
    # given a DSN whose declared boundary differs from the one its body uses (Orange)
    text = DSN_WITHOUT_DIAGNOSTIC.replace('boundary="XX"', 'boundary="YY"')
    # when its rejections are extracted
    found = rejections_in(text)
    # then the reply is still read, with the status of the field group
    assert len(found) == 1
    assert "[TSS04]" in found[0].text
    assert found[0].status == "4.0.0"


def test_a_boundary_parameter_folded_without_white_space_does_not_lose_the_reply() -> None:
    # given a part whose "boundary=" continuation line is not indented (RFC 5322 §2.2.3)
    text = (
        "From: MAILER-DAEMON@vtext.example\nSubject: Undeliverable\nMIME-Version: 1.0\n"
        'Content-Type: multipart/mixed; boundary="A"\n\n--A\n'
        'Content-Type: multipart/alternative;\nboundary="B"\n\n--B\n'
        "Content-Type: text/plain\n\n550 - Requested action not taken: no such user here\n"
        "--B--\n--A--\n"
    )
    # when it is explained
    explained = explain_inputs([from_argument(text)])
    # then the reply in the unsplit part is classified
    assert [c.reason.value for c in explained.classifications] == ["user_unknown"]


def test_a_multi_line_diagnostic_code_is_read_whole_with_its_prefix_once() -> None:
    # given a Diagnostic-Code whose continuation lines are not folded
    text = DSN_WITHOUT_DIAGNOSTIC.replace(
        "Action: delayed",
        "Diagnostic-Code: smtp; 550-Please turn on SMTP Authentication in your mail client.\n"
        "550-mail0.example.com [198.51.100.21] is not permitted to\n"
        "550 relay through this server without authentication.\nAction: failed",
    )
    # when its rejections are extracted
    [found] = rejections_in(text)
    # then the whole reply is the text, each line's code prefix dropped, the fields kept
    assert found.text.endswith(
        "is not permitted to relay through this server without authentication."
    )
    assert found.deferred is False


def test_a_bare_diagnostic_code_takes_the_context_the_text_part_gives_it() -> None:
    # given an Exim DSN whose Diagnostic-Code is only "550 Rejected", while its text part
    # says the server refused after EHLO
    text = DSN_WITHOUT_DIAGNOSTIC.replace(
        "Action: delayed", "Action: failed\nDiagnostic-Code: smtp; 550 Rejected"
    ).replace(
        "<user@yahoo.example>: host mta5.am0.yahoodns.net[192.0.2.9] said:\n"
        "    421 4.7.0 [TSS04] Messages from 192.0.2.1 temporarily deferred due to\n"
        "    unexpected volume or user complaints (in reply to MAIL FROM command)",
        "  user@yahoo.example\n    SMTP error from remote mail server after EHLO a.example:\n"
        "    550 Rejected",
    )
    # when it is explained
    [found] = explain_inputs([from_argument(text)]).classifications
    # then the refusal is read in its context: a refusal of the client, blocked
    assert found.reason.value == "blocked"


def test_the_html_alternative_of_a_text_part_is_not_read_twice() -> None:
    # given a bounce whose reply is in both parts of a multipart/alternative
    text = (
        "From: MAILER-DAEMON@example.org\nSubject: Undeliverable\nMIME-Version: 1.0\n"
        'Content-Type: multipart/alternative; boundary="A"\n\n--A\n'
        "Content-Type: text/plain\n\n550 5.1.1 <a@example.net>: User unknown\n--A\n"
        "Content-Type: text/html\n\n<p>550 5.1.1 &lt;a@example.net&gt;: User unknown</p>\n--A--\n"
    )
    # when it is explained
    explained = explain_inputs([from_argument(text)])
    # then the rejection is classified once, from the plain-text part
    assert [c.reason.value for c in explained.classifications] == ["user_unknown"]
