"""The relay probe's address variants, as data (checks/relay/variants.toml).

The 16 MAIL FROM / RCPT TO combinations of nmap's smtp-open-relay.nse. Each names a
recipient in a domain that cannot exist (`.invalid`, RFC 2606 §2), so even a relay
that accepted one would have nowhere to deliver it; the probe never sends DATA anyway.
Loaded once, validated, immutable.
"""

from __future__ import annotations

import functools
import ipaddress
import string
import tomllib
from dataclasses import dataclass
from importlib import resources

FOREIGN_DOMAIN = "relay-test.mailhygiene.invalid"  # RFC 2606 §2: never resolvable
FOREIGN_LOCAL = "relaytest"
SENDER_LOCAL = "relay-probe"
KINDS = ("plain", "trick")
PLACEHOLDERS = frozenset(
    {"sender", "sender_local", "server", "ip", "rcpt", "rcpt_local", "rcpt_domain"}
)


class VariantDataError(ValueError):
    """checks/relay/variants.toml is malformed (a bug in the shipped data)."""


@dataclass(frozen=True)
class Variant:
    """One MAIL FROM / RCPT TO combination, with placeholders still in it."""

    id: str
    kind: str  # "plain": plainly foreign recipient; "trick": routed through the server
    mail_from: str
    rcpt_to: str

    def render(self, fields: dict[str, str]) -> tuple[str, str]:
        """The (reverse-path, forward-path) for one server."""
        return self.mail_from.format_map(fields), self.rcpt_to.format_map(fields)


def address_fields(domain: str | None, server_name: str | None, ip: str) -> dict[str, str]:
    """Placeholder values for one probed server. Without an audited domain, the sender
    is in the server's own name (what a local client would use)."""
    literal = f"IPv6:{ip}" if ipaddress.ip_address(ip).version == 6 else ip  # RFC 5321 §4.1.3
    server = server_name or f"[{literal}]"
    sender_domain = domain or (server_name or f"[{literal}]")
    return {
        "sender": f"{SENDER_LOCAL}@{sender_domain}",
        "sender_local": SENDER_LOCAL,
        "server": server,
        "ip": literal,
        "rcpt": f"{FOREIGN_LOCAL}@{FOREIGN_DOMAIN}",
        "rcpt_local": FOREIGN_LOCAL,
        "rcpt_domain": FOREIGN_DOMAIN,
    }


def _placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def _variant(raw: object, index: int) -> Variant:
    if not isinstance(raw, dict):
        raise VariantDataError(f"variant #{index} must be a table")
    raw_fields = {key: raw.get(key) for key in ("id", "kind", "mail_from", "rcpt_to")}
    if not all(isinstance(value, str) for value in raw_fields.values()):
        raise VariantDataError(f"variant #{index} needs string id, kind, mail_from, rcpt_to")
    fields: dict[str, str] = {key: str(value) for key, value in raw_fields.items()}
    if fields["kind"] not in KINDS:
        raise VariantDataError(f"variant {fields['id']}: kind must be one of {KINDS}")
    unknown = _placeholders(fields["mail_from"] + fields["rcpt_to"]) - PLACEHOLDERS
    if unknown:
        raise VariantDataError(f"variant {fields['id']}: unknown placeholders {unknown}")
    return Variant(**fields)


@functools.cache
def variants() -> tuple[Variant, ...]:
    """Every variant, in the file's order (nmap's order). Loaded once per process."""
    source = resources.files(__package__) / "variants.toml"
    try:
        data = tomllib.loads(source.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise VariantDataError(f"relay_variants.toml: {exc}") from exc
    loaded = tuple(_variant(raw, i) for i, raw in enumerate(data.get("variant", [])))
    if len({v.id for v in loaded}) != len(loaded) or not loaded:
        raise VariantDataError("relay_variants.toml: variant ids must be unique and present")
    return loaded
