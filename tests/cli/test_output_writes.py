"""Report files are written all or nothing, and an unwritable -o fails before any query.

A run whose outputs cannot all be written exits 2 with one line and leaves none of its
files behind (a partial HTML would still say "Ready to request delisting"; a JSON saying
exit 0 beside a run that exited 2 would mislead CI).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from audit.cli import main

SOA = "@ 300 IN SOA ns.{0}. hostmaster.{0}. 1 3600 600 86400 300\n"
REVERSE = "2.0.192.in-addr.arpa"
ZONES = {
    REVERSE: SOA.format(REVERSE) + "1 IN PTR mail.example.test.\n",
    "example.test": SOA.format("example.test") + "mail IN A 192.0.2.1\n",
}


def cli(capsys, *argv: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exited:
        main(list(argv))
    captured = capsys.readouterr()
    return int(exited.value.code), captured.out, captured.err


def audit_argv(nameserver: str, *outputs: str, fmt: str | None = None) -> list[str]:
    argv = ["audit", "example.test", "--ip", "192.0.2.1", "--checks", "ptr"]
    argv += ["--format", fmt] if fmt else []
    return [*argv, "--nameserver", nameserver, *[a for o in outputs for a in ("-o", o)]]


@pytest.fixture
def unwritable_dir(tmp_path: Path) -> Iterator[Path]:
    """A directory no file can be created in: mode 0500, or for root (who ignores modes)
    a kernel directory that refuses new files."""
    if os.geteuid() != 0:
        locked = tmp_path / "locked"
        locked.mkdir(mode=0o500)
        yield locked
        locked.chmod(0o700)
        return
    candidate = Path("/sys/kernel")
    try:
        (candidate / "probe.json").touch()
    except OSError:
        yield candidate
        return
    pytest.skip("no unwritable directory on this machine")


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_a_failing_second_output_leaves_no_first_file_and_exits_2(dns_server, capsys, tmp_path):
    lab = dns_server(zones=ZONES)
    first = tmp_path / "out.json"

    code, _, err = cli(capsys, *audit_argv(lab.nameserver, str(first), "/dev/full", fmt="json"))

    assert code == 2
    assert len(err.strip().splitlines()) == 1
    assert "/dev/full" in err
    assert not first.exists()
    assert list(tmp_path.iterdir()) == []  # no temporary file either


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_an_html_report_is_not_left_when_another_output_fails(dns_server, capsys, tmp_path):
    lab = dns_server(zones=ZONES)
    html = tmp_path / "report.html"

    code, _, _ = cli(capsys, *audit_argv(lab.nameserver, str(html), "/dev/full", fmt="html"))

    assert code == 2
    assert not html.exists()


def test_an_unwritable_directory_is_exit_2_before_any_dns_query(
    dns_server, capsys, unwritable_dir: Path
):
    lab = dns_server(zones=ZONES)

    code, _, err = cli(capsys, *audit_argv(lab.nameserver, str(unwritable_dir / "r.json")))

    assert code == 2
    assert len(err.strip().splitlines()) == 1
    assert lab.queries == 0


def test_a_directory_given_as_the_output_file_is_exit_2_before_any_dns_query(
    dns_server, capsys, tmp_path
):
    lab = dns_server(zones=ZONES)
    (tmp_path / "r.json").mkdir()

    code, _, err = cli(capsys, *audit_argv(lab.nameserver, str(tmp_path / "r.json")))

    assert code == 2
    assert "directory" in err
    assert lab.queries == 0


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write read-only files")
def test_a_read_only_existing_file_is_exit_2_before_any_dns_query(dns_server, capsys, tmp_path):
    lab = dns_server(zones=ZONES)
    existing = tmp_path / "r.json"
    existing.write_text("{}", encoding="utf-8")
    existing.chmod(0o400)

    code, _, _ = cli(capsys, *audit_argv(lab.nameserver, str(existing)))

    assert code == 2
    assert lab.queries == 0
    assert existing.read_text(encoding="utf-8") == "{}"


def test_blacklist_checks_its_outputs_before_any_dns_query(dns_server, capsys, unwritable_dir):
    lab = dns_server(zones=ZONES)

    argv = ["blacklist", "192.0.2.1", "--nameserver", lab.nameserver, "-o"]
    code, _, _ = cli(capsys, *argv, str(unwritable_dir / "r.json"))

    assert code == 2
    assert lab.queries == 0


def test_a_written_report_replaces_the_old_one_and_leaves_no_temporary(
    dns_server, capsys, tmp_path
):
    lab = dns_server(zones=ZONES)
    report = tmp_path / "r.json"
    report.write_text("old", encoding="utf-8")

    code, _, _ = cli(capsys, *audit_argv(lab.nameserver, str(report)))

    assert code == 0
    assert report.read_text(encoding="utf-8").startswith("{")
    assert [p.name for p in tmp_path.iterdir()] == ["r.json"]
