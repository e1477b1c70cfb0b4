"""A real Postfix on loopback for the relay check's end-to-end tier (Debian `postfix`).

A private instance in a temporary directory (reference/test-servers.md), with two
smtpd listeners on random high ports: one closed (its `mynetworks` excludes loopback,
so 127.0.0.1 is a stranger) and one open relay (`mynetworks = 0.0.0.0/0`). Nothing can
leave: `defer_transports = smtp relay` keeps any accepted mail in the private queue,
and the probe never sends DATA anyway. Without Postfix these tests skip, unless
MAILHYGIENE_REQUIRE_POSTFIX=1 (CI), where they fail.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

POSTFIX = shutil.which("postfix") or (
    "/usr/sbin/postfix" if Path("/usr/sbin/postfix").exists() else None
)
SYSTEM_MASTER_CF = Path("/etc/postfix/master.cf")
HOSTNAME = "mx.postfix-lab.test"
START_TIMEOUT_S = 10.0

MAIN_CF = """\
compatibility_level = 3.6
queue_directory = {dir}/queue
data_directory = {dir}/data
maillog_file = {dir}/postfix.log
maillog_file_prefixes = {dir}
syslog_name = postfix-mailhygiene-test
myhostname = {hostname}
mydomain = postfix-lab.test
myorigin = $mydomain
mydestination = $myhostname, postfix-lab.test
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
# 192.0.2.0/24 (TEST-NET-1) only: 127.0.0.1 is a stranger to the closed listener.
mynetworks = 192.0.2.0/24
smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination
# Nothing is ever delivered (an error: transport would reject at RCPT time instead).
defer_transports = smtp relay
# The probe's 16 rejected RCPTs must not be slowed down by error sleeps.
smtpd_soft_error_limit = 100
smtpd_hard_error_limit = 100
smtpd_error_sleep_time = 0
smtpd_banner = $myhostname ESMTP Postfix
alias_maps =
alias_database =
biff = no
"""
# Postfix's own defaults (postconf -d), spelled out: main.cf above turns them off for
# the other listeners. After 10 errors each reply waits 1 s; after 20 Postfix hangs up.
DEFAULT_ERROR_LIMIT_OPTIONS = (
    "-o smtpd_soft_error_limit=10 -o smtpd_hard_error_limit=20 -o smtpd_error_sleep_time=1s"
)
# An operator's stricter setting: replies slow down from the 3rd error on.
LOW_ERROR_LIMIT_OPTIONS = (
    "-o smtpd_soft_error_limit=3 -o smtpd_hard_error_limit=20 -o smtpd_error_sleep_time=1s"
)
OPEN_RELAY_OPTIONS = (
    "-o mynetworks=0.0.0.0/0"
    " -o smtpd_relay_restrictions=permit_mynetworks,reject_unauth_destination"
)


@dataclass(frozen=True)
class Postfix:
    config_dir: Path
    closed_port: int
    open_port: int
    default_limits_port: int  # closed, with Postfix's default error limits and sleep
    low_limit_port: int  # closed, slowing down from the 3rd error on

    def log(self) -> str:
        path = self.config_dir / "postfix.log"
        return path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def master_cf(listeners: list[str]) -> str:
    """Debian's master.cf without its port-25 listener and without chroot, plus `listeners`
    (master.cf lines of our own smtpd services)."""
    lines = []
    for line in SYSTEM_MASTER_CF.read_text(encoding="utf-8").splitlines():
        fields = line.split()
        if line[:1] in ("", "#", " ", "\t") or len(fields) < 8:
            lines.append(line)
        elif not (fields[0] == "smtp" and fields[1] == "inet"):
            fields[4] = "n"  # no chroot: the private queue has no chroot jail
            lines.append("  ".join(fields))
    return "\n".join([*lines, *listeners]) + "\n"


def _relay_listeners(
    closed_port: int, open_port: int, default_limits_port: int, low_limit_port: int
) -> list[str]:
    return [
        f"127.0.0.1:{closed_port} inet n - n - - smtpd",
        f"127.0.0.1:{open_port} inet n - n - - smtpd {OPEN_RELAY_OPTIONS}",
        f"127.0.0.1:{default_limits_port} inet n - n - - smtpd {DEFAULT_ERROR_LIMIT_OPTIONS}",
        f"127.0.0.1:{low_limit_port} inet n - n - - smtpd {LOW_ERROR_LIMIT_OPTIONS}",
    ]


def _require_postfix() -> str:
    if POSTFIX is None or not SYSTEM_MASTER_CF.exists():
        if os.environ.get("MAILHYGIENE_REQUIRE_POSTFIX") == "1":
            pytest.fail("postfix is required (MAILHYGIENE_REQUIRE_POSTFIX=1) but not installed")
        pytest.skip("postfix not installed (apt-get install postfix)")
    if os.geteuid() != 0:
        pytest.skip("a private Postfix instance must be started as root")
    return POSTFIX


def _wait_listening(port: int) -> bool:
    until = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < until:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return True
        except OSError:
            time.sleep(0.05)
    return False


def start_postfix() -> Postfix:
    binary = _require_postfix()
    config_dir = Path(tempfile.mkdtemp(prefix="mailhygiene-postfix-"))
    config_dir.chmod(0o755)
    (config_dir / "queue").mkdir()  # root-owned; `postfix start` creates the rest
    (config_dir / "data").mkdir()
    shutil.chown(config_dir / "data", user="postfix")
    ports = (_free_port(), _free_port(), _free_port(), _free_port())
    (config_dir / "main.cf").write_text(MAIN_CF.format(dir=config_dir, hostname=HOSTNAME))
    (config_dir / "master.cf").write_text(master_cf(_relay_listeners(*ports)))
    instance = Postfix(config_dir, *ports)
    started = subprocess.run(
        [binary, "-c", str(config_dir), "start"], capture_output=True, text=True, timeout=30
    )
    if started.returncode != 0 or not all(map(_wait_listening, ports)):
        stop_postfix(instance)
        pytest.fail(f"postfix did not start: {started.stderr.strip()} {instance.log()[-2000:]}")
    return instance


def stop_postfix(instance: Postfix) -> None:
    if POSTFIX is not None:
        subprocess.run(
            [POSTFIX, "-c", str(instance.config_dir), "stop"], capture_output=True, timeout=30
        )
    shutil.rmtree(instance.config_dir, ignore_errors=True)
