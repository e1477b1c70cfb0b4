"""The `mailhygiene audit` command, run in-process through `audit.cli.main`."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest

import audit
from audit.cli import main
from audit.net.dns import NAMESERVER_ENV
from checks.registry import CHECKS

SCHEMA = json.loads(
    (Path(audit.__file__).parent / "schema" / "result.schema.json").read_text(encoding="utf-8")
)
SOA = "@ 300 IN SOA ns.{0}. hostmaster.{0}. 1 3600 600 86400 300\n"

# 192.0.2.1: forward-confirmed own name (clean); 192.0.2.2: generic name (medium);
# 192.0.2.3: no PTR (high).
ZONES = {
    "2.0.192.in-addr.arpa": SOA.format("2.0.192.in-addr.arpa")
    + "1 IN PTR mail.example.test.\n2 IN PTR dsl-gw.example.test.\n",
    "example.test": SOA.format("example.test") + "mail IN A 192.0.2.1\ndsl-gw IN A 192.0.2.2\n",
}
CLEAN_IP, GENERIC_IP, MISSING_IP = "192.0.2.1", "192.0.2.2", "192.0.2.3"


def cli(capsys, *argv: str) -> tuple[int, str, str]:
    """Run the CLI; return (exit code, stdout, stderr)."""
    with pytest.raises(SystemExit) as exited:
        main(list(argv))
    captured = capsys.readouterr()
    return exited.value.code, captured.out, captured.err


@pytest.fixture
def lab(dns_server):
    return dns_server(zones=ZONES)


def audit_args(nameserver: str, *extra: str, ip: str = CLEAN_IP) -> list[str]:
    return [
        "audit",
        "example.test",
        "--ip",
        ip,
        "--nameserver",
        nameserver,
        "--checks",
        "ptr",
        *extra,
    ]


def json_report(capsys, *argv: str) -> tuple[int, dict]:
    code, out, _err = cli(capsys, *argv, "--format", "json", "-o", "-")
    return code, json.loads(out)


def assert_usage_error(result: tuple[int, str, str], *named: str) -> None:
    code, _out, err = result
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    for text in named:
        assert text in lines[0]


# -- usage errors: exit 2, one line on stderr -----------------------------------------------------


@pytest.mark.parametrize(
    "domain", ["bad..domain", "x-.example.test", "localhost", "a" * 64 + ".test"]
)
def test_invalid_domain(capsys, domain):
    assert_usage_error(cli(capsys, "audit", domain, "--nameserver", "127.0.0.1:53"), domain[:10])


@pytest.mark.parametrize("ip", ["999.0.0.1", "192.0.2.0/24", "mail.example.test"])
def test_invalid_ip(capsys, ip):
    result = cli(capsys, "audit", "example.test", "--ip", ip, "--nameserver", "127.0.0.1:53")
    assert_usage_error(result, ip)


@pytest.mark.parametrize("nameserver", ["dns.example.test", "127.0.0.1:99999", "[::1"])
def test_invalid_nameserver(capsys, nameserver):
    result = cli(capsys, "audit", "example.test", "--ip", CLEAN_IP, "--nameserver", nameserver)
    assert_usage_error(result, nameserver)


def test_invalid_nameserver_in_the_environment(capsys, monkeypatch):
    monkeypatch.setenv(NAMESERVER_ENV, "resolver.example.test")
    result = cli(capsys, "audit", "example.test", "--ip", CLEAN_IP)
    assert_usage_error(result, "resolver.example.test")


def test_missing_config_file(capsys, tmp_path):
    missing = tmp_path / "missing.toml"
    assert_usage_error(
        cli(capsys, "audit", "example.test", "--config", str(missing)), "missing.toml"
    )


def test_config_that_is_a_directory(capsys, tmp_path):
    assert_usage_error(cli(capsys, "audit", "example.test", "--config", str(tmp_path)))


def test_malformed_toml_config(capsys, tmp_path):
    config = tmp_path / "bad.toml"
    config.write_text("domains = [\n", encoding="utf-8")
    assert_usage_error(cli(capsys, "audit", "--config", str(config)), "bad.toml")


def test_unknown_config_key(capsys, tmp_path):
    config = tmp_path / "c.toml"
    config.write_text('domains = ["example.test"]\ncolour = "red"\n', encoding="utf-8")
    assert_usage_error(cli(capsys, "audit", "--config", str(config)), "colour")


def test_config_value_of_the_wrong_type(capsys, tmp_path):
    config = tmp_path / "c.toml"
    config.write_text('domains = ["example.test"]\ntimeout = "soon"\n', encoding="utf-8")
    assert_usage_error(cli(capsys, "audit", "--config", str(config)), "timeout")


def test_unknown_check_id(capsys):
    result = cli(
        capsys, "audit", "example.test", "--nameserver", "127.0.0.1:53", "--checks", "ptr,nope"
    )
    assert_usage_error(result, "nope")


def test_planned_but_absent_check_id(capsys, monkeypatch):
    """Given an id the contract reserves for a later version (e.g. `mx`), when it is
    selected, then a clear usage error names it instead of "unknown check"."""
    monkeypatch.setattr("audit.model.inputs.PLANNED_CHECK_IDS", frozenset({"mx"}))
    result = cli(capsys, "audit", "example.test", "--nameserver", "127.0.0.1:53", "--checks", "mx")
    assert_usage_error(result, "not available in this version")


def test_unknown_check_id_in_skip(capsys):
    result = cli(capsys, "audit", "example.test", "--nameserver", "127.0.0.1:53", "--skip", "nope")
    assert_usage_error(result, "nope")


def test_skipping_every_selected_check(capsys):
    result = cli(
        capsys,
        "audit",
        "example.test",
        "--nameserver",
        "127.0.0.1:53",
        "--checks",
        "ptr",
        "--skip",
        "ptr",
    )
    assert_usage_error(result)


def test_bad_fail_on(capsys):
    result = cli(
        capsys, "audit", "example.test", "--nameserver", "127.0.0.1:53", "--fail-on", "severe"
    )
    assert_usage_error(result, "severe")


@pytest.mark.parametrize("option", ["--timeout", "--deadline"])
@pytest.mark.parametrize("value", ["0", "-1", "abc"])
def test_bad_timeout_or_deadline(capsys, option, value):
    result = cli(capsys, "audit", "example.test", "--nameserver", "127.0.0.1:53", option, value)
    assert_usage_error(result, option)


def test_output_into_a_missing_directory(capsys, tmp_path):
    target = tmp_path / "nowhere" / "r.json"
    result = cli(capsys, "audit", "example.test", "--nameserver", "127.0.0.1:53", "-o", str(target))
    assert_usage_error(result, "nowhere")


def test_unknown_format(capsys):
    result = cli(capsys, "audit", "example.test", "--nameserver", "127.0.0.1:53", "--format", "csv")
    assert_usage_error(result, "csv")


def test_unknown_output_extension(capsys, tmp_path):
    result = cli(
        capsys,
        "audit",
        "example.test",
        "--nameserver",
        "127.0.0.1:53",
        "-o",
        str(tmp_path / "r.doc"),
    )
    assert_usage_error(result, "r.doc")


def test_unknown_option(capsys):
    assert_usage_error(cli(capsys, "audit", "example.test", "--colour"), "--colour")


def test_no_domain(capsys):
    assert_usage_error(cli(capsys, "audit", "--nameserver", "127.0.0.1:53"))


def test_batch_output_without_domain_placeholder(capsys, tmp_path):
    config = tmp_path / "c.toml"
    config.write_text('domains = ["a.example.test", "b.example.test"]\n', encoding="utf-8")
    result = cli(
        capsys,
        "audit",
        "--config",
        str(config),
        "--nameserver",
        "127.0.0.1:53",
        "-o",
        str(tmp_path / "r.json"),
    )
    assert_usage_error(result, "{domain}")


def test_usage_error_in_a_later_batch_output_comes_before_any_run(capsys, tmp_path, lab):
    # given two domains, and an output directory that exists only for the first
    (tmp_path / "a.example.test").mkdir()
    config = tmp_path / "c.toml"
    config.write_text('domains = ["a.example.test", "b.example.test"]\n', encoding="utf-8")
    pattern = str(tmp_path / "{domain}" / "r.json")
    # when the audit runs
    result = cli(
        capsys,
        "audit",
        "--config",
        str(config),
        "--ip",
        CLEAN_IP,
        "--checks",
        "ptr",
        "--nameserver",
        lab.nameserver,
        "-o",
        pattern,
    )
    # then it stops with exit 2 before writing anything
    assert_usage_error(result, "b.example.test")
    assert not (tmp_path / "a.example.test" / "r.json").exists()
    assert lab.queries == 0


# -- acceptance ------------------------------------------------------------------------------


def test_json_report_file_is_valid_and_has_the_ptr_outcome(capsys, lab, tmp_path):
    report = tmp_path / "r.json"
    code, _out, _err = cli(
        capsys, *audit_args(lab.nameserver, "--format", "json", "-o", str(report))
    )
    document = json.loads(report.read_text(encoding="utf-8"))
    jsonschema.validate(document, SCHEMA)
    assert code == 0
    assert [(c["id"], c["status"]) for c in document["checks"]] == [("ptr", "pass")]
    assert document["summary"]["status"] == "pass"


def test_json_report_records_the_given_ip(capsys, lab):
    _code, document = json_report(capsys, *audit_args(lab.nameserver))
    assert document["target"]["ips"] == [{"ip": CLEAN_IP, "source": "given", "detail": ""}]
    assert document["resolver"]["nameservers"] == [lab.nameserver]


def test_silent_nameserver_is_incomplete_exit_3_never_pass(capsys, silent_nameserver):
    code, document = json_report(
        capsys, *audit_args(silent_nameserver, "--timeout", "0.3", "--deadline", "5")
    )
    jsonschema.validate(document, SCHEMA)
    assert code == 3
    assert document["summary"]["status"] == "incomplete"
    assert document["summary"]["exit_code"] == 3
    assert [c["status"] for c in document["checks"]] == ["unknown"]


def test_allow_incomplete_turns_incomplete_into_exit_0(capsys, silent_nameserver):
    code, document = json_report(
        capsys,
        *audit_args(silent_nameserver, "--timeout", "0.3", "--deadline", "5", "--allow-incomplete"),
    )
    assert code == 0
    assert document["summary"]["status"] == "incomplete"


def test_high_finding_fails_by_default(capsys, lab):
    code, document = json_report(capsys, *audit_args(lab.nameserver, ip=MISSING_IP))
    assert code == 1
    assert [f["code"] for f in document["findings"]] == ["PTR_MISSING"]


def test_fail_on_never_ignores_findings(capsys, lab):
    code, document = json_report(
        capsys, *audit_args(lab.nameserver, "--fail-on", "never", ip=MISSING_IP)
    )
    assert code == 0
    assert document["summary"]["exit_code"] == 0
    assert [f["code"] for f in document["findings"]] == ["PTR_MISSING"]


def test_medium_finding_passes_the_default_fail_on(capsys, lab):
    code, document = json_report(capsys, *audit_args(lab.nameserver, ip=GENERIC_IP))
    assert code == 0
    assert [(f["code"], f["severity"]) for f in document["findings"]] == [("PTR_GENERIC", "medium")]


def test_fail_on_medium_fails_on_a_generic_ptr(capsys, lab):
    code, _document = json_report(
        capsys, *audit_args(lab.nameserver, "--fail-on", "medium", ip=GENERIC_IP)
    )
    assert code == 1


def test_text_summary_goes_to_stdout_by_default(capsys, lab):
    code, out, err = cli(capsys, *audit_args(lab.nameserver, ip=MISSING_IP))
    assert code == 1
    assert "PTR_MISSING" in out
    assert "PTR_MISSING" not in err


def test_junit_output_from_the_extension(capsys, lab, tmp_path):
    report = tmp_path / "r.xml"
    cli(capsys, *audit_args(lab.nameserver, "-o", str(report), ip=MISSING_IP))
    failures = ET.parse(report).getroot().findall(".//failure")
    assert [f.get("type") for f in failures] == ["PTR_MISSING"]


def test_several_outputs_are_all_written(capsys, lab, tmp_path):
    cli(
        capsys,
        *audit_args(lab.nameserver, "-o", str(tmp_path / "r.json"), "-o", str(tmp_path / "r.txt")),
    )
    assert json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))["schema_version"] == "1"
    assert (tmp_path / "r.txt").read_text(encoding="utf-8").strip()


def test_config_batch_writes_one_report_per_domain(capsys, lab, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "out").mkdir()
    config = tmp_path / "batch.toml"
    config.write_text(
        'domains = ["a.example.test", "b.example.test"]\n'
        f'ip = ["{CLEAN_IP}"]\n'
        f'nameserver = ["{lab.nameserver}"]\n'
        'checks = ["ptr"]\n',
        encoding="utf-8",
    )
    code, _out, _err = cli(capsys, "audit", "--config", str(config), "-o", "out/{domain}.json")
    assert code == 0
    written = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert written == ["a.example.test.json", "b.example.test.json"]
    document = json.loads((tmp_path / "out" / "b.example.test.json").read_text(encoding="utf-8"))
    assert document["target"]["domain"] == "b.example.test"


def test_batch_exit_code_is_the_worst_of_the_runs(capsys, lab, tmp_path):
    config = tmp_path / "batch.toml"
    config.write_text(
        'domains = ["a.example.test", "b.example.test"]\n'
        f'ip = ["{MISSING_IP}"]\nchecks = ["ptr"]\n',
        encoding="utf-8",
    )
    pattern = str(tmp_path / "{domain}.json")
    code, _out, _err = cli(
        capsys, "audit", "--config", str(config), "--nameserver", lab.nameserver, "-o", pattern
    )
    assert code == 1


def test_command_line_flag_wins_over_the_config(capsys, lab, tmp_path):
    config = tmp_path / "c.toml"
    config.write_text('fail_on = "never"\n', encoding="utf-8")
    code, _document = json_report(
        capsys,
        *audit_args(lab.nameserver, "--config", str(config), "--fail-on", "high", ip=MISSING_IP),
    )
    assert code == 1


def test_config_fail_on_applies_without_the_flag(capsys, lab, tmp_path):
    config = tmp_path / "c.toml"
    config.write_text('fail-on = "never"\n', encoding="utf-8")
    code, _document = json_report(
        capsys, *audit_args(lab.nameserver, "--config", str(config), ip=MISSING_IP)
    )
    assert code == 0


def test_checks_selects_the_checks_run(capsys, lab):
    _code, document = json_report(capsys, *audit_args(lab.nameserver))
    assert [c["id"] for c in document["checks"]] == ["ptr"]


@pytest.mark.skipif(len(CHECKS) < 2, reason="only one check is registered")
def test_skip_removes_a_check(capsys, silent_nameserver):
    _code, document = json_report(
        capsys,
        "audit",
        "example.test",
        "--ip",
        CLEAN_IP,
        "--nameserver",
        silent_nameserver,
        "--timeout",
        "0.3",
        "--deadline",
        "3",
        "--skip",
        "ptr",
    )
    assert "ptr" not in [c["id"] for c in document["checks"]]


def test_without_checks_every_registered_check_runs(capsys, silent_nameserver):
    _code, document = json_report(
        capsys,
        "audit",
        "example.test",
        "--ip",
        CLEAN_IP,
        "--nameserver",
        silent_nameserver,
        "--timeout",
        "0.3",
        "--deadline",
        "3",
    )
    assert sorted(c["id"] for c in document["checks"]) == sorted(c.value for c in CHECKS)


def test_nameserver_from_the_environment(capsys, lab, monkeypatch):
    monkeypatch.setenv(NAMESERVER_ENV, lab.nameserver)
    code, document = json_report(
        capsys, "audit", "example.test", "--ip", CLEAN_IP, "--checks", "ptr"
    )
    assert code == 0
    assert document["resolver"]["nameservers"] == [lab.nameserver]


def test_version(capsys):
    code, out, _err = cli(capsys, "--version")
    assert code == 0
    assert out.strip() == f"mailhygiene {audit.__version__}"


def test_help(capsys):
    code, out, _err = cli(capsys, "audit", "--help")
    assert code == 0
    assert "--fail-on" in out
