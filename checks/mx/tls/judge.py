"""STARTTLS sessions as evidence, and their findings (pure once the session is recorded).

Severity follows how mail is protected (RFC 8461 §4, RFC 3207 §4): without MTA-STS (or
DANE), senders use TLS opportunistically and do not validate certificates, so an
untrusted or misnamed certificate still encrypts (low); an expired one is noticed by
the senders that do check (medium). With an MTA-STS policy the same certificate stops
validating senders (high), and in enforce mode it stops delivery: that is the critical
MX_MTA_STS_CERT_INVALID of `checks.mx.policy.judge`.
"""

from __future__ import annotations

from datetime import datetime

from audit.model import CheckId, Finding, Severity, Unknown, UnknownReason
from checks.mx.evidence import (
    CertPolicyFindingEvidence,
    TlsCertificateEvidence,
    TlsFindingEvidence,
    TlsSessionEvidence,
)
from checks.mx.tls.certs import describe, identity_matches, verify_chain
from checks.mx.tls.session import TlsSession

EXPIRY_WARNING_DAYS = 14
LEGACY_PROTOCOLS = frozenset({"SSLv3", "TLSv1", "TLSv1.1"})  # RFC 8996: deprecated
MIN_RSA_BITS = 2048  # NIST SP 800-57 / CA/B Forum baseline
MIN_EC_BITS = 224
WEAK_DIGESTS = ("md5", "sha1")  # RFC 6194, CA/B Forum: no SHA-1 signatures


def session_evidence(session: TlsSession, ca_file: str | None, now: datetime) -> TlsSessionEvidence:
    target = session.target
    chain = [describe(der, now) for der in session.chain]
    negotiated = session.protocol is not None
    trust_error = verify_chain(session.chain, ca_file, now) if negotiated else None
    matches = (
        identity_matches(target.host, session.chain[0], chain[0]["dns_names"]) if chain else None
    )
    return {
        "host": target.host,
        "ip": target.ip,
        "port": target.port,
        "source": target.source,
        "starttls_offered": session.starttls_offered,
        "starttls_reply": session.starttls_reply,
        "protocol": session.protocol,
        "cipher": session.cipher,
        "cipher_bits": session.cipher_bits,
        "chain": chain,
        "trusted": (trust_error is None) if negotiated else None,
        "trust_error": trust_error,
        "name_matches": matches,
        "error": session.error,
        "elapsed_ms": session.elapsed_ms,
        "transcript": session.transcript,
    }


def session_unknowns(tls: TlsSessionEvidence) -> list[Unknown]:
    """A session that ended before STARTTLS could be asked for decides nothing."""
    if tls["starttls_offered"] is None:
        subject = f"STARTTLS on {_subject(tls)}"
        reason = UnknownReason.TIMEOUT if "no reply" in (tls["error"] or "") else None
        return [Unknown(subject, reason or UnknownReason.NETWORK, tls["error"] or "")]
    return []


def _subject(tls: TlsSessionEvidence) -> str:
    where = f"{tls['ip']}:{tls['port']}"
    return where if tls["host"] == tls["ip"] else f"{tls['host']} ({where})"


def _session_finding(tls: TlsSessionEvidence, code: str, severity: Severity, title: str) -> Finding:
    evidence: TlsFindingEvidence = {
        "host": tls["host"],
        "ip": tls["ip"],
        "port": tls["port"],
        "protocol": tls["protocol"],
        "starttls_reply": tls["starttls_reply"],
        "error": tls["error"],
        "certificate": tls["chain"][0] if tls["chain"] else None,
    }
    return Finding(CheckId.MX, code, severity, _subject(tls), title, "", evidence)


def _transport_findings(tls: TlsSessionEvidence) -> list[Finding]:
    host = tls["host"]
    if tls["starttls_offered"] is False:
        title = f"{host} does not offer STARTTLS: mail to it travels in cleartext"
        return [_session_finding(tls, "MX_STARTTLS_MISSING", Severity.MEDIUM, title)]
    if tls["starttls_offered"] and tls["protocol"] is None:
        title = f"{host} offers STARTTLS but the TLS session cannot be set up"
        return [_session_finding(tls, "MX_STARTTLS_FAILED", Severity.HIGH, title)]
    if tls["protocol"] in LEGACY_PROTOCOLS:
        title = f"{host} offers only {tls['protocol']} (TLS 1.2 or newer is required, RFC 8996)"
        return [_session_finding(tls, "MX_TLS_LEGACY_ONLY", Severity.HIGH, title)]
    return []


def _weak_key(cert: TlsCertificateEvidence) -> bool:
    if cert["key_type"] in ("RSA", "DSA"):
        return cert["key_bits"] < MIN_RSA_BITS
    return cert["key_type"] == "EC" and cert["key_bits"] < MIN_EC_BITS


def cert_problems(tls: TlsSessionEvidence) -> list[tuple[str, Severity, str]]:
    """(code, severity without MTA-STS, title) of every problem of the leaf and chain."""
    if not tls["chain"]:
        return []
    leaf, host = tls["chain"][0], tls["host"]
    problems: list[tuple[str, Severity, str]] = []
    if leaf["validity"] == "expired":
        problems.append(("MX_CERT_EXPIRED", Severity.MEDIUM, f"{host}'s certificate has expired"))
    elif leaf["validity"] == "not_yet_valid":
        title = f"{host}'s certificate is not valid yet"
        problems.append(("MX_CERT_NOT_YET_VALID", Severity.MEDIUM, title))
    elif leaf["days_left"] < EXPIRY_WARNING_DAYS:
        title = f"{host}'s certificate expires in {leaf['days_left']} day(s)"
        problems.append(("MX_CERT_EXPIRING", Severity.LOW, title))
    if tls["name_matches"] is False:
        title = f"{host}'s certificate does not name {host} (RFC 6125)"
        problems.append(("MX_CERT_NAME_MISMATCH", Severity.LOW, title))
    if tls["trusted"] is False:
        kind = "self-signed" if leaf["self_signed"] else "not issued by a trusted CA"
        problems.append(("MX_CERT_UNTRUSTED", Severity.LOW, f"{host}'s certificate is {kind}"))
    if any(_weak_key(cert) for cert in tls["chain"]):
        title = f"{host}'s certificate chain has a weak key (RSA < {MIN_RSA_BITS} bits)"
        problems.append(("MX_CERT_WEAK_KEY", Severity.MEDIUM, title))
    signed = [c for c in tls["chain"] if not c["self_signed"]]
    if any(d in c["signature_algorithm"].lower() for c in signed for d in WEAK_DIGESTS):
        title = f"{host}'s certificate chain is signed with SHA-1 or MD5"
        problems.append(("MX_CERT_WEAK_SIGNATURE", Severity.MEDIUM, title))
    return problems


def _cert_finding(
    tls: TlsSessionEvidence, problem: tuple[str, Severity, str], mode: str | None
) -> Finding:
    code, severity, title = problem
    if mode in ("enforce", "testing"):  # validating senders now refuse or report it
        severity = max(severity, Severity.HIGH)
    evidence: CertPolicyFindingEvidence = {
        "host": tls["host"],
        "ip": tls["ip"],
        "port": tls["port"],
        "certificate": tls["chain"][0] if tls["chain"] else None,
        "trust_error": tls["trust_error"],
        "mta_sts_mode": mode,
    }
    return Finding(CheckId.MX, code, severity, _subject(tls), title, "", evidence)


def judge_session(tls: TlsSessionEvidence, mta_sts_mode: str | None) -> list[Finding]:
    """Findings of one session; `mta_sts_mode` is the policy in force (None: none)."""
    certs = [_cert_finding(tls, p, mta_sts_mode) for p in cert_problems(tls)]
    return _transport_findings(tls) + certs
