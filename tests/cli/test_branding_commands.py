"""Branding options reach the HTML report of every command that writes one."""

from __future__ import annotations

import pytest
from support.paths import REPO

from audit.cli import main

EXIM_LOG = REPO / "samples" / "logs" / "exim-mainlog.log"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    with pytest.raises(SystemExit) as exited:
        main(list(argv))
    return int(exited.value.code or 0), capsys.readouterr().err


def test_logs_report_carries_the_brand_and_client(capsys, tmp_path) -> None:  # type: ignore[no-untyped-def]
    # given a log and branding options, when `logs` writes HTML
    out = tmp_path / "logs.html"
    run(capsys, "logs", str(EXIM_LOG), "--brand-name", "Acme <Consulting>",
        "--client-name", "Northwind", "-o", str(out))  # fmt: skip
    html = out.read_text(encoding="utf-8")
    # then the brand (escaped) and the client name are in the report
    assert "Acme &lt;Consulting&gt;" in html
    assert "Northwind" in html


def test_blacklist_report_carries_the_brand(capsys, tmp_path, dns_server) -> None:  # type: ignore[no-untyped-def]
    # given a blacklist run with a brand name, when it writes HTML
    server = dns_server(zones={"example.test": "@ 300 SOA ns. h. 1 2 3 4 5\n"})
    out = tmp_path / "bl.html"
    run(capsys, "blacklist", "192.0.2.1", "--nameserver", server.nameserver, "--timeout", "0.5",
        "--brand-name", "Acme Consulting", "-o", str(out))  # fmt: skip
    # then the report is branded
    assert "Acme Consulting" in out.read_text(encoding="utf-8")


@pytest.mark.parametrize("command", ["logs", "blacklist"])
def test_unreadable_logo_is_a_usage_error(capsys, tmp_path, command) -> None:  # type: ignore[no-untyped-def]
    # given a logo path that does not exist, when a command is asked to brand its report
    target = [str(EXIM_LOG)] if command == "logs" else ["192.0.2.1", "--nameserver", "127.0.0.1:9"]
    logo = str(tmp_path / "missing.png")
    code, err = run(capsys, command, *target, "--brand-logo", logo, "-o", str(tmp_path / "r.html"))
    # then it exits 2 with one line naming the option, before doing any work
    assert code == 2
    assert len(err.strip().splitlines()) == 1
    assert "--brand-logo" in err


def test_logs_only_report_is_titled_by_its_log_files(capsys, tmp_path) -> None:  # type: ignore[no-untyped-def]
    # given a Postfix log (it never states the local sending IP) and no --domain
    out = tmp_path / "logs.html"
    run(capsys, "logs", str(REPO / "samples" / "logs" / "postfix-compromised.log"), "-o", str(out))
    # then the cover names the log files instead of an empty subject
    assert "<h1>mail logs: postfix-compromised.log</h1>" in out.read_text(encoding="utf-8")
