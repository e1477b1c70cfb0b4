"""The lab MX's real STARTTLS (RFC 3207) and the certificates made at lab start.

Clients are the standard library's smtplib (starttls) on 127.0.0.1, validating the
chain against the lab CA the way a sender with `--ca-file` does.
"""

from __future__ import annotations

import contextlib
import smtplib
import ssl
from pathlib import Path

from support.smtp_fixtures import SmtpFactory

from audit.lab.pki import LabPki
from audit.lab.smtpscript import SmtpScript
from audit.lab.smtpserver import ScriptedSmtpServer


def lab_pki(folder: Path) -> LabPki:
    return LabPki.create(folder, ("mx1.lab.test",), ("127.0.0.1",))


def validating_client(pki: LabPki) -> ssl.SSLContext:
    """Chain and name checked (smtplib gives the host it connected to as the name)."""
    return ssl.create_default_context(cafile=str(pki.ca_file))


def tls_server(smtp_server: SmtpFactory, pki: LabPki) -> ScriptedSmtpServer:
    return smtp_server(SmtpScript.closed(starttls=True, tls_context=pki.server_context()))


def test_starttls_with_a_context_completes_a_handshake_the_lab_ca_validates(
    smtp_server: SmtpFactory, tmp_path: Path
) -> None:
    """Given a lab server with the lab PKI's context, when a client validating against
    the lab CA for the MX name runs STARTTLS, then the handshake succeeds."""
    pki = lab_pki(tmp_path)
    with smtplib.SMTP("127.0.0.1", tls_server(smtp_server, pki).port, timeout=5) as smtp:
        smtp.ehlo("probe.example.net")
        smtp._host = "mx1.lab.test"  # type: ignore[attr-defined]  # the server_hostname checked
        code, _ = smtp.starttls(context=validating_client(pki))
        assert code == 220
        assert smtp.sock.version() in ("TLSv1.2", "TLSv1.3")  # type: ignore[union-attr]


def test_the_lab_certificate_names_the_loopback_address(
    smtp_server: SmtpFactory, tmp_path: Path
) -> None:
    """Given the lab certificate, when a client checks it for 127.0.0.1 (an IP-ID),
    then it validates: the demo reaches its MX by address."""
    pki = lab_pki(tmp_path)
    server = tls_server(smtp_server, pki)
    with smtplib.SMTP("127.0.0.1", server.port, timeout=5) as smtp:
        smtp.ehlo("probe.example.net")
        assert smtp._host == "127.0.0.1"  # type: ignore[attr-defined]  # the server_hostname
        code, _ = smtp.starttls(context=validating_client(pki))
        assert code == 220


def test_after_starttls_the_session_starts_afresh_without_starttls(
    smtp_server: SmtpFactory, tmp_path: Path
) -> None:
    """Given a completed STARTTLS, when the client sends MAIL before a new EHLO, then it
    is out of sequence, and the new EHLO no longer offers STARTTLS (RFC 3207 §4.2)."""
    pki = lab_pki(tmp_path)
    with smtplib.SMTP("127.0.0.1", tls_server(smtp_server, pki).port, timeout=5) as smtp:
        smtp.ehlo("probe.example.net")
        smtp.starttls(context=validating_client(pki))
        assert smtp.docmd("MAIL", "FROM:<a@b.test>")[0] == 503
        smtp.ehlo("probe.example.net")
        assert not smtp.has_extn("starttls")
        assert smtp.docmd("STARTTLS")[0] == 554


def test_starttls_inside_a_mail_transaction_is_refused(
    smtp_server: SmtpFactory, tmp_path: Path
) -> None:
    """Given MAIL accepted, when the client sends STARTTLS, then 503 (RFC 3207 §4)."""
    with smtplib.SMTP("127.0.0.1", tls_server(smtp_server, lab_pki(tmp_path)).port) as smtp:
        smtp.ehlo("probe.example.net")
        smtp.mail("a@b.test")
        assert smtp.docmd("STARTTLS")[0] == 503


def test_a_failed_handshake_ends_the_session_and_the_server_serves_on(
    smtp_server: SmtpFactory, tmp_path: Path
) -> None:
    """Given a client that does not trust the certificate, when its handshake fails,
    then the server is unharmed: the next client completes STARTTLS."""
    pki = lab_pki(tmp_path)
    server = tls_server(smtp_server, pki)
    with smtplib.SMTP("127.0.0.1", server.port, timeout=5) as smtp:
        smtp.ehlo("probe.example.net")
        strict = ssl.create_default_context()  # no lab CA: the handshake fails
        with contextlib.suppress(ssl.SSLError):
            smtp.starttls(context=strict)
    with smtplib.SMTP("127.0.0.1", server.port, timeout=5) as smtp:
        smtp.ehlo("probe.example.net")
        assert smtp.starttls(context=validating_client(pki))[0] == 220
