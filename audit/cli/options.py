"""How any `OptionSpec` becomes a Typer option, and the `...Opt` aliases of the commands.

Check options are declared by their check (`checks/<id>/options.py`, listed in
`checks/options.py`); the run-wide ones in audit/cli/specs.py, in the same form, so
`audit` builds every parameter and every --config key in one loop. The `...Opt` aliases
reuse the same declarations for the single-purpose commands (same name, help and env var
everywhere). Only typer and light modules are imported here, so every command module can
use them.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from audit.cli.specs import (
    DEADLINE,
    FORMAT,
    NAMESERVER,
    QUIET,
    TIMEOUT,
    VERBOSE,
)
from audit.engine.options import OptionSpec, ValueKind
from checks.blacklist.options import BlacklistOptions
from checks.volume.options import VolumeOptions

_PYTHON_TYPES: dict[ValueKind, Any] = {
    ValueKind.LIST: list[str] | None,
    ValueKind.STR: str | None,
    ValueKind.NUMBER: float | None,
    ValueKind.BOOL: bool,
    ValueKind.PATH: Path | None,
}


def typer_option(spec: OptionSpec) -> Any:
    """The `typer.Option` of one declaration."""
    return typer.Option(
        *spec.flags,
        metavar=spec.metavar,
        help=spec.help,
        envvar=spec.envvar,
        show_envvar=spec.envvar is not None,
    )


def parameter(spec: OptionSpec) -> inspect.Parameter:
    """A keyword parameter for a command built from declarations (`audit`)."""
    default = False if spec.kind is ValueKind.BOOL else None
    python_type = _PYTHON_TYPES[spec.kind]
    # Built at run time from the declaration; mypy only checks static annotations.
    annotation = Annotated[python_type, typer_option(spec)]  # type: ignore[valid-type]
    return inspect.Parameter(
        spec.name, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=annotation
    )


Command = TypeVar("Command", bound=Callable[..., Any])


def with_options(command: Command, specs: Sequence[OptionSpec]) -> Command:
    """`command` with `specs` as Typer options after its own parameters, their values
    passed by name into its `**given` (Typer reads the signature; `audit` is built the same
    way, audit/cli/typer_app.py)."""
    signature = inspect.signature(command, eval_str=True)
    names = {spec.name for spec in specs}  # a second app in one process builds it again
    own = [
        p
        for p in signature.parameters.values()
        if p.kind is not p.VAR_KEYWORD and p.name not in names
    ]
    declared = [parameter(spec) for spec in specs]
    command.__signature__ = signature.replace(parameters=[*own, *declared])  # type: ignore[attr-defined]
    command.__annotations__ = {}  # the signature holds the (already evaluated) annotations
    return command


def _blacklist_spec(name: str) -> OptionSpec:
    return next(spec for spec in BlacklistOptions.declarations if spec.name == name)


NameserverOpt = Annotated[list[str] | None, typer_option(NAMESERVER)]
TimeoutOpt = Annotated[float | None, typer_option(TIMEOUT)]
DeadlineOpt = Annotated[float | None, typer_option(DEADLINE)]
FormatOpt = Annotated[str | None, typer_option(FORMAT)]
QuietOpt = Annotated[bool, typer_option(QUIET)]
VerboseOpt = Annotated[bool, typer_option(VERBOSE)]
DnsblOpt = Annotated[list[str] | None, typer_option(_blacklist_spec("dnsbl"))]
ListsOpt = Annotated[str | None, typer_option(_blacklist_spec("lists"))]
DqsOpt = Annotated[str | None, typer_option(_blacklist_spec("spamhaus_dqs_key"))]
(_YEAR,) = VolumeOptions.declarations
YearOpt = Annotated[float | None, typer_option(_YEAR)]
