"""Benchmark: the blacklist check against pydnsbl, same servers, same run.

Run: .venv/bin/python bench/bench_blacklist.py   (about a minute; prints a table)

1. Latency: one IP against the whole default catalog through a lab DNS server adding
   50 ms to every answer. Target: our run (excluding process start-up) <= 1.5 x RTT.
   Start-up is measured as `mailhygiene lists --format json` (same imports, no DNS);
   the run's own `duration_s` from the JSON report is shown too.
2. Throughput: a /24 against the default catalog's IPv4 zones, no added delay, on
   rbldnsd when installed (a C server, so the clients are what is measured), else the
   lab server. Same concurrency for both (128 queries in flight). We ask A and TXT and
   the RFC 5782 test points; pydnsbl asks A only and counts refusal codes as listings:
   the table shows both the query rate and the three-state answers.

The DNS servers run in child processes so they never share a GIL with the clients.
"""

from __future__ import annotations

import asyncio
import json
import multiprocessing
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from audit.knowledge.dnsbl.catalog import TargetKind, shipped_catalog  # noqa: E402
from audit.knowledge.dnsbl.selection import select_lists  # noqa: E402
from audit.lab.dnsserver import LabDnsServer, RecordStore  # noqa: E402

MAILHYGIENE = [str(REPO / ".venv" / "bin" / "mailhygiene")]
RTT = 0.050
CONCURRENCY = 128
LISTED = "192.0.2.20"  # listed on every zone
REFUSED = "192.0.2.40"  # Spamhaus refusal code 127.255.255.254
REPEATS = 5


def default_ipv4_zones() -> list[str]:
    selection = select_lists(shipped_catalog(), "default")
    return [s.entry.zone for s in selection.lists if s.entry.serves(TargetKind.IPV4)]


def default_zones() -> list[str]:
    return [s.entry.zone for s in select_lists(shipped_catalog(), "default").lists]


def zone_text(zone: str) -> str:
    entry = shipped_catalog().get(zone)
    lines = [f"@ 300 IN SOA ns.{zone}. hostmaster.{zone}. 1 3600 600 86400 60"]
    for point in entry.test_listed if entry else ():
        name = ".".join(reversed(point.split("."))) if point[0].isdigit() else point
        lines.append(f"{name} IN A 127.0.0.2")
    lines.append(f"{'.'.join(reversed(LISTED.split('.')))} IN A 127.0.0.2")
    lines.append(
        f'{".".join(reversed(LISTED.split(".")))} IN TXT "listed, see https://example.test/"'
    )
    if "spamhaus" in zone:
        lines.append(f"{'.'.join(reversed(REFUSED.split('.')))} IN A 127.255.255.254")
    return "\n".join(lines) + "\n"


def _serve_lab(zones: list[str], delay: float, conn: object) -> None:
    store = RecordStore()
    for zone in zones:
        store.add_zone_text(zone, zone_text(zone))
    server = LabDnsServer(store, delay_s=delay).start()
    conn.send(server.port)  # type: ignore[attr-defined]
    conn.recv()  # type: ignore[attr-defined]  # wait for "stop"
    server.stop()


class LabProcess:
    def __init__(self, zones: list[str], delay: float) -> None:
        parent, child = multiprocessing.Pipe()
        self.conn = parent
        self.process = multiprocessing.Process(target=_serve_lab, args=(zones, delay, child))
        self.process.start()
        self.port = parent.recv()

    def stop(self) -> None:
        self.conn.send("stop")
        self.process.join(5)


class RbldnsdProcess:
    def __init__(self, zones: list[str]) -> None:
        self.workdir = Path(tempfile.mkdtemp(prefix="bench-rbldnsd-"))
        os.chmod(self.workdir, 0o755)
        data = self.workdir / "bench.ip4set"
        data.write_text(
            f":127.0.0.2:listed, see https://example.test/\n127.0.0.2\n{LISTED}\n",
            encoding="utf-8",
        )
        refused = self.workdir / "refused.ip4set"
        refused.write_text(f":127.255.255.254:refused\n{REFUSED}\n", encoding="utf-8")
        for path in (data, refused):
            os.chmod(path, 0o644)
        import socket

        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        datasets = [f"{z}:ip4set:bench.ip4set" for z in zones]
        datasets += [f"{z}:ip4set:refused.ip4set" for z in zones if "spamhaus" in z]
        command = ["rbldnsd", "-n", "-q", "-b", f"127.0.0.1/{self.port}", "-w", str(self.workdir)]
        if os.geteuid() == 0:
            command += ["-u", "rbldns"]
        self.process = subprocess.Popen(
            [*command, *datasets], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        time.sleep(0.5)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(5)
        shutil.rmtree(self.workdir, ignore_errors=True)


def _serve_delay_proxy(upstream_port: int, delay: float, conn: object) -> None:
    """A UDP forwarder in front of rbldnsd that holds every answer for `delay` seconds
    (reference/test-servers.md: no netem here). Costs microseconds per packet, unlike
    the lab server, which parses and builds every message in Python."""

    async def serve() -> None:
        loop = asyncio.get_running_loop()
        clients: dict[bytes, tuple[str, int]] = {}

        class Upstream(asyncio.DatagramProtocol):
            def datagram_received(self, data: bytes, addr: object) -> None:
                client = clients.pop(data[:2], None)
                if client is not None:
                    loop.call_later(delay, front.sendto, data, client)

        class Front(asyncio.DatagramProtocol):
            def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
                clients[data[:2]] = addr
                upstream.sendto(data)

        front, _ = await loop.create_datagram_endpoint(Front, local_addr=("127.0.0.1", 0))
        upstream, _ = await loop.create_datagram_endpoint(
            Upstream, remote_addr=("127.0.0.1", upstream_port)
        )
        conn.send(front.get_extra_info("sockname")[1])  # type: ignore[attr-defined]
        await loop.run_in_executor(None, conn.recv)  # type: ignore[attr-defined]

    asyncio.run(serve())


class DelayProxyProcess(LabProcess):
    def __init__(self, upstream_port: int, delay: float) -> None:
        parent, child = multiprocessing.Pipe()
        self.conn = parent
        self.process = multiprocessing.Process(
            target=_serve_delay_proxy, args=(upstream_port, delay, child)
        )
        self.process.start()
        self.port = parent.recv()


def run_cli(args: list[str]) -> tuple[float, dict | None]:
    started = time.perf_counter()
    done = subprocess.run([*MAILHYGIENE, *args], capture_output=True, text=True, cwd=REPO)
    wall = time.perf_counter() - started
    try:
        return wall, json.loads(done.stdout)
    except json.JSONDecodeError:
        return wall, None


def pydnsbl_checker(port: int, zones: list[str]):
    import aiodns
    import pydnsbl
    from pydnsbl.providers import Provider

    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    checker = pydnsbl.DNSBLIpChecker(
        providers=[Provider(z) for z in zones], concurrency=CONCURRENCY, loop=loop
    )
    # pydnsbl has no nameserver option: point its aiodns resolver at the lab port.
    # A fresh resolver (channel) per measured run: c-ares may cache answers.
    checker._resolver = aiodns.DNSResolver(
        nameservers=["127.0.0.1"],
        udp_port=port,
        tcp_port=port,
        timeout=5,
        tries=2,
        loop=loop,
    )
    return checker


def median(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[len(ordered) // 2]


def latency_rows(port: int, label: str) -> list[tuple[str, str]]:
    with tempfile.TemporaryDirectory(prefix="bench-lists-") as folder:
        return _latency_rows(port, label, Path(folder) / "none.txt")


def _latency_rows(port: int, label: str, empty: Path) -> list[tuple[str, str]]:
    ns = f"127.0.0.1:{port}"
    empty.write_text("# no list: the run does everything except DNS\n", encoding="utf-8")
    # Start-up = the same command with no list selected: interpreter, imports, catalog,
    # option parsing and JSON rendering, but not a single query.
    startup_args = ["blacklist", "192.0.2.99", "--lists", str(empty), "--nameserver", ns]
    startup_args += ["--format", "json"]
    startup = median([run_cli(startup_args)[0] for _ in range(REPEATS)])
    walls, durations = [], []
    for repeat in range(REPEATS):
        ip = f"192.0.2.{100 + repeat}"  # a fresh name each time: no cache anywhere
        wall, document = run_cli(["blacklist", ip, "--nameserver", ns, "--format", "json"])
        walls.append(wall)
        durations.append(document["duration_s"] if document else float("nan"))
    peer = []
    for repeat in range(REPEATS):
        checker = pydnsbl_checker(port, default_ipv4_zones())
        started = time.perf_counter()
        checker.check(f"192.0.2.{200 + repeat}")
        peer.append(time.perf_counter() - started)
    ours = median(walls) - startup
    return [
        (f"[{label}] process start-up (median)", f"{startup * 1000:.0f} ms"),
        (
            f"[{label}] mailhygiene wall - start-up",
            f"{ours * 1000:.0f} ms = {ours / RTT:.2f} x RTT (target <= 1.5)",
        ),
        (
            f"[{label}] mailhygiene duration_s (in-process)",
            f"{median(durations) * 1000:.0f} ms = {median(durations) / RTT:.2f} x RTT",
        ),
        (
            f"[{label}] pydnsbl check() (A only, in-process)",
            f"{median(peer) * 1000:.0f} ms = {median(peer) / RTT:.2f} x RTT",
        ),
    ]


def bench_latency() -> list[tuple[str, str]]:
    rows = [
        ("IPv4 lists in the default catalog", f"{len(default_ipv4_zones())}"),
        ("added delay per answer (1 RTT)", f"{RTT * 1000:.0f} ms"),
    ]
    lab = LabProcess(default_zones(), RTT)
    try:
        rows += latency_rows(lab.port, "lab server")
    finally:
        lab.stop()
    if shutil.which("rbldnsd"):
        rbldnsd = RbldnsdProcess(default_ipv4_zones())
        proxy = DelayProxyProcess(rbldnsd.port, RTT)
        try:
            rows += latency_rows(proxy.port, "rbldnsd + 50 ms forwarder")
        finally:
            proxy.stop()
            rbldnsd.stop()
    return rows


async def _ours_bulk(port: int, ips: list[str]):
    from audit.engine.context import AuditContext
    from audit.engine.options import RunOptions
    from audit.model import IpSource, SendingIp, Target
    from audit.net.dns import Nameserver
    from audit.net.dns_mux import MuxDnsClient
    from checks.blacklist.check import BlacklistCheck

    dns = MuxDnsClient(
        [Nameserver("127.0.0.1", port)], timeout=5, retries=1, concurrency=CONCURRENCY
    )
    target = Target(None, tuple(SendingIp(ip, IpSource.GIVEN) for ip in ips))
    started = time.perf_counter()
    result = await BlacklistCheck().run(AuditContext(RunOptions(), target, dns))
    elapsed = time.perf_counter() - started
    dns.close()
    return result, dns.stats.queries, elapsed


def bench_throughput() -> list[tuple[str, str]]:
    zones = default_ipv4_zones()
    use_rbldnsd = shutil.which("rbldnsd") is not None
    server = RbldnsdProcess(zones) if use_rbldnsd else LabProcess(default_zones(), 0.0)
    ips = [f"192.0.2.{i}" for i in range(1, 255)]
    try:
        ours = [asyncio.run(_ours_bulk(server.port, ips)) for _ in range(3)]
        peer_runs = []
        for _ in range(3):
            checker = pydnsbl_checker(server.port, zones)
            started = time.perf_counter()
            results = checker.bulk_check(ips)
            peer_runs.append((time.perf_counter() - started, results))
    finally:
        server.stop()
    result, queries, _ = ours[0]
    our_qps = median([q / t for _, q, t in ours])
    our_checks = median([len(ips) * len(zones) / t for *_, t in ours])
    peer_time = median([t for t, _ in peer_runs])
    peer_qps = len(ips) * len(zones) / peer_time
    counts = result.evidence["counts"]
    peer_results = peer_runs[0][1]
    peer_listed = sum(len(r.detected_by) for r in peer_results)
    peer_refused_as_listed = sum(len(r.detected_by) for r in peer_results if r.addr == REFUSED)
    spamhaus_rows = [
        r for r in result.evidence["results"] if r["target"] == REFUSED and "spamhaus" in r["zone"]
    ]
    return [
        ("server", "rbldnsd" if use_rbldnsd else "lab server (rbldnsd not installed)"),
        ("targets x IPv4 zones", f"{len(ips)} x {len(zones)} = {len(ips) * len(zones)} checks"),
        ("concurrency (queries in flight)", str(CONCURRENCY)),
        ("mailhygiene queries/s (A+TXT+test points)", f"{our_qps:,.0f} ({queries} queries)"),
        ("mailhygiene checks/s", f"{our_checks:,.0f}"),
        ("pydnsbl bulk_check queries/s (A only)", f"{peer_qps:,.0f}"),
        ("ratio queries/s mailhygiene / pydnsbl", f"{our_qps / peer_qps:.2f} (target >= 1.0)"),
        ("ratio checks/s mailhygiene / pydnsbl", f"{our_checks / peer_qps:.2f}"),
        (
            "mailhygiene: listed / clean / unknown",
            f"{counts['listed']} / {counts['clean']} / {counts['unknown']}",
        ),
        (
            "mailhygiene: refused answers for " + REFUSED,
            ", ".join(f"{r['zone']}={r['state']}" for r in spamhaus_rows),
        ),
        ("pydnsbl: listings (any A record)", str(peer_listed)),
        ("pydnsbl: refusal codes counted as listed", str(peer_refused_as_listed)),
    ]


def print_table(title: str, rows: list[tuple[str, str]]) -> None:
    width = max(len(label) for label, _ in rows)
    print(f"\n== {title}")
    for label, value in rows:
        print(f"  {label:<{width}}  {value}")


def main() -> None:
    started = time.perf_counter()
    print_table("1. one IP, default catalog, 50 ms per answer", bench_latency())
    print_table("2. /24, default catalog, no added delay", bench_throughput())
    print(f"\n(total {time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
