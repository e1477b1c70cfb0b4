"""`mailhygiene demo`: the whole audit against the bundled offline lab.

The lab is a fictional company, Northwind Traders (northwind.example), whose zones in
samples/lab/zones/ carry the problems a real audit finds. A DNS server started here,
in-process on 127.0.0.1, serves those zones and a mirror of every blocklist zone the
audit queries (with RFC 5782 test points and the lab's listings from
samples/lab/dnsbl-listings.toml), and a scripted SMTP server plays Northwind's MX for
the relay probe (`lab_mx_script`). Nothing leaves the machine.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from audit.engine.context import AuditOptions
from audit.engine.runner import RunConfig
from audit.lab.dnsserver import RecordStore
from audit.lab.smtpscript import SmtpScript
from audit.model import CheckId, Severity
from audit.net.dns import Nameserver

LAB_DOMAIN = "northwind.example"
LAB_HELO = ("mx1.northwind.example",)


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


def lab_mx_script() -> SmtpScript:
    """Northwind's MX as the demo probes it: plain relaying refused, but percent-hack
    and bang-path recipients accepted at RCPT time (accept-then-drop, OpenSMTPD #754).
    The probe runs from loopback, so the report shows the vantage-point caveat."""
    return SmtpScript.accept_then_drop(
        hostname="mx1.northwind.example",
        greeting="220 mx1.northwind.example ESMTP",
        local_domains=frozenset({LAB_DOMAIN}),
        starttls=True,
    )


def demo_config(nameserver: str, smtp_host: str | None = None) -> RunConfig:
    from checks.registry import CHECKS

    return RunConfig(
        options=AuditOptions(
            domain=LAB_DOMAIN,
            helo_names=LAB_HELO,
            check_timeout=60.0,
            smtp_hosts=(smtp_host,) if smtp_host else (),
            log_files=(str(lab_data_dir() / "logs" / "postfix-compromised.log"),),
            bounce_files=tuple(str(p) for p in sorted((lab_data_dir() / "bounces").glob("*"))),
        ),
        check_ids=tuple(c for c in CheckId if c in CHECKS),
        nameservers=(Nameserver.parse(nameserver),),
        timeout=2.0,
        deadline=90.0,
        fail_on=Severity.HIGH,
    )
