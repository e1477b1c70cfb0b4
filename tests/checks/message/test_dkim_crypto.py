"""Key records and signatures checked by `cryptography` (checks/message/dkim_crypto.py)."""

from __future__ import annotations

import base64

import dkim
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519
from support import messages as m

from checks.message.dkim_crypto import load_key


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
