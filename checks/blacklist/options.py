"""The blacklist check's options: which blocklists (catalog selection, custom zones, DQS).

Shared by `audit`, `blacklist` and `lists`, which declare them from here. Building a
`BlacklistOptions` validates the whole selection (the lists file's content, the --dnsbl
zones, the DQS key, and that at least one list is left to query) through the same
`select_lists` the check runs, so every command fails with one line (exit 2) at plan time,
before any query, and never inside the run.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from audit.engine.options import OptionSpec, ValueKind
from audit.model.errors import InputError
from audit.model.inputs import parse_domain

if TYPE_CHECKING:
    from audit.knowledge.dnsbl.catalog import Catalog
    from audit.knowledge.dnsbl.selection import Selection

DQS_ENVVAR = "MAILHYGIENE_SPAMHAUS_DQS_KEY"


def parse_lists(raw: str | None) -> str:
    lists = raw or "default"
    if lists not in ("default", "all") and not Path(lists).is_file():
        raise InputError(f"--lists {lists!r}: not 'default', 'all' or a readable catalog file")
    return lists


def parse_dnsbls(raw: list[str]) -> tuple[str, ...]:
    """ZONE[:ip|domain] entries, canonical as zone:kind."""
    validated = []
    for entry in raw:
        zone, _, kind = entry.partition(":")
        if kind and kind not in ("ip", "domain"):
            raise InputError(f"invalid --dnsbl {entry!r}: the kind after ':' is ip or domain")
        validated.append(f"{parse_domain(zone)}:{kind or 'ip'}")
    return tuple(validated)


def _dqs_key(raw: str | None) -> str | None:
    return raw or None


@dataclass(frozen=True)
class BlacklistOptions:
    """The blacklist check's options: the catalog selection, extra zones, the DQS key."""

    lists: str = "default"  # "default", "all", or a catalog file path
    custom_dnsbls: tuple[str, ...] = ()  # ZONE[:ip|domain]
    spamhaus_dqs_key: str | None = field(default=None, repr=False)
    # What the three select from the shipped catalog, set when built (it may hold keys).
    selection: Selection = field(init=False, repr=False, compare=False)

    declarations: ClassVar[tuple[OptionSpec, ...]] = (
        OptionSpec(
            "dnsbl",
            ("--dnsbl",),
            "Add a blocklist zone: ZONE[:ip|domain] (repeatable).",
            ValueKind.LIST,
            metavar="ZONE[:ip|domain]",
            field="custom_dnsbls",
            parse=parse_dnsbls,
        ),
        OptionSpec(
            "lists",
            ("--lists",),
            "Blocklist catalog selection: default, all, or a catalog FILE.",
            metavar="default|all|FILE",
            field="lists",
            parse=parse_lists,
        ),
        OptionSpec(
            "spamhaus_dqs_key",
            ("--spamhaus-dqs-key",),
            "Query Spamhaus through DQS with this key (never printed).",
            metavar="KEY",
            field="spamhaus_dqs_key",
            parse=_dqs_key,
            envvar=DQS_ENVVAR,
        ),
    )

    def __post_init__(self) -> None:
        # Bad input is exit 2 when the plan is built; frozen, hence object.__setattr__.
        object.__setattr__(self, "selection", validated_selection(self))


def validated_selection(options: BlacklistOptions, catalog: Catalog | None = None) -> Selection:
    """The lists these options select, or one InputError naming the first problem."""
    from audit.knowledge.dnsbl.catalog import CatalogError, shipped_catalog
    from audit.knowledge.dnsbl.selection import select_lists

    lists = parse_lists(options.lists)
    try:
        return select_lists(
            catalog or shipped_catalog(), lists, options.custom_dnsbls, options.spamhaus_dqs_key
        )
    except CatalogError as exc:
        raise InputError(str(exc)) from None
