"""The last step of DKIM verification on `cryptography`: the key record, the body hash,
the header hash and the signature, RSA (RFC 6376 §3.3, RFC 8301) and Ed25519 (RFC 8463).

dkimpy parses the message, selects and canonicalises the signed fields (its
`CanonicalizationPolicy` and `hash_headers`, the code its own `verify_sig_process`
runs); the signature itself is checked here by OpenSSL instead of dkimpy's pure-Python
RSA, and Ed25519 without PyNaCl (dkimpy has no hook for either: its verify step calls
its own RSA and PyNaCl directly). dkimpy's semantics are kept: the public key of an RSA
record is parsed by dkimpy (`evaluate_pk`), a key under 1024 bits fails only once the
signature verifies ("public key too small"), and a second From is hashed too.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass, field
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ed25519, padding, rsa, utils

from checks.message.auth.dkimpy import dkim

MIN_RSA_KEY_BITS = 1024  # RFC 8301 §3.2: verifiers MUST NOT consider smaller RSA keys valid
ED25519_KEY_OCTETS = 32  # RFC 8463 §4.2: p= is the raw 32-octet public key
PREHASHED = {b"sha256": hashes.SHA256(), b"sha1": hashes.SHA1()}
WHITE_SPACE = re.compile(rb"\s+")

PublicKey = rsa.RSAPublicKey | ed25519.Ed25519PublicKey


@dataclass(frozen=True)
class DkimKey:
    """A key record's public key (k=rsa or k=ed25519) and its size in bits."""

    key: PublicKey
    bits: int
    kind: bytes  # b"rsa" or b"ed25519"


def _ed25519_key(tags: dict[bytes, bytes]) -> DkimKey:
    if tags.get(b"v", b"DKIM1") != b"DKIM1":
        raise dkim.KeyFormatError("bad version")
    if tags.get(b"s", b"*") not in (b"*", b"email"):  # RFC 6376 §3.6.1 service type
        raise dkim.KeyFormatError(f"unknown service type in s= tag: {tags[b's']!r}")
    try:
        raw = base64.b64decode(WHITE_SPACE.sub(b"", tags.get(b"p", b"")), validate=True)
    except binascii.Error as exc:
        raise dkim.KeyFormatError(f"could not parse ed25519 public key: {exc}") from None
    if len(raw) != ED25519_KEY_OCTETS:
        raise dkim.KeyFormatError(f"could not parse ed25519 public key: {len(raw)} octets")
    return DkimKey(ed25519.Ed25519PublicKey.from_public_bytes(raw), 256, b"ed25519")


def load_key(name: bytes, record: bytes | None) -> DkimKey:
    """The key of a TXT record (RFC 6376 §3.6.1); KeyFormatError when unusable."""
    if not record:
        raise dkim.KeyFormatError(f"missing public key: {name!r}")
    try:
        tags = dkim.util.parse_tag_value(record)
    except dkim.util.InvalidTagValueList as exc:
        raise dkim.KeyFormatError(str(exc)) from None
    if tags.get(b"k") == b"ed25519":
        return _ed25519_key(tags)
    parsed, bits, kind, _tlsrpt = dkim.evaluate_pk(name, record)
    if parsed is None or kind != b"rsa":
        raise dkim.KeyFormatError("unusable key record")
    numbers = rsa.RSAPublicNumbers(parsed["publicExponent"], parsed["modulus"])
    return DkimKey(numbers.public_key(), bits, b"rsa")


@dataclass
class KeyCache:
    """The key records a run has parsed: the messages of one sender repeat one key, so
    each record is parsed once per run (an unusable one keeps its reason)."""

    parsed: dict[tuple[bytes, bytes | None], DkimKey | str] = field(default_factory=dict)

    def load(self, name: bytes, record: bytes | None) -> DkimKey:
        if (name, record) not in self.parsed:
            try:
                self.parsed[(name, record)] = load_key(name, record)
            except dkim.KeyFormatError as exc:
                self.parsed[(name, record)] = str(exc)
        outcome = self.parsed[(name, record)]
        if isinstance(outcome, str):
            raise dkim.KeyFormatError(outcome)
        return outcome


def _body_hash_matches(verifier: dkim.DKIM, sig: dict[bytes, Any], policy: Any) -> None:
    if b"bh" not in sig:
        return
    body = policy.canonicalize_body(verifier.body)
    if b"l" in sig:  # RFC 6376 §3.5 l=: only the first octets of the body are hashed
        body = body[: int(sig[b"l"])]
    digest = dkim.crypto.HASH_ALGORITHMS[sig[b"a"]](body).digest()
    expected = base64.b64decode(WHITE_SPACE.sub(b"", sig[b"bh"]))
    if digest != expected:
        raise dkim.ValidationError(
            f"body hash mismatch (got {base64.b64encode(digest)!r}, expected {sig[b'bh']!r})"
        )


def _canonical_name(policy: Any, name: bytes) -> bytes:
    """A field name as the policy's header canonicalisation writes it (RFC 6376 §3.4.2
    relaxed: lower case, no white space before the colon; simple: unchanged)."""
    relaxed = policy.header_algorithm is dkim.canonicalization.Relaxed
    return name.lower().rstrip() if relaxed else name


def _hash_headers(
    hasher: Any,
    policy: Any,
    headers: list[tuple[bytes, bytes]],
    include: list[bytes],
    sig_header: tuple[bytes, bytes],
) -> None:
    """dkimpy's `hash_headers` (RFC 6376 §5.4.2: the h= fields, each instance from the
    bottom up, then the signature without b=), canonicalising only the selected values:
    dkimpy canonicalises every field of the message first. Selection compares canonical
    names, so the names alone are canonicalised for it (without the value's regexes)."""
    names = [_canonical_name(policy, name) for name, _ in headers]
    numbered = [(name, str(index).encode()) for index, name in enumerate(names)]
    chosen = [int(index) for _, index in dkim.select_headers(numbered, include)]
    selected = policy.canonicalize_headers([headers[index] for index in chosen])
    unsigned = (sig_header[0], dkim.RE_BTAG.sub(b"\\1", sig_header[1]))
    # The signature field is hashed without its trailing CRLF (RFC 6376 §3.7).
    signature = [(name, value.rstrip()) for name, value in policy.canonicalize_headers([unsigned])]
    for name, value in [*selected, *signature]:
        hasher.update(name)
        hasher.update(b":")
        hasher.update(value)


def _signature_valid(key: DkimKey, algorithm: bytes, signature: bytes, digest: bytes) -> bool:
    if not algorithm.startswith(key.kind + b"-"):
        raise dkim.KeyFormatError(f"a {key.kind.decode()} key for an {algorithm.decode()} a=")
    try:
        if isinstance(key.key, ed25519.Ed25519PublicKey):
            key.key.verify(signature, digest)  # RFC 8463 §3: Ed25519 over the SHA-256 hash
        else:
            prehashed = utils.Prehashed(PREHASHED[algorithm.rpartition(b"-")[2]])
            key.key.verify(signature, digest, padding.PKCS1v15(), prehashed)
    except InvalidSignature:
        return False
    return True


def verify_prepared(
    verifier: dkim.DKIM,
    sig: dict[bytes, Any],
    include_headers: list[bytes],
    sig_header: tuple[bytes, bytes],
    key: DkimKey,
) -> bool:
    """dkimpy's `verify_sig_process` with the signature checked by `cryptography`:
    True when b= verifies; ValidationError on a body hash mismatch; KeyFormatError for
    an RSA key under MIN_RSA_KEY_BITS or of the wrong kind."""
    try:
        policy = dkim.canonicalization.CanonicalizationPolicy.from_c_value(
            sig.get(b"c", b"simple/simple")
        )
    except dkim.canonicalization.InvalidCanonicalizationPolicyError as exc:
        raise dkim.MessageFormatError(f"invalid c= value: {exc.args[0]}") from None
    _body_hash_matches(verifier, sig, policy)
    if b"from" in include_headers:  # dkimpy bug#644046: any additional From is hashed
        include_headers = [*include_headers, b"from"]
    hasher = dkim.crypto.HASH_ALGORITHMS[sig[b"a"]]()
    _hash_headers(hasher, policy, verifier.headers, include_headers, sig_header)
    signature = base64.b64decode(WHITE_SPACE.sub(b"", sig[b"b"]))
    valid = _signature_valid(key, sig[b"a"], signature, hasher.digest())
    if valid and key.kind == b"rsa" and key.bits < MIN_RSA_KEY_BITS:
        raise dkim.KeyFormatError(f"public key too small: {key.bits}")
    return valid
