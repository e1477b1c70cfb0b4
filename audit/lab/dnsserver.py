"""A small authoritative DNS server for the offline lab, the tests and the benchmarks.

It serves zone data held in memory (loaded from RFC 1035 zone files or added record by
record) over UDP and TCP on one port, answers REFUSED outside its zones, NXDOMAIN and
NODATA correctly (empty non-terminals are NODATA, RFC 8020), follows CNAMEs inside its
zones, synthesises wildcards (RFC 4592), truncates oversized UDP answers (TC bit) so
clients retry over TCP (RFC 7766), and can be told to drop, SERVFAIL or REFUSE given
names, or to delay every answer (to model real round trips in benchmarks).

It runs its own event loop in a daemon thread, so synchronous code can use it too.
"""

from __future__ import annotations

import asyncio
import enum
import logging
import struct
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.rcode
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.rrset
import dns.zone

from audit.lab.threaded import ThreadedServer

log = logging.getLogger(__name__)

PORT_ATTEMPTS = 50  # a random port free for TCP but taken for UDP: try another

MAX_CNAME_CHAIN = 8
CLASSIC_UDP_PAYLOAD = 512  # RFC 1035 §4.2.1, when the query carries no EDNS


class Behaviour(enum.StrEnum):
    """How the server mis-behaves for a name (tests of unknown outcomes)."""

    TIMEOUT = "timeout"  # never answer
    SERVFAIL = "servfail"
    REFUSED = "refused"


@dataclass
class RecordStore:
    """Zone data: which origins we are authoritative for, and their RRsets."""

    origins: set[dns.name.Name] = field(default_factory=set)
    nodes: dict[dns.name.Name, dict[int, dns.rrset.RRset]] = field(default_factory=dict)
    behaviours: dict[dns.name.Name, Behaviour] = field(default_factory=dict)
    default_ttl: int = 300
    # RRSIGs by (owner, covered type), sent with the RRset they cover when the query sets
    # the DO bit (RFC 4035 §3.1.1); signed fixture zones only.
    signatures: dict[tuple[dns.name.Name, int], dns.rrset.RRset] = field(default_factory=dict)
    # The parent's NSEC at a delegation and its RRSIG, kept apart from the child's apex
    # NSEC of the same name: the proof that no DS exists there, sent with a DS NODATA
    # when DO is set (RFC 4035 §3.1.3.1, §5.4). Other NSEC proofs are not sent.
    delegation_nsec: dict[dns.name.Name, list[dns.rrset.RRset]] = field(default_factory=dict)

    # -- loading -------------------------------------------------------------------

    def add_zone_text(self, origin: str, text: str) -> None:
        zone = dns.zone.from_text(text, origin=origin, relativize=False, check_origin=False)
        self.origins.add(zone.origin)  # type: ignore[arg-type]
        for name, node in zone.nodes.items():
            cut = name != zone.origin and node.get_rdataset(dns.rdataclass.IN, dns.rdatatype.NS)
            for rdataset in node.rdatasets:
                rrset = dns.rrset.RRset(name, rdataset.rdclass, rdataset.rdtype, rdataset.covers)
                rrset.update(rdataset)
                if cut and dns.rdatatype.NSEC in (rdataset.rdtype, rdataset.covers):
                    self.delegation_nsec.setdefault(name, []).append(rrset)
                    continue
                if rdataset.rdtype == dns.rdatatype.RRSIG:
                    self.signatures[(name, rdataset.covers)] = rrset  # type: ignore[index]
                    continue
                self.nodes.setdefault(name, {})[rdataset.rdtype] = rrset  # type: ignore[index]

    def add_zone_file(self, path: Path, origin: str | None = None) -> None:
        zone_origin = origin or path.name.removesuffix(".zone")
        self.add_zone_text(zone_origin, path.read_text(encoding="utf-8"))

    def add_origin(self, origin: str) -> None:
        self.origins.add(dns.name.from_text(origin))

    def add(self, name: str, rdtype: str, rdata_text: str, ttl: int | None = None) -> None:
        owner = dns.name.from_text(name)
        kind = dns.rdatatype.from_text(rdtype)
        rdata = dns.rdata.from_text(dns.rdataclass.IN, kind, rdata_text)
        self.add_rdata(owner, rdata, ttl)

    def add_rdata(
        self, owner: dns.name.Name, rdata: dns.rdata.Rdata, ttl: int | None = None
    ) -> None:
        rrsets = self.nodes.setdefault(owner, {})
        rrset = rrsets.get(rdata.rdtype)
        if rrset is None:
            rrset = rrsets[rdata.rdtype] = dns.rrset.RRset(owner, dns.rdataclass.IN, rdata.rdtype)
        rrset.add(rdata, ttl if ttl is not None else self.default_ttl)

    def set_behaviour(self, name: str, behaviour: Behaviour | str) -> None:
        self.behaviours[dns.name.from_text(name)] = Behaviour(behaviour)

    # -- answering -----------------------------------------------------------------

    def zone_of(self, qname: dns.name.Name) -> dns.name.Name | None:
        matches = [origin for origin in self.origins if qname.is_subdomain(origin)]
        return max(matches, key=len, default=None)

    def _exists(self, name: dns.name.Name) -> bool:
        if name in self.nodes:
            return True
        # an empty non-terminal exists (RFC 4592 §2.2.2)
        return any(other.is_subdomain(name) for other in self.nodes)

    def _node(
        self, qname: dns.name.Name, origin: dns.name.Name
    ) -> dict[int, dns.rrset.RRset] | None:
        node = self.nodes.get(qname)
        if node is not None:
            return node
        if self._exists(qname):
            return {}
        # RFC 4592 §3.3.1: find the closest encloser, then look for its wildcard.
        encloser = qname.parent()
        while encloser.is_subdomain(origin):
            if self._exists(encloser):
                wildcard = self.nodes.get(dns.name.Name((b"*", *encloser.labels)))
                if wildcard is None:
                    return None
                synthesized = {}
                for rdtype, rrset in wildcard.items():
                    copy = dns.rrset.RRset(qname, rrset.rdclass, rrset.rdtype)
                    copy.update(rrset)
                    synthesized[rdtype] = copy
                return synthesized
            if encloser == origin:
                break
            encloser = encloser.parent()
        return None

    def _soa(self, origin: dns.name.Name) -> list[dns.rrset.RRset]:
        soa = self.nodes.get(origin, {}).get(dns.rdatatype.SOA)
        return [soa] if soa is not None else []

    def answer(self, query: dns.message.Message) -> dns.message.Message | None:
        """Build the response for `query`, or None to stay silent."""
        response = dns.message.make_response(query)
        response.flags |= dns.flags.AA
        if not query.question:
            response.set_rcode(dns.rcode.FORMERR)
            return response
        question = query.question[0]
        qname, qtype = question.name, question.rdtype
        behaviour = self.behaviours.get(qname)
        if behaviour is Behaviour.TIMEOUT:
            return None
        if behaviour is not None:
            response.flags &= ~dns.flags.AA
            code = dns.rcode.SERVFAIL if behaviour is Behaviour.SERVFAIL else dns.rcode.REFUSED
            response.set_rcode(code)
            return response
        origin = self.zone_of(qname)
        if origin is None:
            response.flags &= ~dns.flags.AA
            response.set_rcode(dns.rcode.REFUSED)
            return response
        self._fill(response, qname, qtype, origin)
        if query.ednsflags & dns.flags.DO:
            response.want_dnssec(True)
            self._add_signatures(response)
            if qtype == dns.rdatatype.DS and not response.answer:
                response.authority.extend(self.delegation_nsec.get(qname, []))
        return response

    def _add_signatures(self, response: dns.message.Message) -> None:
        for section in (response.answer, response.authority):
            for rrset in list(section):
                signed = self.signatures.get((rrset.name, rrset.rdtype))
                if signed is not None:
                    section.append(signed)

    def _fill(
        self, response: dns.message.Message, qname: dns.name.Name, qtype: int, origin: dns.name.Name
    ) -> None:
        for _ in range(MAX_CNAME_CHAIN):
            behaviour = self.behaviours.get(qname)
            if behaviour is Behaviour.SERVFAIL or behaviour is Behaviour.REFUSED:
                response.set_rcode(dns.rcode.SERVFAIL)
                return
            node = self._node(qname, origin)
            if node is None:
                response.set_rcode(dns.rcode.NXDOMAIN)
                response.authority.extend(self._soa(origin))
                return
            if qtype == dns.rdatatype.ANY:
                response.answer.extend(node.values())
                return
            rrset = node.get(qtype)
            if rrset is not None:
                response.answer.append(rrset)
                return
            cname = node.get(dns.rdatatype.CNAME)
            if cname is None:
                response.authority.extend(self._soa(origin))  # NODATA
                return
            response.answer.append(cname)
            qname = cname[0].target  # type: ignore[attr-defined]
            next_origin = self.zone_of(qname)
            if next_origin is None:
                return  # the resolver follows the chain outside our zones
            origin = next_origin


class LabDnsServer(ThreadedServer):
    """Serve a `RecordStore` on 127.0.0.1 (UDP and TCP, same port) from a thread."""

    thread_name = "lab-dns"

    def __init__(
        self, store: RecordStore, host: str = "127.0.0.1", port: int = 0, delay_s: float = 0.0
    ) -> None:
        super().__init__(host, port)
        self.store = store
        self.delay_s = delay_s
        self.queries = 0
        # (name, type) of every query received, in order: tests count repeats per question.
        self.questions: list[tuple[str, str]] = []
        self._listeners: list[asyncio.BaseTransport | asyncio.Server] = []

    @property
    def nameserver(self) -> str:
        return self.address

    async def _open(self) -> None:
        loop = asyncio.get_running_loop()
        # Bind TCP first on the requested port, then UDP on the same number. A port the
        # kernel picked for TCP can be taken for UDP (a client's ephemeral port): then
        # another one is tried; a port that was asked for is not.
        attempts = PORT_ATTEMPTS if self.port == 0 else 1
        for attempt in range(1, attempts + 1):
            tcp = await asyncio.start_server(self._handle_tcp, self.host, self.port)
            port = tcp.sockets[0].getsockname()[1]
            try:
                udp, _ = await loop.create_datagram_endpoint(
                    lambda: _UdpProtocol(self), local_addr=(self.host, port)
                )
            except OSError:
                tcp.close()
                await tcp.wait_closed()
                if attempt == attempts:
                    raise
                continue
            self.port = port
            self._listeners = [udp, tcp]
            return

    async def _close(self) -> None:
        for listener in self._listeners:
            listener.close()

    async def respond(self, wire: bytes, max_size: int | None) -> bytes | None:
        """The reply to one query, sent `delay_s` after it arrived. The answer is built
        first, so the delay models the network and not the server's own work."""
        self.queries += 1
        reply = self._reply_wire(wire, max_size)
        if self.delay_s and reply is not None:
            await asyncio.sleep(self.delay_s)
        return reply

    def _note_question(self, query: dns.message.Message) -> None:
        if query.question:
            question = query.question[0]
            name = question.name.to_text().lower()
            self.questions.append((name, dns.rdatatype.to_text(question.rdtype)))

    def repeated_questions(self) -> dict[tuple[str, str], int]:
        """Questions asked more than once, with how often."""
        counts: dict[tuple[str, str], int] = {}
        for question in self.questions:
            counts[question] = counts.get(question, 0) + 1
        return {question: count for question, count in counts.items() if count > 1}

    def _reply_wire(self, wire: bytes, max_size: int | None) -> bytes | None:
        try:
            query = dns.message.from_wire(wire)
        except dns.exception.DNSException:
            return None
        self._note_question(query)
        response = self.store.answer(query)
        if response is None:
            return None
        if max_size is None:
            # TCP: up to the 16-bit length prefix (RFC 1035 §4.2.2). A bare to_wire()
            # would cap the answer at the query's EDNS payload size and raise TooBig.
            return response.to_wire(max_size=65535)
        limit = max(query.payload if query.edns >= 0 else CLASSIC_UDP_PAYLOAD, CLASSIC_UDP_PAYLOAD)
        limit = min(limit, max_size)
        try:
            return response.to_wire(max_size=limit)
        except dns.exception.TooBig:
            truncated = dns.message.make_response(query)
            truncated.flags |= dns.flags.TC | dns.flags.AA
            return truncated.to_wire()

    async def _handle_tcp(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                header = await reader.readexactly(2)
                (length,) = struct.unpack("!H", header)
                wire = await reader.readexactly(length)
                reply = await self.respond(wire, None)
                if reply is None:
                    continue
                writer.write(struct.pack("!H", len(reply)) + reply)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()


class _UdpProtocol(asyncio.DatagramProtocol):
    def __init__(self, server: LabDnsServer) -> None:
        self.server = server
        self.transport: asyncio.DatagramTransport | None = None
        self._pending: set[asyncio.Task[None]] = set()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        task = asyncio.ensure_future(self._reply(data, addr))
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    async def _reply(self, data: bytes, addr: tuple[str, int]) -> None:
        reply = await self.server.respond(data, 65535)
        if reply is not None and self.transport is not None:
            self.transport.sendto(reply, addr)


def store_from_zone_files(paths: Iterable[Path]) -> RecordStore:
    store = RecordStore()
    for path in paths:
        store.add_zone_file(path)
    return store


def store_from_mapping(zones: Mapping[str, str]) -> RecordStore:
    """{origin: zone text} -> store. Zone text may omit SOA/NS."""
    store = RecordStore()
    for origin, text in zones.items():
        store.add_zone_text(origin, text)
    return store
