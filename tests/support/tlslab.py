"""Certificates made by the test, and TLS servers on loopback for the mx check.

`TestPki` issues a test CA and leaf certificates (valid, expired, not yet valid,
expiring, wrong name, self-signed, weak key, SHA-1) into a folder, as PEM files a real
MTA (Postfix, tests/support/postfix_tls.py) or our servers here can load. The servers:
`StarttlsServer`, a minimal SMTP server that answers EHLO and STARTTLS and then
handshakes with a given context (for what Postfix on this OpenSSL refuses to serve:
TLS 1.0, RSA 1024, SHA-1), and `PolicyServer`, an HTTPS server serving MTA-STS
policies per Host header (valid, wrong mx, testing, redirect, oversize, slow).
"""

from __future__ import annotations

import datetime as dt
import http.server
import socket
import socketserver
import ssl
import subprocess
import threading
import time
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

NOW = dt.datetime.now(dt.UTC)
DAY = dt.timedelta(days=1)


def _name(common: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common)])


@dataclass(frozen=True)
class Issued:
    cert: Path
    key: Path
    chain: Path  # cert then the CA (what a server presents)


class TestPki:
    """A test CA and the leaf certificates it issues, as PEM files in `folder`."""

    __test__ = False  # not a pytest class

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.ca_key = ec.generate_private_key(ec.SECP256R1())
        self.ca_cert = self._ca()
        self.ca_file = folder / "ca.pem"
        self.ca_file.write_bytes(self.ca_cert.public_bytes(serialization.Encoding.PEM))

    def _ca(self) -> x509.Certificate:
        public = self.ca_key.public_key()
        return (
            x509.CertificateBuilder()
            .subject_name(_name("mailhygiene test CA"))
            .issuer_name(_name("mailhygiene test CA"))
            .public_key(public)
            .serial_number(x509.random_serial_number())
            .not_valid_before(NOW - 30 * DAY)
            .not_valid_after(NOW + 3650 * DAY)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(
                x509.KeyUsage(False, False, False, False, False, True, True, False, False),
                critical=True,
            )
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
            .sign(self.ca_key, hashes.SHA256())
        )

    def issue(
        self,
        label: str,
        names: tuple[str, ...],
        not_before: dt.datetime = NOW - DAY,
        not_after: dt.datetime = NOW + 90 * DAY,
        self_signed: bool = False,
        rsa_bits: int | None = None,
        digest: hashes.HashAlgorithm | None = None,
    ) -> Issued:
        key = (
            rsa.generate_private_key(65537, rsa_bits)
            if rsa_bits
            else ec.generate_private_key(ec.SECP256R1())
        )
        issuer_key = key if self_signed else self.ca_key
        issuer = _name(names[0]) if self_signed else self.ca_cert.subject
        builder = (
            x509.CertificateBuilder()
            .subject_name(_name(names[0]))
            .issuer_name(issuer)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(not_before)
            .not_valid_after(not_after)
            .add_extension(
                x509.SubjectAlternativeName([x509.DNSName(n) for n in names]), critical=False
            )
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        )
        if not self_signed:
            builder = builder.add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(self.ca_key.public_key()),
                critical=False,
            )
        cert = builder.sign(issuer_key, digest or hashes.SHA256())  # type: ignore[arg-type]
        cert_pem = cert.public_bytes(serialization.Encoding.PEM)
        key_pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        paths = Issued(*(self.folder / f"{label}.{ext}" for ext in ("crt", "key", "chain.pem")))
        paths.cert.write_bytes(cert_pem)
        paths.key.write_bytes(key_pem)
        ca_pem = b"" if self_signed else self.ca_file.read_bytes()
        paths.chain.write_bytes(cert_pem + ca_pem)
        for path in (paths.cert, paths.key, paths.chain):
            path.chmod(0o644)
        return paths


def issue_sha1(pki: TestPki, label: str, name: str) -> Issued:
    """A leaf signed with SHA-1 by the test CA, through the openssl command (cryptography
    no longer signs with SHA-1)."""
    folder = pki.folder
    ca_key = folder / "ca.key"
    ca_key.write_bytes(
        pki.ca_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    key = rsa.generate_private_key(65537, 2048)
    csr = (
        x509.CertificateSigningRequestBuilder().subject_name(_name(name)).sign(key, hashes.SHA256())
    )
    (folder / f"{label}.csr").write_bytes(csr.public_bytes(serialization.Encoding.PEM))
    (folder / f"{label}.ext").write_text(
        f"subjectAltName=DNS:{name}\nbasicConstraints=critical,CA:FALSE\n"
        "extendedKeyUsage=serverAuth\nauthorityKeyIdentifier=keyid\n"
    )
    paths = Issued(*(folder / f"{label}.{ext}" for ext in ("crt", "key", "chain.pem")))
    subprocess.run(
        [
            "openssl",
            "x509",
            "-req",
            "-sha1",
            "-days",
            "30",
            "-in",
            str(folder / f"{label}.csr"),
            "-CA",
            str(pki.ca_file),
            "-CAkey",
            str(ca_key),
            "-CAcreateserial",
            "-extfile",
            str(folder / f"{label}.ext"),
            "-out",
            str(paths.cert),
        ],
        check=True,
        capture_output=True,
        timeout=30,
    )
    paths.key.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    paths.chain.write_bytes(paths.cert.read_bytes() + pki.ca_file.read_bytes())
    return paths


def server_context(issued: Issued, legacy: bool = False) -> ssl.SSLContext:
    """A server context; `legacy`: TLS 1.0 only at security level 0 (what old MTAs run)."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.set_ciphers("ALL:@SECLEVEL=0")  # before loading: weak test keys are allowed
    if legacy:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            context.minimum_version = ssl.TLSVersion.TLSv1
            context.maximum_version = ssl.TLSVersion.TLSv1
    context.load_cert_chain(issued.chain, issued.key)
    return context


class _Threaded(socketserver.ThreadingMixIn, socketserver.TCPServer):
    daemon_threads = True
    allow_reuse_address = True


class StarttlsServer:
    """SMTP on 127.0.0.1: greeting, EHLO (STARTTLS advertised when a context is given),
    STARTTLS then the handshake, QUIT. Everything else gets 502."""

    def __init__(self, context: ssl.SSLContext | None, hostname: str = "mx.tls-lab.test"):
        outer = self

        class Handler(socketserver.StreamRequestHandler):
            def handle(self) -> None:
                outer._converse(self.request, hostname)

        self.context = context
        self.server = _Threaded(("127.0.0.1", 0), Handler)
        self.port = int(self.server.server_address[1])
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def _converse(self, sock: socket.socket, hostname: str) -> None:
        stream = sock.makefile("rwb")
        stream.write(f"220 {hostname} ESMTP test\r\n".encode())
        stream.flush()
        for raw in stream:
            verb = raw.decode("ascii", "replace").strip().split(" ")[0].upper()
            if verb == "EHLO":
                tls = "250-STARTTLS\r\n" if self.context else ""
                stream.write(f"250-{hostname}\r\n{tls}250 8BITMIME\r\n".encode())
            elif verb == "STARTTLS" and self.context:
                stream.write(b"220 2.0.0 Ready to start TLS\r\n")
                stream.flush()
                with self.context.wrap_socket(sock, server_side=True) as tls_sock:
                    tls_sock.recv(1024)  # QUIT
                    tls_sock.sendall(b"221 2.0.0 Bye\r\n")
                return
            elif verb == "QUIT":
                stream.write(b"221 2.0.0 Bye\r\n")
                stream.flush()
                return
            else:
                stream.write(b"502 5.5.2 not here\r\n")
            stream.flush()

    def __enter__(self) -> StarttlsServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


class _QuietHttps(http.server.ThreadingHTTPServer):
    def handle_error(self, request: object, client_address: object) -> None:
        pass  # a client that hangs up on an oversize or slow answer is the test's point


@dataclass(frozen=True)
class Served:
    """What the policy server answers for one Host."""

    body: bytes = b""
    status: int = 200
    content_type: str = "text/plain"
    location: str | None = None
    delay_s: float = 0.0


class PolicyServer:
    """HTTPS on 127.0.0.1 serving /.well-known/mta-sts.txt per Host header."""

    def __init__(self, context: ssl.SSLContext, answers: Mapping[str, Served]) -> None:
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                host = (self.headers.get("Host") or "").split(":")[0].lower()
                outer.requests.append((host, self.path))
                served = outer.answers.get(host, Served(b"not found", 404))
                time.sleep(served.delay_s)
                self.send_response(served.status)
                self.send_header("Content-Type", served.content_type)
                self.send_header("Content-Length", str(len(served.body)))
                if served.location:
                    self.send_header("Location", served.location)
                self.end_headers()
                self.wfile.write(served.body)

            def log_message(self, *args: object) -> None:
                pass

        self.answers = answers
        self.requests: list[tuple[str, str]] = []
        self.server = _QuietHttps(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        self.port = int(self.server.server_address[1])
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> PolicyServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
