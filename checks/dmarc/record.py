"""A DMARC record as a receiver reads it: the parts it applies and the parts it ignores.

RFC 7489 §6.3 (kept by RFC 9989 §4.8): "Syntax errors in the remainder of the record
SHOULD be discarded in favor of default values (if any) or ignored outright", and
unknown tags MUST be ignored. OpenDMARC skips parts without `=` or with an empty value.
checkdmarc rejects the whole record for any of these, so the dmarc check hands it
`ReceiverRecord.applied` (the published record without the malformed parts) and
reports each malformed part as its own finding. Pure: no DNS, no checkdmarc.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

PartProblem = Literal["not_tag_value", "empty_value", "duplicate", "unknown_tag", "invalid_value"]

POLICIES = frozenset({"none", "quarantine", "reject"})
FAILURE_OPTIONS = frozenset({"0", "1", "d", "s"})
# Tag name -> the values a receiver accepts (None: checked by its own function).
# p= is left to checkdmarc: a record whose policy is unusable stays DMARC_INVALID
# (RFC 7489 §6.6.3 step 6: at best the receiver acts as if p=none).
ENUMERATED: dict[str, frozenset[str]] = {
    "sp": POLICIES,
    "np": POLICIES,
    "adkim": frozenset({"r", "s"}),
    "aspf": frozenset({"r", "s"}),
    "t": frozenset({"y", "n"}),
    "psd": frozenset({"y", "n", "u"}),
    "rf": frozenset({"afrf"}),
}
FREE_FORM = frozenset({"p", "fo", "pct", "ri", "rua", "ruf"})
KNOWN_TAGS = frozenset(ENUMERATED) | FREE_FORM
# RFC 3986 §3.1 scheme; a mailto: URI needs an address with a domain (RFC 6068 §2).
URI_SCHEME = re.compile(r"^[a-z][a-z0-9+.\-]*:\S+$", re.IGNORECASE)
MAILTO = re.compile(r"^mailto:[^@\s,;!]+@[a-z0-9\-.]+\.?(!\d+[kmgt]?)?$", re.IGNORECASE)
TAG_NAME = re.compile(r"^[a-z0-9]+$", re.IGNORECASE)


@dataclass(frozen=True)
class MalformedPart:
    """One part of the record a receiver ignores (or replaces by the tag's default)."""

    part: str  # exactly as published, stripped of surrounding whitespace
    tag: str | None
    problem: PartProblem


@dataclass(frozen=True)
class ReceiverRecord:
    published: str
    applied: str  # the record with only the parts a receiver applies
    malformed: tuple[MalformedPart, ...]


def _valid_fo(value: str) -> bool:
    """RFC 9989 §4.7: a colon list of 0, 1, d, s; 0 and 1 exclusive, none repeated."""
    options = [option.strip() for option in value.split(":")]
    return (
        set(options) <= FAILURE_OPTIONS
        and len(options) == len(set(options))
        and not {"0", "1"} <= set(options)
    )


def _valid_uri(uri: str) -> bool:
    uri = uri.strip()
    if uri.lower().startswith("mailto:"):
        return MAILTO.match(uri) is not None
    return URI_SCHEME.match(uri) is not None


def _valid_value(tag: str, value: str) -> bool:
    if tag in ENUMERATED:
        return value.lower() in ENUMERATED[tag]
    if tag == "fo":
        return _valid_fo(value)
    if tag == "pct":
        return value.isdigit() and 0 <= int(value) <= 100
    if tag == "ri":
        return value.isdigit()
    return True


def _uri_list(tag: str, value: str) -> tuple[str, list[MalformedPart]]:
    """The URIs a receiver can use (rua/ruf), and each it cannot as its own part."""
    good, bad = [], []
    for uri in value.split(","):
        if _valid_uri(uri):
            good.append(uri.strip())
        elif uri.strip():
            bad.append(MalformedPart(f"{tag}={uri.strip()}", tag, "invalid_value"))
    return ",".join(good), bad


def _classify(part: str, seen: set[str]) -> tuple[str | None, str, MalformedPart | None]:
    name, equals, value = part.partition("=")
    tag, value = name.strip().lower(), value.strip()
    if not equals or not TAG_NAME.match(tag):
        return None, "", MalformedPart(part, None, "not_tag_value")
    if not value:
        return None, "", MalformedPart(part, tag, "empty_value")
    if tag not in KNOWN_TAGS:
        return None, "", MalformedPart(part, tag, "unknown_tag")
    if tag in seen:
        return None, "", MalformedPart(part, tag, "duplicate")
    if not _valid_value(tag, value):
        return None, "", MalformedPart(part, tag, "invalid_value")
    return tag, value, None


def raw_tags(record: str) -> dict[str, str]:
    """The record's tags as published (pct is not in checkdmarc's RFC 9989 tags)."""
    tags: dict[str, str] = {}
    for part in record.split(";"):
        name, equals, value = part.partition("=")
        if equals and name.strip():
            tags.setdefault(name.strip().lower(), value.strip())
    return tags


def receiver_record(record: str) -> ReceiverRecord:
    """Split on `;` (RFC 7489 §6.4); the first part is the version (discovery
    already required `v=DMARC1` there); keep the first valid value of each tag."""
    version, *rest = record.split(";")
    applied, malformed = [version.strip()], []
    seen: set[str] = set()
    for raw in rest:
        part = raw.strip()
        if not part:
            continue  # `;;` and a trailing `;` are allowed by the ABNF
        tag, value, problem = _classify(part, seen)
        if tag in ("rua", "ruf"):
            value, bad = _uri_list(tag, value)
            malformed += bad
        if problem is not None:
            malformed.append(problem)
        if tag is not None and value:
            seen.add(tag)
            applied.append(f"{tag}={value}")
    return ReceiverRecord(record, "; ".join(applied), tuple(malformed))


__all__ = ["MalformedPart", "PartProblem", "ReceiverRecord", "receiver_record"]
