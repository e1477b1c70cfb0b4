"""Benchmark: `mailhygiene explain` vs sisimai on sisimai's own corpus of real bounces.

Run: .venv/bin/python bench/bench_explain.py   (a minute or two; prints a table)

The corpus is tests/conformance/sisimai/ (589 messages of sisimai's set-of-emails, BSD-2-Clause,
with the reasons sisimai's own tests expect, mapped to ours by tests/support/sisimai_corpus.py).
Both tools get the same files in the same run:
- accuracy: the labelled records each gets right, the hygiene subset, blocked recall, and the
  precision of the hygiene reasons (ours through the library call the CLI makes, per file;
  sisimai's reasons mapped to ours with the same table);
- messages/s, one process for all files: `mailhygiene explain --file DIR --format json`
  beside one Perl process calling `Sisimai->make(FILE)` (v4; v5 renamed it `rise`) on every
  file; medians of REPEATS runs;
- messages/s, one process per file, on every PER_FILE_STEP-th file (start-up included),
  by wall time and by the processes' CPU time (user + system, from their rusage): on a
  shared machine the wall time mostly measures the wait for a core (round 1's 1.1 messages/s
  was ~0.9 s of wall per process for ~0.15 s of CPU), the CPU time what a process costs.
sisimai is Debian's `libsisimai-perl` (4.25): its tests' labels are v5's, so its own score
here is v4 against v5 expectations. If sisimai is missing it is installed with apt-get when we
are root; if that fails, its rows say "peer not available".
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))
sys.path.insert(0, str(REPO))

from peers import apt_install, can_install, print_rows  # noqa: E402  (bench/peers.py)
from support.sisimai_corpus import (  # noqa: E402  (the corpus, its labels and the scorer)
    HYGIENE,
    MAILDIR,
    NOT_A_BOUNCE,
    SISIMAI_TO_OURS,
    Score,
    expected_reasons,
)

MAILHYGIENE = str(REPO / ".venv" / "bin" / "mailhygiene")
REPEATS = 3
PER_FILE_STEP = 6  # one process per file on every 6th file (~100 files)
PERL = r"""
use strict; use warnings; use Sisimai; use JSON::PP;
my %found;
for my $file (@ARGV) {
    my $facts = (Sisimai->can('rise') ? Sisimai->rise($file) : Sisimai->make($file)) // [];
    $found{$file} = [map { $_->reason } @$facts];
}
print JSON::PP->new->canonical->encode({ version => $Sisimai::VERSION . '', found => \%found });
"""


def ensure_sisimai() -> bool:
    def installed() -> bool:
        probe = ["perl", "-MSisimai", "-e", "1"]
        return subprocess.run(probe, capture_output=True, check=False).returncode == 0

    if not installed() and can_install():
        apt_install("libsisimai-perl")
    return installed()


def timed(argv: list[str]) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run(argv, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{argv[0]} failed: {done.stderr.strip()[:300]}")
    return elapsed, done.stdout


def median_seconds(run: Callable[[], tuple[float, str]]) -> tuple[float, str]:
    runs = [run() for _ in range(REPEATS)]
    return statistics.median(seconds for seconds, _ in runs), runs[0][1]


def ours_by_file(files: list[Path]) -> dict[str, list[str]]:
    """Our reasons per file, by the library call `explain --file` makes."""
    from audit.bounce.explain import explain_inputs
    from audit.bounce.input import read_file
    from audit.model.errors import InputError

    found = {}
    for path in files:
        try:
            explained = explain_inputs([read_file(str(path))])
        except InputError:
            found[path.name] = ["exit-2"]
            continue
        found[path.name] = [c.reason.value for c in explained.classifications]
    return found


def sisimai_reasons(reasons: list[str]) -> list[str]:
    """sisimai's reasons in our words; one without a counterpart stays itself (a miss)."""
    mapped = [SISIMAI_TO_OURS.get(reason) or reason for reason in reasons]
    return [reason for reason in mapped if reason != NOT_A_BOUNCE]


def score(found: dict[str, list[str]]) -> Score:
    result = Score()
    for name, expected in sorted(expected_reasons().items()):
        result.add(name, expected, found.get(name, []))
    return result


def accuracy_rows(label: str, result: Score) -> list[tuple[str, str]]:
    precision = ", ".join(
        f"{reason} {result.given_right[reason]}/{result.given[reason]}"
        for reason in sorted(HYGIENE)
        if result.given[reason]
    )
    return [
        (f"{label}: labelled records right", f"{result.right}/{result.labelled} "
         f"({result.accuracy:.1%})"),
        (f"{label}: hygiene subset right", f"{result.hygiene_right}/{result.hygiene} "
         f"({result.hygiene_accuracy:.1%})"),
        (f"{label}: blocked recall", f"{result.given_right['blocked']}/"
         f"{result.expected['blocked']} ({result.recall('blocked'):.1%})"),
        (f"{label}: precision (right/said)", precision),
    ]  # fmt: skip


def per_file_seconds(
    argv_for: Callable[[Path], list[str]], files: list[Path]
) -> tuple[float, float]:
    """Wall and CPU seconds of one process per file, summed over `files`."""
    started, cpu = time.perf_counter(), 0.0
    for path in files:
        process = subprocess.Popen(
            argv_for(path), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        _pid, _status, usage = os.wait4(process.pid, 0)
        process.returncode = 0  # reaped above
        cpu += usage.ru_utime + usage.ru_stime
    return time.perf_counter() - started, cpu


def rate(count: int, seconds: tuple[float, float]) -> str:
    wall, cpu = seconds
    return f"{count / wall:,.1f} messages/s wall, {count / cpu:,.1f} by cpu"


def bench() -> list[tuple[str, str]]:
    files = sorted(MAILDIR.glob("*.eml"))
    sample = files[::PER_FILE_STEP]
    count = len(files)
    ours_s, _ = median_seconds(
        lambda: timed([MAILHYGIENE, "explain", "--file", str(MAILDIR), "--format", "json"])
    )
    ours_each = per_file_seconds(
        lambda path: [MAILHYGIENE, "explain", "--file", str(path), "--format", "json"], sample
    )
    rows = [
        ("corpus", f"{count} messages of sisimai's set-of-emails, labels from its v5 tests"),
        ("mailhygiene explain, one process", f"{count / ours_s:,.0f} messages/s"),
        (f"mailhygiene, one process per file ({len(sample)})", rate(len(sample), ours_each)),
        *accuracy_rows("mailhygiene", score(ours_by_file(files))),
    ]  # fmt: skip
    if not ensure_sisimai():
        rows.append(("sisimai", "peer not available (libsisimai-perl not installable)"))
        return rows
    peer_s, peer_out = median_seconds(lambda: timed(["perl", "-e", PERL, *map(str, files)]))
    peer_each = per_file_seconds(lambda path: ["perl", "-e", PERL, str(path)], sample)
    peer: dict[str, Any] = json.loads(peer_out)
    found = {Path(name).name: sisimai_reasons(r) for name, r in peer["found"].items()}
    rows += [
        (f"sisimai {peer['version']}, one process", f"{count / peer_s:,.0f} messages/s"),
        (f"sisimai, one process per file ({len(sample)})", rate(len(sample), peer_each)),
        ("ratio messages/s mailhygiene / sisimai, one process", f"{peer_s / ours_s:.2f}"),
        ("ratio messages/s mailhygiene / sisimai, per file",
         f"{peer_each[0] / ours_each[0]:.2f} wall, {peer_each[1] / ours_each[1]:.2f} cpu"),
        *accuracy_rows(f"sisimai {peer['version']}", score(found)),
    ]  # fmt: skip
    return rows


def main() -> None:
    started = time.perf_counter()
    print_rows(bench())
    print(f"\n(total {time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
