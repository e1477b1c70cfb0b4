"""`mailhygiene demo`: the whole audit against the bundled offline lab.

The lab is a fictional company, Northwind Traders (northwind.example), whose zones in
samples/lab/zones/ carry the problems a real audit finds. A DNS server started here,
in-process on 127.0.0.1, serves those zones and a mirror of every blocklist zone the
audit queries (with RFC 5782 test points and the lab's listings from
samples/lab/dnsbl-listings.toml), and a scripted SMTP server plays Northwind's MX for
the relay probe and the mx check (`lab_mx_script`), with real STARTTLS: a lab CA and
the MX's certificate are made at lab start (`audit.lab.pki`) and the CA is the audit's
`--ca-file`. `demo_lab` starts all of it. Nothing leaves the machine.
"""

from __future__ import annotations

import contextlib
import ssl
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from audit.engine.options import RunOptions
from audit.engine.runner import RunPlan
from audit.lab.dnsserver import LabDnsServer, RecordStore
from audit.lab.pki import LabPki
from audit.lab.smtpscript import SmtpScript
from audit.lab.smtpserver import ScriptedSmtpServer
from audit.model import CheckId, Severity
from audit.net.dns import Nameserver

LAB_DOMAIN = "northwind.example"
LAB_HELO = ("mx1.northwind.example",)
LAB_MX = "mx1.northwind.example"
LAB_SMTP_ADDRESS = "127.0.0.1"


def lab_data_dir() -> Path:
    """samples/lab inside an installed wheel (force-included), else in the source tree."""
    packaged = Path(str(resources.files("audit") / "lab" / "data"))
    if (packaged / "zones").is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "samples" / "lab"


def lab_store(data_dir: Path | None = None) -> RecordStore:
    folder = data_dir or lab_data_dir()
    store = RecordStore()
    for path in sorted((folder / "zones").glob("*.zone")):
        store.add_zone_file(path)
    _add_blocklist_mirror(store, folder)
    return store


def _add_blocklist_mirror(store: RecordStore, folder: Path) -> None:
    """Serve the blocklist zones the demo queries (see audit.lab.dnsbl_mirror)."""
    from audit.lab.dnsbl_mirror import add_mirror

    add_mirror(store, folder / "dnsbl-listings.toml")


def lab_mx_script(tls_context: ssl.SSLContext | None = None) -> SmtpScript:
    """Northwind's MX as the demo probes it: plain relaying refused, but percent-hack
    and bang-path recipients accepted at RCPT time (accept-then-drop, OpenSMTPD #754).
    The probe runs from loopback, so the report shows the vantage-point caveat.
    STARTTLS is offered; without `tls_context` it is answered 454."""
    return SmtpScript.accept_then_drop(
        hostname=LAB_MX,
        greeting=f"220 {LAB_MX} ESMTP",
        local_domains=frozenset({LAB_DOMAIN}),
        starttls=True,
        tls_context=tls_context,
    )


@dataclass(frozen=True)
class DemoLab:
    """The running lab: where its DNS and SMTP servers listen, and its CA."""

    nameserver: str
    smtp_address: str
    ca_file: str
    smtp: ScriptedSmtpServer

    def plan(self) -> RunPlan:
        return demo_plan(self.nameserver, self.smtp_address, self.ca_file)


@contextlib.contextmanager
def demo_lab() -> Iterator[DemoLab]:
    """The lab's DNS server, its MX with a certificate made now, and the lab CA (in a
    temporary folder that lives as long as the lab)."""
    with tempfile.TemporaryDirectory(prefix="mailhygiene-lab-") as folder:
        pki = LabPki.create(Path(folder), (LAB_MX,), (LAB_SMTP_ADDRESS,))
        script = lab_mx_script(pki.server_context())
        with (
            LabDnsServer(lab_store()) as dns,
            ScriptedSmtpServer(script, host=LAB_SMTP_ADDRESS) as smtp,
        ):
            yield DemoLab(dns.nameserver, smtp.address, str(pki.ca_file), smtp)


def demo_plan(nameserver: str, smtp_host: str | None = None, ca_file: str | None = None) -> RunPlan:
    """Every check against the lab, as `audit northwind.example --helo ... --log ...`."""
    from checks.compliance import evaluate
    from checks.message.options import MessageOptions
    from checks.mx.options import MxOptions
    from checks.registry import CHECKS, instantiate
    from checks.relay.options import RelayOptions
    from checks.spf.options import SpfOptions

    data = lab_data_dir()
    run = RunOptions(
        domain=LAB_DOMAIN,
        log_files=(str(data / "logs" / "postfix-compromised.log"),),
        bounce_files=tuple(str(p) for p in sorted((data / "bounces").glob("*"))),
        nameservers=(Nameserver.parse(nameserver),),
        timeout=2.0,
        check_timeout=60.0,
        deadline=90.0,
        fail_on=Severity.HIGH,
    )
    check_options = (
        SpfOptions(helo_names=LAB_HELO),
        RelayOptions(smtp_hosts=(smtp_host,) if smtp_host else ()),
        MxOptions(ca_file=ca_file),  # the lab CA: the demo's MX certificate validates
        # A newsletter as Northwind's web server sends it (unsigned, mailto-only
        # unsubscribe, Subject twice, no TLS): the message check and compliance verdict.
        MessageOptions(files=tuple(str(p) for p in sorted((data / "messages").glob("*.eml")))),
    )
    checks = tuple(instantiate([c for c in CheckId if c in CHECKS]))
    return RunPlan(run, checks, check_options, conclude=evaluate)
