"""End-to-end: a real Postfix on loopback (tests/support/postfix_fixture.py) receives a
signed message from the test and queues it with its own Received header; the `message`
command then analyses the file Postfix wrote (`postcat -bh`: header and body as queued).

The open listener relays for anyone, and `defer_transports = smtp relay` keeps the
message in the private queue: nothing leaves the machine.
"""

from __future__ import annotations

import json
import re
import shutil
import smtplib
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from support import messages as m
from support.postfix_fixture import HOSTNAME, Postfix, start_postfix, stop_postfix

from audit.cli import main

pytestmark = pytest.mark.postfix
ENVELOPE_SENDER = f"bounce@{m.DOMAIN}"


@pytest.fixture(scope="module")
def postfix() -> Iterator[Postfix]:
    instance = start_postfix()
    yield instance
    stop_postfix(instance)


def queued_by_postfix(postfix: Postfix, data: bytes) -> bytes:
    """Send `data` over SMTP on loopback; return the message as Postfix queued it."""
    with smtplib.SMTP("127.0.0.1", postfix.open_port, local_hostname=f"out.{m.DOMAIN}") as smtp:
        smtp.ehlo(f"out.{m.DOMAIN}")
        smtp.mail(ENVELOPE_SENDER)
        smtp.rcpt("customer@receiver.test")
        code, reply = smtp.data(data)
    assert code == 250, reply
    queue_id = re.search(rb"queued as (\w+)", reply)
    assert queue_id is not None, reply
    postcat = shutil.which("postcat") or "/usr/sbin/postcat"
    shown = subprocess.run(
        [postcat, "-c", str(postfix.config_dir), "-bh", "-q", queue_id.group(1).decode()],
        capture_output=True,
        timeout=30,
        check=True,
    )
    # local(8) prepends Return-Path (the envelope sender) when it delivers; the queue
    # file keeps the sender in its envelope record instead.
    return f"Return-Path: <{ENVELOPE_SENDER}>\n".encode() + shown.stdout


@pytest.fixture
def zones_with_loopback_spf() -> dict[str, str]:
    zones = m.zones()
    zones[m.DOMAIN] = zones[m.DOMAIN].replace("-all", "ip4:127.0.0.1 -all", 1)
    return zones


def test_message_reads_postfixs_own_received_header(
    postfix, dns_server, zones_with_loopback_spf, tmp_path, capsys
):
    nameserver = dns_server(zones=zones_with_loopback_spf).nameserver
    stored = tmp_path / "queued.eml"
    stored.write_bytes(queued_by_postfix(postfix, m.sign(m.message())))

    with pytest.raises(SystemExit):
        main(["message", str(stored), "--nameserver", nameserver, "--format", "json"])
    document = json.loads(capsys.readouterr().out)

    analysis = document["checks"][0]["evidence"]["messages"][0]["analysis"]
    trusted = analysis["hops"][analysis["trusted_hop"]]
    assert trusted["by"] == HOSTNAME
    assert trusted["ip"] == "127.0.0.1"
    assert trusted["tls"] is False  # plain ESMTP on loopback, as Postfix recorded it
    assert analysis["spf"]["result"] == "pass"
    assert [s["result"] for s in analysis["dkim"]] == ["pass"]
    assert analysis["dmarc"]["result"] == "pass"
    codes = {f["code"] for f in document["findings"]}
    assert codes == {"MESSAGE_HOP_WITHOUT_TLS"}


def test_the_trusted_receiver_option_names_postfix(
    postfix, dns_server, zones_with_loopback_spf, tmp_path: Path, capsys
):
    nameserver = dns_server(zones=zones_with_loopback_spf).nameserver
    stored = tmp_path / "queued.eml"
    earlier_hop = m.received(by="mx.elsewhere.test")[len(b"Return-Path: <bounce@shop.test>\r\n") :]
    stored.write_bytes(queued_by_postfix(postfix, earlier_hop + m.sign(m.message())))

    with pytest.raises(SystemExit):
        main([
            "message", str(stored), "--nameserver", nameserver, "--format", "json",
            "--trusted-receiver", "postfix-lab.test",
        ])  # fmt: skip
    analysis = json.loads(capsys.readouterr().out)["checks"][0]["evidence"]["messages"][0]
    assert analysis["analysis"]["trusted_hop"] == 0
    assert len(analysis["analysis"]["hops"]) == 2
