"""Start-up: what one short command costs per process, ours beside a peer's.

Goals (issue "One re-layout", item 6): `mailhygiene --help` and `mailhygiene explain TEXT`
under 0.2 s wall; `mailhygiene blacklist IP` within 1.3x a bare pydnsbl script doing the
same lookups against the same loopback server. Peers: checkdmarc's CLI (--help; same
dependency stack), sisimai (one bounce per perl process) and pydnsbl. Medians of repeated
runs; timings are printed, never asserted. Beside the wall time, each row shows the
process's CPU time (user + system, from its rusage): on a machine shared with other work
the wall time mostly measures the wait for a core, the CPU time what the command costs.

    .venv/bin/python bench/bench_startup.py --ab=REV [RUNS]
runs `blacklist IP` of the package as of git revision REV (its audit/ and checks/, in a
temporary folder) and of the work tree, each beside the pydnsbl script, interleaved RUNS
times (default AB_RUNS): the CPU medians and quartiles of the three, and each one's ratio
to the script. A change of a few milliseconds shows only that way on a shared machine, where
the ratio of two separate runs moves by +-0.2 with the load.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path
from typing import NamedTuple

RUNS = 9
AB_RUNS = 21
BIN = Path(sys.executable).parent
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
BUDGET_S = 0.2
REJECTION = "550 5.7.1 Service unavailable; Client host [192.0.2.1] blocked using zen.spamhaus.org"


class Timing(NamedTuple):
    wall: float  # median seconds
    cpu: float  # median user + system seconds of the process


def run_once(argv: list[str], **kwargs: object) -> Timing:
    started = time.perf_counter()
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, **kwargs)
    _pid, _status, usage = os.wait4(process.pid, 0)
    process.returncode = 0  # reaped above
    return Timing(time.perf_counter() - started, usage.ru_utime + usage.ru_stime)


def median_wall(argv: list[str], **kwargs: object) -> Timing:
    samples = [run_once(argv, **kwargs) for _ in range(RUNS)]
    return Timing(
        statistics.median(s.wall for s in samples), statistics.median(s.cpu for s in samples)
    )


def sisimai_one_message(folder: Path) -> Timing | None:
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


def blacklist_rows() -> list[tuple[str, Timing, float | None]]:
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
        ("pydnsbl script, one IP", peer, None),
        ("mailhygiene blacklist IP", ours, peer.wall / ours.wall),
    ]


def tree_at(revision: str, folder: Path) -> Path:
    """audit/ and checks/ as of `revision`, compiled, under `folder`."""
    archive = subprocess.run(
        ["git", "archive", revision, "audit", "checks"], cwd=HERE.parent, capture_output=True,
        check=True,
    ).stdout  # fmt: skip
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive, check=True)
    subprocess.run([sys.executable, "-m", "compileall", "-q", "audit", "checks"], cwd=folder)
    return folder


def ab(revision: str, runs: int) -> None:
    """`blacklist IP` at `revision` and in the work tree, each beside the pydnsbl script."""
    from bench_blacklist import LabProcess, default_ipv4_zones, default_zones

    subprocess.run([sys.executable, "-m", "compileall", "-q", "audit", "checks"], cwd=HERE.parent)
    lab = LabProcess(default_zones(), 0.0)
    # the console script's code, run from each tree's folder (the folder is sys.path[0])
    ours = [sys.executable, "-c", "from audit.cli import main; main()", "blacklist",
            "192.0.2.99", "--nameserver", f"127.0.0.1:{lab.port}", "--format", "json"]  # fmt: skip
    peer = [sys.executable, "-c", PYDNSBL_SCRIPT, str(lab.port), "192.0.2.98",
            *default_ipv4_zones()]  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="bench-startup-ab-") as folder:
        trees = {revision: tree_at(revision, Path(folder)), "work tree": HERE.parent}
        cpu: dict[str, list[float]] = {"pydnsbl script": [], **{name: [] for name in trees}}
        try:
            for _ in range(runs):
                cpu["pydnsbl script"].append(run_once(peer).cpu)
                for name, tree in trees.items():
                    cpu[name].append(run_once(ours, cwd=tree).cpu)
        finally:
            lab.stop()
    peer_cpu = statistics.median(cpu["pydnsbl script"])
    print(f"`blacklist IP`, {runs} interleaved runs each, CPU seconds:")
    for name, samples in cpu.items():
        q1, median, q3 = statistics.quantiles(samples, n=4)
        print(f"{name:20} median {median:.3f} (quartiles {q1:.3f}-{q3:.3f}), "
              f"{median / peer_cpu:.2f}x the pydnsbl script")  # fmt: skip


def main() -> None:
    if revisions := [word.removeprefix("--ab=") for word in sys.argv if word[:5] == "--ab="]:
        counts = [int(word) for word in sys.argv[1:] if word.isdigit()]
        ab(revisions[0], counts[0] if counts else AB_RUNS)
        return
    # As a pip install leaves it: bytecode compiled (PYTHONDONTWRITEBYTECODE, set in some
    # environments, would make every measured process recompile every module).
    repo = HERE.parent
    subprocess.run([sys.executable, "-m", "compileall", "-q", "audit", "checks"], cwd=repo)
    bare = median_wall([sys.executable, "-c", "pass"])
    imported = median_wall([sys.executable, "-c", "import audit.cli"])
    ours_import = Timing(imported.wall - bare.wall, imported.cpu - bare.cpu)
    ours_help = median_wall([str(BIN / "mailhygiene"), "--help"])
    ours_explain = median_wall([str(BIN / "mailhygiene"), "explain", REJECTION])
    rows: list[tuple[str, Timing, float | None]] = [
        ("python -c pass", bare, None),
        ("mailhygiene: import audit.cli (minus bare python)", ours_import, None),
        ("mailhygiene --help", ours_help, None),
    ]
    peer = shutil.which("checkdmarc", path=str(BIN))
    if peer:
        peer_help = median_wall([peer, "--help"])
        rows.append(("checkdmarc --help", peer_help, peer_help.wall / ours_help.wall))
    rows.append(("mailhygiene explain TEXT", ours_explain, None))
    with tempfile.TemporaryDirectory(prefix="bench-startup-") as folder:
        sisimai = sisimai_one_message(Path(folder))
    if sisimai is not None:
        ratio = sisimai.wall / ours_explain.wall
        rows.append(("sisimai, one DSN per perl process", sisimai, ratio))
    rows += blacklist_rows()
    print(f"{'measurement':55} {'wall s':>7} {'cpu s':>7} {'peer/ours':>9}")
    for name, timing, ratio in rows:
        shown = f"{ratio:.2f}x" if ratio else ""
        print(f"{name:55} {timing.wall:7.3f} {timing.cpu:7.3f} {shown:>9}")
    for name, timing in (("--help", ours_help), ("explain TEXT", ours_explain)):
        verdict = "within" if timing.wall < BUDGET_S else "OVER"
        print(f"{name}: {timing.wall:.3f}s wall is {verdict} the {BUDGET_S}s goal "
              f"(cpu {timing.cpu:.3f}s)")  # fmt: skip
    (_, peer_run, _), (_, ours_run, _) = rows[-2], rows[-1]
    print(f"blacklist IP: {ours_run.wall / peer_run.wall:.2f}x the pydnsbl script in wall time "
          f"(goal <= 1.3x), {ours_run.cpu / peer_run.cpu:.2f}x in cpu time")  # fmt: skip


if __name__ == "__main__":
    main()
