"""A fast DNS transport for bulk DNSBL runs: one UDP socket per resolver, queries
multiplexed by message ID (RFC 1035 §4.1.1), wire format built and read by hand.

dnspython opens a socket and builds full message objects per query; for a /24 against
the catalog (thousands of A/TXT queries) that costs ~6x more CPU than the answers
themselves. `MuxDnsClient` is a `DnsClient` (same cache, statistics, concurrency bound,
redaction and `Lookup` outcomes) whose A and TXT queries take this path; anything
unusual (truncation, a name that is not plain ASCII, a malformed reply) falls back to
dnspython. A reply is accepted only from the connected resolver address, only when it
is a response (QR set, opcode QUERY) to the pending query's ID and question (RFC 5452
§9.1), and only when every answer record is well formed; anything else is discarded
and the query keeps waiting, as dnspython does over UDP. What an accepted reply means
is judged by `judge_response` (audit/net/dns_answer.py), the same code as for
dnspython's replies, so `blacklist` and `audit` reach the same outcome.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import struct
import time
from typing import NamedTuple

from audit.model import UnknownReason
from audit.net.dns import DnsClient, Lookup
from audit.net.dns_answer import Record, judge_response, unknown

QTYPES = {"A": 1, "TXT": 16}
A, CNAME, TXT = 1, 5, 16
CLASS_IN = 1
FLAG_QR = 0x8000
FLAG_RD = 0x0100
FLAG_TC = 0x0200
OPCODE_MASK = 0x7800
# RCODEs judged here; YXDOMAIN and the rest are rare enough to leave to dnspython.
JUDGED_RCODES = frozenset({0, 2, 3, 5})
# EDNS(0) OPT pseudo-RR, 1232-byte payload (DNS flag day 2020), RFC 6891 §6.1.2.
EDNS_OPT = b"\x00" + struct.pack("!HHIH", 41, 1232, 0, 0)


class WireError(ValueError):
    """The reply cannot be read by the fast path (dnspython then handles the query)."""


def encode_name(name: str) -> bytes:
    labels = name.rstrip(".").split(".")
    wire = bytearray()
    for label in labels:
        raw = label.encode("ascii")  # UnicodeEncodeError -> fallback
        if not 0 < len(raw) < 64:
            raise WireError(f"bad label in {name!r}")
        wire.append(len(raw))
        wire += raw
    wire.append(0)
    if len(wire) > 255:
        raise WireError("name longer than 255 octets")
    return bytes(wire)


def build_query(query_id: int, qname_wire: bytes, qtype: int) -> bytes:
    header = struct.pack("!HHHHHH", query_id, FLAG_RD, 1, 0, 0, 1)
    return header + qname_wire + struct.pack("!HH", qtype, 1) + EDNS_OPT


def _read_name(data: bytes, offset: int) -> tuple[bytes, int]:
    """The name at `offset` as uncompressed, lowercased wire, and the offset after it.

    Compression pointers must point backwards (RFC 1035 §4.1.4), so a name cannot
    loop; labels and names keep their limits (RFC 1035 §2.3.4)."""
    wire, end, position = bytearray(), -1, offset
    while True:
        length = data[position]
        if length & 0xC0 == 0xC0:
            pointer = ((length & 0x3F) << 8) | data[position + 1]
            if pointer >= position:
                raise WireError("forward compression pointer")
            end = position + 2 if end < 0 else end
            position = pointer
            continue
        if length & 0xC0:
            raise WireError("unknown label type")
        label = data[position + 1 : position + 1 + length]
        if len(label) != length:
            raise WireError("name runs past the message")
        wire.append(length)
        wire += label.lower()
        if len(wire) > 255:
            raise WireError("name longer than 255 octets")
        position += 1 + length
        if length == 0:
            return bytes(wire), end if end >= 0 else position


def _txt(rdata: bytes) -> str:
    """One TXT record's character-strings (RFC 1035 §3.3.14), joined (RFC 7208 §3.3)."""
    parts, offset = [], 0
    while offset < len(rdata):
        length = rdata[offset]
        part = rdata[offset + 1 : offset + 1 + length]
        if len(part) != length:
            raise WireError("TXT string runs past its rdata")
        parts.append(part)
        offset += 1 + length
    if not parts:
        raise WireError("empty TXT rdata")
    return b"".join(parts).decode("utf-8", "replace")


def _record(data: bytes, owner: bytes, rtype: int, ttl: int, start: int, end: int) -> Record:
    """One answer record; rdata of the types we read must be well formed."""
    rdata = data[start:end]
    if rtype == A:
        if len(rdata) != 4:
            raise WireError(f"A record of {len(rdata)} octets")
        return Record(owner, rtype, ttl, ".".join(str(octet) for octet in rdata))
    if rtype == TXT:
        return Record(owner, rtype, ttl, _txt(rdata))
    if rtype == CNAME:
        target, after = _read_name(data, start)
        if after != end:
            raise WireError("CNAME rdata length does not match its name")
        return Record(owner, rtype, ttl, "", target)
    return Record(owner, rtype, ttl, "")  # judged by its type alone


class Reply(NamedTuple):  # a NamedTuple: a sixth of a frozen dataclass's cost to define
    rcode: int
    truncated: bool
    records: list[Record]  # appended to while parsed (no default: it would be shared)


def parse_reply(data: bytes, query_id: int, qname_wire: bytes, qtype: int) -> Reply:
    """Read a response to (query_id, qname, qtype); WireError when it is not one
    (RFC 5452 §9.1) or when a record in its answer section is malformed."""
    try:
        reply_id, flags, qdcount, ancount = struct.unpack_from("!HHHH", data, 0)
        if reply_id != query_id or not flags & FLAG_QR or flags & OPCODE_MASK:
            raise WireError("not a response to this query")
        end = 12 + len(qname_wire)
        question = struct.unpack_from("!HH", data, end)
        if qdcount != 1 or data[12:end].lower() != qname_wire.lower():
            raise WireError("question mismatch")
        if question != (qtype, CLASS_IN):
            raise WireError("question type mismatch")
        reply = Reply(flags & 0x000F, bool(flags & FLAG_TC), [])
        offset = end + 4
        for _ in range(ancount):
            owner, offset = _read_name(data, offset)
            rtype, rclass, ttl, length = struct.unpack_from("!HHIH", data, offset)
            start, offset = offset + 10, offset + 10 + length
            if offset > len(data) or rclass != CLASS_IN:
                raise WireError("short rdata or foreign class")
            reply.records.append(_record(data, owner, rtype, ttl, start, offset))
        return reply
    except (struct.error, IndexError) as exc:
        raise WireError(f"malformed reply: {exc}") from None


class _Mux:
    """One connected non-blocking UDP socket; pending queries keyed by message ID.

    The reader drains every queued datagram per wake-up: asyncio's datagram transport
    reads one per event-loop iteration, which dominates the cost of a bulk run."""

    MAX_DRAIN = 512

    def __init__(self, host: str, port: int) -> None:
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.sock = socket.socket(family, socket.SOCK_DGRAM)
        self.sock.setblocking(False)
        self.sock.connect((host, port))
        self.pending: dict[int, tuple[asyncio.Future[Reply], bytes, int]] = {}
        self.loop = asyncio.get_running_loop()
        self.loop.add_reader(self.sock.fileno(), self._read_ready)

    def send(self, data: bytes) -> None:
        # A send that would block is dropped like a lost datagram: the retry covers it.
        with contextlib.suppress(BlockingIOError, InterruptedError):
            self.sock.send(data)

    def close(self) -> None:
        self.loop.remove_reader(self.sock.fileno())
        self.sock.close()

    def _read_ready(self) -> None:
        for _ in range(self.MAX_DRAIN):
            try:
                data = self.sock.recv(65535)
            except (BlockingIOError, InterruptedError):
                return
            except OSError:  # ICMP port unreachable: the attempt will time out
                return
            self._deliver(data)

    def _deliver(self, data: bytes) -> None:
        if len(data) < 12:
            return
        query_id = int.from_bytes(data[:2], "big")
        waiter = self.pending.get(query_id)
        if waiter is None or waiter[0].done():
            return
        future, qname_wire, qtype = waiter
        try:
            reply = parse_reply(data, query_id, qname_wire, qtype)
        except WireError:
            return  # not a well-formed response to this query: stale, forged or garbage
        future.set_result(reply)

    def new_id(self) -> int:
        while True:
            # unpredictable IDs (RFC 5452 §4.3), from the OS's CSPRNG as secrets.randbelow
            # takes them, without importing secrets (random, hmac, hashlib: ~3 ms)
            query_id = int.from_bytes(os.urandom(2), "big")
            if query_id not in self.pending:
                return query_id


class MuxDnsClient(DnsClient):
    """`DnsClient` with the multiplexed UDP path for A and TXT (blacklist runs)."""

    def __post_init__(self) -> None:
        super().__post_init__()
        self._muxes: dict[int, _Mux] = {}
        self._pending: dict[tuple[str, str], asyncio.Future[Lookup]] = {}

    def _mux(self, index: int) -> _Mux:
        mux = self._muxes.get(index)
        if mux is None:
            server = self.nameservers[index]
            mux = self._muxes[index] = _Mux(server.host, server.port)
        return mux

    def close(self) -> None:
        for mux in self._muxes.values():
            mux.close()
        self._muxes.clear()

    async def query(self, name: str, rdtype: str) -> Lookup:
        """As `DnsClient.query` (per-run cache, concurrent callers share one lookup) but
        without a task per query: a bulk run's callers are never cancelled one by one."""
        key = (name.lower().rstrip(".") + ".", rdtype.upper())
        pending = self._pending.get(key)
        if pending is not None:
            self.stats.cache_hits += 1
            return await asyncio.shield(pending)
        future: asyncio.Future[Lookup] = asyncio.get_running_loop().create_future()
        self._pending[key] = future
        try:
            lookup = await self._resolve(*key)
        except BaseException:
            del self._pending[key]
            future.cancel()
            raise
        future.set_result(lookup)
        return lookup

    async def _resolve_unbounded(self, name: str, rdtype: str) -> Lookup:
        qtype = QTYPES.get(rdtype)
        if qtype is None:
            return await super()._resolve_unbounded(name, rdtype)
        try:
            qname_wire = encode_name(name)
            reply = await self._exchange(qname_wire, qtype)
        except (WireError, UnicodeError, OSError):
            return await super()._resolve_unbounded(name, rdtype)
        if reply is None:
            detail = f"no answer within {self.timeout:g}s"
            return unknown(name, rdtype, UnknownReason.TIMEOUT, detail)
        return self._lookup(name, rdtype, reply) or await super()._resolve_unbounded(name, rdtype)

    def _lookup(self, name: str, rdtype: str, reply: Reply) -> Lookup | None:
        """The judged reply, or None to ask dnspython instead."""
        if reply.truncated:
            return None  # RFC 7766 §5: retry over TCP (dnspython does)
        if reply.rcode not in JUDGED_RCODES:
            return None
        return judge_response(name, rdtype, reply.rcode, reply.records)

    async def _exchange(self, qname_wire: bytes, qtype: int) -> Reply | None:
        """Send, wait, resend on timeout (rotating resolvers); None when all attempts fail."""
        # The same split of the --timeout budget as DnsClient's: the first attempt gets
        # most of it, so a slow server gets the same outcome from both clients.
        first_attempt = self._attempt_timeout()
        deadline = time.monotonic() + self.timeout
        for attempt in range(self.retries + 1):
            mux = self._mux(attempt % len(self.nameservers))
            wait = deadline - time.monotonic()
            reply = await self._one(mux, qname_wire, qtype, min(first_attempt, wait))
            if reply is not None:
                return reply
        return None

    async def _one(self, mux: _Mux, qname_wire: bytes, qtype: int, wait: float) -> Reply | None:
        if wait <= 0:
            return None
        loop = asyncio.get_running_loop()
        query_id = mux.new_id()
        future: asyncio.Future[Reply] = loop.create_future()
        mux.pending[query_id] = (future, qname_wire, qtype)
        # A timer instead of asyncio.wait_for: no extra task per query.
        timer = loop.call_later(wait, _expire, future)
        try:
            mux.send(build_query(query_id, qname_wire, qtype))
            return await future
        except TimeoutError:
            return None
        finally:
            timer.cancel()
            mux.pending.pop(query_id, None)


def _expire(future: asyncio.Future[Reply]) -> None:
    if not future.done():
        future.set_exception(TimeoutError())
