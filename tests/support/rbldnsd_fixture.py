"""Fixtures for the blacklist tests: lab DNS zones that behave like DNSBLs, and a real
rbldnsd daemon on loopback (Debian package `rbldnsd`).

rbldnsd refuses to run as root: it is started with `-u rbldns` from a temporary
directory readable by that user (reference/test-servers.md). Without the binary the
rbldnsd tests skip, unless MAILHYGIENE_REQUIRE_RBLDNSD=1 (CI), where they fail.
"""

from __future__ import annotations

import asyncio
import ipaddress
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

from audit.knowledge.dnsbl.catalog import TargetKind, shipped_catalog
from audit.model import CheckResult
from audit.net.dns import DnsClient, Nameserver
from checks.blacklist.check import BlacklistCheck
from checks.blacklist.options import BlacklistOptions
from checks.blacklist.query import query_label
from support.context import check_context
from support.paths import FIXTURES as TESTS_FIXTURES

RBLDNSD = shutil.which("rbldnsd") or (
    "/usr/sbin/rbldnsd" if Path("/usr/sbin/rbldnsd").exists() else None
)
FIXTURES = TESTS_FIXTURES / "rbldnsd"


def point_label(point: str) -> str:
    try:
        version = ipaddress.ip_address(point).version
    except ValueError:
        return point
    return query_label(point, TargetKind.IPV4 if version == 4 else TargetKind.IPV6)


def dnsbl_zone(zone: str, records: Sequence[str] = (), healthy: bool = True) -> str:
    """Zone text for a lab DNSBL: SOA, the RFC 5782 positive test points, `records`."""
    lines = [f"@ 300 IN SOA ns.{zone}. hostmaster.{zone}. 1 3600 600 86400 60"]
    entry = shipped_catalog().get(zone)
    if healthy:
        points = entry.test_listed if entry else ("127.0.0.2",)
        for point in points:
            lines.append(f"{point_label(point)} 300 IN A 127.0.0.2")
    lines.extend(records)
    return "\n".join(lines) + "\n"


def list_file(tmp_path: Path, zones: Sequence[str]) -> str:
    path = tmp_path / "lists.txt"
    path.write_text("\n".join(zones) + "\n", encoding="utf-8")
    return str(path)


def run_check(
    nameserver: str,
    *,
    ips: Sequence[str] = (),
    domain: str | None = None,
    lists: str = "default",
    custom: Sequence[str] = (),
    dqs_key: str | None = None,
    timeout: float = 2.0,
    dns: DnsClient | None = None,
) -> CheckResult:
    async def go() -> CheckResult:
        client = dns or DnsClient([Nameserver.parse(nameserver)], timeout=timeout, retries=0)
        options = BlacklistOptions(lists, tuple(custom), dqs_key)
        ctx = check_context(client, domain, ips, (options,), (BlacklistCheck.id,))
        return await BlacklistCheck().run(ctx)

    return asyncio.run(go())


def results_by(result: CheckResult) -> Mapping[tuple[str, str], dict[str, object]]:
    """Evidence rows keyed by (target, list id)."""
    return {(row["target"], row["list"]): row for row in result.evidence["results"]}


# -- rbldnsd -------------------------------------------------------------------------------


@dataclass
class Rbldnsd:
    nameserver: str
    process: subprocess.Popen[bytes]
    workdir: Path


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_until_answering(port: int, process: subprocess.Popen[bytes]) -> None:
    import dns.message
    import dns.query

    query = dns.message.make_query("2.0.0.127.ready.test.", "A")
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                f"rbldnsd exited: {process.stderr.read().decode() if process.stderr else ''}"
            )
        try:
            dns.query.udp(query, "127.0.0.1", port=port, timeout=0.2)
            return
        except Exception:
            time.sleep(0.05)
    raise RuntimeError("rbldnsd did not start answering within 10s")


def _require_binary() -> str:
    if RBLDNSD is None:
        if os.environ.get("MAILHYGIENE_REQUIRE_RBLDNSD") == "1":
            pytest.fail("rbldnsd is required (MAILHYGIENE_REQUIRE_RBLDNSD=1) but not installed")
        pytest.skip("rbldnsd not installed (apt-get install rbldnsd)")
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("rbldns")
        except KeyError:
            pytest.fail("user rbldns missing: install the Debian rbldnsd package")
    return RBLDNSD


def start_rbldnsd(datasets: Sequence[tuple[str, str, str]]) -> Rbldnsd:
    """datasets: (zone, type, fixture file name). Same zone several times = merged answers."""
    binary = _require_binary()
    workdir = Path(tempfile.mkdtemp(prefix="mh-rbldnsd-"))
    os.chmod(workdir, 0o755)
    for _, _, name in datasets:
        target = workdir / name
        shutil.copy(FIXTURES / name, target)
        os.chmod(target, 0o644)
    port = _free_port()
    command = [binary, "-n", "-q", "-b", f"127.0.0.1/{port}", "-w", str(workdir), "-t", "60"]
    if os.geteuid() == 0:
        command += ["-u", "rbldns"]
    command += [f"{zone}:{kind}:{name}" for zone, kind, name in datasets]
    command += ["ready.test:ip4set:ready.ip4set"]
    (workdir / "ready.ip4set").write_text("127.0.0.2\n", encoding="utf-8")
    os.chmod(workdir / "ready.ip4set", 0o644)
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        _wait_until_answering(port, process)
    except Exception:
        process.kill()
        raise
    return Rbldnsd(f"127.0.0.1:{port}", process, workdir)


def stop_rbldnsd(server: Rbldnsd) -> None:
    server.process.terminate()
    try:
        server.process.wait(5)
    except subprocess.TimeoutExpired:
        server.process.kill()
    shutil.rmtree(server.workdir, ignore_errors=True)


@pytest.fixture
def rbldnsd_server() -> Iterator[type[Rbldnsd]]:
    """Factory fixture: `rbldnsd_server(datasets)` returns a started `Rbldnsd`."""
    started: list[Rbldnsd] = []

    def factory(datasets: Sequence[tuple[str, str, str]]) -> Rbldnsd:
        server = start_rbldnsd(datasets)
        started.append(server)
        return server

    yield factory  # type: ignore[misc]
    for server in started:
        stop_rbldnsd(server)
