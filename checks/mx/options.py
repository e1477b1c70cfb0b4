"""The mx check's options: extra trust anchors, and whether the MTA-STS policy is fetched.

The SMTP servers it talks to, and whether it may talk to any, are the relay check's
options (`--smtp-host`, `--no-relay-probe`): the same hosts and the same safety rules.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from audit.engine.options import OptionSpec, ValueKind
from audit.model.errors import InputError

HTTPS_PORT = 443  # RFC 8461 §3.3: the policy is fetched over HTTPS (port 443)
MAX_CA_FILE_OCTETS = 4 * 1024 * 1024
# IANA root trust anchors (https://data.iana.org/root-anchors/root-anchors.xml):
# KSK-2017 and KSK-2024, as DS records.
ROOT_ANCHORS: tuple[str, ...] = (
    ". DS 20326 8 2 E06D44B80B8F1D39A95C0B0D7C65D08458E880409BBC683457104237C7F8EC8D",
    ". DS 38696 8 2 683D2D0ACB8C9B712A1948B27F741219298D0A450D612C483AF444A4C0FB2B16",
)


def _ca_file(raw: str | None) -> str | None:
    """--ca-file: a readable PEM file (exit 2 otherwise)."""
    if not raw:
        return None
    path = Path(raw)
    try:
        data = path.read_bytes()[: MAX_CA_FILE_OCTETS + 1]
    except OSError as exc:
        raise InputError(f"cannot read --ca-file {raw!r}: {exc.strerror or exc}") from None
    if len(data) > MAX_CA_FILE_OCTETS or b"-----BEGIN CERTIFICATE-----" not in data:
        raise InputError(f"--ca-file {raw!r} holds no PEM certificate (at most 4 MB)")
    return str(path)


def _http(no_http: bool) -> bool:
    return not no_http


@dataclass(frozen=True)
class MxOptions:
    ca_file: str | None = None  # PEM trust anchors beside the system's
    http: bool = True  # False: --no-http, the MTA-STS policy is not fetched
    # Where the policy host's HTTPS server listens. No flag: a hook for tests, whose
    # server cannot bind 443; the name is still resolved through the run's DNS.
    https_port: int = HTTPS_PORT
    # DNSSEC trust anchors as DS records ("ZONE DS ..."); no flag (SPEC names none):
    # the root's by default, a test's own signed zone in tests.
    trust_anchors: tuple[str, ...] = ROOT_ANCHORS

    declarations: ClassVar[tuple[OptionSpec, ...]] = (
        OptionSpec(
            "ca_file",
            ("--ca-file",),
            "Extra trust anchors (PEM) for MX certificates and the MTA-STS policy host.",
            ValueKind.PATH,
            metavar="FILE",
            field="ca_file",
            parse=_ca_file,
        ),
        OptionSpec(
            "no_http",
            ("--no-http",),
            "Do not fetch the MTA-STS policy (the only HTTP request); it is then unknown.",
            ValueKind.BOOL,
            field="http",
            parse=_http,
        ),
    )
