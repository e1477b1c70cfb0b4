"""Messages that look like bounces but are not refusals: complaints, auto-replies, delivery
notifications. Each is recognised by its own standard (or the provider's documented format)
and said to be what it is, instead of being classified as a rejection.

- Complaint: an ARF feedback report (RFC 5965 §2: multipart/report with a
  message/feedback-report part; one per Original-Rcpt-To, §3.2), Microsoft's JMRP report
  (Subject "complaint about message from <ip>", the reported message attached), an Amazon SES
  "Complaint" notification, or an RFC 2369 mailto unsubscribe request sent by the mail client
  (Apple Mail's X-Apple-Unsubscribe): a recipient who does not want the mail.
- Auto-reply (RFC 3834): marked `Auto-Submitted: auto-replied` (§5) or with a vacation
  Subject, no delivery-status part and no SMTP reply in its text (bounces are auto-submitted
  too, RFC 3464 §2, but carry the server's reply).
- Delivery notification: a DSN whose every recipient block was delivered, relayed or expanded
  (RFC 3464 §2.3.3), or an Amazon SES "Delivery" notification.
"""

from __future__ import annotations

import re
from email.message import Message

from audit.bounce.extract import RejectionReply, make_rejection, signal_statements
from audit.bounce.fields import smtp_codes

AUTO_REPLY = "an auto-reply (RFC 3834), not a bounce: nothing was refused"
DELIVERED = "a delivery notification (RFC 3464 Action: delivered/relayed), not a bounce"
SUCCESS_ACTIONS = frozenset({"delivered", "relayed", "expanded", "deliverable"})
AUTO_SUBJECT_RE = re.compile(
    r"^\s*(?:auto(?:matic)?[ -]?(?:reply|response|antwort)|out of (?:the )?office|away\b"
    r"|abwesenheit|vacation|absence|r[ée]ponse automatique)",
    re.IGNORECASE,
)
JMRP_SUBJECT_RE = re.compile(r"^\s*complaint about message from\b", re.IGNORECASE)
SES_TYPE_RE = re.compile(r'"notificationType"\s*:\s*"(Complaint|Delivery)"')
REPLY_RE = re.compile(r"(?:^|\s)(?:4[25]\d|5[0-5]\d)[ -]", re.MULTILINE)
# What bounces say of themselves (subject, sender, body), whatever their Auto-Submitted.
BOUNCE_SUBJECT_RE = re.compile(
    r"undeliver|undelivered|returned mail|delivery (?:status|failure|fail|notification|problem)"
    r"|failure notice|mail delivery|non[- ]?delivery|nondeliverable|could not be delivered"
    r"|mail system error|delivery has failed|warning: could not send|returned to sender"
    r"|rejected|failed",
    re.IGNORECASE,
)
DAEMON_RE = re.compile(r"mailer-daemon|postmaster|mail delivery|mail ?administrator", re.I)


def _header(message: Message, name: str) -> str:
    return " ".join(str(message.get(name, "")).split())


def _arf_complaints(part: Message) -> list[RejectionReply]:
    """RFC 5965 §3.1-§3.2: the report's fields; one complaint per Original-Rcpt-To."""
    payload = part.get_payload()
    fields = payload[0] if isinstance(payload, list) and payload else None
    if not isinstance(fields, Message):
        return [make_rejection("Feedback report (RFC 5965)", complaint=True)]
    kind = _header(fields, "Feedback-Type") or "abuse"
    details = "; ".join(
        f"{name}: {_header(fields, name)}"
        for name in ("User-Agent", "Source-IP", "Reported-Domain", "Arrival-Date")
        if fields.get(name)
    )
    text = f"Feedback report (RFC 5965), Feedback-Type: {kind}" + (
        f"; {details}" if details else ""
    )
    recipients = [" ".join(str(v).split()) for v in fields.get_all("Original-Rcpt-To") or []]
    return [
        make_rejection(text + (f"; Original-Rcpt-To: {rcpt}" if rcpt else ""), complaint=True)
        for rcpt in (recipients or [""])
    ]


def complaints_in(message: Message, parts: list[Message]) -> list[RejectionReply]:
    """The complaints a message reports, one per complaining recipient; [] for other mail."""
    found = [
        complaint
        for part in parts
        if part.get_content_type() == "message/feedback-report"
        for complaint in _arf_complaints(part)
    ]
    if found:
        return found
    subject = _header(message, "Subject")
    if JMRP_SUBJECT_RE.match(subject):
        return [make_rejection(f"Complaint report (Microsoft JMRP): {subject}", complaint=True)]
    if _header(message, "X-Apple-Unsubscribe").lower() == "true":
        text = "Unsubscribe request (RFC 2369 List-Unsubscribe mailto) sent by Apple Mail"
        return [make_rejection(text, complaint=True)]
    ses = _ses_type(parts)
    if ses == "Complaint":
        return [make_rejection("Complaint notification (Amazon SES)", complaint=True)]
    return []


def _ses_type(parts: list[Message]) -> str | None:
    for part in parts:
        if part.get_content_maintype() == "text":
            match = SES_TYPE_RE.search(str(part.get_payload()))
            if match:
                return match.group(1)
    return None


def _dsn_actions(parts: list[Message]) -> list[str]:
    return [
        " ".join(str(block.get("Action", "")).split()).lower()
        for part in parts
        if part.get_content_type() == "message/delivery-status"
        and isinstance(part.get_payload(), list)
        for block in part.get_payload()
        if isinstance(block, Message) and block.get("Action") is not None
    ]


def kind_of_non_bounce(message: Message, parts: list[Message], body: str) -> str | None:
    """Why the message is not a bounce (auto-reply, delivery notification), else None."""
    actions = _dsn_actions(parts)
    if actions and all(action in SUCCESS_ACTIONS for action in actions):
        return DELIVERED
    if _ses_type(parts) == "Delivery":
        return DELIVERED
    if any(part.get_content_type() == "message/delivery-status" for part in parts):
        return None
    subject = _header(message, "Subject")
    auto = _header(message, "Auto-Submitted").lower().startswith("auto-replied")
    if not (auto or AUTO_SUBJECT_RE.match(subject)):
        return None
    says_bounce = (
        BOUNCE_SUBJECT_RE.search(subject) is not None
        or DAEMON_RE.search(_header(message, "From")) is not None
        or REPLY_RE.search(body) is not None
        or smtp_codes(body).enhanced is not None
        or signal_statements(body) != []
    )
    return None if says_bounce else AUTO_REPLY
