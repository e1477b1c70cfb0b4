"""Split explain input (plain text or a Postfix/Exim log excerpt) into rejections.

Plain text: one rejection per line, with SMTP multi-line replies ("550-…" … "550 …") and
indented continuation lines joined (RFC 5321 §4.2.1). Log excerpts: only the lines that carry a
rejection count, read by the log-line readers the log digest uses (audit/loglines/rejected.py:
Postfix `status=bounced|deferred (host X[ip] said: …)`, Exim `SMTP error from remote mail
server`, Postfix/Exim local rejects); the rest of the log is ignored.
A "host NAME[ip] said:" prefix names the receiving MTA, never the sender: it is removed from
the text and kept as `remote_host`.

Every rejection found is returned; `explain` classifies the first MAX_REJECTIONS of a run and
reports how many more there were.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from audit.loglines.rejected import logged_rejection

MAX_REJECTIONS = 10_000  # classified per explain run; the rest are counted (explain.py)
MAX_STATEMENT_CHARS = 8192

REMOTE_PREFIX_RE = re.compile(
    r"\bhost ([A-Za-z0-9.-]+\.[A-Za-z]{2,})\.?\s*\[[0-9A-Fa-f:.]+\](?::\d+)?"
    r"(?:\s+(?:said|refused to talk to me))?:?\s*"
)
IN_REPLY_TO_RE = re.compile(r"\s*\(in reply to [^)]*\)\s*$")
MULTILINE_RE = re.compile(r"^((?:4[25]\d|5[0-5]\d))-")
CONTINUATION_PREFIX_RE = re.compile(r"^(?:4[25]\d|5[0-5]\d)[ -](?:[245]\.\d{1,3}\.\d{1,3}\s+)?")
# Lines worth classifying in free text (a reply code, an enhanced status or a block phrase).
SIGNAL_RE = re.compile(
    r"(?:^|\s)(?:4[25]\d|5[0-5]\d)[ -]|\b[45]\.\d{1,3}\.\d{1,3}\b|block|black ?list|listed"
    r"|reject|refused|denied|deferred|reputation|spam|\brbl\b|not accepted|rate limit",
    re.IGNORECASE,
)


# A recipient alone on its line opens that recipient's block (Exim: "  user@example.org"
# then the indented SMTP error), even when indented like a continuation.
ADDRESS_LINE_RE = re.compile(r"^<?[^\s@<>]+@[^\s@<>]+>?:?$")
# Header fields of a returned message quoted in a text part (RFC 5322 §3.6 and common X-).
HEADER_RE = re.compile(
    r"^(?:X-[\w-]+|Subject|To|From|Cc|Date|Message-I[dD]|Received|Return-Path|Content-[\w-]+"
    r"|MIME-Version|Reply-To|DKIM-Signature|Authentication-Results|Received-SPF|List-[\w-]+"
    r"|Delivered-To|In-Reply-To|References|Sender):\s",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class RejectionReply:
    """A server's reply refusing mail, as found in a bounce, log line or text: the
    classifier's input (audit/bounce/classify.py), before classification."""

    text: str
    remote_host: str | None = None
    deferred: bool | None = None  # the log's status=deferred / the DSN's Action: delayed
    status: str | None = None  # an RFC 3463 status given outside the text (dsn=, Status:)
    complaint: bool = False  # a feedback report (RFC 5965), not a refusal


def split_remote_host(text: str) -> tuple[str, str | None]:
    """("550 …", "mx.example.net") from "host mx.example.net[192.0.2.1] said: 550 …"."""
    match = REMOTE_PREFIX_RE.search(text)
    if match is None:
        return text, None
    remainder = (text[: match.start()] + " " + text[match.end() :]).strip()
    return IN_REPLY_TO_RE.sub("", remainder), match.group(1).lower()


def _bounded(text: str) -> str:
    return " ".join(text.split())[:MAX_STATEMENT_CHARS]


def make_rejection(
    text: str,
    remote_host: str | None = None,
    deferred: bool | None = None,
    status: str | None = None,
    complaint: bool = False,
) -> RejectionReply:
    cleaned, named_host = split_remote_host(_bounded(text))
    return RejectionReply(_bounded(cleaned), remote_host or named_host, deferred, status, complaint)


def from_log_line(line: str) -> RejectionReply | None:
    """The rejection one Postfix or Exim log line records, or None."""
    logged = logged_rejection(line)
    if logged is None:
        return None
    return make_rejection(logged.reply, logged.remote_host, logged.deferred, logged.dsn)


def _open_reply(line: str) -> str | None:
    """The reply code of a line that announces more lines ("550-…"), else None."""
    match = MULTILINE_RE.match(line)
    return match.group(1) if match else None


def _continuation(current: str, line: str) -> str:
    """A continuation line without the reply code it repeats (RFC 5321 §4.2.1: "550-…",
    "550 …"); a wrapped line that opens the reply (Postfix's indented "421 4.7.0 …" after
    "said:") keeps its code."""
    prefix = CONTINUATION_PREFIX_RE.match(line)
    if prefix is None or line[:3] not in current:
        return line
    return line[prefix.end() :]


def statements(text: str) -> Iterator[str]:
    """Lines, with SMTP multi-line replies and indented continuations joined."""
    current, open_code = "", None
    for line in text.splitlines():
        stripped = line.strip()
        continues = (line[:1] in (" ", "\t") and not ADDRESS_LINE_RE.match(stripped)) or (
            open_code is not None and stripped.startswith(open_code)
        )
        if not stripped or not (current and continues):
            if current:
                yield current
            current, open_code = stripped, _open_reply(stripped)
            continue
        current += "\n" + _continuation(current, stripped)
        if open_code is not None and stripped.startswith(open_code):
            open_code = _open_reply(stripped)
    if current:
        yield current


def signal_statements(text: str) -> list[str]:
    """The statements of a text that look like a rejection (a code or a block phrase); a
    header line of the returned message ("X-Spam-Flag: NO") is not one."""
    return [s for s in statements(text) if SIGNAL_RE.search(s) and not HEADER_RE.match(s)]


def extract_text(text: str) -> list[RejectionReply]:
    """Rejections in free text or a log excerpt; the whole text as one when nothing stands out."""
    logged = [r for r in map(from_log_line, text.splitlines()) if r is not None]
    if logged:
        return logged
    found = [make_rejection(s) for s in signal_statements(text)]
    if not found and text.strip():
        found = [make_rejection(text)]
    return [r for r in found if r.text]
