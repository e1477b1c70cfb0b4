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


@pytest.mark.parametrize("command", ["logs", "blacklist"])
def test_the_report_options_of_audit_reach_logs_and_blacklist(capsys, tmp_path, command) -> None:  # type: ignore[no-untyped-def]
    # given the colour, appendix, fixed and paper options of `audit`
    target = [str(EXIM_LOG)] if command == "logs" else ["192.0.2.1", "--nameserver", "127.0.0.1:9"]
    out = tmp_path / "r.html"
    options = ["--brand-color", "#123456", "--appendix", "--fixed", "PTR_MISSING"]
    code, err = run(capsys, command, *target, *options, "--paper", "letter", "-o", str(out))
    # then the command takes them (no usage error) and the report carries the colour
    assert code != 2, err
    assert ":root { --brand: #123456; }" in out.read_text(encoding="utf-8")


@pytest.mark.parametrize("command", ["logs", "blacklist", "message", "report", "audit"])
def test_a_bad_paper_size_is_exit_2_with_one_line(capsys, tmp_path, command) -> None:  # type: ignore[no-untyped-def]
    target = {
        "logs": [str(EXIM_LOG)],
        "blacklist": ["192.0.2.1", "--nameserver", "127.0.0.1:9"],
        "message": [str(REPO / "samples" / "lab" / "messages" / "newsletter.eml")],
        "report": [str(REPO / "tests" / "fixtures" / "report" / "northwind-result.json")],
        "audit": ["example.test", "--nameserver", "127.0.0.1:9"],
    }[command]
    code, err = run(capsys, command, *target, "--paper", "a5", "-o", str(tmp_path / "r.pdf"))
    assert code == 2
    assert len(err.strip().splitlines()) == 1 and "--paper" in err


@pytest.mark.slow
@pytest.mark.parametrize(("paper", "size"), [("a4", (595, 842)), ("letter", (612, 792))])
def test_the_pdf_page_size_follows_paper(capsys, tmp_path, paper, size) -> None:  # type: ignore[no-untyped-def]
    # given a logs-only run, when it writes the HTML the PDF is laid out from
    import weasyprint

    out = tmp_path / "r.html"
    _, err = run(capsys, "logs", str(EXIM_LOG), "--paper", paper, "-o", str(out))
    # then its print pages have that size (A4 595 x 842 pt, Letter 612 x 792 pt; 96 px = 72 pt)
    page = weasyprint.HTML(string=out.read_text(encoding="utf-8")).render().pages[0]
    assert (round(page.width * 0.75), round(page.height * 0.75)) == size, err


def test_output_flags_hold_one_field_per_output_option_in_help_order() -> None:
    # given the declarations the single-purpose commands append to their own options
    from audit.cli.common import OutputFlags
    from audit.cli.specs import OUTPUT_OPTIONS

    # then OutputFlags has a field for each, same name, same order (a missing field would
    # make `OutputFlags(**given)` raise on the first command line that sets it)
    assert OutputFlags._fields == tuple(spec.name for spec in OUTPUT_OPTIONS)


@pytest.mark.parametrize("command", ["blacklist", "logs", "message", "report"])
def test_each_command_declares_the_output_options_once(command: str) -> None:
    # given the Typer command a single-purpose command is built into
    import typer.main

    from audit.cli.specs import ALLOW_INCOMPLETE, OUTPUT_OPTIONS
    from audit.cli.typer_app import build_app

    click_command = typer.main.get_command(build_app(command)).commands[command]  # type: ignore[attr-defined]
    names = [p.name for p in click_command.params]
    # then every output option is a parameter of it, after its own, in declaration order
    wanted = [s.name for s in OUTPUT_OPTIONS if command != "report" or s is not ALLOW_INCOMPLETE]
    assert names[-len(wanted) :] == wanted
    assert len(names) == len(set(names))
