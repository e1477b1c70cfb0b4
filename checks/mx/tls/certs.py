"""What an MX's certificate chain shows: its fields, whether it names the MX host, and
whether it leads to a trust anchor. Parsed with `cryptography`, never trusted blindly.

Name matching follows RFC 6125 §6.4 as RFC 7672 §3.2.3 and RFC 8461 §4.1 apply it to
SMTP: the reference identity is the MX host name; only subjectAltName dNSName entries
count when there are any (§6.4.4; the subject CN only without them); a wildcard is
allowed only as the whole left-most label and matches exactly one label (§6.4.3).
A server reached by address (`--smtp-host 192.0.2.1`) has an IP-ID as its reference
identity, matched against iPAddress entries only (RFC 9525 §6.2.1, RFC 5280 §4.2.1.6).
Trust is RFC 5280 path validation by `cryptography.x509.verification` against the
system store plus `--ca-file`, at a moment inside the leaf's validity, so that an
expired certificate is reported as expired and not also as untrusted.
"""

from __future__ import annotations

import functools
import hashlib
import ipaddress
import math
import ssl
import warnings
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, rsa
from cryptography.x509.oid import NameOID
from cryptography.x509.verification import PolicyBuilder, Store, VerificationError

from checks.mx.evidence import TlsCertificateEvidence

MAX_CHAIN = 10


def _key(cert: x509.Certificate) -> tuple[str, int]:
    key = cert.public_key()
    if isinstance(key, rsa.RSAPublicKey):
        return "RSA", key.key_size
    if isinstance(key, ec.EllipticCurvePublicKey):
        return "EC", key.curve.key_size
    if isinstance(key, ed25519.Ed25519PublicKey):
        return "Ed25519", 256
    if isinstance(key, ed448.Ed448PublicKey):
        return "Ed448", 456
    if isinstance(key, dsa.DSAPublicKey):
        return "DSA", key.key_size
    return type(key).__name__, 0


def dns_names(cert: x509.Certificate) -> list[str]:
    """subjectAltName dNSName entries; the subject CN only when there is no SAN."""
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName)
        return [name.lower() for name in san.value.get_values_for_type(x509.DNSName)]
    except x509.ExtensionNotFound:
        common = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
        return [str(attr.value).lower() for attr in common]


def _signature_name(cert: x509.Certificate) -> str:
    oid = cert.signature_algorithm_oid
    name = str(getattr(oid, "_name", ""))
    return name if name and name != "Unknown OID" else oid.dotted_string


def describe(der: bytes, now: datetime) -> TlsCertificateEvidence:
    cert = x509.load_der_x509_certificate(der)
    key_type, key_bits = _key(cert)
    not_before, not_after = cert.not_valid_before_utc, cert.not_valid_after_utc
    validity = "not_yet_valid" if now < not_before else "expired" if now > not_after else "valid"
    return {
        "subject": cert.subject.rfc4514_string(),
        "issuer": cert.issuer.rfc4514_string(),
        "dns_names": dns_names(cert),
        "not_before": not_before.isoformat(),
        "not_after": not_after.isoformat(),
        "validity": validity,  # type: ignore[typeddict-item]
        "days_left": math.floor((not_after - now) / timedelta(days=1)),
        "key_type": key_type,
        "key_bits": key_bits,
        "signature_algorithm": _signature_name(cert),
        "self_signed": cert.issuer == cert.subject,
        "sha256": hashlib.sha256(der).hexdigest(),
    }


def ip_addresses(der: bytes) -> list[str]:
    """subjectAltName iPAddress entries of a DER certificate."""
    cert = x509.load_der_x509_certificate(der)
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName)
    except x509.ExtensionNotFound:
        return []
    return [str(address) for address in san.value.get_values_for_type(x509.IPAddress)]


def identity_matches(reference: str, leaf_der: bytes, presented_names: list[str]) -> bool:
    """The reference is a host name (DNS-ID, RFC 6125 §6.4) or an address (IP-ID)."""
    try:
        address = ipaddress.ip_address(reference)
    except ValueError:
        return name_matches(reference, presented_names)
    return any(ipaddress.ip_address(ip) == address for ip in ip_addresses(leaf_der))


def name_matches(reference: str, presented: list[str]) -> bool:
    """RFC 6125 §6.4: does one presented DNS-ID match the reference identity?"""
    wanted = reference.rstrip(".").lower().split(".")
    return any(_match(wanted, name.rstrip(".").lower().split(".")) for name in presented)


def _match(wanted: list[str], presented: list[str]) -> bool:
    if len(wanted) != len(presented) or not presented:
        return False
    first, rest = presented[0], presented[1:]
    # §6.4.3: "*" only as the complete left-most label, and not over a public suffix
    # alone (at least two labels after it); it matches one whole label.
    if first == "*":
        return len(rest) >= 2 and rest == wanted[1:] and bool(wanted[0])
    return presented == wanted


@functools.cache
def _anchors(ca_file: str | None) -> tuple[x509.Certificate, ...]:
    """The system trust store and --ca-file, parsed once per process (immutable)."""
    paths = [ssl.get_default_verify_paths().cafile, ca_file]
    anchors: list[x509.Certificate] = []
    for path in paths:
        if path and Path(path).is_file():
            with warnings.catch_warnings():  # old roots with negative serials still anchor
                warnings.simplefilter("ignore")
                anchors.extend(x509.load_pem_x509_certificates(Path(path).read_bytes()))
    return tuple(anchors)


def _verify_time(leaf: x509.Certificate, now: datetime) -> datetime:
    start, end = leaf.not_valid_before_utc, leaf.not_valid_after_utc
    return min(max(now, start + timedelta(seconds=1)), end - timedelta(seconds=1))


def _own_identity(leaf: x509.Certificate) -> x509.DNSName:
    """A DNS-ID the leaf names (a wildcard's label filled in): the name is judged apart."""
    names = dns_names(leaf)
    if not names:
        return x509.DNSName("no-name.invalid")
    first = names[0]
    return x509.DNSName("x" + first[1:] if first.startswith("*.") else first)


def verify_chain(chain: list[bytes], ca_file: str | None, now: datetime) -> str | None:
    """None when the chain leads to a trust anchor (RFC 5280 §6), else why not.

    The reference identity given to the verifier is one the leaf itself names, so only
    the path is judged here; the MX name is `name_matches`'s to judge."""
    if not chain:
        return "the server presented no certificate"
    certs = [x509.load_der_x509_certificate(der) for der in chain[:MAX_CHAIN]]
    leaf, intermediates = certs[0], certs[1:]
    anchors = _anchors(ca_file)
    if not anchors:
        return "no trust anchor is available (no system store and no --ca-file)"
    builder = PolicyBuilder().store(Store(list(anchors))).time(_verify_time(leaf, now))
    try:
        builder.build_server_verifier(_own_identity(leaf)).verify(leaf, intermediates)
    except VerificationError as exc:
        return str(exc)[:300]
    except ValueError as exc:  # a name cryptography cannot use as a DNS-ID
        return f"cannot be validated: {exc}"[:300]
    return None


def utc(now: datetime) -> datetime:
    return now if now.tzinfo is not None else now.replace(tzinfo=UTC)
