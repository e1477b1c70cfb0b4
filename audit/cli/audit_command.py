"""The `audit` command: merge flags with --config, validate, plan, run, render, exit code.

Its parameters are declarations (audit.cli.options for the run-wide ones, each check's
`options.py` for the rest): `raw_values` merges flags and the config file for all of
them at once, each check's typed options are built from the same values, and only the
run-wide options are read here by name.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
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
from audit.cli.specs import RUN_OPTIONS_FIRST, RUN_OPTIONS_LAST
from audit.engine.options import (
    RunOptions,
    all_declarations,
    build_options,
    validate_for_domain,
)
from audit.engine.runner import RunPlan
from audit.maillog.ingest import parse_log_files
from audit.model import CheckId
from audit.model.errors import InputError
from audit.model.inputs import parse_check_ids, parse_domain, parse_ip, parse_seconds
from audit.render.branding import ReportBranding, build_branding
from checks.options import CHECK_OPTIONS

DEFAULT_TIMEOUT = 3.0
DEFAULT_DEADLINE = 120.0
DEFAULT_CHECK_TIMEOUT = 90.0
# SMTP servers answer slower than DNS (RBL lookups, callouts before a RCPT reply): each
# SMTP command may take this many times --timeout, within MAX_SMTP_TIMEOUT.
SMTP_TIMEOUT_FACTOR = 3.0
MAX_SMTP_TIMEOUT = 30.0


@dataclass(frozen=True)
class AuditPlan:
    runs: list[RunPlan]  # one per domain
    outputs: list[str]
    format: str | None
    branding: ReportBranding = field(default_factory=ReportBranding)


def _given(flag: Any) -> bool:
    # Identity checks: `0 in (None, [], False)` is True, and --timeout 0 must reach
    # validation instead of silently becoming the default.
    return flag is not None and flag is not False and flag != []


def raw_values(flags: Mapping[str, Any], file_config: FileConfig) -> dict[str, Any]:
    """Every declared option: the command-line value if given, else the config file's,
    else its empty value."""
    specs = (*RUN_OPTIONS_FIRST, *all_declarations(CHECK_OPTIONS), *RUN_OPTIONS_LAST)
    raw = {}
    for spec in specs:
        flag = flags.get(spec.name)
        raw[spec.name] = flag if _given(flag) else file_config.get(spec.name, spec.empty)
    return raw


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


def _bounce_files(paths: list[str]) -> tuple[str, ...]:
    """--bounce files, each readable as text (exit 2 otherwise)."""
    from audit.bounce.files import validate_bounce_files

    return validate_bounce_files(paths)


def _domains(flags: Mapping[str, Any], file_config: FileConfig) -> list[str]:
    domain = flags.get("domain")
    domains = [domain] if domain else file_config.get("domains", [])
    if not domains:
        raise InputError(
            "no domain given: mailhygiene audit DOMAIN (or domains = [...] in --config)"
        )
    return [parse_domain(d) for d in domains]


def _run_options(raw: Mapping[str, Any]) -> RunOptions:
    """The run-wide options, validated, without domain and nameservers (set per plan)."""
    timeout = DEFAULT_TIMEOUT if raw["timeout"] is None else float(raw["timeout"])
    timeout = parse_seconds(timeout, "--timeout")
    deadline = DEFAULT_DEADLINE if raw["deadline"] is None else float(raw["deadline"])
    deadline = parse_seconds(deadline, "--deadline")
    return RunOptions(
        given_ips=tuple(parse_ip(ip) for ip in raw["ip"]),
        timeout=timeout,
        deadline=deadline,
        fail_on=parse_fail_on(raw["fail_on"] or "high"),
        allow_incomplete=bool(raw["allow_incomplete"]),
        check_timeout=min(DEFAULT_CHECK_TIMEOUT, deadline),
        smtp_timeout=min(timeout * SMTP_TIMEOUT_FACTOR, MAX_SMTP_TIMEOUT),
        log_files=parse_log_files(raw["log"]),
        bounce_files=_bounce_files(raw["bounce"]),
    )


def build_plan(flags: Mapping[str, Any]) -> AuditPlan:
    """Validated run plans (one per domain) and where the reports go."""
    from checks.registry import instantiate

    config_path = flags.get("config")
    file_config = load_config(config_path) if config_path else FileConfig()
    configure_logging(bool(flags.get("verbose")), bool(flags.get("quiet")))
    domains = _domains(flags, file_config)
    raw = raw_values(flags, file_config)
    run = _run_options(raw)
    check_options = tuple(build_options(options, raw) for options in CHECK_OPTIONS)
    for domain in domains:
        validate_for_domain(check_options, domain)
    checks = tuple(instantiate(_selected_checks(raw["checks"], raw["skip"])))
    from checks.compliance import evaluate

    plans = [
        RunPlan(run._replace(domain=domain), checks, check_options, conclude=evaluate)
        for domain in domains
    ]
    # A run that queries no DNS (--checks volume --ip ...) needs no nameserver.
    if any(plan.needs_dns for plan in plans):
        nameservers = resolve_nameservers(raw["nameserver"])
        plans = [p._replace(run=p.run._replace(nameservers=nameservers)) for p in plans]
    outputs = list(raw["output"])
    if len(plans) > 1 and any("{domain}" not in o and o != "-" for o in outputs):
        raise InputError("several domains: put {domain} in each -o path, e.g. out/{domain}.json")
    return AuditPlan(plans, outputs, raw["format"], _branding(raw))


def _branding(raw: Mapping[str, Any]) -> ReportBranding:
    """--brand-*, --client-name, --prepared-by, --appendix, --fixed, --paper (a bad logo,
    colour or paper size is exit 2)."""
    return build_branding(
        brand_name=raw["brand_name"],
        brand_logo=raw["brand_logo"],
        client_name=raw["client_name"],
        prepared_by=raw["prepared_by"],
        brand_color=raw["brand_color"],
        appendix=bool(raw["appendix"]),
        fixed=raw["fixed"] or (),
        paper=raw["paper"],
    )


def run_audit_command(flags: Mapping[str, Any]) -> int:
    plan = build_plan(flags)
    # Every output is validated before the first run: exit 2 comes before any audit.
    runs = []
    for run_plan in plan.runs:
        domain = run_plan.run.domain or "targets"
        planned = plan_outputs([o.replace("{domain}", domain) for o in plan.outputs], plan.format)
        check_output_paths(planned)
        runs.append((run_plan, planned))
    codes = []
    for run_plan, planned in runs:
        result = execute(run_plan, bool(flags.get("quiet")), planned)
        write_outputs(result, planned, run_plan.run.fail_on, plan.branding)
        codes.append(result.summary.exit_code)
    return combine_exit_codes(codes)
