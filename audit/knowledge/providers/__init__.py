"""Bounce knowledge as data: providers, their rejection patterns, list names, relays.

Loaded once from the TOML files beside this module, validated strictly (a malformed
shipped entry is a bug and fails loudly), immutable afterwards (STYLE.md §7). The facts
and their source ids are in the TOML comments (dnsbl-and-provider-facts.md §2-§4).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from audit.knowledge.toml_cache import parse_toml
from audit.model.rejection import Reason

ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}$")
# Sender-requirement rule ids, `<provider>.<rule>` (shared with the compliance verdict).
REQUIREMENT_RE = re.compile(r"^(?:gmail|yahoo|microsoft|apple)\.[a-z][a-z_]*$")


class BounceDataError(ValueError):
    """A bounce knowledge file is malformed (a bug in the shipped data)."""


# A pattern that is one run of literal ASCII characters (punctuation escaped or not
# special), with a word boundary at either end or none: it can only match where its text
# is, whatever the case (IGNORECASE).
LITERAL_PATTERN_RE = re.compile(
    r"(?:\\b)?((?:[A-Za-z0-9 _#@:/,;'\"!%&=<>~-]|\\[.\-/#@:()\[\]$^*+?{}|])+)(?:\\b)?"
)


def literal_needle(pattern: str) -> str | None:
    """The lowercased text a literal pattern matches ("sender\\.office\\.com" ->
    "sender.office.com"), None for any other pattern."""
    found = LITERAL_PATTERN_RE.fullmatch(pattern)
    if found is None:
        return None
    return found.group(1).replace("\\", "").lower()


class Regex:
    """A case-insensitive pattern of the data, compiled on its first search.

    A rejection meets a few of the ~180 (the providers' names, one provider's patterns):
    compiling them all at load took ~10 ms of every `explain`. A malformed one is still a
    BounceDataError, at its first use, and tests compile every shipped one. Most name
    patterns are plain text ("mailgun", "sender\\.office\\.com"): an ASCII text that
    does not contain it is answered without compiling (another ~10 ms of every explain,
    which searched every provider's names). Non-ASCII text is always searched: IGNORECASE
    matches "s" with "ſ" and "k" with the Kelvin sign, which lower() does not.
    """

    __slots__ = ("_compiled", "_needle", "pattern", "where")

    def __init__(self, pattern: str, where: str) -> None:
        self.pattern = pattern
        self.where = where
        self._compiled: re.Pattern[str] | None = None
        self._needle = literal_needle(pattern)

    def search(self, text: str) -> re.Match[str] | None:
        if self._needle is not None and text.isascii() and self._needle not in text.lower():
            return None
        return self.compiled().search(text)

    def compiled(self) -> re.Pattern[str]:
        if self._compiled is None:
            try:
                self._compiled = re.compile(self.pattern, re.IGNORECASE)
            except re.error as exc:
                raise BounceDataError(f"{self.where}: bad regex: {exc}") from None
        return self._compiled

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Regex) and other.pattern == self.pattern

    def __hash__(self) -> int:
        return hash(self.pattern)

    def __repr__(self) -> str:
        return f"Regex({self.pattern!r})"


@dataclass(frozen=True)
class Advice:
    """A remediation as written in the data; `uncertain`: the sources do not confirm the route."""

    summary: str
    steps: tuple[str, ...]
    links: tuple[str, ...] = ()
    contact: str | None = None
    uncertain: bool = False


@dataclass(frozen=True)
class Pattern:
    regex: Regex
    reason: Reason
    blocklist: str | None = None  # a catalog zone whose delisting route applies
    refer: str | None = None  # another provider whose remediation applies
    advice: Advice | None = None  # this pattern's own remediation
    temporary: bool | None = None  # overrides the SMTP reply class
    requirement: str | None = None  # the sender-requirement rule the rejection enforces


@dataclass(frozen=True)
class Provider:
    id: str
    name: str
    sources: tuple[str, ...]
    hosts: tuple[str, ...]  # remote-MTA host suffixes, without the leading dot
    text: tuple[Regex, ...]
    advice: Advice
    patterns: tuple[Pattern, ...]
    # the provider's own wording when it reports *another* server's refusal (Gmail relaying
    # "the error that the other server returned"): its links then do not name the refuser
    relaying: tuple[Regex, ...] = ()

    def serves_host(self, host: str) -> bool:
        name = host.lower().rstrip(".")
        return any(name == suffix or name.endswith("." + suffix) for suffix in self.hosts)

    def named_in(self, text: str) -> bool:
        if any(regex.search(text) for regex in self.relaying):
            return False
        return any(regex.search(text) for regex in self.text)


@dataclass(frozen=True)
class ListName:
    zone: str
    text: tuple[Regex, ...]


@dataclass(frozen=True)
class Relay:
    id: str
    text: tuple[Regex, ...]
    step: str


@dataclass(frozen=True)
class BounceKnowledge:
    providers: tuple[Provider, ...]
    lists: tuple[ListName, ...]
    relays: tuple[Relay, ...]
    phrases: tuple[Pattern, ...]  # provider-independent phrases → reason, in order
    generic: Mapping[str, Advice]
    caveats: Mapping[str, str]
    # rule id → how explain names it ("Gmail's DMARC requirement")
    requirements: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))

    def provider(self, provider_id: str) -> Provider | None:
        return next((p for p in self.providers if p.id == provider_id), None)


def _regexes(raw: object, where: str) -> tuple[Regex, ...]:
    if not isinstance(raw, list) or not all(isinstance(item, str) and item for item in raw):
        raise BounceDataError(f"{where}: expected a list of regexes")
    return tuple(Regex(item, where) for item in raw)


def _strings(raw: dict[str, Any], key: str, where: str, required: bool = True) -> tuple[str, ...]:
    value = raw.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise BounceDataError(f"{where}: '{key}' must be a list of strings")
    if required and not value:
        raise BounceDataError(f"{where}: '{key}' must not be empty")
    return tuple(value)


def _text(raw: dict[str, Any], key: str, where: str) -> str:
    value = raw.get(key)
    if not isinstance(value, str) or not value.strip():
        raise BounceDataError(f"{where}: '{key}' must be a non-empty string")
    return value.strip()


def parse_advice(raw: object, where: str) -> Advice:
    """Summary, steps, https links; a route needs a link, a contact, or `uncertain = true`."""
    if not isinstance(raw, dict):
        raise BounceDataError(f"{where}: remediation must be a table")
    links = _strings(raw, "links", where, required=False)
    if not all(link.startswith("https://") for link in links):
        raise BounceDataError(f"{where}: links must be https:// URLs")
    contact = raw.get("contact")
    if contact is not None and (not isinstance(contact, str) or "@" not in contact):
        raise BounceDataError(f"{where}: contact must be an email address")
    uncertain = raw.get("uncertain", False)
    if not isinstance(uncertain, bool):
        raise BounceDataError(f"{where}: uncertain must be true or false")
    if not links and contact is None and not uncertain:
        raise BounceDataError(f"{where}: needs an https link, a contact, or uncertain = true")
    steps = _strings(raw, "steps", where)
    return Advice(_text(raw, "summary", where), steps, links, contact, uncertain)


def _reason(raw: dict[str, Any], where: str) -> Reason:
    try:
        return Reason(str(raw.get("reason")))
    except ValueError:
        raise BounceDataError(
            f"{where}: reason must be one of {[r.value for r in Reason]}"
        ) from None


def _pattern(raw: object, named: Mapping[str, Advice], where: str) -> Pattern:
    if not isinstance(raw, dict) or not isinstance(raw.get("match"), str):
        raise BounceDataError(f"{where}: a pattern needs a 'match' regex")
    advice_raw = raw.get("remediation")
    if isinstance(advice_raw, str):
        if advice_raw not in named:
            raise BounceDataError(f"{where}: unknown named remediation {advice_raw!r}")
        advice: Advice | None = named[advice_raw]
    else:
        advice = parse_advice(advice_raw, where) if advice_raw is not None else None
    temporary = raw.get("temporary")
    if temporary is not None and not isinstance(temporary, bool):
        raise BounceDataError(f"{where}: temporary must be true or false")
    requirement = raw.get("requirement")
    if requirement is not None and not (
        isinstance(requirement, str) and REQUIREMENT_RE.match(requirement)
    ):
        raise BounceDataError(f"{where}: requirement must be a rule id like 'gmail.dmarc'")
    return Pattern(
        regex=_regexes([raw["match"]], where)[0],
        reason=_reason(raw, where),
        blocklist=raw.get("blocklist"),
        refer=raw.get("refer"),
        advice=advice,
        temporary=temporary,
        requirement=requirement,
    )


def parse_provider(raw: object, where: str) -> Provider:
    if not isinstance(raw, dict):
        raise BounceDataError(f"{where}: a provider must be a table")
    provider_id = _text(raw, "id", where)
    if not ID_RE.match(provider_id):
        raise BounceDataError(f"{where}: provider id {provider_id!r} is not a lowercase id")
    named_raw = raw.get("remediations", {})
    named = {name: parse_advice(v, f"{where}.{name}") for name, v in named_raw.items()}
    patterns = raw.get("patterns", [])
    if not isinstance(patterns, list) or not patterns:
        raise BounceDataError(f"{where}: a provider needs at least one pattern")
    return Provider(
        id=provider_id,
        name=_text(raw, "name", where),
        sources=_strings(raw, "sources", where),
        hosts=tuple(h.lower().lstrip(".") for h in _strings(raw, "hosts", where, required=False)),
        text=_regexes(raw.get("text", []), f"{where}.text"),
        advice=parse_advice(raw.get("remediation"), f"{where}.remediation"),
        patterns=tuple(
            _pattern(p, named, f"{where}.patterns[{i}]") for i, p in enumerate(patterns)
        ),
        relaying=_regexes(raw.get("relaying", []), f"{where}.relaying"),
    )


def _check_references(providers: tuple[Provider, ...], requirements: Mapping[str, str]) -> None:
    ids = [p.id for p in providers]
    if len(set(ids)) != len(ids):
        raise BounceDataError("duplicate provider id")
    for provider in providers:
        for pattern in provider.patterns:
            if pattern.refer is not None and pattern.refer not in ids:
                raise BounceDataError(f"{provider.id}: refers to unknown provider {pattern.refer}")
            if pattern.requirement is not None and pattern.requirement not in requirements:
                raise BounceDataError(f"{provider.id}: unknown requirement {pattern.requirement}")


def _requirements(raw: object) -> dict[str, str]:
    """[requirements]: rule id → how explain names it ("Gmail's DMARC requirement")."""
    if not isinstance(raw, dict):
        raise BounceDataError("requirements must be a table")
    for rule, label in raw.items():
        if not REQUIREMENT_RE.match(rule) or not isinstance(label, str) or not label.strip():
            raise BounceDataError(f"requirements.{rule}: a rule id and a non-empty label")
    return {str(rule): str(label) for rule, label in raw.items()}


def parse_knowledge(providers_doc: dict[str, Any], lists_doc: dict[str, Any]) -> BounceKnowledge:
    providers = tuple(
        parse_provider(raw, f"providers[{i}]")
        for i, raw in enumerate(providers_doc.get("providers", []))
    )
    requirements = _requirements(providers_doc.get("requirements", {}))
    _check_references(providers, requirements)
    lists = tuple(
        ListName(_text(raw, "zone", f"lists[{i}]"), _regexes(raw.get("text"), f"lists[{i}]"))
        for i, raw in enumerate(lists_doc.get("lists", []))
    )
    relays = tuple(
        Relay(_text(raw, "id", f"relays[{i}]"), _regexes(raw.get("text"), f"relays[{i}]"),
              _text(raw, "step", f"relays[{i}]"))
        for i, raw in enumerate(providers_doc.get("relays", []))
    )  # fmt: skip
    phrases = tuple(
        _pattern(raw, {}, f"phrases[{i}]") for i, raw in enumerate(providers_doc.get("phrases", []))
    )
    generic = {
        key: parse_advice(v, f"generic.{key}") for key, v in providers_doc["generic"].items()
    }
    missing = {r.value for r in Reason} - set(generic)
    if missing:
        raise BounceDataError(f"generic advice missing for {sorted(missing)}")
    caveats = {k: str(v) for k, v in providers_doc.get("caveats", {}).items()}
    return BounceKnowledge(
        providers,
        lists,
        relays,
        phrases,
        MappingProxyType(generic),
        MappingProxyType(caveats),
        MappingProxyType(requirements),
    )


def _load(name: str) -> dict[str, Any]:
    # Beside this module, read as a file (importlib.resources costs ~8 ms to import).
    item = Path(__file__).with_name(name)
    try:
        return parse_toml(
            item.read_text(encoding="utf-8"), "providers-" + name.removesuffix(".toml")
        )
    except ValueError as exc:  # tomllib.TOMLDecodeError (tomllib loads only on a cache miss)
        raise BounceDataError(f"{name}: {exc}") from exc


@functools.cache
def shipped_knowledge() -> BounceKnowledge:
    """The bundled bounce knowledge, loaded once per process and immutable afterwards."""
    return parse_knowledge(_load("providers.toml"), _load("lists.toml"))
