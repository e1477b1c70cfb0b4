"""`mailhygiene logs` and `audit --log`: exit codes, the JSON document, skipping."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import jsonschema
import pytest
from support.cli_run import cli
from support.context import check_context
from support.paths import REPO

import audit
from audit.cli import main
from audit.model import CheckStatus
from checks.volume.check import VolumeCheck

SAMPLES = REPO / "samples" / "logs"
SCHEMA = json.loads((Path(audit.__file__).parent / "schema" / "result.schema.json").read_text())


def logs_json(capsys, *argv: str) -> tuple[int, dict]:
    code, out, _ = cli(capsys, "logs", *argv, "--format", "json")
    document = json.loads(out)
    jsonschema.validate(document, SCHEMA)
    return code, document


def test_the_compromised_sample_exits_1_with_a_critical_finding(capsys) -> None:
    code, document = logs_json(capsys, str(SAMPLES / "postfix-compromised.log"))
    findings = {(f["code"], f["severity"]) for f in document["findings"]}
    assert code == 1 and document["target"]["domain"] is None
    assert ("VOLUME_COMPROMISED_ACCOUNT", "critical") in findings
    assert ("VOLUME_REMOTE_BLOCKS", "high") in findings
    assert all(f["remediation"]["links"] for f in document["findings"])


def test_the_evidence_has_the_hourly_series_and_rejections(capsys) -> None:
    _, document = logs_json(capsys, str(SAMPLES / "postfix-compromised.log"))
    evidence = document["checks"][0]["evidence"]
    series = evidence["hourly"]["alice@northwind.example"]
    assert max(count for _, count in series) == 1200
    assert {r["provider"] for r in evidence["rejections"]} >= {"microsoft-outlook", "google-gmail"}
    assert evidence["formats"] == ["postfix"] and evidence["lines_skipped"] == 0


def test_mailgun_sending_ips_become_log_sourced_target_ips(capsys) -> None:
    _, document = logs_json(capsys, str(SAMPLES / "mailgun-events.jsonl"), "--fail-on", "never")
    assert document["target"]["ips"] == [
        {"ip": "198.51.100.30", "source": "log", "detail": "seen in the logs"}
    ]


def test_an_empty_log_is_unknown_not_a_pass(capsys, tmp_path: Path) -> None:
    # given a log file that holds no mail event (issue 8, item 15: no mail is not a pass)
    empty = tmp_path / "empty.log"
    empty.write_text("")
    # when the volume check reads it
    code, document = logs_json(capsys, str(empty))
    # then the check is unknown with the reason, and the run is incomplete (exit 3)
    check = document["checks"][0]
    assert code == 3 and check["status"] == "unknown"
    assert [(u["subject"], u["reason"]) for u in check["unknowns"]] == [("logs", "dependency")]
    assert check["unknowns"][0]["detail"] == "the log files hold no mail events"


def test_audit_with_an_empty_log_reports_volume_unknown(capsys, tmp_path: Path) -> None:
    empty = tmp_path / "empty.log"
    empty.write_text("")
    argv = ["audit", "example.test", "--ip", "192.0.2.1", "--checks", "volume", "--log"]
    code, out, _ = cli(capsys, *argv, str(empty), "--format", "json", "-o", "-")
    assert code == 3 and json.loads(out)["checks"][0]["status"] == "unknown"


def test_fail_on_never_exits_0(capsys) -> None:
    code, _ = logs_json(capsys, str(SAMPLES / "exim-mainlog.log"), "--fail-on", "never")
    assert code == 0


@pytest.mark.parametrize("content", [None, "this is not a mail log\n"])
def test_a_missing_or_unknown_log_exits_2(capsys, tmp_path: Path, content: str | None) -> None:
    path = tmp_path / "mail.log"
    if content is not None:
        path.write_text(content)
    code, out, err = cli(capsys, "logs", str(path))
    assert code == 2 and out == "" and err.startswith("mailhygiene: error:")


def test_audit_with_a_bad_log_path_exits_2(capsys, tmp_path: Path) -> None:
    code, _, err = cli(
        capsys, "audit", "example.test", "--nameserver", "127.0.0.1:53",
        "--log", str(tmp_path / "missing.log"),
    )  # fmt: skip
    assert code == 2 and "missing.log" in err


def test_audit_with_log_runs_the_volume_check(capsys) -> None:
    code, out, _ = cli(
        capsys, "audit", "example.test", "--ip", "192.0.2.1", "--nameserver", "127.0.0.1:9",
        "--checks", "volume", "--log", str(SAMPLES / "exim-mainlog.log"), "--format", "json",
    )  # fmt: skip
    document = json.loads(out)
    jsonschema.validate(document, SCHEMA)
    assert code == 1 and document["checks"][0]["id"] == "volume"
    assert "VOLUME_BURST" in {f["code"] for f in document["findings"]}


def test_without_log_the_volume_check_is_skipped() -> None:
    async def run() -> CheckStatus:
        result = await VolumeCheck().run(check_context(None, "example.test"))
        assert result.detail == "no --log given"
        return result.status

    assert asyncio.run(run()) is CheckStatus.SKIPPED


def test_config_file_accepts_log(tmp_path: Path) -> None:
    from audit.cli.audit_command import build_plan

    config = tmp_path / "c.toml"
    config.write_text(f'log = ["{SAMPLES / "exim-mainlog.log"}"]\nnameserver = ["127.0.0.1:9"]\n')
    plan = build_plan({"domain": "example.test", "config": config})
    assert plan.runs[0].run.log_files == (str(SAMPLES / "exim-mainlog.log"),)


def test_an_audit_that_needs_no_dns_needs_no_nameserver(capsys) -> None:
    # given only the volume check, given IPs and no nameserver anywhere (the system
    # resolver is guarded: asking for it fails the test)
    argv = ["audit", "example.test", "--ip", "192.0.2.1", "--checks", "volume"]
    argv += ["--log", str(SAMPLES / "exim-mainlog.log"), "--format", "json"]
    # when it runs
    with pytest.raises(SystemExit):
        main(argv)
    document = json.loads(capsys.readouterr().out)
    # then it reports without a resolver
    assert document["checks"][0]["id"] == "volume"
    assert document["resolver"]["nameservers"] == []
