"""Benchmark: the spf, dkim and dmarc checks together vs checkdmarc's CLI.

Starts a lab DNS server that adds 50 ms to every answer and serves a realistic
domain (SPF with nested includes, MX, DMARC reporting to an external service, DKIM
with a CNAME-delegated selector), then times, in the same run:
- our three checks together, on a fresh DnsClient (empty cache);
- `checkdmarc DOMAIN -n 127.0.0.2` (its CLI has no port option: `-n` takes bare IPs
  on port 53, so the server listens on 127.0.0.2:53 when it can bind there; otherwise
  the CLI runs through a wrapper that points its plain-DNS nameservers at our port).
It prints round trips (wall time / per-answer delay), the bound (longest dependency
chain of lookups + 2) and the ratios. Usage: .venv/bin/python bench/bench_auth.py
"""

from __future__ import annotations

import asyncio
import base64
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from audit.engine.context import AuditContext  # noqa: E402
from audit.engine.options import RunOptions  # noqa: E402
from audit.lab.dnsserver import LabDnsServer, RecordStore  # noqa: E402
from audit.model import CheckId, IpSource, SendingIp, Target  # noqa: E402
from audit.net.dns import DnsClient, Nameserver  # noqa: E402
from checks.dkim.check import DkimCheck  # noqa: E402
from checks.dmarc.check import DmarcCheck  # noqa: E402
from checks.spf.check import SpfCheck  # noqa: E402
from checks.spf.tree import SpfNode, build_tree  # noqa: E402

DELAY_S = 0.05
DOMAIN = "acme.test"
SENDING_IPS = ("192.0.2.10", "198.51.100.77", "203.0.113.5")


def _dkim_key_strings() -> str:
    """A fresh 2048-bit public key as TXT character-strings of at most 255 octets."""
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    public = rsa.generate_private_key(public_exponent=65537, key_size=2048).public_key()
    der = public.public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
    record = "v=DKIM1; k=rsa; p=" + base64.b64encode(der).decode()
    return " ".join(f'"{record[i : i + 250]}"' for i in range(0, len(record), 250))


KEY = _dkim_key_strings()
ZONE = f"""
$ORIGIN test.
$TTL 300
@ SOA ns.test. hostmaster.test. 1 3600 600 86400 300
@ NS ns.test.
ns A 127.0.0.1
acme TXT "v=spf1 ip4:192.0.2.0/24 include:_spf.mailhost.test include:sendgrid.esp.test mx -all"
acme MX 10 mx1.acme.test.
acme MX 20 mx2.acme.test.
mx1.acme A 192.0.2.25
mx2.acme A 192.0.2.26
_spf.mailhost TXT "v=spf1 include:_netblocks.mailhost.test include:_netblocks2.mailhost.test ~all"
_netblocks.mailhost TXT "v=spf1 ip4:35.190.247.0/24 ip6:2001:4860:4000::/36 ~all"
_netblocks2.mailhost TXT "v=spf1 include:_netblocks3.mailhost.test ip4:66.102.0.0/20 ~all"
_netblocks3.mailhost TXT "v=spf1 ip4:72.14.192.0/18 a:relay.mailhost.test ~all"
relay.mailhost A 74.125.0.1
sendgrid.esp TXT "v=spf1 ip4:167.89.0.0/17 ip4:149.72.0.0/16 -all"
_dmarc.acme TXT "v=DMARC1; p=quarantine; rua=mailto:dmarc@reports.test; ruf=mailto:f@acme.test"
acme.test._report._dmarc.reports TXT "v=DMARC1"
reports MX 10 mx.reports.test.
mx.reports A 192.0.2.99
google._domainkey.acme TXT ( {KEY} )
selector1._domainkey.acme CNAME selector1-acme._domainkey.provider.test.
selector1-acme._domainkey.provider TXT ( {KEY} )
"""

WRAPPER = """
import sys, dns.nameserver, checkdmarc.utils as u
port = int(sys.argv.pop(1))
original = u._nameservers_to_resolver_input
def with_port(nameservers):
    return [dns.nameserver.Do53Nameserver(str(n), port) if isinstance(n, str) else n
            for n in nameservers]
u._nameservers_to_resolver_input = with_port
from checkdmarc._cli import _main
sys.argv[0] = "checkdmarc"
_main()
"""


def spf_chain(node: SpfNode) -> int:
    """Lookups that must follow one another to evaluate this record: its TXT, then
    the deepest of its terms (include: its own chain; a/exists: 1; mx: MX then A)."""
    deepest = 0
    for term in node.terms:
        kind = term.term.lstrip("+-~?").split(":", 1)[0].split("/", 1)[0].lower()
        if term.child is not None:
            deepest = max(deepest, spf_chain(term.child))
        elif kind in ("a", "exists"):
            deepest = max(deepest, 1)
        elif kind == "mx":
            deepest = max(deepest, 2)
    return 1 + deepest


async def longest_chain(nameserver: str) -> int:
    client = DnsClient([Nameserver.parse(nameserver)], timeout=2.0)
    tree = await build_tree(client, DOMAIN)
    dmarc_chain = 2  # _dmarc TXT, then the external destination's authorization + MX
    dkim_chain = 1  # every selector at once; the server follows the CNAME itself
    return max(spf_chain(tree), dmarc_chain, dkim_chain)


async def run_ours(nameserver: str) -> tuple[float, int, dict[str, str]]:
    client = DnsClient([Nameserver.parse(nameserver)], timeout=2.0, retries=1)
    target = Target(DOMAIN, tuple(SendingIp(ip, IpSource.GIVEN) for ip in SENDING_IPS))
    selected = frozenset({CheckId.SPF, CheckId.DKIM, CheckId.DMARC})
    context = AuditContext(RunOptions(domain=DOMAIN), target, client, selected=selected)
    started = time.perf_counter()
    results = await asyncio.gather(
        SpfCheck().run(context), DkimCheck().run(context), DmarcCheck().run(context)
    )
    elapsed = time.perf_counter() - started
    statuses = {result.check.value: result.status.value for result in results}
    return elapsed, client.stats.queries, statuses


def run_checkdmarc(port: int, host: str) -> tuple[float, int]:
    checkdmarc = REPO / ".venv" / "bin" / "checkdmarc"
    if port == 53:
        command = [str(checkdmarc), DOMAIN, "-n", host, "-t", "2"]
    else:
        python = REPO / ".venv" / "bin" / "python"
        command = [str(python), "-c", WRAPPER, str(port), DOMAIN, "-n", host, "-t", "2"]
    started = time.perf_counter()
    completed = subprocess.run(command, capture_output=True, text=True, timeout=300)
    return time.perf_counter() - started, completed.returncode


def start_server() -> LabDnsServer:
    store = RecordStore()
    store.add_zone_text("test", ZONE)
    try:  # checkdmarc's -n takes no port: listen on 53 if we may
        return LabDnsServer(store, host="127.0.0.2", port=53, delay_s=DELAY_S).start()
    except OSError:
        return LabDnsServer(store, host="127.0.0.1", port=0, delay_s=DELAY_S).start()


def main() -> None:
    server = start_server()
    try:
        chain = asyncio.run(longest_chain(server.nameserver))
        bound = chain + 2
        # The first run pays one-time imports (checkdmarc, its grammar, the public
        # suffix list: ~0.1 s of CPU); the second is a fresh DnsClient with an empty
        # cache in a warm process, which is what the bound is about.
        cold_s, _, _ = asyncio.run(run_ours(server.nameserver))
        before = server.queries
        ours_s, ours_queries, statuses = asyncio.run(run_ours(server.nameserver))
        server_queries = server.queries - before
        theirs_s, returncode = run_checkdmarc(server.port, server.host)
    finally:
        server.stop()
    ours_rt, theirs_rt = ours_s / DELAY_S, theirs_s / DELAY_S
    print(f"domain {DOMAIN}, {len(SENDING_IPS)} sending IPs, {DELAY_S * 1000:.0f} ms per answer")
    print(f"longest dependency chain: {chain} lookups; bound: {bound} round trips")
    print(
        f"mailhygiene spf+dkim+dmarc: {ours_s:.3f} s = {ours_rt:.1f} round trips "
        f"({ours_queries} queries, {server_queries} reached the server) {statuses}"
    )
    print(f"  within bound: {'yes' if ours_rt <= bound else 'NO'} ({ours_rt / bound:.2f} of it)")
    print(
        f"  first run in a cold process (imports included): {cold_s:.3f} s = "
        f"{cold_s / DELAY_S:.1f} round trips"
    )
    print(
        f"checkdmarc CLI (all its checks, exit {returncode}): {theirs_s:.3f} s = "
        f"{theirs_rt:.1f} round trips"
    )
    print(f"ratio checkdmarc / mailhygiene: {theirs_s / ours_s:.1f}x")


if __name__ == "__main__":
    main()
