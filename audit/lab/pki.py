"""The lab's certificates, made when the lab starts: a lab CA and the MX's certificate.

The lab MX (`audit.lab.smtpserver`) answers STARTTLS with a real TLS session, so the
demo's mx check judges a real certificate chain. The CA lives for the lab run only and
is handed to the audit as `--ca-file` (a private CA, as a company's internal MX may
use). The leaf names the MX (dNSName) and the loopback address the lab listens on
(iPAddress): the demo reaches the MX as `--smtp-host 127.0.0.1:PORT`, and an address
is matched against iPAddress entries only (RFC 9525 §6.2.1; RFC 5280 §4.2.1.6).
Valid from a day before the lab starts to 90 days after, like a Let's Encrypt leaf.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import ssl
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

CA_NAME = "Northwind Traders lab CA"
LEAF_DAYS = 90
CA_DAYS = 365
_DAY = dt.timedelta(days=1)


def _name(common: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common)])


def _pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


def _ca(key: ec.EllipticCurvePrivateKey, now: dt.datetime) -> x509.Certificate:
    public = key.public_key()
    return (
        x509.CertificateBuilder()
        .subject_name(_name(CA_NAME))
        .issuer_name(_name(CA_NAME))
        .public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - _DAY)
        .not_valid_after(now + CA_DAYS * _DAY)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(  # RFC 5280 §4.2.1.3: keyCertSign and cRLSign only
            x509.KeyUsage(False, False, False, False, False, True, True, False, False),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
        .sign(key, hashes.SHA256())
    )


def _alt_names(names: tuple[str, ...], addresses: tuple[str, ...]) -> x509.SubjectAlternativeName:
    entries: list[x509.GeneralName] = [x509.DNSName(name) for name in names]
    entries += [x509.IPAddress(ipaddress.ip_address(address)) for address in addresses]
    return x509.SubjectAlternativeName(entries)


@dataclass(frozen=True)
class LabPki:
    """The lab CA (`ca_file`) and one server certificate (`chain_file`, `key_file`)."""

    ca_file: Path
    chain_file: Path  # the leaf, then the CA: what the server presents
    key_file: Path

    @classmethod
    def create(
        cls, folder: Path, names: tuple[str, ...], addresses: tuple[str, ...] = ()
    ) -> LabPki:
        now = dt.datetime.now(dt.UTC)
        ca_key = ec.generate_private_key(ec.SECP256R1())
        ca = _ca(ca_key, now)
        key = ec.generate_private_key(ec.SECP256R1())
        leaf = (
            x509.CertificateBuilder()
            .subject_name(_name(names[0]))
            .issuer_name(ca.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - _DAY)
            .not_valid_after(now + LEAF_DAYS * _DAY)
            .add_extension(_alt_names(names, addresses), critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
                critical=False,
            )
            .sign(ca_key, hashes.SHA256())
        )
        pki = cls(folder / "lab-ca.pem", folder / "mx.chain.pem", folder / "mx.key")
        pki.ca_file.write_bytes(_pem(ca))
        pki.chain_file.write_bytes(_pem(leaf) + _pem(ca))
        pki.key_file.write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
        pki.key_file.chmod(0o600)
        return pki

    def server_context(self) -> ssl.SSLContext:
        """What the lab MX serves: TLS 1.2 and newer, the default ciphers."""
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        context.load_cert_chain(self.chain_file, self.key_file)
        return context
