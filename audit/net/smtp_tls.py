"""The TLS handshake after an SMTP server's 220 to STARTTLS (RFC 3207 §4), recorded.

Shared by the mx check's own session and the relay probe's connection (which asks for
STARTTLS after its attempts when the mx check runs, so one connection serves both).
The handshake accepts whatever the server offers (any certificate, TLS 1.0 up, every
cipher at OpenSSL security level 0): it records, the judges decide. A server picks
the highest version both sides support (RFC 8446 §4.2.1, RFC 5246 §7.4.1.2), so a
session at TLS 1.0 or 1.1 means the server offers nothing newer.
"""

from __future__ import annotations

import _ssl
import asyncio
import ipaddress
import ssl
import warnings
from dataclasses import dataclass


@dataclass(frozen=True)
class TlsHandshake:
    """What the handshake showed, before any judgement."""

    protocol: str | None  # e.g. TLSv1.3
    cipher: str | None
    cipher_bits: int | None
    chain: tuple[bytes, ...]  # DER, leaf first, as presented


def recording_context() -> ssl.SSLContext:
    """A client context that completes a handshake with anything, to see what it is."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    with warnings.catch_warnings():  # deprecated, and exactly what is to be detected
        warnings.simplefilter("ignore", DeprecationWarning)
        context.minimum_version = ssl.TLSVersion.TLSv1
    context.set_ciphers("ALL:@SECLEVEL=0")
    return context


def _peer_chain(ssl_object: ssl.SSLObject) -> tuple[bytes, ...]:
    """The chain as presented, leaf first (public in Python 3.13, private before)."""
    getter = getattr(ssl_object, "get_unverified_chain", None)
    if getter is None:
        getter = getattr(getattr(ssl_object, "_sslobj", None), "get_unverified_chain", None)
    if getter is not None:
        chain = getter() or []
        return tuple(
            c if isinstance(c, bytes) else c.public_bytes(_ssl.ENCODING_DER) for c in chain
        )
    leaf = ssl_object.getpeercert(binary_form=True)
    return (leaf,) if leaf else ()


def _is_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


async def upgrade(writer: asyncio.StreamWriter, host: str, timeout: float) -> TlsHandshake:
    """The handshake on a connection whose STARTTLS got 220; raises ssl.SSLError,
    OSError or TimeoutError when it fails. The stream then carries TLS."""
    sni = None if _is_address(host) else host  # RFC 6066 §3: no literal in SNI
    async with asyncio.timeout(timeout):
        await writer.start_tls(recording_context(), server_hostname=sni)
    ssl_object = writer.get_extra_info("ssl_object")
    name, _, bits = ssl_object.cipher() or (None, None, None)
    return TlsHandshake(ssl_object.version(), name, bits, _peer_chain(ssl_object))
