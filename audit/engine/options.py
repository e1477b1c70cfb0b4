"""Options: the run-wide ones (`RunOptions`) and the declaration each check gives of its own.

A check package declares its options once, in `checks/<id>/options.py`: a frozen
dataclass of typed values with a `declarations` tuple of `OptionSpec`, each naming its
command-line flag(s), help, metavar, config-file key and the function that turns the raw
value (flag, else config file, else nothing) into the typed field, raising `InputError`.
The CLI builds its Typer parameters and its --config keys from these declarations in one
loop; the runner hands each check its own options (`AuditContext.options_for`).
Nothing here imports Typer: the engine does not know how options are typed in.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping, Sequence
from typing import (
    TYPE_CHECKING,
    Any,
    ClassVar,
    NamedTuple,
    Protocol,
    TypeVar,
    runtime_checkable,
)

from audit.model import Severity

if TYPE_CHECKING:
    from audit.net.dns import Nameserver


class ValueKind(enum.StrEnum):
    """What a raw value is, on the command line and in the config file."""

    LIST = "list"  # repeatable flag; config: a string or a list of strings
    STR = "str"
    NUMBER = "number"
    BOOL = "bool"  # a switch (no value)
    PATH = "path"  # one file; config: a string


def _unchanged(raw: Any) -> Any:
    return raw


class OptionSpec(NamedTuple):  # a NamedTuple: a sixth of a frozen dataclass's cost to define
    """One option: how it is typed in and which typed field it fills."""

    name: str  # the parameter name and the config-file key, e.g. "expect_ptr_suffix"
    flags: tuple[str, ...]  # e.g. ("--expect-ptr-suffix",)
    help: str
    kind: ValueKind = ValueKind.STR
    metavar: str | None = None
    field: str | None = None  # the dataclass field it fills (None: not a check field)
    parse: Callable[[Any], Any] = _unchanged  # raw -> typed value; raises InputError
    envvar: str | None = None
    config_key: bool = True  # False: command line only (--config, --quiet, ...)

    @property
    def empty(self) -> Any:
        """The raw value when neither the command line nor the config file gives one."""
        return [] if self.kind is ValueKind.LIST else False if self.kind is ValueKind.BOOL else None


class CheckOptions(Protocol):
    """A check's typed options: a frozen dataclass whose every field has a default."""

    declarations: ClassVar[tuple[OptionSpec, ...]]


@runtime_checkable
class DomainBoundOptions(Protocol):
    """Options whose validity depends on the audited domain (a DKIM selector's key name
    must fit in a DNS name): checked once per domain, when the plan is built."""

    def validate_for(self, domain: str) -> None: ...  # raises InputError


def validate_for_domain(options: Sequence[object], domain: str) -> None:
    for check_options in options:
        if isinstance(check_options, DomainBoundOptions):
            check_options.validate_for(domain)


OptionsT = TypeVar("OptionsT", bound=CheckOptions)


def build_options(options_type: type[OptionsT], raw: Mapping[str, Any]) -> OptionsT:
    """The typed options from raw values keyed by `OptionSpec.name` (missing: empty)."""
    values = {
        spec.field: spec.parse(raw.get(spec.name, spec.empty))
        for spec in options_type.declarations
        if spec.field is not None
    }
    return options_type(**values)


def all_declarations(options_types: Sequence[type[CheckOptions]]) -> tuple[OptionSpec, ...]:
    return tuple(spec for options_type in options_types for spec in options_type.declarations)


class RunOptions(NamedTuple):  # a NamedTuple: a sixth of a frozen dataclass's cost to define
    """What the whole run shares: the target, the transports, the limits and the verdict.

    The --log files are here because target resolution (IPs the logs state) and the
    volume check both read them; --bounce because the runner classifies them.
    """

    domain: str | None = None
    given_ips: tuple[str, ...] = ()
    derive_ips: bool = True  # False: the target is exactly the given IPs (blacklist)
    log_files: tuple[str, ...] = ()  # --log: Postfix/Exim/Mailgun logs ("-" = stdin)
    bounce_files: tuple[str, ...] = ()  # --bounce: .eml bounces or rejection lines
    nameservers: tuple[Nameserver, ...] = ()  # empty: the run must need no DNS
    timeout: float = 3.0  # per DNS query
    retries: int = 1
    concurrency: int = 128
    multiplexed_dns: bool = False  # bulk blocklist runs: one UDP socket per nameserver
    smtp_timeout: float = 10.0  # seconds per SMTP command (the greeting gets more)
    check_timeout: float = 60.0
    deadline: float = 120.0  # whole run
    # perf_counter() instant the deadline counts from: the command's start, so its own
    # start-up counts against --deadline too; None: when the runner starts.
    started: float | None = None
    # Seconds the run's reports take per result row (audit/render/formats.py): a check
    # that stops itself before the deadline (blacklist) keeps that time for them.
    report_seconds_per_result: float = 0.0
    fail_on: Severity | None = Severity.HIGH
    allow_incomplete: bool = False
    dns_log_limit: int = 2000
