"""A hostile DNS responder for tests: the lab server, except where a test crafts the reply.

`HostileDnsServer(store, craft)` answers from `store` like the lab server, but first asks
`craft(query, store)`: it may return a reply message, raw wire bytes, or None for the
normal answer. The helpers below build the replies hostile or broken servers send.
"""

from __future__ import annotations

from collections.abc import Callable

import dns.flags
import dns.message
import dns.rdataclass
import dns.rdatatype
import dns.rrset

from audit.lab.dnsserver import LabDnsServer, RecordStore

Craft = Callable[[dns.message.Message, RecordStore], "dns.message.Message | bytes | None"]


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
        if isinstance(crafted, bytes):
            return crafted
        return crafted.to_wire(max_size=65535)


def answer_for_another_name(owner: str, rdata: str, when: Callable[[str, str], bool]) -> Craft:
    """NOERROR with one record owned by `owner` (not the query name) for queries where
    `when(qname, qtype)` holds, e.g. an SPF-looking TXT for a different domain."""

    def craft(query: dns.message.Message, store: RecordStore) -> dns.message.Message | None:
        question = query.question[0]
        qname = question.name.to_text().lower()
        qtype = dns.rdatatype.to_text(question.rdtype)
        if not when(qname, qtype):
            return None
        reply = dns.message.make_response(query)
        reply.flags |= dns.flags.AA
        rrset = dns.rrset.from_text(owner, 300, dns.rdataclass.IN, question.rdtype, rdata)
        reply.answer.append(rrset)
        return reply

    return craft
