"""A real Postfix on loopback with STARTTLS, for the mx check's end-to-end tier.

The relay tier's private instance (tests/support/postfix_fixture.py: no port 25, no
delivery, started as root, skipped without Postfix), with one smtpd listener per test
certificate (`-o smtpd_tls_cert_file=... -o smtpd_tls_key_file=...`,
`smtpd_tls_security_level = may`) and one without TLS.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

from support.postfix_fixture import (
    HOSTNAME,
    MAIN_CF,
    _free_port,
    _require_postfix,
    _wait_listening,
    master_cf,
)
from support.tlslab import Issued


@dataclass(frozen=True)
class TlsPostfix:
    config_dir: Path
    ports: Mapping[str, int]  # certificate label -> listener port ("plain": no TLS)

    def log(self) -> str:
        path = self.config_dir / "postfix.log"
        return path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""


def _listener(port: int, issued: Issued | None) -> str:
    if issued is None:
        return f"127.0.0.1:{port} inet n - n - - smtpd -o smtpd_tls_security_level=none"
    return (
        f"127.0.0.1:{port} inet n - n - - smtpd -o smtpd_tls_security_level=may"
        f" -o smtpd_tls_cert_file={issued.chain} -o smtpd_tls_key_file={issued.key}"
    )


def start_tls_postfix(certificates: Mapping[str, Issued]) -> TlsPostfix:
    binary = _require_postfix()
    config_dir = Path(tempfile.mkdtemp(prefix="mailhygiene-postfix-tls-"))
    config_dir.chmod(0o755)
    (config_dir / "queue").mkdir()
    (config_dir / "data").mkdir()
    shutil.chown(config_dir / "data", user="postfix")
    ports = {label: _free_port() for label in [*certificates, "plain"]}
    listeners = [_listener(ports[label], certificates.get(label)) for label in ports]
    (config_dir / "main.cf").write_text(MAIN_CF.format(dir=config_dir, hostname=HOSTNAME))
    (config_dir / "master.cf").write_text(master_cf(listeners))
    instance = TlsPostfix(config_dir, ports)
    started = subprocess.run(
        [binary, "-c", str(config_dir), "start"], capture_output=True, text=True, timeout=30
    )
    if started.returncode != 0 or not all(map(_wait_listening, ports.values())):
        stop_tls_postfix(instance)
        pytest.fail(f"postfix did not start: {started.stderr.strip()} {instance.log()[-2000:]}")
    return instance


def stop_tls_postfix(instance: TlsPostfix) -> None:
    subprocess.run(
        ["postfix", "-c", str(instance.config_dir), "stop"], capture_output=True, timeout=30
    )
    shutil.rmtree(instance.config_dir, ignore_errors=True)
