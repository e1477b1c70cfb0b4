"""Key records and signatures checked by `cryptography` (checks/message/auth/crypto.py)."""

from __future__ import annotations

import base64

import dkim
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519
from support import messages as m

from checks.message.auth.crypto import load_key, verify_prepared


def ed25519_record(octets: bytes | None = None, extra: str = "") -> bytes:
    public = ed25519.Ed25519PrivateKey.generate().public_key()
    raw = (
        octets
        if octets is not None
        else public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    )
    return f"v=DKIM1; k=ed25519;{extra} p={base64.b64encode(raw).decode()}".encode()


def test_an_ed25519_record_gives_a_256_bit_ed25519_key():
    key = load_key(b"k._domainkey.shop.test.", ed25519_record())
    assert (key.kind, key.bits) == (b"ed25519", 256)


def test_an_ed25519_key_of_the_wrong_length_is_a_key_format_error():
    with pytest.raises(dkim.KeyFormatError):
        load_key(b"k._domainkey.shop.test.", ed25519_record(b"\x01" * 31))


def test_an_ed25519_key_for_another_service_type_is_not_used():
    with pytest.raises(dkim.KeyFormatError):
        load_key(b"k._domainkey.shop.test.", ed25519_record(extra=" s=tlsrpt;"))


def test_an_rsa_record_gives_its_modulus_size():
    record = m.key_record(1024).replace('" "', "").strip('"').encode()
    key = load_key(b"s1024._domainkey.shop.test.", record)
    assert (key.kind, key.bits) == (b"rsa", 1024)


def test_an_empty_record_is_a_key_format_error():
    with pytest.raises(dkim.KeyFormatError):
        load_key(b"k._domainkey.shop.test.", b"")


def record_of(bits: int = 2048) -> bytes:
    return m.key_record(bits).replace('" "', "").strip('"').encode()


def dkimpy_verdict(data: bytes) -> bool:
    return bool(dkim.verify(data, dnsfunc=lambda name, timeout=5: record_of()))


def our_verdict(data: bytes) -> bool:
    verifier = dkim.DKIM(data)
    sig, include, sig_headers = verifier.verify_headerprep(0)
    key = load_key(b"s2048._domainkey.shop.test.", record_of())
    try:
        return verify_prepared(verifier, sig, include, sig_headers[0], key)
    except dkim.ValidationError:
        return False


def signed(canonicalize: tuple[bytes, bytes]) -> bytes:
    data = m.message(extra_headers="X-Mailer:   spaced \t value \r\n")
    signature = dkim.sign(
        data, b"s2048", b"shop.test", m.private_pem(2048), canonicalize=canonicalize,
        include_headers=[*m.SIGNED, *m.UNSUBSCRIBE, b"x-mailer"],
    )  # fmt: skip
    return signature + data


CANONICALISATIONS = [(b"relaxed", b"simple"), (b"simple", b"simple"), (b"relaxed", b"relaxed")]
TAMPERINGS = [
    lambda data: data,
    lambda data: data.replace(b"Subject: Our offers", b"Subject:  Our   offers"),
    lambda data: data.replace(b"Subject: Our offers", b"Subject: Our offer"),
    lambda data: data.replace(b"X-Mailer:   spaced", b"x-mailer: spaced"),
    lambda data: data.replace(b"To: ", b"From: Other <o@elsewhere.test>\r\nTo: "),
]


@pytest.mark.parametrize("canonicalize", CANONICALISATIONS)
@pytest.mark.parametrize("tamper", TAMPERINGS)
def test_the_header_hash_gives_dkimpys_verdict(canonicalize, tamper):
    """Given a message signed with each canonicalisation and changed in whitespace, case
    or content, when both verify it, then `cryptography` after our header selection
    agrees with dkimpy's own verify."""
    data = tamper(signed(canonicalize))
    assert our_verdict(data) is dkimpy_verdict(data)
