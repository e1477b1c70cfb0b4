"""DKIM (RFC 6376) and ARC (RFC 8617) verification of one message, with dkimpy.

dkimpy parses and canonicalises; the DKIM signature is checked by `cryptography`
(checks.message.auth.crypto: RSA and Ed25519), ARC by dkimpy whole. The DNS goes
through our resolver: the key names every signature and seal names are looked up
first, asynchronously on the run's `DnsClient`, and answered from those lookups (for
ARC through dkimpy's `dnsfunc` hook). A key lookup that failed
(timeout, SERVFAIL, ...) makes the signature *unknown*, never pass or fail; a key that
does not exist is a PERMFAIL (RFC 6376 §6.1.2 "key not found").
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from audit.net.dns import DnsClient, Lookup, LookupStatus
from checks.message.auth.crypto import KeyCache, verify_prepared
from checks.message.auth.dkimpy import dkim
from checks.message.evidence import (
    ArcResult,
    MessageArcEvidence,
    MessageDkimEvidence,
    SignatureProblem,
)

log = logging.getLogger(__name__)
# The fields whose coverage by h= the providers' rules depend on (RFC 6376 §5.4.1 "From
# MUST be signed"; RFC 8058 §4 List-Unsubscribe and -Post signed for one-click).
WATCHED_FIELDS = ("from", "subject", "list-unsubscribe", "list-unsubscribe-post")
_QUIET = logging.getLogger("dkimpy.quiet")
_QUIET.addHandler(logging.NullHandler())
_QUIET.propagate = False

TxtFunction = Callable[..., bytes | None]


@dataclass(frozen=True)
class SignatureTags:
    """The tags of one DKIM-Signature (or ARC header) that are read before verifying."""

    tags: Mapping[bytes, bytes]

    def text(self, tag: bytes) -> str | None:
        value = self.tags.get(tag)
        return value.decode("ascii", "replace") if value is not None else None

    @property
    def key_name(self) -> str | None:
        selector, domain = self.text(b"s"), self.text(b"d")
        if not selector or not domain:
            return None
        return f"{selector}._domainkey.{domain}".lower().rstrip(".")


def tags_of(value: str) -> SignatureTags | None:
    try:
        return SignatureTags(dkim.util.parse_tag_value(value.encode("utf-8", "replace")))
    except dkim.util.InvalidTagValueList:
        return None


def key_names(header_values: Iterable[str]) -> list[str]:
    return key_names_of(tags_of(value) for value in header_values)


def key_names_of(parsed: Iterable[SignatureTags | None]) -> list[str]:
    names = (tags.key_name for tags in parsed if tags is not None)
    return sorted({name for name in names if name is not None})


async def fetch_keys(dns: DnsClient, names: Iterable[str]) -> dict[str, Lookup]:
    wanted = sorted(set(names))
    lookups = await dns.query_many([(name, "TXT") for name in wanted])
    return dict(zip(wanted, lookups, strict=True))


def dnsfunc(lookups: Mapping[str, Lookup]) -> TxtFunction:
    """dkimpy's `dnsfunc`: the prefetched TXT record of a key name (None: none)."""

    def txt(name: bytes, timeout: float = 5) -> bytes | None:
        lookup = lookups.get(name.decode("ascii", "replace").lower().rstrip("."))
        if lookup is None or not lookup.exists:
            return None
        return lookup.records[0].encode("utf-8", "replace")

    return txt


def _evidence(tags: SignatureTags, body_bytes: int) -> MessageDkimEvidence:
    signed = [h.strip().lower() for h in (tags.text(b"h") or "").split(":") if h.strip()]
    length = tags.text(b"l")
    limit = int(length) if length and length.isdigit() else None
    expires = tags.text(b"x")
    return {
        "domain": (tags.text(b"d") or "").lower(),
        "selector": tags.text(b"s") or "",
        "algorithm": tags.text(b"a") or "",
        "result": "fail",
        "problem": None,
        "detail": "",
        "key_bits": None,
        "signed_fields": signed,
        "unsigned_watched": [f for f in WATCHED_FIELDS if f not in signed],
        "length_limit": limit,
        "unsigned_body_bytes": max(body_bytes - limit, 0) if limit is not None else None,
        "expires": int(expires) if expires and expires.isdigit() else None,
    }


def _failed(
    evidence: MessageDkimEvidence, problem: SignatureProblem, detail: str
) -> MessageDkimEvidence:
    return {**evidence, "result": "fail", "problem": problem, "detail": detail[:300]}


def _problem_of(exc: Exception) -> SignatureProblem:
    text = str(exc)
    if "body hash mismatch" in text:
        return "body_hash_mismatch"
    if "too small" in text:
        return "key_too_small"
    if "x= value is past" in text:
        return "expired"
    if isinstance(exc, dkim.KeyFormatError):
        return "key_invalid"
    return "malformed_signature"


def verify_signature(
    data: bytes,
    index: int,
    tags: SignatureTags | None,
    lookups: Mapping[str, Lookup],
    body_bytes: int,
    keys: KeyCache | None = None,
) -> MessageDkimEvidence:
    """The outcome of the `index`-th DKIM-Signature (0 = topmost; `tags`: its tags, None
    when they do not parse). The signature's own tags are checked first (RFC 6376
    §6.1.1): a malformed or expired signature fails whatever its key lookup did."""
    if tags is None or tags.key_name is None:
        empty = _evidence(SignatureTags({}), body_bytes)
        return _failed(empty, "malformed_signature", "the tag list cannot be parsed")
    evidence = _evidence(tags, body_bytes)
    if "from" not in evidence["signed_fields"]:
        return _failed(evidence, "from_unsigned", "h= does not list From (RFC 6376 §5.4)")
    if evidence["algorithm"].lower() == "rsa-sha1":
        return _failed(evidence, "sha1", "rsa-sha1 must not be verified (RFC 8301 §3.1)")
    verifier = dkim.DKIM(data, logger=_QUIET)
    try:
        prepared = verifier.verify_headerprep(index)
    except (dkim.DKIMException, ValueError, TypeError, KeyError) as exc:
        return _failed(evidence, _problem_of(exc), str(exc))
    if not prepared:
        return _failed(evidence, "malformed_signature", "signature not found by dkimpy")
    lookup = lookups.get(tags.key_name)
    if lookup is None or lookup.status is LookupStatus.UNKNOWN:
        reason = lookup.reason.value if lookup is not None and lookup.reason else "dependency"
        detail = f"key lookup {tags.key_name} TXT failed ({reason})"
        return {**evidence, "result": "unknown", "problem": "key_lookup_failed", "detail": detail}
    if not lookup.exists:
        return _failed(evidence, "no_key", f"{tags.key_name} has no key record")
    return _verify(verifier, prepared, index, evidence, dnsfunc(lookups), keys or KeyCache())


def _verify(
    verifier: dkim.DKIM,
    prepared: tuple[Any, Any, Any],
    index: int,
    evidence: MessageDkimEvidence,
    txt: TxtFunction,
    keys: KeyCache,
) -> MessageDkimEvidence:
    """Key, body hash and header signature: dkimpy's canonicalisation, the signature by
    `cryptography` (RSA and Ed25519, checks.message.auth.crypto), so a key problem keeps
    its reason instead of becoming a bare False."""
    sig, include_headers, sig_headers = prepared
    name = sig[b"s"] + b"._domainkey." + sig[b"d"] + b"."
    try:
        key = keys.load(name, txt(name))
        evidence = {**evidence, "key_bits": key.bits}
        valid = verify_prepared(verifier, sig, include_headers, sig_headers[index], key)
    except (dkim.DKIMException, ValueError, TypeError, KeyError) as exc:
        return _failed(evidence, _problem_of(exc), str(exc))
    if not valid:
        return _failed(evidence, "signature_mismatch", "the header hash does not verify (b=)")
    return {**evidence, "result": "pass"}


def arc_chain(data: bytes, lookups: Mapping[str, Lookup], sets: int) -> MessageArcEvidence:
    """RFC 8617 §5.2 chain validation: pass, fail or none; unknown when a key lookup of
    a seal or message signature failed."""
    failed = sorted(name for name, lookup in lookups.items() if not lookup.answered)
    if failed:
        detail = f"key lookup failed: {', '.join(failed)}"
        return {"sets": sets, "result": "unknown", "detail": detail}
    try:
        cv, _results, comment = dkim.ARC(data, logger=_QUIET).verify(dnsfunc=dnsfunc(lookups))
    except (dkim.DKIMException, ValueError, TypeError, KeyError) as exc:
        return {"sets": sets, "result": "fail", "detail": str(exc)[:300]}
    result = (cv or b"fail").decode("ascii").lower()
    label: ArcResult = "pass" if result == "pass" else "none" if result == "none" else "fail"
    return {"sets": sets, "result": label, "detail": str(comment)[:300]}


ARC_INSTANCE = re.compile(r"(?:^|;)\s*i\s*=\s*(\d+)")


def arc_sets(seals: list[str]) -> int:
    return len({m.group(1) for s in seals if (m := ARC_INSTANCE.search(s))})
