"""The relay options on the command line and in --config: --smtp-host, --no-relay-probe."""

from __future__ import annotations

import json

import pytest
from support.cli_run import cli
from support.smtp_fixtures import SmtpFactory

from audit.lab.smtpscript import SmtpScript
from audit.model.errors import InputError
from audit.model.inputs import parse_smtp_host

SOA = "@ 300 IN SOA ns.example.test. hostmaster.example.test. 1 3600 600 86400 300\n"
ZONES = {"example.test": SOA + "@ IN MX 10 mx1.example.test.\nmx1 IN A 127.0.0.1\n"}


def relay_audit(capsys, nameserver: str, *extra: str) -> tuple[int, dict]:
    argv = ["audit", "example.test", "--nameserver", nameserver, "--checks", "relay"]
    code, out, _err = cli(capsys, *argv, "--format", "json", "--timeout", "1", *extra)
    return code, json.loads(out)


@pytest.fixture
def lab(dns_server):
    return dns_server(zones=ZONES)


def test_smtp_host_is_probed_instead_of_the_mx(capsys, lab, smtp_server: SmtpFactory) -> None:
    server = smtp_server(SmtpScript.open_relay(starttls=True))
    code, document = relay_audit(capsys, lab.nameserver, "--smtp-host", server.address)
    assert code == 1
    assert [f["code"] for f in document["findings"]] == ["RELAY_OPEN"]
    assert document["checks"][0]["evidence"]["servers"][0]["port"] == server.port
    assert document["summary"]["delisting"]["blockers"] == ["RELAY_OPEN"]


def test_no_relay_probe_skips_the_check(capsys, lab, smtp_server: SmtpFactory) -> None:
    server = smtp_server()
    code, document = relay_audit(
        capsys, lab.nameserver, "--smtp-host", server.address, "--no-relay-probe"
    )
    assert code == 0
    assert document["checks"][0]["status"] == "skipped"
    assert server.sessions == []


def test_config_file_keys(capsys, lab, smtp_server: SmtpFactory, tmp_path) -> None:
    server = smtp_server()
    config = tmp_path / "c.toml"
    config.write_text(f'smtp_host = ["{server.address}"]\nno-relay-probe = true\n', "utf-8")
    _code, document = relay_audit(capsys, lab.nameserver, "--config", str(config))
    assert document["checks"][0]["status"] == "skipped"


@pytest.mark.parametrize("bad", ["mx_1", "127.0.0.1:0", "127.0.0.1:99999", "[::1]x", "a.test:x"])
def test_bad_smtp_host_is_a_usage_error(capsys, bad: str) -> None:
    argv = ["audit", "example.test", "--nameserver", "127.0.0.1:53", "--smtp-host", bad]
    code, _out, err = cli(capsys, *argv)
    assert code == 2
    assert len(err.strip().splitlines()) == 1 and "--smtp-host" in err


@pytest.mark.parametrize(
    ("text", "parsed"),
    [
        ("mx.example.com", ("mx.example.com", 25)),
        ("MX.Example.com:2525", ("mx.example.com", 2525)),
        ("192.0.2.1:587", ("192.0.2.1", 587)),
        ("[2001:db8::1]:25", ("2001:db8::1", 25)),
        ("2001:db8::1", ("2001:db8::1", 25)),
    ],
)
def test_parse_smtp_host(text: str, parsed: tuple[str, int]) -> None:
    assert parse_smtp_host(text) == parsed


def test_parse_smtp_host_rejects_a_non_numeric_port() -> None:
    with pytest.raises(InputError):
        parse_smtp_host("mx.example.com:smtp")
