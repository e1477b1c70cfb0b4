"""A classified rejection: who refused the mail, why, and what to do (SPEC.md explain JSON).

The bounce classifier (audit.bounce) produces these; the audit result carries them for
`--bounce`, and every renderer reads them. Plain data: no parsing or knowledge here.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from audit.model.remediation import Remediation


class Reason(enum.StrEnum):
    """Why the mail was refused (the `reason` of SPEC.md's explain JSON)."""

    BLOCKED = "blocked"
    BAD_REPUTATION = "bad_reputation"
    RATE_LIMITED = "rate_limited"
    REQUIRE_PTR = "require_ptr"
    AUTH_FAILURE = "auth_failure"
    POLICY = "policy"
    USER_UNKNOWN = "user_unknown"
    MAILBOX_FULL = "mailbox_full"
    RELAYING_DENIED = "relaying_denied"  # the receiver is not a relay for that recipient
    SPAM_CONTENT = "spam_content"  # the content was judged spam or malware
    COMPLAINT = "complaint"  # a feedback report (ARF, RFC 5965): a recipient complained
    OTHER = "other"


@dataclass(frozen=True)
class Classification:
    input: str
    provider: str | None
    blocklist: str | None
    reason: Reason
    sending_ip: str | None
    temporary: bool
    remediation: Remediation
    # the mailbox provider's sender-requirement rule the rejection enforces ("gmail.dmarc")
    requirement: str | None = None
