"""`mailhygiene explain`: classify SMTP rejections and bounces (SPEC.md, `explain`).

The pipeline: bounded input (audit/bounce/input.py) → rejections (dsn.py for RFC 5322
messages and DSNs, extract.py for text and log excerpts) → one classification each
(classify.py's verdict, remedy.py's remediation) → the JSON document or the text listing. Pure apart
from reading the input; nothing is fetched, not even the URLs the bounces contain.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from audit.bounce.classify import is_temporary, verdict_for
from audit.bounce.dsn import extract_message, looks_like_message, not_a_bounce
from audit.bounce.extract import MAX_REJECTIONS, RejectionReply, extract_text
from audit.bounce.fields import sending_ip
from audit.bounce.input import InputText
from audit.bounce.mbox import is_mbox, mbox_messages
from audit.bounce.remedy import remediation_for_rejection
from audit.knowledge.dnsbl.catalog import Catalog, shipped_catalog
from audit.knowledge.providers import BounceKnowledge, shipped_knowledge
from audit.model.rejection import Classification

SCHEMA_VERSION = "1"


def classify(
    rejection: RejectionReply, knowledge: BounceKnowledge, catalog: Catalog
) -> Classification:
    verdict = verdict_for(rejection, knowledge, catalog)
    found, reason = verdict.found, verdict.reason
    return Classification(
        input=rejection.text,
        provider=verdict.provider,
        blocklist=verdict.blocklist,
        reason=reason,
        sending_ip=sending_ip(rejection.text),
        temporary=is_temporary(rejection, found.pattern),
        remediation=remediation_for_rejection(found, reason, rejection.text, knowledge),
        requirement=verdict.requirement,
    )


def requirement_text(rule: str, knowledge: BounceKnowledge | None = None) -> str:
    """ "fails Gmail's DMARC requirement (gmail.dmarc)": what a rejection's rule id means."""
    label = (knowledge or shipped_knowledge()).requirements.get(rule, rule)
    return f"fails {label} ({rule})"


def rejections_in(text: str) -> list[RejectionReply]:
    """The rejections in one input: an mbox of messages, a message/DSN, a log excerpt, or
    free text."""
    if is_mbox(text):
        return [found for message in mbox_messages(text) for found in _rejections_in(message)]
    return _rejections_in(text)


def _rejections_in(text: str) -> list[RejectionReply]:
    return extract_message(text) if looks_like_message(text) else extract_text(text)


# Why an input read fine but gave no rejection to classify (a readable text always gives
# one: the whole text, classified as "other", when no line stands out).
NO_REJECTION_IN_MESSAGE = (
    "a message, but no failed recipient in a delivery-status part (RFC 3464) and no "
    "readable text part holding the server's reply (unusual or broken MIME structure?)"
)
NO_REJECTION_IN_TEXT = "no SMTP reply or rejection found in the text"


@dataclass(frozen=True)
class Unclassified:
    """An input that was read (text, not empty) but held no rejection we could find: real
    bounces in odd shapes end here, reported with the reason instead of refused as bad input."""

    source: str  # the input's name: the file path, "TEXT" or "<stdin>"
    reason: str


@dataclass(frozen=True)
class Explained:
    """The classifications of one run, and how many rejections were found beyond them."""

    classifications: list[Classification]
    truncated: int = 0  # found after the first MAX_REJECTIONS: counted, not classified
    unclassified: list[Unclassified] = field(default_factory=list)


def explain_inputs(
    inputs: Iterable[InputText],
    knowledge: BounceKnowledge | None = None,
    catalog: Catalog | None = None,
) -> Explained:
    """The first MAX_REJECTIONS rejections of the inputs classified, in order; the rest counted.

    Only the kept rejections are held across inputs, so memory stays bounded by the largest
    input, however many inputs there are.
    """
    knowledge = knowledge or shipped_knowledge()
    catalog = catalog or shipped_catalog()
    kept: list[RejectionReply] = []
    unclassified: list[Unclassified] = []
    found = 0
    for item in inputs:
        rejections = rejections_in(item.text)
        if not rejections:
            unclassified.append(Unclassified(item.name, _why_none(item.text)))
        found += len(rejections)
        kept.extend(rejections[: MAX_REJECTIONS - len(kept)])
    classifications = [classify(rejection, knowledge, catalog) for rejection in kept]
    return Explained(classifications, found - len(kept), unclassified)


def _why_none(text: str) -> str:
    messages = mbox_messages(text) if is_mbox(text) else [text]
    if not any(looks_like_message(message) for message in messages):
        return NO_REJECTION_IN_TEXT
    kinds = {not_a_bounce(message) for message in messages if looks_like_message(message)}
    only = kinds.pop() if len(kinds) == 1 else None
    return only or NO_REJECTION_IN_MESSAGE


def explain(
    inputs: Sequence[InputText],
    knowledge: BounceKnowledge | None = None,
    catalog: Catalog | None = None,
) -> list[Classification]:
    """The classifications alone (at most MAX_REJECTIONS); `explain_inputs` also counts the rest."""
    return explain_inputs(inputs, knowledge, catalog).classifications


def classification_document(item: Classification) -> dict[str, Any]:
    remediation = item.remediation
    return {
        "input": item.input,
        "provider": item.provider,
        "blocklist": item.blocklist,
        "reason": item.reason.value,
        "sending_ip": item.sending_ip,
        "temporary": item.temporary,
        "requirement": item.requirement,
        "remediation": {
            "summary": remediation.summary,
            "steps": list(remediation.steps),
            "links": list(remediation.links),
            "provider": remediation.provider,
        },
    }


def explain_document(
    classifications: Sequence[Classification],
    truncated: int = 0,
    unclassified: Sequence[Unclassified] = (),
) -> dict[str, Any]:
    """The JSON document; `truncated` (rejections found but not classified) only when > 0,
    `unclassified` (inputs without a rejection, and why) only when there are some."""
    document: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "classifications": [classification_document(c) for c in classifications],
    }
    if truncated > 0:
        document["truncated"] = truncated
    if unclassified:
        document["unclassified"] = [{"source": u.source, "reason": u.reason} for u in unclassified]
    return document


def render_json(
    classifications: Sequence[Classification],
    truncated: int = 0,
    unclassified: Sequence[Unclassified] = (),
) -> str:
    import json  # only for --format json (~3 ms)

    document = explain_document(classifications, truncated, unclassified)
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
