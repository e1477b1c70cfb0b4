"""Messages signed by the tests: RSA keys whose public halves the fixture DNS serves,
signed with dkimpy (DKIM and ARC), and the zone of the sending domain `shop.test`.

The sending IP 192.0.2.10 (out.shop.test, forward-confirmed) is authorised by shop.test's
SPF; 198.51.100.7 is not, and has no PTR.
"""

from __future__ import annotations

import base64
import functools
from email.utils import formatdate

import dkim
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

DOMAIN = "shop.test"
SENDING_IP = "192.0.2.10"
STRANGER_IP = "198.51.100.7"
RECEIVER = "mx.receiver.test"
SOA = "@ 300 IN SOA ns.{0}. hostmaster.{0}. 1 3600 600 86400 300\n"


@functools.cache
def private_key(bits: int = 2048) -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=bits)


def private_pem(bits: int = 2048) -> bytes:
    return private_key(bits).private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    )


def key_record(bits: int = 2048) -> str:
    der = (
        private_key(bits)
        .public_key()
        .public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    text = f"v=DKIM1; k=rsa; p={base64.b64encode(der).decode()}"
    return " ".join(f'"{text[i : i + 200]}"' for i in range(0, len(text), 200))


def zones(dmarc: str = "v=DMARC1; p=reject; rua=mailto:dmarc@shop.test") -> dict[str, str]:
    shop = (
        SOA.format(DOMAIN)
        + f'@ IN TXT "v=spf1 ip4:{SENDING_IP} -all"\n'
        + f"s2048._domainkey IN TXT {key_record(2048)}\n"
        + f"s1024._domainkey IN TXT {key_record(1024)}\n"
        + 'mail IN TXT "v=spf1 -all"\n'
        + f"out IN A {SENDING_IP}\n"
    )
    if dmarc:
        shop += f'_dmarc IN TXT "{dmarc}"\n'
    forwarder = (
        SOA.format("forwarder.test")
        + f"arc._domainkey IN TXT {key_record(2048)}\n"
        + '@ IN TXT "v=spf1 ip4:203.0.113.5 -all"\n'
    )
    reverse = SOA.format("2.0.192.in-addr.arpa") + f"10 IN PTR out.{DOMAIN}.\n"
    stranger = SOA.format("100.51.198.in-addr.arpa")  # no PTR for 198.51.100.7: NXDOMAIN
    return {
        DOMAIN: shop,
        "forwarder.test": forwarder,
        "2.0.192.in-addr.arpa": reverse,
        "100.51.198.in-addr.arpa": stranger,
    }


def message(
    *,
    sender: str = f"news@{DOMAIN}",
    one_click: bool = True,
    extra_headers: str = "",
    body: str = "Hello,\r\nthis is the newsletter.\r\n",
) -> bytes:
    headers = (
        f"From: Shop <{sender}>\r\n"
        "To: customer@receiver.test\r\n"
        "Subject: Our offers\r\n"
        f"Date: {formatdate(localtime=False)}\r\n"
        f"Message-ID: <m1.{id(body)}@{DOMAIN}>\r\n"
        "MIME-Version: 1.0\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n"
    )
    if one_click:
        headers += (
            f"List-Unsubscribe: <https://{DOMAIN}/u/1>, <mailto:u@{DOMAIN}>\r\n"
            "List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n"
        )
    return (headers + extra_headers + "\r\n" + body).encode()


SIGNED = [b"from", b"to", b"subject", b"date", b"message-id"]
UNSUBSCRIBE = [b"list-unsubscribe", b"list-unsubscribe-post"]


def sign(
    data: bytes,
    selector: str = "s2048",
    domain: str = DOMAIN,
    bits: int = 2048,
    include: list[bytes] | None = None,
    length: bool = False,
) -> bytes:
    fields = include if include is not None else [*SIGNED, *UNSUBSCRIBE]
    present = [f for f in fields if f.decode().lower() + ":" in data.decode().lower()]
    signature = dkim.sign(
        data,
        selector.encode(),
        domain.encode(),
        private_pem(bits),
        include_headers=present,
        length=length,
    )
    return signature + data


def received(
    ip: str = SENDING_IP,
    helo: str = f"out.{DOMAIN}",
    by: str = RECEIVER,
    tls: bool = True,
    mail_from: str = f"bounce@{DOMAIN}",
) -> bytes:
    protocol = "ESMTPS" if tls else "ESMTP"
    return (
        f"Return-Path: <{mail_from}>\r\n"
        f"Received: from {helo} ({helo} [{ip}])\r\n\tby {by} with {protocol} id 1;"
        f" {formatdate(localtime=False)}\r\n"
    ).encode()


def delivered(data: bytes, **hop: object) -> bytes:
    """The message as the receiver stores it: its Return-Path and Received on top."""
    return received(**hop) + data  # type: ignore[arg-type]


def arc_sealed(data: bytes, by: str = "forwarder.test") -> bytes:
    """The message after a forwarder added an ARC set (i=1) over it."""
    results = f"Authentication-Results: {by}; dkim=pass header.d={DOMAIN}\r\n".encode()
    sealed = results + data
    headers = dkim.arc_sign(
        sealed, b"arc", by.encode(), private_pem(2048), by.encode(), timestamp=None
    )
    return b"".join(headers) + sealed
