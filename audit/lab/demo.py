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

from audit.engine.options import RunOptions
from audit.engine.runner import RunPlan
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


def demo_plan(nameserver: str, smtp_host: str | None = None) -> RunPlan:
    """Every check against the lab, as `audit northwind.example --helo ... --log ...`."""
    from checks.compliance import evaluate
    from checks.message.options import MessageOptions
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
        # A newsletter as Northwind's web server sends it (unsigned, mailto-only
        # unsubscribe, Subject twice, no TLS): the message check and compliance verdict.
        MessageOptions(files=tuple(str(p) for p in sorted((data / "messages").glob("*.eml")))),
    )
    checks = tuple(instantiate([c for c in CheckId if c in CHECKS]))
    return RunPlan(run, checks, check_options, conclude=evaluate)
