"""Judge what the relay probe saw of the server itself: STARTTLS and the banner name.

STARTTLS (RFC 3207): an MX that does not offer it receives every message in cleartext,
and the domain cannot publish MTA-STS (RFC 8461 §3.2 requires TLS on every MX) or DANE
(RFC 7672). That is a real weakness but not a cause of blocklisting, hence medium.

The banner name (RFC 5321 §4.3.1: the greeting SHOULD carry the server's name) is
compared with the PTR of the probed address. Online testers raise a warning on any
difference, and admins rightly call it a false alarm (Kerio and MailEdge KBs): the
name receivers check is the HELO of outgoing mail and the PTR of the sending IP (the
ptr and spf checks). So it is reported as info only, and only for public addresses.
"""

from __future__ import annotations

import re

from audit.model import CheckId, Finding, Severity
from checks.relay.evidence import RelayBannerEvidence, RelayStarttlsEvidence
from checks.relay.model import HostProbe

_HOST_NAME = re.compile(r"(?=.{4,253}$)[a-z0-9-]{1,63}(?:\.[a-z0-9-]{1,63})+")


def banner_name(probe: HostProbe) -> str | None:
    """The host name the greeting gives (its first word), when it is one."""
    word = probe.banner.first_word.rstrip(".").lower() if probe.banner else ""
    return word if _HOST_NAME.fullmatch(word) else None


def starttls_findings(probe: HostProbe) -> list[Finding]:
    if probe.hello is None or probe.hello.code != 250 or probe.starttls:
        return []
    subject = probe.target.label
    how = "does not list STARTTLS in its EHLO reply"
    if probe.hello_verb == "HELO":
        how = "does not speak ESMTP (EHLO refused), so it cannot offer STARTTLS"
    detail = (
        f"The server {how} (RFC 3207): mail to it crosses the network in cleartext, "
        "and MTA-STS (RFC 8461) or DANE (RFC 7672) cannot be deployed."
    )
    evidence = RelayStarttlsEvidence(
        hello=probe.hello_verb, esmtp_extensions=list(probe.capabilities)
    )
    title = f"{subject} does not offer STARTTLS"
    return [
        Finding(
            CheckId.RELAY, "RELAY_NO_STARTTLS", Severity.MEDIUM, subject, title, detail, evidence
        )
    ]


def banner_findings(probe: HostProbe, ptr_names: tuple[str, ...]) -> list[Finding]:
    """Info when the banner name is none of the address's PTR names (see module doc)."""
    name = banner_name(probe)
    names = tuple(n.rstrip(".").lower() for n in ptr_names)
    if name is None or not names or name in names:
        return []
    subject = probe.target.label
    detail = (
        f"The greeting names {name}; the PTR of {probe.target.ip} is {', '.join(names)}. "
        "Cosmetic: receivers check the HELO name and PTR of outgoing mail, not this "
        "banner. Align them only if an online tester's warning bothers you."
    )
    evidence = RelayBannerEvidence(banner_name=name, ptr=list(names))
    title = f"{subject} greets as {name}, not its PTR name"
    return [
        Finding(
            CheckId.RELAY, "RELAY_BANNER_MISMATCH", Severity.INFO, subject, title, detail, evidence
        )
    ]
