"""The MTA-STS policy fetch: the only HTTP request the tool makes (README "mx").

RFC 8461 §3.3: `https://mta-sts.DOMAIN/.well-known/mta-sts.txt`, with a certificate
valid for that name (RFC 6125; here the system trust store plus `--ca-file`), HTTP 3xx
redirects not followed and no caching; senders bound the time and the size of the
fetch (here the run's limits and 64 KiB). The name is resolved through the run's DNS
client like every other name, never the machine's resolver; the port is 443 unless a
test gives its own (`MxOptions.https_port`). The request is HTTP/1.0 so that the
answer is never chunked (RFC 9112 §7.1) and ends when the server closes.
"""

from __future__ import annotations

import asyncio
import ssl
from dataclasses import dataclass
from typing import Literal

from audit.model import UnknownReason
from audit.net.dns import DnsClient, LookupStatus

MAX_POLICY_OCTETS = 64 * 1024
MAX_HEADER_OCTETS = 8 * 1024
POLICY_PATH = "/.well-known/mta-sts.txt"

FetchStatus = Literal["fetched", "failed", "unknown"]


@dataclass(frozen=True)
class PolicyFetch:
    url: str
    status: FetchStatus
    http_status: int | None = None
    body: str | None = None
    error: str | None = None
    reason: UnknownReason | None = None  # status unknown: why


def policy_host(domain: str) -> str:
    return f"mta-sts.{domain}"


def policy_url(domain: str) -> str:
    return f"https://{policy_host(domain)}{POLICY_PATH}"


def tls_context(ca_file: str | None) -> ssl.SSLContext:
    """Full validation (RFC 8461 §3.3): the system store, plus --ca-file."""
    context = ssl.create_default_context()
    if ca_file:
        context.load_verify_locations(cafile=ca_file)
    return context


async def _address(dns: DnsClient, host: str) -> tuple[str | None, PolicyFetch | None]:
    url = f"https://{host}{POLICY_PATH}"
    a, aaaa = await dns.addresses(host)
    addresses = [*a.records, *aaaa.records]
    if addresses:
        return addresses[0], None
    lost = next((lookup for lookup in (a, aaaa) if lookup.status is LookupStatus.UNKNOWN), None)
    if lost is not None:
        detail = f"{lost.rdtype} of {host}: {lost.detail or 'no answer'}"
        return None, PolicyFetch(url, "unknown", error=detail, reason=lost.reason)
    return None, PolicyFetch(url, "failed", error=f"{host} has no A or AAAA record")


def _status(head: bytes) -> tuple[int, dict[str, str]]:
    lines = head.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ", 2)
    if len(parts) < 2 or not parts[0].startswith("HTTP/") or not parts[1].isdigit():
        raise ValueError(f"not an HTTP status line: {lines[0][:80]!r}")
    headers = {}
    for line in lines[1:]:
        key, _, value = line.partition(":")
        headers[key.strip().lower()] = value.strip()
    return int(parts[1]), headers


def _judge_response(url: str, code: int, headers: dict[str, str], body: bytes) -> PolicyFetch:
    if 300 <= code < 400:  # RFC 8461 §3.3: "HTTP 3xx redirects MUST NOT be followed"
        where = headers.get("location", "")[:200]
        return PolicyFetch(url, "failed", code, error=f"redirect to {where!r} (not followed)")
    if code != 200:
        return PolicyFetch(url, "failed", code, error=f"HTTP status {code}")
    if len(body) > MAX_POLICY_OCTETS:
        return PolicyFetch(
            url, "failed", code, error=f"policy larger than {MAX_POLICY_OCTETS} octets"
        )
    media = headers.get("content-type", "").split(";")[0].strip().lower()
    if media != "text/plain":  # RFC 8461 §3.2: the policy is served as text/plain
        return PolicyFetch(url, "failed", code, error=f"Content-Type {media or 'missing'!r}")
    return PolicyFetch(url, "fetched", code, body.decode("utf-8", errors="replace"))


async def _exchange(
    address: str, port: int, host: str, context: ssl.SSLContext
) -> tuple[int, dict[str, str], bytes]:
    reader, writer = await asyncio.open_connection(
        address, port, ssl=context, server_hostname=host, limit=MAX_HEADER_OCTETS
    )
    try:
        request = f"GET {POLICY_PATH} HTTP/1.0\r\nHost: {host}\r\nConnection: close\r\n\r\n"
        writer.write(request.encode("ascii"))
        await writer.drain()
        code, headers = _status(await reader.readuntil(b"\r\n\r\n"))
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > MAX_POLICY_OCTETS:
            return code, headers, b"\x00" * (MAX_POLICY_OCTETS + 1)
        return code, headers, await reader.read(MAX_POLICY_OCTETS + 1)
    finally:
        writer.close()


async def fetch_policy(
    dns: DnsClient, domain: str, port: int, ca_file: str | None, timeout: float
) -> PolicyFetch:
    """One bounded fetch of the domain's policy; every failure is an outcome."""
    host, url = policy_host(domain), policy_url(domain)
    address, failed = await _address(dns, host)
    if address is None:
        assert failed is not None
        return failed
    try:
        async with asyncio.timeout(timeout):
            code, headers, body = await _exchange(address, port, host, tls_context(ca_file))
    except TimeoutError:
        detail = f"no complete answer within {timeout:g}s"
        return PolicyFetch(url, "unknown", error=detail, reason=UnknownReason.TIMEOUT)
    except ssl.SSLCertVerificationError as exc:
        return PolicyFetch(url, "failed", error=f"certificate: {exc.verify_message or exc}")
    except asyncio.LimitOverrunError:
        return PolicyFetch(url, "failed", error=f"headers longer than {MAX_HEADER_OCTETS} octets")
    except (OSError, ssl.SSLError, ValueError, asyncio.IncompleteReadError) as exc:
        return PolicyFetch(url, "failed", error=f"{type(exc).__name__}: {exc}"[:300])
    return _judge_response(url, code, headers, body)
