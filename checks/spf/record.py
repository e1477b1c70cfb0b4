"""SPF record syntax (RFC 7208 §4.5, §4.6.1, §5, §6, §7.1, §12): text in, terms out.

Pure functions, no DNS. `parse_record` raises `SpfSyntaxError` for anything the ABNF
of RFC 7208 §12 rejects, because "if there are any syntax errors anywhere in the
record, check_host() returns immediately with the result permerror" (§4.6).
"""

from __future__ import annotations

import enum
import ipaddress
import re
from dataclasses import dataclass

SPF_VERSION = "v=spf1"

# §7.1: macro-expand / macro-literal, tokenised left to right.
MACRO_TOKEN = re.compile(
    r"%\{(?P<letter>[A-Za-z])(?P<digits>[0-9]*)(?P<reverse>[rR]?)(?P<delims>[.\-+,/_=]*)\}"
    r"|(?P<escape>%[%_-])"
    r"|(?P<literal>[\x21-\x24\x26-\x7e]+)"
)
DOMAIN_MACRO_LETTERS = frozenset("slodiphv")  # §7.2: c, r, t only in explanations
EXPLANATION_MACRO_LETTERS = DOMAIN_MACRO_LETTERS | frozenset("crt")

# §12: domain-end = ( "." toplabel [ "." ] ) / macro-expand
TOPLABEL_END = re.compile(
    r"\.(?:[A-Za-z0-9]*[A-Za-z][A-Za-z0-9]*|[A-Za-z0-9]+-[A-Za-z0-9-]*[A-Za-z0-9])\.?\Z"
)
MACRO_END = re.compile(r"(?:%\{[A-Za-z][0-9]*[rR]?[.\-+,/_=]*\}|%[%_-])\Z")

MODIFIER = re.compile(r"^(?P<name>[A-Za-z][A-Za-z0-9_.\-]*)=(?P<value>.*)\Z", re.DOTALL)
MECHANISM = re.compile(
    r"^(?P<qualifier>[+\-~?]?)(?P<name>all|include|a|mx|ptr|ip4|ip6|exists)(?P<rest>[:/].*)?\Z",
    re.IGNORECASE | re.DOTALL,
)
# §12: ip4-cidr-length = "/" ("0" / %x31-39 0*1DIGIT); ip6-cidr-length 0*2DIGIT
DUAL_CIDR = re.compile(
    r"^(?P<spec>.*?)(?:/(?P<v4>0|[1-9][0-9]?))?(?://(?P<v6>0|[1-9][0-9]{0,2}))?\Z", re.DOTALL
)
IP4_NETWORK = re.compile(r"^(?P<address>[0-9.]+)(?:/(?P<cidr>0|[1-9][0-9]?))?\Z")
IP6_NETWORK = re.compile(r"^(?P<address>[0-9A-Fa-f:.]+)(?:/(?P<cidr>0|[1-9][0-9]{0,2}))?\Z")

DNS_MECHANISMS = frozenset({"include", "a", "mx", "ptr", "exists"})  # §4.6.4


class SpfSyntaxError(ValueError):
    """The record violates RFC 7208's ABNF: permerror."""


class Qualifier(enum.StrEnum):
    """§4.6.2: the result a matching mechanism yields."""

    PASS = "+"
    FAIL = "-"
    SOFTFAIL = "~"
    NEUTRAL = "?"


@dataclass(frozen=True)
class Mechanism:
    qualifier: Qualifier
    kind: str  # all, include, a, mx, ptr, ip4, ip6, exists (lower case)
    text: str  # the term as published
    domain_spec: str | None = None
    network: ipaddress.IPv4Network | ipaddress.IPv6Network | None = None
    ip4_cidr: int = 32
    ip6_cidr: int = 128

    @property
    def queries_dns(self) -> bool:
        return self.kind in DNS_MECHANISMS


@dataclass(frozen=True)
class SpfRecord:
    text: str
    mechanisms: tuple[Mechanism, ...]
    redirect: str | None = None
    explanation: str | None = None
    unknown_modifiers: tuple[str, ...] = ()

    @property
    def all_mechanism(self) -> Mechanism | None:
        return next((m for m in self.mechanisms if m.kind == "all"), None)

    @property
    def dns_terms(self) -> int:
        """Terms that count toward the limit of 10 (§4.6.4), redirect included."""
        return sum(m.queries_dns for m in self.mechanisms) + (self.redirect is not None)


def is_spf_record(text: str) -> bool:
    """§4.5: "v=spf1" exactly (any case), then a space or the end of the record."""
    head = text[: len(SPF_VERSION)]
    rest = text[len(SPF_VERSION) :]
    return head.lower() == SPF_VERSION and (rest == "" or rest.startswith(" "))


def check_macro_string(text: str, letters: frozenset[str], allow_space: bool = False) -> None:
    """Raise `SpfSyntaxError` unless `text` is a macro-string (§7.1)."""
    position = 0
    while position < len(text):
        if allow_space and text[position] == " ":
            position += 1
            continue
        token = MACRO_TOKEN.match(text, position)
        if token is None:
            raise SpfSyntaxError(
                f"invalid character or macro at {text[position : position + 12]!r}"
            )
        letter = token.group("letter")
        if letter is not None:
            if letter.lower() not in letters:
                raise SpfSyntaxError(f"macro letter {letter!r} not allowed here (§7.2)")
            if token.group("digits") and int(token.group("digits")) == 0:
                raise SpfSyntaxError("macro transformer digit must be nonzero (§7.3)")
        position = token.end()


def check_domain_spec(spec: str) -> None:
    """§12: domain-spec = macro-string domain-end."""
    if not spec:
        raise SpfSyntaxError("empty domain-spec")
    check_macro_string(spec, DOMAIN_MACRO_LETTERS)
    if not (TOPLABEL_END.search(spec) or MACRO_END.search(spec)):
        raise SpfSyntaxError(f"domain-spec {spec!r} does not end in a valid top label")


def _ip4_network(term: str, value: str) -> ipaddress.IPv4Network:
    match = IP4_NETWORK.match(value)
    if match is None:
        raise SpfSyntaxError(f"invalid ip4 network in {term!r}")
    try:
        address = ipaddress.IPv4Address(match.group("address"))
    except ValueError:
        raise SpfSyntaxError(f"invalid IPv4 address in {term!r}") from None
    cidr = int(match.group("cidr") or 32)
    if cidr > 32:
        raise SpfSyntaxError(f"IPv4 prefix length over 32 in {term!r}")
    return ipaddress.IPv4Network(f"{address}/{cidr}", strict=False)


def _ip6_network(term: str, value: str) -> ipaddress.IPv6Network:
    match = IP6_NETWORK.match(value)
    if match is None:
        raise SpfSyntaxError(f"invalid ip6 network in {term!r}")
    try:
        address = ipaddress.IPv6Address(match.group("address"))
    except ValueError:
        raise SpfSyntaxError(f"invalid IPv6 address in {term!r}") from None
    cidr = int(match.group("cidr") or 128)
    if cidr > 128:
        raise SpfSyntaxError(f"IPv6 prefix length over 128 in {term!r}")
    return ipaddress.IPv6Network(f"{address}/{cidr}", strict=False)


def _address_mechanism(term: str, qualifier: Qualifier, kind: str, rest: str) -> Mechanism:
    """a / mx: [":" domain-spec] [dual-cidr-length] (§5.3, §5.4)."""
    match = DUAL_CIDR.match(rest)
    if match is None:
        raise SpfSyntaxError(f"invalid {kind} mechanism {term!r}")
    spec_part, v4, v6 = match.group("spec"), match.group("v4"), match.group("v6")
    ip4_cidr, ip6_cidr = int(v4 or 32), int(v6 or 128)
    if ip4_cidr > 32 or ip6_cidr > 128:
        raise SpfSyntaxError(f"prefix length out of range in {term!r}")
    domain_spec = None
    if spec_part:
        if not spec_part.startswith(":"):
            raise SpfSyntaxError(f"invalid {kind} mechanism {term!r}")
        domain_spec = spec_part[1:]
        check_domain_spec(domain_spec)
    return Mechanism(qualifier, kind, term, domain_spec, None, ip4_cidr, ip6_cidr)


def parse_mechanism(term: str) -> Mechanism:
    match = MECHANISM.match(term)
    if match is None:
        raise SpfSyntaxError(f"unknown mechanism {term!r}")
    qualifier = Qualifier(match.group("qualifier") or "+")
    kind, rest = match.group("name").lower(), match.group("rest") or ""
    if kind in ("a", "mx"):
        return _address_mechanism(term, qualifier, kind, rest)
    if kind == "all":
        if rest:
            raise SpfSyntaxError(f"'all' takes no argument: {term!r}")
        return Mechanism(qualifier, kind, term)
    if kind == "ptr" and not rest:
        return Mechanism(qualifier, kind, term)
    if not rest.startswith(":"):
        raise SpfSyntaxError(f"{kind} needs ':' and an argument: {term!r}")
    value = rest[1:]
    if kind == "ip4":
        return Mechanism(qualifier, kind, term, network=_ip4_network(term, value))
    if kind == "ip6":
        return Mechanism(qualifier, kind, term, network=_ip6_network(term, value))
    check_domain_spec(value)  # include, exists, ptr
    return Mechanism(qualifier, kind, term, domain_spec=value)


def parse_record(text: str) -> SpfRecord:
    """Parse a record already selected by `is_spf_record`. Raises `SpfSyntaxError`."""
    if not text.isascii():
        raise SpfSyntaxError("SPF records are 7-bit ASCII (§3.1)")
    mechanisms: list[Mechanism] = []
    modifiers: dict[str, str] = {}
    unknown: list[str] = []
    for term in text[len(SPF_VERSION) :].split(" "):
        if not term:
            continue  # §4.6.1: terms are separated by one or more spaces
        modifier = MODIFIER.match(term)
        if modifier is None:
            mechanisms.append(parse_mechanism(term))
            continue
        name, value = modifier.group("name").lower(), modifier.group("value")
        if name in ("redirect", "exp"):
            if name in modifiers:
                raise SpfSyntaxError(f"{name}= appears more than once (§6)")
            check_domain_spec(value)
            modifiers[name] = value
        else:
            check_macro_string(value, EXPLANATION_MACRO_LETTERS)  # §6: unknown-modifier
            unknown.append(term)
    return SpfRecord(
        text=text,
        mechanisms=tuple(mechanisms),
        redirect=modifiers.get("redirect"),
        explanation=modifiers.get("exp"),
        unknown_modifiers=tuple(unknown),
    )
