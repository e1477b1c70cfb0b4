"""Attempts our server refused at SMTP time, read from one Postfix or Exim line (stateless).

These are the lines a fail2ban jail counts (its postfix, postfix-sasl and exim filters):
- Postfix smtpd `warning: host[ip]: SASL LOGIN authentication failed: ...` (smtpd(8) logs
  `sasl_username=` too since Postfix 3.x when the client sent one);
- Postfix smtpd `NOQUEUE: reject: RCPT from host[ip]: 554 5.7.1 <r>: Relay access denied;
  from=<s> to=<r> ...` and `550 5.1.1 <r>: Recipient address rejected: User unknown in ...
  table` (MAILLOG_README, postconf(5) reject_unauth_destination, local_recipient_maps);
- Exim `dovecot_login authenticator failed for (helo) [ip]:port I=...: 535 Incorrect
  authentication data (set_id=user)` and `H=(helo) [ip] F=<s> rejected RCPT <r>: relay not
  permitted` / `Unrouteable address` / `Unknown user` (Exim spec, chapters "Log files" and
  "Access control lists").
A plain substring test comes before each regex: most lines are none of these.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Final

from audit.loglines.records import AttemptEvent, AttemptKind

POSTFIX_SASL: Final = re.compile(
    r"^(?:warning: )?[^\[\s]*\[(?P<ip>[^\]\s]+)\](?::\d+)?: SASL [\w-]+ authentication "
    r"failed(?P<rest>.*)$"
)
SASL_USERNAME: Final = re.compile(r"sasl_username=(?P<user>[^,\s]+)")
POSTFIX_REJECT: Final = re.compile(
    r"^reject: RCPT from [^\[\s]*\[(?P<ip>[^\]\s]+)\](?::\d+)?: (?P<reply>.*?)"
    r"(?:; from=<[^>]*> to=<(?P<rcpt>[^>]*)>.*)?$"
)
EXIM_AUTH: Final = re.compile(
    r"authenticator failed for (?:H=)?(?:\S+ )?\[(?P<ip>[0-9A-Fa-f.:]+)\]"
    r"(?::\d+)?.*?: 535(?:.*\(set_id=(?P<user>[^)\s]+)\))?"
)
EXIM_REJECT: Final = re.compile(
    r"(?:^| )H=(?:\S+ )?\(?[^\[]*?\[(?P<ip>[0-9A-Fa-f.:]+)\].* rejected RCPT "
    r"<?(?P<rcpt>[^>\s:]*)>?: (?P<reply>.*)$"
)
# Postfix's words for a recipient that does not exist here (local, virtual, relay tables)
POSTFIX_UNKNOWN: Final = ("User unknown in ", "Recipient address rejected: User unknown")
EXIM_UNKNOWN: Final = ("unrouteable address", "unknown user", "no such user")


def _postfix_reject(at: datetime | None, body: str) -> AttemptEvent | None:
    found = POSTFIX_REJECT.match(body)
    if found is None:
        return None
    reply = found["reply"]
    if "Relay access denied" in reply:
        kind = AttemptKind.RELAY_DENIED
    elif any(words in reply for words in POSTFIX_UNKNOWN):
        kind = AttemptKind.UNKNOWN_RECIPIENT
    else:
        return None
    return AttemptEvent(at, kind, found["ip"], recipient=found["rcpt"] or None)


def postfix_attempt(at: datetime | None, body: str) -> AttemptEvent | None:
    """The attempt an smtpd message (after `QID: ` or `NOQUEUE: `) records, else None.
    `body` starts after the queue id; a `warning:` line is handed whole."""
    if body.startswith("reject: RCPT"):
        return _postfix_reject(at, body)
    if " authentication failed" not in body:
        return None
    found = POSTFIX_SASL.match(body)
    if found is None:
        return None
    user = SASL_USERNAME.search(found["rest"])
    return AttemptEvent(at, AttemptKind.AUTH_FAILED, found["ip"], user["user"] if user else None)


def exim_attempt(at: datetime | None, rest: str) -> AttemptEvent | None:
    """The attempt an Exim line (after its stamp) records, else None."""
    if "authenticator failed" in rest:
        found = EXIM_AUTH.search(rest)
        if found is None:
            return None
        return AttemptEvent(at, AttemptKind.AUTH_FAILED, found["ip"], found["user"])
    if " rejected RCPT " not in rest or (reject := EXIM_REJECT.search(rest)) is None:
        return None
    reply = reject["reply"].lower()
    if "relay not permitted" in reply:
        kind = AttemptKind.RELAY_DENIED
    elif reply.startswith(EXIM_UNKNOWN):
        kind = AttemptKind.UNKNOWN_RECIPIENT
    else:
        return None
    return AttemptEvent(at, kind, reject["ip"], recipient=reject["rcpt"] or None)
