"""Shared fixtures: a local authoritative DNS server, and a guard against the network.

No test may use the machine's resolver or any address outside loopback: the guard
below fails such a test loudly instead of letting it pass on a developer's laptop and
fail (or leak queries) in CI.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

import pytest
from support.smtp_fixtures import smtp_server  # noqa: F401  (fixture for every test module)

import audit.net.dns
from audit.lab.dnsserver import Behaviour, LabDnsServer, RecordStore


class NetworkGuardError(AssertionError):
    pass


def _assert_loopback(address: object) -> None:
    if isinstance(address, tuple) and address:
        host = address[0]
    elif isinstance(address, str | bytes):
        return  # AF_UNIX paths
    else:
        return
    try:
        ip = ipaddress.ip_address(str(host).split("%")[0])
    except ValueError:
        if host in ("localhost", ""):
            return
        raise NetworkGuardError(f"test tried to reach non-literal host {host!r}") from None
    if not ip.is_loopback and not ip.is_unspecified:
        raise NetworkGuardError(f"test tried to reach non-loopback address {ip}")


@pytest.fixture(autouse=True, scope="session")
def knowledge_cache_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The parsed-TOML cache (audit/knowledge/toml_cache.py) of this session, in and out of
    process, never the user's own ~/.cache."""
    import os

    from audit.knowledge.toml_cache import CACHE_ENV

    saved = os.environ.get(CACHE_ENV)
    os.environ[CACHE_ENV] = str(tmp_path_factory.mktemp("cache-home"))
    yield
    if saved is None:
        os.environ.pop(CACHE_ENV, None)
    else:
        os.environ[CACHE_ENV] = saved


@pytest.fixture(autouse=True)
def network_guard(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail any test that uses the system resolver or a non-loopback address."""

    def refuse_system_resolver() -> list[audit.net.dns.Nameserver]:
        raise NetworkGuardError("test tried to use the system resolver (resolv.conf)")

    monkeypatch.setattr(audit.net.dns, "system_nameservers", refuse_system_resolver)
    monkeypatch.delenv(audit.net.dns.NAMESERVER_ENV, raising=False)

    original_connect = socket.socket.connect
    original_connect_ex = socket.socket.connect_ex
    original_sendto = socket.socket.sendto

    def connect(self: socket.socket, address: object) -> None:
        _assert_loopback(address)
        return original_connect(self, address)  # type: ignore[arg-type]

    def connect_ex(self: socket.socket, address: object) -> int:
        _assert_loopback(address)
        return original_connect_ex(self, address)  # type: ignore[arg-type]

    def sendto(self: socket.socket, data: bytes, *args: object) -> int:
        _assert_loopback(args[-1])
        return original_sendto(self, data, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)
    monkeypatch.setattr(socket.socket, "sendto", sendto)


DnsFactory = Callable[..., LabDnsServer]


@pytest.fixture
def dns_server() -> Iterator[DnsFactory]:
    """Factory: start a lab DNS server on 127.0.0.1 (random port) with zone data.

    `dns_server(zones={"example.test": "<zone text>"}, behaviours={"x.example.test":
    "timeout"}, delay_s=0.0)`; `.nameserver` is "127.0.0.1:PORT".
    """
    started: list[LabDnsServer] = []

    def factory(
        zones: Mapping[str, str] | None = None,
        zone_files: list[Path] | None = None,
        behaviours: Mapping[str, Behaviour | str] | None = None,
        store: RecordStore | None = None,
        delay_s: float = 0.0,
    ) -> LabDnsServer:
        store = store or RecordStore()
        for origin, text in (zones or {}).items():
            store.add_zone_text(origin, text)
        for path in zone_files or []:
            store.add_zone_file(path)
        for name, behaviour in (behaviours or {}).items():
            store.set_behaviour(name, behaviour)
        server = LabDnsServer(store, delay_s=delay_s).start()
        started.append(server)
        return server

    yield factory
    for server in started:
        server.stop()


@pytest.fixture
def silent_nameserver() -> Iterator[str]:
    """A UDP/TCP port on loopback that never answers: every query times out."""
    udp, tcp = _udp_and_tcp_on_one_port()
    yield f"127.0.0.1:{udp.getsockname()[1]}"
    udp.close()
    tcp.close()


def _udp_and_tcp_on_one_port(attempts: int = 50) -> tuple[socket.socket, socket.socket]:
    """A UDP socket and a listening TCP socket on the same free loopback port. The UDP
    port the kernel picks may be taken for TCP (another test's connection holds it as its
    local port): then another port is tried."""
    for _ in range(attempts):
        udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        udp.bind(("127.0.0.1", 0))
        tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            tcp.bind(("127.0.0.1", udp.getsockname()[1]))
        except OSError:
            udp.close()
            tcp.close()
            continue
        tcp.listen(16)
        return udp, tcp
    raise RuntimeError(f"no loopback port free for both UDP and TCP in {attempts} tries")
