"""A hostile DNS responder for tests: the lab server, except where a test crafts the reply.

`HostileDnsServer(store, craft)` answers from `store` like the lab server, but first asks
`craft(query, store)`: it may return a reply message, raw wire bytes, `SILENT` to send
nothing, or None for the normal answer. A crafted message is sent over UDP only when it
fits the query's payload size, else truncated (TC) as a real server does; raw bytes are
sent as they are. The helpers below build the replies hostile or broken servers send.
"""

from __future__ import annotations

import enum
import struct
from collections.abc import Callable

import dns.flags
import dns.message
import dns.rdataclass
import dns.rdatatype
import dns.rrset

from audit.lab.dnsserver import CLASSIC_UDP_PAYLOAD, LabDnsServer, RecordStore


class Drop(enum.Enum):
    SILENT = "silent"


SILENT = Drop.SILENT
Craft = Callable[[dns.message.Message, RecordStore], "dns.message.Message | bytes | Drop | None"]


class HostileDnsServer(LabDnsServer):
    thread_name = "hostile-dns"

    def __init__(self, store: RecordStore, craft: Craft) -> None:
        super().__init__(store)
        self.craft = craft

    def _reply_wire(self, wire: bytes, max_size: int | None) -> bytes | None:
        try:
            query = dns.message.from_wire(wire)
        except dns.exception.DNSException:
            return None
        crafted = self.craft(query, self.store)
        if crafted is None:
            return super()._reply_wire(wire, max_size)
        if crafted is SILENT:
            self._note_question(query)
            return None
        if isinstance(crafted, bytes):
            return crafted
        assert isinstance(crafted, dns.message.Message)
        reply = crafted.to_wire(max_size=65535)
        payload = query.payload if query.edns >= 0 else CLASSIC_UDP_PAYLOAD
        if max_size is not None and len(reply) > max(payload, CLASSIC_UDP_PAYLOAD):
            truncated = dns.message.make_response(query)
            truncated.flags |= dns.flags.TC
            return truncated.to_wire()
        return reply


def _question(query: dns.message.Message) -> tuple[str, str]:
    question = query.question[0]
    return question.name.to_text().lower(), dns.rdatatype.to_text(question.rdtype)


def answer_for_another_name(
    owner: str, rdata: str, when: Callable[[str, str], bool] = lambda name, rdtype: True
) -> Craft:
    """NOERROR with one record owned by `owner` (not the query name) for queries where
    `when(qname, qtype)` holds, e.g. an SPF-looking TXT for a different domain."""

    def craft(query: dns.message.Message, store: RecordStore) -> dns.message.Message | None:
        if not when(*_question(query)):
            return None
        rdtype = query.question[0].rdtype
        reply = dns.message.make_response(query)
        reply.flags |= dns.flags.AA
        reply.answer.append(dns.rrset.from_text(owner, 300, dns.rdataclass.IN, rdtype, rdata))
        return reply

    return craft


def echo_query() -> Craft:
    """Send each query back as it came (QR clear): not a response at all."""
    return lambda query, store: query.to_wire()


def records_for_every_type(rdatas: dict[str, list[str]]) -> Craft:
    """NOERROR with the query name owning `rdatas[qtype]` (other types: NODATA)."""

    def craft(query: dns.message.Message, store: RecordStore) -> dns.message.Message:
        question = query.question[0]
        reply = dns.message.make_response(query)
        values = rdatas.get(dns.rdatatype.to_text(question.rdtype), [])
        if values:
            rrset = dns.rrset.from_text_list(question.name, 300, "IN", question.rdtype, values)
            reply.answer.append(rrset)
        return reply

    return craft


def a_outside_loopback(address: str = "198.51.100.7") -> Craft:
    """Every A query answered with `address`, as an NXDOMAIN-rewriting resolver does."""
    return records_for_every_type({"A": [address]})


def huge_rrset(count: int) -> Craft:
    """Every A query answered with `count` loopback addresses (TC over UDP, then TCP)."""
    addresses = [f"127.0.{i // 250}.{i % 250 + 1}" for i in range(count)]
    return records_for_every_type({"A": addresses})


def short_a_record(length: int = 10) -> Craft:
    """A response whose A record has `length` octets of rdata (RFC 1035 §3.4.1: four)."""

    def craft(query: dns.message.Message, store: RecordStore) -> bytes:
        reply = dns.message.make_response(query)
        reply.use_edns(False)
        wire = bytearray(reply.to_wire())
        wire[6:8] = struct.pack("!H", 1)  # ANCOUNT: the record appended below
        rdata = bytes([127, 0, 0, 2]) + bytes(length - 4)
        # owner: a compression pointer to the question name at offset 12 (RFC 1035 §4.1.4)
        wire += b"\xc0\x0c" + struct.pack("!HHIH", 1, 1, 300, len(rdata)) + rdata
        return bytes(wire)

    return craft


def silent_after(answers: int) -> Craft:
    """Answer normally (from the store) `answers` times, then never again: a resolver
    that died mid-run."""
    seen = 0

    def craft(query: dns.message.Message, store: RecordStore) -> Drop | None:
        nonlocal seen
        seen += 1
        return None if seen <= answers else SILENT

    return craft
