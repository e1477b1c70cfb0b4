"""Start-up: what one short command costs per process, ours beside a peer's.

Goals (issue "One re-layout", item 6): `mailhygiene --help` and `mailhygiene explain TEXT`
under 0.2 s wall; `mailhygiene blacklist IP` within 1.3x a bare pydnsbl script doing the
same lookups against the same loopback server. Peers: checkdmarc's CLI (--help; same
dependency stack), sisimai (one bounce per perl process) and pydnsbl. Medians of repeated
runs; timings are printed, never asserted.
"""

from __future__ import annotations

import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

RUNS = 9
BIN = Path(sys.executable).parent
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
BUDGET_S = 0.2
REJECTION = "550 5.7.1 Service unavailable; Client host [192.0.2.1] blocked using zen.spamhaus.org"


def median_wall(argv: list[str], **kwargs: object) -> float:
    samples = []
    for _ in range(RUNS):
        started = time.perf_counter()
        subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, **kwargs)
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def sisimai_one_message(folder: Path) -> float | None:
    """sisimai reading one DSN, one perl process each (installs libsisimai-perl if it can)."""
    from bench_explain import ensure_sisimai

    if not ensure_sisimai():
        return None
    message = folder / "bounce.eml"
    message.write_text(
        "From: MAILER-DAEMON@mx.example.net\nTo: sender@example.org\n"
        "Subject: Undelivered Mail Returned to Sender\nContent-Type: multipart/report; "
        'report-type=delivery-status; boundary="b"\n\n--b\nContent-Type: text/plain\n\n'
        "Your message could not be delivered.\n--b\nContent-Type: message/delivery-status\n\n"
        "Reporting-MTA: dns; mx.example.net\n\nFinal-Recipient: rfc822; user@example.net\n"
        f"Action: failed\nStatus: 5.7.1\nDiagnostic-Code: smtp; {REJECTION}\n--b--\n",
        encoding="utf-8",
    )
    # sisimai 5 reads with rise(), 4.x (Debian's) with make()
    script = "use Sisimai; Sisimai->can('rise') ? Sisimai->rise(shift) : Sisimai->make(shift);"
    return median_wall(["perl", "-e", script, str(message)])


PYDNSBL_SCRIPT = textwrap.dedent(
    """
    import sys, aiodns, asyncio, pydnsbl
    from pydnsbl.providers import Provider
    port, ip, zones = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    checker = pydnsbl.DNSBLIpChecker(providers=[Provider(z) for z in zones], loop=loop)
    checker._resolver = aiodns.DNSResolver(
        nameservers=["127.0.0.1"], udp_port=port, tcp_port=port, loop=loop)
    print(checker.check(ip).blacklisted)
    """
)


def blacklist_rows() -> list[tuple[str, float, float | None]]:
    """`blacklist IP` (default IPv4 lists) vs a bare pydnsbl script on the same lab server."""
    from bench_blacklist import LabProcess, default_ipv4_zones, default_zones

    lab = LabProcess(default_zones(), 0.0)
    try:
        ours = median_wall(
            [str(BIN / "mailhygiene"), "blacklist", "192.0.2.99",
             "--nameserver", f"127.0.0.1:{lab.port}", "--format", "json"]
        )  # fmt: skip
        peer = median_wall(
            [sys.executable, "-c", PYDNSBL_SCRIPT, str(lab.port), "192.0.2.98",
             *default_ipv4_zones()]
        )  # fmt: skip
    finally:
        lab.stop()
    return [
        ("pydnsbl script, one IP (wall)", peer, None),
        ("mailhygiene blacklist IP (wall)", ours, peer / ours),
    ]


def main() -> None:
    # As a pip install leaves it: bytecode compiled (PYTHONDONTWRITEBYTECODE, set in some
    # environments, would make every measured process recompile every module).
    repo = HERE.parent
    subprocess.run([sys.executable, "-m", "compileall", "-q", "audit", "checks"], cwd=repo)
    bare = median_wall([sys.executable, "-c", "pass"])
    ours_import = median_wall([sys.executable, "-c", "import audit.cli"]) - bare
    ours_help = median_wall([str(BIN / "mailhygiene"), "--help"])
    ours_explain = median_wall([str(BIN / "mailhygiene"), "explain", REJECTION])
    rows: list[tuple[str, float, float | None]] = [
        ("python -c pass (wall)", bare, None),
        ("mailhygiene: import audit.cli (minus bare python)", ours_import, None),
        ("mailhygiene --help (wall)", ours_help, None),
    ]
    peer = shutil.which("checkdmarc", path=str(BIN))
    if peer:
        peer_help = median_wall([peer, "--help"])
        rows.append(("checkdmarc --help (wall)", peer_help, peer_help / ours_help))
    rows.append(("mailhygiene explain TEXT (wall)", ours_explain, None))
    with tempfile.TemporaryDirectory(prefix="bench-startup-") as folder:
        sisimai = sisimai_one_message(Path(folder))
    if sisimai is not None:
        rows.append(("sisimai, one DSN per perl process (wall)", sisimai, sisimai / ours_explain))
    rows += blacklist_rows()
    print(f"{'measurement':55} {'median s':>9} {'peer/ours':>9}")
    for name, seconds, ratio in rows:
        print(f"{name:55} {seconds:9.3f} {f'{ratio:.2f}x' if ratio else '':>9}")
    for name, seconds in (("--help", ours_help), ("explain TEXT", ours_explain)):
        verdict = "within" if seconds < BUDGET_S else "OVER"
        print(f"{name}: {seconds:.3f}s is {verdict} the {BUDGET_S}s goal")
    ratio = rows[-1][1] / rows[-2][1]
    print(f"blacklist IP: {ratio:.2f}x the pydnsbl script (goal <= 1.3x)")


if __name__ == "__main__":
    main()
