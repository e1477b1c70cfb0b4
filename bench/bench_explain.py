"""Benchmark: `mailhygiene explain` vs sisimai on the same generated bounces.

Run: .venv/bin/python bench/bench_explain.py   (under a minute; prints a table)

The corpus is made deterministically (fixed seed) from the 77 real rejection strings
in tests/explain_cases.py, into a temporary directory:
- MESSAGES Postfix DSNs ("Undelivered Mail Returned to Sender", multipart/report with a
  message/delivery-status part and the returned headers), one .eml file each for us and
  all of them in one mbox for sisimai;
- LOG_LINES Postfix log lines (`status=bounced (host X[ip] said: ...)`), for us only:
  sisimai reads email messages, not logs.
We run `mailhygiene explain --file F ... --format json` in batches of at most BATCH
inputs (explain classifies at most 10,000 rejections per run and counts the rest:
audit/bounce/extract.py MAX_REJECTIONS), so the DSN corpus takes one process (BATCH=1000,
the cap before, gives 3); sisimai (Debian package `libsisimai-perl`, v4:
`Sisimai->make(MBOX)`; v5 renamed it `rise`) reads the whole mbox in one Perl process.
Wall times include process start-up, medians of REPEATS runs.
The table shows messages/s, how many each classified (sisimai: a reason other than
"undefined"/"onhold"), and, informational only, how the two name the reason of each
of the 77 distinct strings: sisimai v4 has no reason for reputation, rate limits, PTR
or authentication (v5 added some), so a "disagreement" there is a vocabulary gap.
If sisimai is missing, it is installed with apt-get when we are root; if that fails,
its rows say "peer not available".
"""

from __future__ import annotations

import json
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "support"))

from explain_cases import CASES  # noqa: E402  (the real strings, with the expected reason)
from peers import apt_install, can_install, print_rows  # noqa: E402  (bench/peers.py)

MAILHYGIENE = str(REPO / ".venv" / "bin" / "mailhygiene")
SEED = 2025
MESSAGES = 3000
LOG_LINES = 3000
BATCH = 10_000  # explain's MAX_REJECTIONS per run
REPEATS = 3
DEFAULT_REMOTE = "mx.example.net"
# Which sisimai v4 reasons count as naming the same thing as ours (informational).
SAME_REASON = {
    "blocked": {"blocked"},
    "bad_reputation": {"blocked", "spamdetected", "badreputation"},
    "rate_limited": {"toomanyconn", "ratelimited", "suspend"},
    "policy": {"policyviolation", "securityerror", "rejected", "blocked"},
    "auth_failure": {"securityerror", "authfailure"},
    "require_ptr": {"blocked", "requireptr"},
}
ENHANCED = re.compile(r"\b[245]\.\d{1,3}\.\d{1,3}\b")
REPLY_CODE = re.compile(r"^[245]\d\d")
PERL = r"""
use strict; use warnings; use Sisimai; use JSON::PP;
my $found = (Sisimai->can('rise') ? Sisimai->rise($ARGV[0]) : Sisimai->make($ARGV[0])) // [];
my @rows = map { { rcpt => $_->recipient->address, reason => $_->reason } } @$found;
print JSON::PP->new->canonical->encode({ version => $Sisimai::VERSION . '', rows => \@rows });
"""


def status_of(case: tuple) -> str:
    """The RFC 3463 status Postfix would report: the reply's own enhanced code, else the
    class of its reply code (4.0.0 / 5.0.0)."""
    found = ENHANCED.search(case[1])
    if found:
        return found.group(0)
    code = REPLY_CODE.match(case[1])
    return f"{code.group(0)[0]}.0.0" if code else ("4.0.0" if case[6] else "5.0.0")


def fold(name: str, value: str) -> str:
    """A header folded at 76 columns (RFC 5322 §2.2.3)."""
    return textwrap.fill(value, 76, initial_indent=f"{name}: ", subsequent_indent="    ")


def dsn(index: int, case: tuple, at: datetime, rng: random.Random) -> tuple[str, str]:
    """One Postfix DSN for the case's rejection; (recipient, message text)."""
    text, remote = case[1], case[2] or DEFAULT_REMOTE
    qid = f"{rng.getrandbits(40):010X}"
    recipient = f"r{index:05d}@{remote.split('.', 1)[1] if '.' in remote else remote}"
    date = format_datetime(at)
    said = f"<{recipient}>: host {remote}[192.0.2.25] said: {text} (in reply to RCPT TO command)"
    notification = textwrap.fill(said, 72, subsequent_indent="    ")
    message = f"""\
Return-Path: <>
Date: {date}
From: MAILER-DAEMON@mail.northwind.example (Mail Delivery System)
Subject: Undelivered Mail Returned to Sender
To: alice@northwind.example
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="{qid}.B"
Message-Id: <{at:%Y%m%d%H%M%S}.{qid}@mail.northwind.example>

This is a MIME-encapsulated message.

--{qid}.B
Content-Description: Notification
Content-Type: text/plain; charset=us-ascii

This is the mail system at host mail.northwind.example.

I'm sorry to have to inform you that your message could not
be delivered to one or more recipients. It's attached below.

                   The mail system

{notification}

--{qid}.B
Content-Description: Delivery report
Content-Type: message/delivery-status

Reporting-MTA: dns; mail.northwind.example
X-Postfix-Queue-ID: {qid}
Arrival-Date: {date}

Final-Recipient: rfc822; {recipient}
Original-Recipient: rfc822;{recipient}
Action: failed
Status: {status_of(case)}
Remote-MTA: dns; {remote}
{fold("Diagnostic-Code", "smtp; " + text)}

--{qid}.B
Content-Description: Undelivered Message Headers
Content-Type: text/rfc822-headers

From: alice@northwind.example
To: {recipient}
Subject: Quarterly figures {index}
Date: {date}
Message-Id: <{qid}.{index}@northwind.example>

--{qid}.B--
"""
    return recipient, message


def log_line(index: int, case: tuple, at: datetime) -> str:
    remote = case[2] or DEFAULT_REMOTE
    status = "deferred" if case[6] else "bounced"
    return (
        f"{at.isoformat(timespec='microseconds')} mx1 postfix/smtp[{3000 + index}]: "
        f"{index:010X}: to=<r{index:05d}@example.net>, relay={remote}[192.0.2.25]:25, "
        f"delay=1.2, delays=0.1/0/0.5/0.6, dsn={status_of(case)}, "
        f"status={status} (host {remote}[192.0.2.25] said: {case[1]} "
        "(in reply to RCPT TO command))"
    )


def write_corpus(workdir: Path) -> tuple[list[Path], Path, list[Path], dict[str, tuple]]:
    """DSN files, the same DSNs as one mbox, log files of at most BATCH lines each, and
    which case each recipient's DSN carries."""
    rng = random.Random(SEED)
    start = datetime(2025, 3, 12, 14, 30, tzinfo=UTC)
    by_recipient: dict[str, tuple] = {}
    files = []
    (workdir / "dsn").mkdir()
    with (workdir / "bounces.mbox").open("w", encoding="utf-8") as mbox:
        for index in range(MESSAGES):
            case = CASES[index % len(CASES)] if index < len(CASES) else rng.choice(CASES)
            at = start + timedelta(seconds=17 * index)
            recipient, message = dsn(index, case, at, rng)
            by_recipient[recipient] = case
            path = workdir / "dsn" / f"{index:05d}.eml"
            path.write_text(message, encoding="utf-8")
            files.append(path)
            mbox.write(f"From MAILER-DAEMON {at:%a %b %d %H:%M:%S %Y}\n")
            mbox.write(message.replace("\nFrom ", "\n>From ") + "\n")
    lines = []
    for index in range(LOG_LINES):
        case = CASES[index % len(CASES)] if index < len(CASES) else rng.choice(CASES)
        lines.append(log_line(index, case, start + timedelta(seconds=3 * index)))
    logs = []
    for batch, first in enumerate(range(0, len(lines), BATCH)):
        path = workdir / f"mail-{batch}.log"
        path.write_text("\n".join(lines[first : first + BATCH]) + "\n", encoding="utf-8")
        logs.append(path)
    return files, workdir / "bounces.mbox", logs, by_recipient


def ensure_sisimai() -> bool:
    def installed() -> bool:
        probe = ["perl", "-MSisimai", "-e", "1"]
        return subprocess.run(probe, capture_output=True, check=False).returncode == 0

    if not installed() and can_install():
        apt_install("libsisimai-perl")
    return installed()


def run_ours(batches: list[list[Path]]) -> tuple[float, list[dict]]:
    """Every batch in turn (one process each): total wall time, every classification."""
    classifications: list[dict] = []
    started = time.perf_counter()
    for batch in batches:
        argv = [MAILHYGIENE, "explain", "--format", "json"]
        for path in batch:
            argv += ["--file", str(path)]
        done = subprocess.run(argv, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise SystemExit(f"mailhygiene explain failed: {done.stderr.strip()[:300]}")
        classifications += json.loads(done.stdout)["classifications"]
    return time.perf_counter() - started, classifications


def run_sisimai(mbox: Path) -> tuple[float, dict]:
    started = time.perf_counter()
    done = subprocess.run(["perl", "-e", PERL, str(mbox)], capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"sisimai failed: {done.stderr.strip()[:300]}")
    return elapsed, json.loads(done.stdout)


def median_of(run, *args):
    runs = [run(*args) for _ in range(REPEATS)]
    return statistics.median(seconds for seconds, _ in runs), runs[0][1]


def classified(items: list[dict]) -> int:
    """Ours: a reason other than 'other' (explain classifies every rejection it finds)."""
    return sum(1 for item in items if item["reason"] != "other")


def reason_rows(ours: list[dict], files: list[Path], peer: dict, by_recipient: dict) -> list:
    """Per distinct case (the first DSN of each): our reason, sisimai's, agreement."""
    theirs = {row["rcpt"]: row["reason"] for row in peer["rows"]}
    pairs: Counter[tuple[str, str]] = Counter()
    expected_hits, disagreements = 0, []
    for index in range(len(CASES)):
        recipient = next(r for r in by_recipient if r.startswith(f"r{index:05d}@"))
        case, mine = by_recipient[recipient], ours[index]["reason"]
        other = theirs.get(recipient, "(none)")
        pairs[(mine, other)] += 1
        expected_hits += mine == case[5]
        if other not in SAME_REASON.get(mine, {mine}):
            disagreements.append(f"{case[0]}: ours {mine}, sisimai {other}")
    agree = len(CASES) - len(disagreements)
    rows = [
        ("distinct strings: ours = tests' expected reason", f"{expected_hits}/{len(CASES)}"),
        (
            "distinct strings: sisimai names the same reason",
            f"{agree}/{len(CASES)} (lenient: SAME_REASON)",
        ),
        (
            "  (ours -> sisimai) pairs",
            ", ".join(f"{a}->{b} x{n}" for (a, b), n in pairs.most_common()),
        ),
    ]
    for line in disagreements[:8]:
        rows.append(("  e.g.", line))
    if len(disagreements) > 8:
        rows.append(("  ...", f"{len(disagreements) - 8} more"))
    return rows


def bench(workdir: Path) -> list[tuple[str, str]]:
    made = time.perf_counter()
    files, mbox, logs, by_recipient = write_corpus(workdir)
    size = sum(p.stat().st_size for p in files) / 1e6
    rows = [
        (
            "corpus",
            f"{MESSAGES} Postfix DSNs ({size:.1f} MB) + {LOG_LINES} log lines from "
            f"{len(CASES)} real strings, made in {time.perf_counter() - made:.1f} s",
        ),
        ("runs per measurement (median, wall incl. start-up)", str(REPEATS)),
    ]
    batches = [files[i : i + BATCH] for i in range(0, len(files), BATCH)]
    ours_s, ours = median_of(run_ours, batches)
    log_s, logged = median_of(run_ours, [[path] for path in logs])
    rows += [
        (
            f"mailhygiene explain, DSN files ({len(batches)} x <= {BATCH} per process)",
            f"{ours_s:6.2f} s  {MESSAGES / ours_s:>8,.0f} messages/s",
        ),
        (
            f"mailhygiene explain, log lines ({len(logs)} x <= {BATCH} per process)",
            f"{log_s:6.2f} s  {LOG_LINES / log_s:>8,.0f} lines/s",
        ),
    ]
    peer = None
    if ensure_sisimai():
        peer_s, peer = median_of(run_sisimai, mbox)
        rows += [
            (
                f"sisimai {peer['version']} make(mbox), one process",
                f"{peer_s:6.2f} s  {MESSAGES / peer_s:>8,.0f} messages/s",
            ),
            ("ratio messages/s mailhygiene / sisimai", f"{peer_s / ours_s:.2f}"),
        ]
    else:
        rows.append(("sisimai", "peer not available (libsisimai-perl not installable)"))
    rows += [
        (
            "mailhygiene: DSNs classified (reason not 'other')",
            f"{classified(ours)}/{MESSAGES} ({len(ours)} rejections found)",
        ),
        (
            "mailhygiene: log lines classified",
            f"{classified(logged)}/{LOG_LINES} ({len(logged)} rejections found)",
        ),
    ]
    if peer is not None:
        reasons = Counter(row["reason"] for row in peer["rows"])
        decided = sum(n for reason, n in reasons.items() if reason not in ("undefined", "onhold"))
        rows += [
            (
                "sisimai: DSNs classified (not undefined/onhold)",
                f"{decided}/{MESSAGES} ({len(peer['rows'])} bounces found)",
            ),
            ("sisimai: reasons", ", ".join(f"{r} {n}" for r, n in reasons.most_common())),
            ("sisimai: log lines", "not supported (reads email messages only)"),
            *reason_rows(ours, files, peer, by_recipient),
        ]
    return rows


def main() -> None:
    started = time.perf_counter()
    workdir = Path(tempfile.mkdtemp(prefix="bench-explain-"))
    try:
        rows = bench(workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    print_rows(rows)
    print(f"\n(total {time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
