"""Benchmark: `mailhygiene message` on a 1,000-message mbox beside dkimpy's `dkimverify`.

Builds 1,000 messages signed by tests/support/messages.py (800 signed with one-click,
100 unsigned, 100 with a body changed after signing), starts a lab DNS server on
loopback serving their keys, SPF and DMARC, and times, in the same run:
- `mailhygiene message MBOX --format json` as a process (parse, DKIM + ARC, SPF of the
  connecting IP, DMARC, unsubscribe, format, compliance, JSON);
- dkimpy's `dkimverify` logic (`dkim.verify`, the function the script calls, one
  signature per message, DKIM only) over the same messages in one process, with its
  `dnsfunc` pointed at the same server through dnspython (the script itself would ask
  the system resolver, which no benchmark here may use).
Prints messages per second (best of three) and the ratio.
Usage: .venv/bin/python bench/bench_message.py
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))

import dkim  # noqa: E402
import dns.resolver  # noqa: E402
from support import messages as m  # noqa: E402

from audit.lab.dnsserver import LabDnsServer, RecordStore  # noqa: E402

COUNT = 1000
REPEATS = 3  # the best of three: the machine is shared, the minimum is the least disturbed


def build_messages() -> list[bytes]:
    signed = m.sign(m.message())
    unsigned = m.message(one_click=False)
    broken = signed.replace(b"newsletter.", b"newsletter!")
    kinds = [signed] * 8 + [unsigned, broken]
    return [m.delivered(kinds[i % len(kinds)]) for i in range(COUNT)]


def mbox(messages: list[bytes]) -> bytes:
    separator = b"From bench@shop.test Tue Dec  1 00:00:00 2026\n"
    return b"".join(separator + message + b"\n" for message in messages)


def time_ours(path: Path, nameserver: str) -> float:
    command = [
        str(REPO / ".venv" / "bin" / "mailhygiene"), "message", str(path),
        "--nameserver", nameserver, "--format", "json", "-o", "/dev/null", "--fail-on", "never",
    ]  # fmt: skip
    started = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True)
    return time.perf_counter() - started


def time_dkimpy(messages: list[bytes], nameserver: str) -> tuple[float, int]:
    host, port = nameserver.rsplit(":", 1)
    resolver = dns.resolver.Resolver(configure=False)
    resolver.nameservers, resolver.port = [host], int(port)

    def txt(name: bytes, timeout: float = 5) -> bytes | None:
        try:
            answer = resolver.resolve(name.decode(), "TXT", lifetime=timeout)
        except dns.exception.DNSException:
            return None
        return b"".join(answer[0].strings)

    started = time.perf_counter()
    passed = sum(1 for message in messages if dkim.verify(message, dnsfunc=txt))
    return time.perf_counter() - started, passed


def main() -> int:
    store = RecordStore()
    for origin, text in m.zones().items():
        store.add_zone_text(origin, text)
    server = LabDnsServer(store).start()
    messages = build_messages()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.mbox"
        path.write_bytes(mbox(messages))
        ours = min(time_ours(path, server.nameserver) for _ in range(REPEATS))
        runs = [time_dkimpy(messages, server.nameserver) for _ in range(REPEATS)]
        theirs, passed = min(runs)
        size = path.stat().st_size
    server.stop()
    print(f"{COUNT} messages ({size} bytes mbox), best of {REPEATS}")
    print(f"mailhygiene message (process, full analysis): {ours:6.2f} s {COUNT / ours:6.0f} msg/s")
    print(
        f"dkimpy dkim.verify (in-process, DKIM only):   {theirs:6.2f} s {COUNT / theirs:6.0f} msg/s"
    )
    print(f"ratio (ours / dkimpy msg/s): {theirs / ours:.2f}x; dkimpy passed {passed}/{COUNT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
