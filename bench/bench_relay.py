"""Benchmark: our relay probe vs nmap's smtp-open-relay.nse and swaks, same servers.

Run: .venv/bin/python bench/bench_relay.py   (under a minute; prints a table)

Starts a lab DNS server for example.test (MX mx1.example.test -> 127.0.0.1) and, per
scenario, fresh scripted SMTP servers on 127.0.0.1 (audit/lab/smtpserver.py): a closed
MX, an open relay, one that accepts address tricks at RCPT time and would drop them
later (accept-then-drop), one that wants AUTH (530), a greylister (450 to every RCPT)
and a tarpit (closed, banner held TARPIT_S). Each tool gets its own server, so what the
server recorded (sessions, RCPT commands, whether DATA was sent) is that tool's alone:
- mailhygiene: `mailhygiene audit example.test --checks relay --smtp-host 127.0.0.1:PORT
  --nameserver LAB --format json` (nmap's 16 MAIL FROM / RCPT TO variants, never DATA);
- nmap: `nmap -sT -Pn -n -p PORT --script +smtp-open-relay --script-args
  smtp-open-relay.domain=<our foreign domain>,smtp-open-relay.ip=127.0.0.1 127.0.0.1`
  ('+' runs the script on a port that is not 25/465/587; the domain is the one our probe
  uses as the foreign recipient domain, so both ask for the same relaying);
- swaks: one plain relay attempt as a person would type it (`swaks --server ... --to
  relaytest@<foreign domain>`): a full transaction, so it sends DATA if RCPT is accepted.
Then the same two probes against a real Postfix (tests/support/postfix_fixture.py, when
Postfix is installed and we are root), closed, with its default error limits
(smtpd_soft_error_limit 10, smtpd_error_sleep_time 1 s): our probe's session time and
wall beside nmap's smtp-open-relay wall (once each for nmap: it takes ~30 s there).
Wall times include process start-up (medians of REPEATS runs; the tarpit once). The
start-up rows are the same commands that do not probe: ours with --no-relay-probe, nmap
against a port where nothing listens. Only ports this script opened are scanned.
Peers not installed are installed with apt-get when we are root; else "peer not available".
"""

from __future__ import annotations

import json
import re
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from peers import ensure_tool  # noqa: E402  (bench/peers.py)

from audit.lab.dnsserver import LabDnsServer, store_from_mapping  # noqa: E402
from audit.lab.smtpscript import SmtpScript  # noqa: E402
from audit.lab.smtpserver import ScriptedSmtpServer  # noqa: E402
from checks.relay.judge import RELAY_CODES  # noqa: E402
from checks.relay.variants import FOREIGN_DOMAIN, FOREIGN_LOCAL  # noqa: E402

MAILHYGIENE = str(REPO / ".venv" / "bin" / "mailhygiene")
DOMAIN = "example.test"
SOA = f"@ 300 IN SOA ns.{DOMAIN}. hostmaster.{DOMAIN}. 1 3600 600 86400 300\n"
ZONES = {DOMAIN: SOA + f"@ IN MX 10 mx1.{DOMAIN}.\nmx1 IN A 127.0.0.1\n"}
TARPIT_S = 2.0
REPEATS = 5
SCENARIOS: list[tuple[str, Callable[[], SmtpScript], int]] = [
    ("closed", SmtpScript.closed, REPEATS),
    ("open relay", SmtpScript.open_relay, REPEATS),
    ("accept-then-drop", SmtpScript.accept_then_drop, REPEATS),
    ("auth required (530)", SmtpScript.auth_required, REPEATS),
    ("greylisting (450)", SmtpScript.greylisting, REPEATS),
    (f"tarpit ({TARPIT_S:.0f} s banner)", lambda: SmtpScript.tarpit(TARPIT_S), 1),
]
SWAKS_EXIT = {
    0: "accepted: message sent (DATA)",
    2: "could not connect",
    21: "banner refused",
    22: "HELO refused",
    23: "MAIL FROM refused",
    24: "no RCPT accepted",
    25: "DATA refused",
    26: "message refused after DATA",
    28: "AUTH failed",
}
NMAP_LINE = re.compile(r"smtp-open-relay:\s*(.*)")


def ours_argv(nameserver: str, port: int, probe: bool = True) -> list[str]:
    argv = [MAILHYGIENE, "audit", DOMAIN, "--checks", "relay", "--nameserver", nameserver]
    argv += ["--smtp-host", f"127.0.0.1:{port}", "--format", "json"]
    return argv if probe else [*argv, "--no-relay-probe"]


def nmap_argv(nmap: str, port: int) -> list[str]:
    args = f"smtp-open-relay.domain={FOREIGN_DOMAIN},smtp-open-relay.ip=127.0.0.1"
    return [nmap, "-sT", "-Pn", "-n", "-p", str(port), "--script", "+smtp-open-relay",
            "--script-args", args, "127.0.0.1"]  # fmt: skip


def swaks_argv(swaks: str, port: int) -> list[str]:
    return [swaks, "--server", "127.0.0.1", "--port", str(port), "--helo", "[127.0.0.1]",
            "--from", f"relay-probe@{DOMAIN}", "--to", f"{FOREIGN_LOCAL}@{FOREIGN_DOMAIN}",
            "--timeout", "10"]  # fmt: skip


def our_verdict(done: subprocess.CompletedProcess) -> str:
    try:
        document = json.loads(done.stdout)
    except json.JSONDecodeError:
        return f"no JSON (exit {done.returncode})"
    check = document["checks"][0]
    servers = check["evidence"].get("servers", [])
    outcomes: dict[str, int] = {}
    for attempt in servers[0]["attempts"] if servers else []:
        outcomes[attempt["outcome"]] = outcomes.get(attempt["outcome"], 0) + 1
    relay = [f["code"] for f in document["findings"] if f["code"] in RELAY_CODES]
    verdict = ", ".join(relay) or ("undetermined" if check["unknowns"] else "not a relay")
    shown = ", ".join(f"{n} {o}" for o, n in outcomes.items())
    session = f"; session {servers[0]['timings_ms']['total']:.0f} ms" if servers else ""
    return f"{verdict} ({shown}{session})"


def nmap_verdict(done: subprocess.CompletedProcess) -> str:
    found = NMAP_LINE.search(done.stdout)
    return found.group(1).strip() if found else f"no script output (exit {done.returncode})"


def swaks_verdict(done: subprocess.CompletedProcess) -> str:
    return f"exit {done.returncode}: {SWAKS_EXIT.get(done.returncode, 'other error')}"


def timed(argv: list[str]) -> tuple[float, subprocess.CompletedProcess]:
    started = time.perf_counter()
    done = subprocess.run(argv, capture_output=True, text=True, check=False, timeout=120)
    return time.perf_counter() - started, done


def run_tool(script: SmtpScript, make_argv, repeats: int):
    """A fresh server for this tool: median wall, the first run's output, what it saw."""
    server = ScriptedSmtpServer(script).start()
    try:
        runs = [timed(make_argv(server.port)) for _ in range(repeats)]
        sessions = server.sessions
    finally:
        server.stop()
    rcpts = sum(1 for s in sessions for c in s.commands if c.upper().startswith("RCPT")) // repeats
    data = any(s.received_data for s in sessions)
    return statistics.median(t for t, _ in runs), runs[0][1], rcpts, data


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


Row = tuple[str, str, str, str, str]


def startup(nameserver: str, nmap: str | None) -> tuple[float, float | None]:
    """Median wall of the same commands when they probe nothing."""
    server = ScriptedSmtpServer(SmtpScript.closed()).start()
    try:
        argv = ours_argv(nameserver, server.port, probe=False)
        ours = statistics.median(timed(argv)[0] for _ in range(REPEATS))
    finally:
        server.stop()
    if not nmap:
        return ours, None
    port = free_port()  # nothing listens: the port is closed, the script does not run
    return ours, statistics.median(timed(nmap_argv(nmap, port))[0] for _ in range(REPEATS))


def row(name: str, tool: str, wall: float, rcpts: int, data: bool, verdict: str) -> Row:
    return (name, tool, f"{wall:.2f}", f"{rcpts}/{'yes' if data else 'no'}", verdict)


def scenario_rows(
    nameserver: str, nmap: str | None, swaks: str | None
) -> tuple[list[Row], list[str]]:
    rows: list[Row] = []
    ratios = []
    for name, make, repeats in SCENARIOS:
        script = make()
        ours_s, done, rcpts, data = run_tool(script, lambda p: ours_argv(nameserver, p), repeats)
        rows.append(row(name, "mailhygiene", ours_s, rcpts, data, our_verdict(done)))
        if nmap:
            nmap_s, done, rcpts, data = run_tool(script, lambda p: nmap_argv(nmap, p), repeats)
            rows.append(row(name, "nmap", nmap_s, rcpts, data, nmap_verdict(done)))
            ratios.append(f"{name} {nmap_s / ours_s:.2f}")
        if swaks:
            swaks_s, done, rcpts, data = run_tool(script, lambda p: swaks_argv(swaks, p), repeats)
            rows.append(row(name, "swaks", swaks_s, rcpts, data, swaks_verdict(done)))
    return rows, ratios


def postfix_rows(nameserver: str, nmap: str | None) -> list[Row]:
    """Ours and nmap's against a real closed Postfix with default error limits."""
    sys.path.insert(0, str(REPO / "tests"))
    try:
        from support.postfix_fixture import start_postfix, stop_postfix

        instance = start_postfix()
    except BaseException as exc:  # pytest's skip/fail outcomes are BaseExceptions
        return [("postfix (default limits)", "all", "-", "-", f"no Postfix: {exc}")]
    name = "postfix (default limits)"
    try:
        port = instance.default_limits_port
        runs = [timed(ours_argv(nameserver, port)) for _ in range(REPEATS)]
        wall = statistics.median(t for t, _ in runs)
        rows = [(name, "mailhygiene", f"{wall:.2f}", "-", our_verdict(runs[0][1]))]
        if nmap:
            nmap_s, done = timed(nmap_argv(nmap, port))
            rows.append((name, "nmap", f"{nmap_s:.2f}", "-", nmap_verdict(done)))
    finally:
        stop_postfix(instance)
    return rows


def print_table(rows: list[Row]) -> None:
    header = ("server", "tool", "wall s", "RCPTs/DATA", "verdict")
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(4)]
    for r in [header, *rows]:
        cells = "  ".join(f"{cell:<{w}}" for cell, w in zip(r, widths, strict=False))
        print(f"  {cells}  {r[4]}")


def main() -> None:
    started = time.perf_counter()
    nmap, swaks = ensure_tool("nmap", "nmap"), ensure_tool("swaks", "swaks")
    dns = LabDnsServer(store_from_mapping(ZONES)).start()
    try:
        ours_base, nmap_base = startup(dns.nameserver, nmap)
        rows = [("start-up", "mailhygiene", f"{ours_base:.2f}", "-", "--no-relay-probe")]
        if nmap_base is not None:
            rows.append(("start-up", "nmap", f"{nmap_base:.2f}", "-", "closed port, no script"))
        scenarios, ratios = scenario_rows(dns.nameserver, nmap, swaks)
        rows += scenarios
        rows += postfix_rows(dns.nameserver, nmap)
    finally:
        dns.stop()
    for tool, found in (("nmap", nmap), ("swaks", swaks)):
        if not found:
            rows.append(("all", tool, "-", "-", "peer not available (apt-get install failed)"))
    print_table(rows)
    if ratios:
        print(f"\n  ratio wall nmap / mailhygiene (< 1: nmap faster): {'; '.join(ratios)}")
    print(
        "  Both walls are mostly process start-up (rows 1-2); our probe session itself is the "
        "'session' time.\n"
        "  RCPTs/DATA: RCPT TO commands the server received per run / whether DATA was sent.\n"
        "  nmap counts a RCPT-time accept of an address trick as relaying; we report tricks "
        "apart from\n  plain relaying (the server may drop them later), and greylisting as "
        "undetermined."
    )
    print(f"\n(total {time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
