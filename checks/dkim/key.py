"""DKIM key records (RFC 6376 §3.6.1, RFC 8463, RFC 8301): text in, facts out. Pure.

`parse_key_record` reads the tag list; `analyse_key` decodes p= (RSA as SPKI or PKCS#1
DER, Ed25519 as the raw 32-octet key) and reports size, flags and problems. Judging
those facts is `checks.dkim.check.judge_key`'s job.
"""

from __future__ import annotations

import base64
import binascii
import enum
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import cast

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import load_der_public_key

from checks.dkim.evidence import DkimKeyEvidence, KeyStateLabel

TAG_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*\Z")  # RFC 6376 §3.2 tag-name
ED25519_KEY_BYTES = 32  # RFC 8463 §4.2: the raw public key, base64-encoded in p=


class KeyState(enum.StrEnum):
    VALID = "valid"
    REVOKED = "revoked"  # p= empty (RFC 6376 §3.6.1)
    MALFORMED = "malformed"


@dataclass(frozen=True)
class DkimKey:
    """Facts about one published key record."""

    record: str
    state: KeyState
    tags: Mapping[str, str] = field(default_factory=dict)
    key_type: str = "rsa"
    bits: int | None = None
    hash_algorithms: tuple[str, ...] = ()  # empty = any (h= absent)
    flags: tuple[str, ...] = ()  # t= flags: y (testing), s (strict)
    services: tuple[str, ...] = ()
    problem: str = ""
    key_format: str = ""  # "spki", "pkcs1", "raw"

    @property
    def testing(self) -> bool:
        return "y" in self.flags

    @property
    def sha1_only(self) -> bool:
        """h= lists sha1 and no sha256: RFC 8301 §3.1 verifiers refuse sha1, and
        names no verifier implements (md5, sha512) do not help (RFC 6376 §3.6.1)."""
        return "sha1" in self.hash_algorithms and not self.accepts_sha256

    @property
    def no_known_hash(self) -> bool:
        """h= lists neither sha256 nor sha1: no signature verifies (RFC 6376 §6.1.2 step 6)."""
        return bool(self.hash_algorithms) and not {"sha1", "sha256"} & set(self.hash_algorithms)

    @property
    def accepts_sha256(self) -> bool:
        return not self.hash_algorithms or "sha256" in self.hash_algorithms

    @property
    def for_email(self) -> bool:
        """RFC 6376 §3.6.1: a key whose s= lists neither `email` nor `*` MUST be ignored."""
        return bool({"email", "*"} & set(self.services))

    def to_evidence(self) -> DkimKeyEvidence:
        evidence: DkimKeyEvidence = {
            "record": self.record,
            "state": cast(KeyStateLabel, self.state.value),
            "key_type": self.key_type,
            "bits": self.bits,
            "hash_algorithms": list(self.hash_algorithms),
            "flags": list(self.flags),
            "services": list(self.services),
        }
        if self.key_format:
            evidence["key_format"] = self.key_format
        if self.problem:
            evidence["problem"] = self.problem
        return evidence


class KeyRecordError(ValueError):
    pass


def parse_tags(record: str) -> dict[str, str]:
    """RFC 6376 §3.2 tag-list: `name=value` separated by ';', whitespace ignored
    around them; a duplicate tag makes the record invalid."""
    tags: dict[str, str] = {}
    for part in record.split(";"):
        if not part.strip():
            continue
        name, equals, value = part.partition("=")
        name = name.strip()
        if not equals or not TAG_NAME.match(name):
            raise KeyRecordError(f"invalid tag {part.strip()[:40]!r}")
        if name in tags:
            raise KeyRecordError(f"duplicate tag {name}=")
        tags[name] = value.strip()
    return tags


def is_key_record(record: str) -> bool:
    """A TXT at a selector is a DKIM key if it declares v=DKIM1 or carries p=."""
    compact = record.replace(" ", "").replace("\t", "")
    return compact.startswith("v=DKIM1") or compact.startswith("p=") or ";p=" in compact


def _split(value: str) -> tuple[str, ...]:
    return tuple(part.strip().lower() for part in value.split(":") if part.strip())


def analyse_key(record: str) -> DkimKey:
    try:
        tags = parse_tags(record)
    except KeyRecordError as exc:
        return DkimKey(record, KeyState.MALFORMED, problem=str(exc))
    base = DkimKey(
        record,
        KeyState.VALID,
        tags,
        key_type=tags.get("k", "rsa").strip().lower() or "rsa",
        hash_algorithms=_split(tags.get("h", "")),
        flags=_split(tags.get("t", "")),
        services=_split(tags.get("s", "*")),
    )
    problem = _tag_problem(tags)
    if problem:
        return _with(base, KeyState.MALFORMED, problem=problem)
    material = re.sub(r"\s+", "", tags["p"])
    if not material:
        return _with(base, KeyState.REVOKED)
    return _decode(base, material)


def _tag_problem(tags: Mapping[str, str]) -> str:
    if "v" in tags and tags["v"] != "DKIM1":
        return f"v={tags['v']} (must be DKIM1)"
    if "p" not in tags:
        return "no p= tag (RFC 6376 §3.6.1: required)"
    return ""


def _with(base: DkimKey, state: KeyState, **changes: object) -> DkimKey:
    from dataclasses import replace

    return replace(base, state=state, **changes)  # type: ignore[arg-type]


def _decode(base: DkimKey, material: str) -> DkimKey:
    try:
        der = base64.b64decode(material, validate=True)
    except (binascii.Error, ValueError):
        return _with(base, KeyState.MALFORMED, problem="p= is not valid base64")
    if base.key_type == "ed25519":
        if len(der) != ED25519_KEY_BYTES:
            return _with(
                base,
                KeyState.MALFORMED,
                problem=f"Ed25519 key is {len(der)} octets, not 32 (RFC 8463)",
            )
        return _with(base, KeyState.VALID, bits=256, key_format="raw")
    if base.key_type != "rsa":
        return _with(base, KeyState.MALFORMED, problem=f"unknown key type k={base.key_type}")
    return _decode_rsa(base, der)


def _der_layout(der: bytes) -> str:
    """ "spki" (SEQUENCE { AlgorithmIdentifier, BIT STRING }) or "pkcs1" (SEQUENCE
    { INTEGER n, INTEGER e }): the tag of the first element inside the outer SEQUENCE."""
    if len(der) < 2 or der[0] != 0x30:
        return "unknown"
    offset = 2 + (der[1] & 0x7F if der[1] & 0x80 else 0)
    inner = der[offset] if offset < len(der) else None
    return {0x30: "spki", 0x02: "pkcs1"}.get(inner or -1, "unknown")


def _decode_rsa(base: DkimKey, der: bytes) -> DkimKey:
    """RFC 6376 §3.6.1 says SubjectPublicKeyInfo; some publishers put a bare PKCS#1
    RSAPublicKey there, which common verifiers accept too (so do we)."""
    try:
        key = load_der_public_key(der)
    except (ValueError, UnsupportedAlgorithm):
        return _with(base, KeyState.MALFORMED, problem="p= is not a DER-encoded RSA key")
    if not isinstance(key, rsa.RSAPublicKey):
        return _with(base, KeyState.MALFORMED, problem="k=rsa but p= holds another key type")
    return _with(base, KeyState.VALID, bits=key.key_size, key_format=_der_layout(der))
