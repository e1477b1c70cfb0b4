"""The `audit` command: merge flags with --config, validate, run, render, exit code."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from audit.cli.common import (
    check_output_paths,
    combine_exit_codes,
    configure_logging,
    execute,
    parse_fail_on,
    plan_outputs,
    resolve_nameservers,
    write_outputs,
)
from audit.cli.config import FileConfig, load_config
from audit.engine.context import AuditOptions
from audit.engine.runner import RunConfig
from audit.maillog.ingest import parse_log_files
from audit.model import CheckId
from audit.model.errors import InputError
from audit.model.inputs import (
    format_smtp_host,
    parse_check_ids,
    parse_domain,
    parse_ip,
    parse_smtp_host,
    parse_suffix,
)
from audit.render.branding import ReportBranding, build_branding

DEFAULT_TIMEOUT = 3.0
DEFAULT_DEADLINE = 120.0
DEFAULT_CHECK_TIMEOUT = 90.0
# SMTP servers answer slower than DNS (RBL lookups, callouts before a RCPT reply): each
# SMTP command may take this many times --timeout, within MAX_SMTP_TIMEOUT.
SMTP_TIMEOUT_FACTOR = 3.0
MAX_SMTP_TIMEOUT = 30.0


@dataclass(frozen=True)
class AuditPlan:
    configs: list[RunConfig]
    outputs: list[str]
    format: str | None
    branding: ReportBranding = field(default_factory=ReportBranding)


@dataclass
class AuditArgs:
    domain: str | None = None
    ips: list[str] = field(default_factory=list)
    selectors: list[str] = field(default_factory=list)
    ptr_suffixes: list[str] = field(default_factory=list)
    helo: list[str] = field(default_factory=list)
    smtp_hosts: list[str] = field(default_factory=list)
    no_relay_probe: bool = False
    logs: list[str] = field(default_factory=list)
    bounces: list[str] = field(default_factory=list)
    checks: str | None = None
    skip: str | None = None
    dnsbl: list[str] = field(default_factory=list)
    lists: str | None = None
    dqs_key: str | None = None
    nameservers: list[str] = field(default_factory=list)
    timeout: float | None = None
    deadline: float | None = None
    format: str | None = None
    outputs: list[str] = field(default_factory=list)
    fail_on: str | None = None
    allow_incomplete: bool = False
    config: Path | None = None
    quiet: bool = False
    verbose: bool = False
    brand_name: str | None = None
    brand_logo: Path | None = None
    client_name: str | None = None
    prepared_by: str | None = None


def _pick(flag: Any, file_config: FileConfig, key: str, default: Any = None) -> Any:
    """Command-line value if given, else the config file's, else the default."""
    # Identity checks: `0 in (None, [], False)` is True, and --timeout 0 must reach
    # validation instead of silently becoming the default.
    if flag is not None and flag is not False and flag != []:
        return flag
    return file_config.get(key, default)


def _selected_checks(checks: Any, skip: Any) -> tuple[CheckId, ...]:
    from checks.registry import CHECKS

    def ids(value: Any) -> list[CheckId]:
        text = ",".join(value) if isinstance(value, list) else (value or "")
        return parse_check_ids(text)

    chosen = ids(checks) or list(CHECKS)
    skipped = set(ids(skip))
    selected = tuple(c for c in CheckId if c in chosen and c not in skipped and c in CHECKS)
    if not selected:
        raise InputError("no check selected (check --checks and --skip)")
    return selected


def _positive(value: float, name: str) -> float:
    if not value > 0:
        raise InputError(f"{name} must be a positive number of seconds, not {value:g}")
    return value


def _validate_dnsbl(entries: list[str]) -> tuple[str, ...]:
    validated = []
    for entry in entries:
        zone, _, kind = entry.partition(":")
        if kind and kind not in ("ip", "domain"):
            raise InputError(f"invalid --dnsbl {entry!r}: the kind after ':' is ip or domain")
        validated.append(f"{parse_domain(zone)}:{kind or 'ip'}")
    return tuple(validated)


def _smtp_hosts(values: list[str]) -> tuple[str, ...]:
    """--smtp-host values as canonical HOST:PORT (exit 2 on a bad one)."""
    return tuple(dict.fromkeys(format_smtp_host(*parse_smtp_host(v)) for v in values))


def _bounce_files(paths: list[str]) -> tuple[str, ...]:
    """--bounce files, each readable as text (exit 2 otherwise)."""
    from audit.bounce.files import validate_bounce_files

    return validate_bounce_files(paths)


def build_plan(args: AuditArgs) -> AuditPlan:
    """Validated RunConfigs (one per domain) and where the reports go."""
    file_config = load_config(args.config) if args.config else FileConfig()
    configure_logging(args.verbose, args.quiet)
    domains = [args.domain] if args.domain else file_config.get("domains", [])
    if not domains:
        raise InputError(
            "no domain given: mailhygiene audit DOMAIN (or domains = [...] in --config)"
        )
    domains = [parse_domain(d) for d in domains]
    ips = tuple(parse_ip(i) for i in _pick(args.ips, file_config, "ip", []))
    timeout = _positive(
        float(_pick(args.timeout, file_config, "timeout", DEFAULT_TIMEOUT)), "--timeout"
    )
    deadline = _positive(
        float(_pick(args.deadline, file_config, "deadline", DEFAULT_DEADLINE)), "--deadline"
    )
    fail_on = parse_fail_on(_pick(args.fail_on, file_config, "fail_on", "high"))
    lists = _pick(args.lists, file_config, "lists", "default")
    if lists not in ("default", "all") and not Path(lists).is_file():
        raise InputError(f"--lists {lists!r}: not 'default', 'all' or a readable catalog file")
    base = dict(
        selectors=tuple(_pick(args.selectors, file_config, "selector", [])),
        expect_ptr_suffixes=tuple(
            parse_suffix(s) for s in _pick(args.ptr_suffixes, file_config, "expect_ptr_suffix", [])
        ),
        helo_names=tuple(parse_domain(h) for h in _pick(args.helo, file_config, "helo", [])),
        lists=lists,
        custom_dnsbls=_validate_dnsbl(_pick(args.dnsbl, file_config, "dnsbl", [])),
        spamhaus_dqs_key=_pick(args.dqs_key, file_config, "spamhaus_dqs_key"),
        check_timeout=min(DEFAULT_CHECK_TIMEOUT, deadline),
        log_files=parse_log_files(_pick(args.logs, file_config, "log", [])),
        bounce_files=_bounce_files(_pick(args.bounces, file_config, "bounce", [])),
        smtp_hosts=_smtp_hosts(_pick(args.smtp_hosts, file_config, "smtp_host", [])),
        relay_probe=not _pick(args.no_relay_probe, file_config, "no_relay_probe", False),
        smtp_timeout=min(timeout * SMTP_TIMEOUT_FACTOR, MAX_SMTP_TIMEOUT),
    )
    check_ids = _selected_checks(
        _pick(args.checks, file_config, "checks"), _pick(args.skip, file_config, "skip")
    )
    nameservers = resolve_nameservers(_pick(args.nameservers, file_config, "nameserver", []))
    configs = [
        RunConfig(
            options=AuditOptions(domain=domain, **base),
            check_ids=check_ids,
            nameservers=nameservers,
            given_ips=ips,
            timeout=timeout,
            deadline=deadline,
            fail_on=fail_on,
            allow_incomplete=bool(
                _pick(args.allow_incomplete, file_config, "allow_incomplete", False)
            ),
        )
        for domain in domains
    ]
    outputs = list(_pick(args.outputs, file_config, "output", []))
    if len(configs) > 1 and any("{domain}" not in o and o != "-" for o in outputs):
        raise InputError("several domains: put {domain} in each -o path, e.g. out/{domain}.json")
    return AuditPlan(
        configs, outputs, _pick(args.format, file_config, "format"), _branding(args, file_config)
    )


def _branding(args: AuditArgs, file_config: FileConfig) -> ReportBranding:
    """--brand-name/--brand-logo/--client-name/--prepared-by (a bad logo is exit 2)."""
    return build_branding(
        brand_name=_pick(args.brand_name, file_config, "brand_name"),
        brand_logo=_pick(args.brand_logo, file_config, "brand_logo"),
        client_name=_pick(args.client_name, file_config, "client_name"),
        prepared_by=_pick(args.prepared_by, file_config, "prepared_by"),
    )


def run_audit_command(args: AuditArgs) -> int:
    from checks.registry import instantiate

    plan = build_plan(args)
    # Every output is validated before the first run: exit 2 comes before any audit.
    runs = []
    for config in plan.configs:
        domain = config.options.domain or "targets"
        planned = plan_outputs([o.replace("{domain}", domain) for o in plan.outputs], plan.format)
        check_output_paths(planned)
        runs.append((config, planned))
    codes = []
    for config, planned in runs:
        result = execute(config, instantiate(config.check_ids), args.quiet)
        write_outputs(result, planned, config.fail_on, plan.branding)
        codes.append(result.summary.exit_code)
    return combine_exit_codes(codes)
