"""Remote rejections pulled from delivery events: the SMTP code, the enhanced status code
(RFC 3463), the receiving provider, the named blocklist and a reason class in the `explain`
vocabulary (blocked, bad_reputation, rate_limited, require_ptr, auth_failure, user_unknown,
mailbox_full, other).

The classification is `explain`'s (audit/bounce/classify.py `verdict_for`, with the provider
data of audit/knowledge/providers/ and the DNSBL catalog): one classifier, one provider table.
The reply it reads is the one `explain` would read from the same log line
(audit/bounce/extract.py `make_rejection`), so both say the same about it.
"""

from __future__ import annotations

import re
from dataclasses import astuple, dataclass

from audit.bounce.classify import verdict_for
from audit.bounce.extract import RejectionReply, make_rejection
from audit.bounce.fields import smtp_codes
from audit.knowledge.dnsbl.catalog import Catalog, shipped_catalog
from audit.knowledge.providers import BounceKnowledge, shipped_knowledge
from audit.loglines.exim import remote_reply
from audit.loglines.records import DeliveryEvent, DeliveryStatus

# Any 4xx/5xx reply code: what makes a failed delivery a remote *rejection* (RFC 5321 §4.2).
SMTP_CODE = re.compile(r"(?<![\w.@/:-])(?P<code>[45]\d\d)(?=[ -]|$)")
MAX_SAMPLE_CHARS = 300
MAX_CLASSIFIED = 1024  # classified replies remembered at once (a cache, not state)


@dataclass(frozen=True)
class RejectionKind:
    """What kind of remote rejection a delivery met: the key the digest counts by."""

    reason: str
    provider: str | None
    blocklist: str | None
    code: str | None
    enhanced: str | None
    host: str | None
    temporary: bool

    def sort_key(self) -> tuple[object, ...]:
        """Field order, None before any text (None and text do not compare)."""
        return tuple((value is not None, value) for value in astuple(self))


def is_remote_rejection(event: DeliveryEvent) -> bool:
    """A remote server refused (5xx) or deferred (4xx) with an SMTP reply."""
    return (
        event.remote
        and event.status is not DeliveryStatus.SENT
        and SMTP_CODE.search(event.reply) is not None
    )


def rejection_reply(event: DeliveryEvent) -> RejectionReply:
    """The classifier's input, as `explain` reads the same line: the remote server's words
    (Exim's "SMTP error from remote mail server after …:" taken off), the relay host."""
    host = event.relay_host if event.relay_host not in (None, "none") else None
    deferred = event.status is DeliveryStatus.DEFERRED
    return make_rejection(remote_reply(event.reply) or event.reply, host, deferred)


class RejectionClassifier:
    """`explain`'s classifier over delivery events, once per distinct (reply, relay host,
    status): all it reads. The knowledge and catalog load on the first rejection."""

    def __init__(
        self, knowledge: BounceKnowledge | None = None, catalog: Catalog | None = None
    ) -> None:
        self._knowledge, self._catalog = knowledge, catalog
        self._classified: dict[tuple[str, str | None, DeliveryStatus], RejectionKind] = {}

    def classify(self, event: DeliveryEvent) -> RejectionKind:
        key = (event.reply, event.relay_host, event.status)
        kind = self._classified.get(key)
        if kind is None:
            if len(self._classified) >= MAX_CLASSIFIED:
                self._classified.clear()
            kind = self._classified[key] = self._kind(event)
        return kind

    def _kind(self, event: DeliveryEvent) -> RejectionKind:
        if self._knowledge is None or self._catalog is None:
            self._knowledge, self._catalog = shipped_knowledge(), shipped_catalog()
        reply = rejection_reply(event)
        verdict = verdict_for(reply, self._knowledge, self._catalog)
        codes = smtp_codes(reply.text)
        return RejectionKind(
            reason=verdict.reason.value,
            provider=verdict.provider,
            blocklist=verdict.blocklist.lower().rstrip(".") if verdict.blocklist else None,
            code=codes.reply,
            enhanced=codes.enhanced,
            host=event.relay_host if event.relay_host != "none" else None,
            temporary=bool(reply.deferred),
        )


def sample_reply(event: DeliveryEvent) -> str:
    return " ".join(event.reply.split())[:MAX_SAMPLE_CHARS]
