"""Start-up cost of the CLI: `import audit.cli` stays light, so `--help` is fast.

Measured through sys.modules in a fresh interpreter, never with timings.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from support.paths import REPO
from support.rbldnsd_fixture import dnsbl_zone, list_file

# Nothing listens on port 9: every lookup times out, then the JSON report is written.
BLACKLIST_JSON = [
    "blacklist",
    "192.0.2.1",
    "--nameserver",
    "127.0.0.1:9",
    "--timeout",
    "0.2",
    "--format",
    "json",
]
HEAVY_MODULES = ("weasyprint", "checkdmarc", "dns.asyncresolver", "jinja2", "rich")


def run_python(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args], cwd=REPO, capture_output=True, text=True, timeout=60
    )


@pytest.fixture(scope="module")
def modules_after_importing_the_cli() -> set[str]:
    code = "import json, sys, audit.cli; print(json.dumps(sorted(sys.modules)))"
    completed = run_python("-c", code)
    assert completed.returncode == 0, completed.stderr
    return set(json.loads(completed.stdout))


@pytest.mark.parametrize("module", HEAVY_MODULES)
def test_importing_the_cli_does_not_import(modules_after_importing_the_cli, module):
    assert module not in modules_after_importing_the_cli


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    """The installed console script (the users' entry point), else the same via -c."""
    script = Path(sys.executable).with_name("mailhygiene")
    command = (
        [str(script)]
        if script.exists()
        else [sys.executable, "-c", "from audit.cli import main; main()"]
    )
    return subprocess.run([*command, *args], cwd=REPO, capture_output=True, text=True, timeout=60)


def test_help_exits_0():
    completed = run_cli("--help")
    assert completed.returncode == 0, completed.stderr
    assert "audit" in completed.stdout


def test_audit_help_exits_0():
    completed = run_cli("audit", "--help")
    assert completed.returncode == 0, completed.stderr
    assert "--nameserver" in completed.stdout


@pytest.mark.parametrize(
    ("argv", "absent"),
    [
        (["explain", "550 5.7.1 blocked using zen.spamhaus.org"], ("checks.options", "jinja2")),
        (
            ["--help"],
            ("audit.bounce.explain", "dns.asyncresolver", "weasyprint", "audit.cli.options"),
        ),
        (["logs", "--help"], ("checks.options", "checkdmarc", "weasyprint")),
        (["explain", "550 5.7.1 blocked using zen.spamhaus.org"], ("email.message",)),
        (
            BLACKLIST_JSON,
            (
                "rich",
                "audit.render.text",
                "audit.render.dnsbl_table",
                "xml.etree.ElementTree",
                "audit.model.compliance",
                "audit.model.document",  # TypedDicts: for type checking alone
                "audit.model.remediation",  # no finding, no remediation
            ),
        ),
    ],
)
def test_a_command_builds_and_imports_only_what_it_uses(argv, absent):
    # start-up follows use: `explain` does not build `audit`'s options, --help runs nothing
    code = (
        "import json, sys\nfrom audit.cli import main\ntry:\n    main(sys.argv[1:])\n"
        "except SystemExit:\n    pass\nprint(json.dumps(sorted(sys.modules)), file=sys.stderr)"
    )
    completed = run_python("-c", code, *argv)
    loaded = set(json.loads(completed.stderr.strip().splitlines()[-1]))
    assert [module for module in absent if module in loaded] == []


def modules_loaded_by(argv: list[str]) -> set[str]:
    code = (
        "import json, sys\nfrom audit.cli import main\ntry:\n    main(sys.argv[1:])\n"
        "except SystemExit:\n    pass\nprint(json.dumps(sorted(sys.modules)), file=sys.stderr)"
    )
    completed = run_python("-c", code, *argv)
    return set(json.loads(completed.stderr.strip().splitlines()[-1]))


def test_a_plain_blacklist_line_runs_without_typer():
    # given a plain `blacklist IP --format json` line (audit/cli/blacklist/fast.py parses it)
    # when it runs, then neither Typer nor the other commands' options were imported
    loaded = modules_loaded_by(BLACKLIST_JSON)
    unneeded = ("typer", "audit.cli.options", "audit.cli.typer_app", "checks.volume.options")
    assert [module for module in unneeded if module in loaded] == []
    assert sorted(module for module in loaded if module.startswith("typer.")) == []


def test_a_blacklist_line_with_help_still_goes_through_typer():
    # given the same line asking for --help, when it runs, then Typer answered it
    assert "typer" in modules_loaded_by([*BLACKLIST_JSON, "--help"])


def listed_ip_run(dns_server, tmp_path) -> tuple[dict, set[str]]:
    """`blacklist --format json` of an IP a lab DNSBL lists (an A answer, then its TXT
    reason): the result document and the modules the process loaded."""
    zone = "zen.spamhaus.org"
    listing = ["1.2.0.192 300 IN A 127.0.0.2", '1.2.0.192 300 IN TXT "listed"']
    server = dns_server(zones={zone: dnsbl_zone(zone, listing)})
    lists = list_file(tmp_path, [zone])
    argv = ["blacklist", "192.0.2.1", "--lists", lists, "--nameserver", server.nameserver,
            "--format", "json"]  # fmt: skip
    code = (
        "import json, sys\nfrom audit.cli import main\ntry:\n    main(sys.argv[1:])\n"
        "except SystemExit:\n    pass\nprint(json.dumps(sorted(sys.modules)), file=sys.stderr)"
    )
    completed = run_python("-c", code, *argv)
    loaded = set(json.loads(completed.stderr.strip().splitlines()[-1]))
    [check] = json.loads(completed.stdout)["checks"]
    assert check["evidence"]["counts"]["listed"] == 1, completed.stderr
    return json.loads(completed.stdout), loaded


def test_blacklist_answered_without_dnspython(dns_server, tmp_path):
    # given a listed IP; when blacklist runs its multiplexed lookups
    _, loaded = listed_ip_run(dns_server, tmp_path)
    # then dnspython (~35 ms of imports) never loaded
    assert sorted(module for module in loaded if module == "dns" or module.startswith("dns.")) == []


def test_blacklist_finding_remediation_from_the_knowledge_cache(dns_server, tmp_path):
    # given a run that filled the knowledge cache
    first, _ = listed_ip_run(dns_server, tmp_path)
    # when a listed IP's finding takes its remediation again
    second, loaded = listed_ip_run(dns_server, tmp_path)
    # then it is the same, and no TOML parser or importlib.resources loaded for it
    assert second["findings"] == first["findings"] != []
    assert [m for m in ("tomllib", "importlib.resources") if m in loaded] == []


def test_explain_text_alone_runs_without_typer():
    # given `explain TEXT` and nothing else (audit/cli/explain.py plain_call)
    # when it runs, then Typer was not imported
    loaded = modules_loaded_by(["explain", "550 5.7.1 blocked using zen.spamhaus.org"])
    assert sorted(m for m in loaded if m == "typer" or m.startswith("typer.")) == []


def test_explain_with_an_option_still_goes_through_typer():
    loaded = modules_loaded_by(["explain", "550 5.7.1 blocked", "--format", "json"])
    assert "typer" in loaded
