"""Benchmark: the mx check on the test fixtures, beside checkdmarc's MTA-STS / TLS-RPT parts.

Starts, on loopback: a lab DNS server adding 50 ms to every answer, an HTTPS server
serving MTA-STS policies per Host (the test suite's, tests/support/tlslab.py, with a
test CA) and a STARTTLS server presenting a certificate from that CA. Then, per
scenario, times our whole mx check (MX set, one STARTTLS session, TXT records, the
policy fetch) and prints its verdict beside checkdmarc's on the same record and policy
text (`parse_mta_sts_record`, `parse_mta_sts_policy`, `mx_in_mta_sts_patterns`,
`parse_smtp_tls_reporting_record`). checkdmarc's own fetch (`requests` to port 443 via
the system resolver) cannot reach a loopback fixture, so its policy verdict is on the
text our fetch returned, and its fetch-level verdicts (redirect, size) are not compared.
Round trips = wall time / 50 ms; smtp = the STARTTLS session's own milliseconds (it
runs beside the DNS work). Usage: .venv/bin/python bench/bench_mx.py
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "tests")]

from support.mxlab import mx_context, zone  # noqa: E402
from support.tlslab import (  # noqa: E402
    PolicyServer,
    Served,
    StarttlsServer,
    TestPki,
    server_context,
)

from audit.lab.dnsserver import LabDnsServer, RecordStore  # noqa: E402
from checks.mx.check import MxCheck  # noqa: E402

DELAY_S = 0.05
POLICY = "version: STSv1\r\nmode: {mode}\r\nmx: {mx}\r\nmax_age: 604800\r\n"
SCENARIOS: dict[str, Served] = {
    "valid": Served(POLICY.format(mode="enforce", mx="mx.valid.test").encode()),
    "wrongmx": Served(POLICY.format(mode="enforce", mx="mail.other.test").encode()),
    "testing": Served(POLICY.format(mode="testing", mx="*.testing.test").encode()),
    "invalid": Served(b"version: STSv2\nmode: strict\n"),
    "redirect": Served(status=301, location="https://elsewhere.test/"),
}


def _zones() -> dict[str, str]:
    zones: dict[str, str] = {}
    for name in SCENARIOS:
        domain = f"{name}.test"
        rpt = "ftp://bad" if name == "invalid" else f"mailto:tls@{domain}"
        zones |= zone(
            domain,
            "@ MX 10 mx",
            "mx A 127.0.0.1",
            "mta-sts A 127.0.0.1",
            '_mta-sts TXT "v=STSv1; id=20260101"',
            f'_smtp._tls TXT "v=TLSRPTv1; rua={rpt}"',
        )
    return zones


def ours(nameserver: str, domain: str, smtp_port: int, https_port: int, ca: str) -> Any:
    async def go() -> Any:
        ctx = mx_context(
            nameserver,
            domain,
            smtp_hosts=[f"mx.{domain}:{smtp_port}"],
            ca_file=ca,
            https_port=https_port,
        )
        return await MxCheck().run(ctx)

    started = time.perf_counter()
    result = asyncio.run(go())
    return result, time.perf_counter() - started


def checkdmarc_verdict(
    record: str, policy_text: str | None, mx: str, rpt: str
) -> tuple[str, float]:
    from checkdmarc.mta_sts import (
        mx_in_mta_sts_patterns,
        parse_mta_sts_policy,
        parse_mta_sts_record,
    )
    from checkdmarc.smtp_tls_reporting import parse_smtp_tls_reporting_record

    started = time.perf_counter()
    parts = []
    try:
        parse_mta_sts_record(record)
        parts.append("record ok")
    except Exception as exc:
        parts.append(f"record: {type(exc).__name__}")
    if policy_text is None:
        parts.append("policy: (not fetched)")
    else:
        try:
            policy = parse_mta_sts_policy(policy_text)["policy"]
            mode = policy.get("mode")
            matched = mx_in_mta_sts_patterns(mx, policy.get("mx", []))
            parts.append(f"mode {mode}, mx {'matches' if matched else 'MISMATCH'}")
        except Exception as exc:
            parts.append(f"policy: {type(exc).__name__}")
    try:
        parse_smtp_tls_reporting_record(rpt)
        parts.append("tls-rpt ok")
    except Exception as exc:
        parts.append(f"tls-rpt: {type(exc).__name__}")
    return "; ".join(parts), time.perf_counter() - started


def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="bench-mx-"))
    pki = TestPki(folder)
    policy_cert = pki.issue("policy", tuple(f"mta-sts.{n}.test" for n in SCENARIOS))
    mx_cert = pki.issue("mx", tuple(f"mx.{n}.test" for n in SCENARIOS))
    answers = {f"mta-sts.{n}.test": served for n, served in SCENARIOS.items()}
    store = RecordStore()
    for origin, text in _zones().items():
        store.add_zone_text(origin, text)
    dns = LabDnsServer(store, delay_s=DELAY_S).start()
    print(
        f"{'scenario':10} {'ours (codes)':46} {'ms':>5} {'RTT':>5} {'smtp':>5} | "
        "checkdmarc (same text)"
    )
    try:
        with (
            PolicyServer(server_context(policy_cert), answers) as https,
            StarttlsServer(server_context(mx_cert)) as smtp,
        ):
            for name in SCENARIOS:
                domain = f"{name}.test"
                result, seconds = ours(
                    dns.nameserver, domain, smtp.port, https.port, str(pki.ca_file)
                )
                codes = sorted({f.code.removeprefix("MX_") for f in result.findings}) or ["clean"]
                sts = result.evidence["mta_sts"]
                text = SCENARIOS[name].body.decode() if sts["fetch"] == "fetched" else None
                rpt = result.evidence["tls_rpt"]["records"]
                theirs, their_s = checkdmarc_verdict(
                    sts["records"][0], text, f"mx.{domain}", rpt[0] if rpt else ""
                )
                smtp_ms = sum(s["elapsed_ms"] for s in result.evidence["tls"])
                print(
                    f"{name:10} {', '.join(codes)[:46]:46} {seconds * 1000:5.0f} "
                    f"{seconds / DELAY_S:5.1f} {smtp_ms:5.0f} | {theirs} "
                    f"({their_s * 1000:.1f} ms, parsing only)"
                )
    finally:
        dns.stop()


if __name__ == "__main__":
    main()
