"""Report rendering: HTML+PDF time (wall and CPU), page count (A4, and Letter) and peak RSS
for the demo's result, a 1-IP result and a 50-IP / 200-finding result
(tests/support/big_report.py), side by side. Time and RSS are the A4 render's.

Each case runs in its own process so the RSS is that case's alone. Printed, never asserted.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CASES = ("demo", "one-ip", "fifty-ips")


def run_case(name: str) -> None:
    sys.path.insert(0, str(ROOT / "tests"))
    from support.big_report import full_document, scaled_document, single_ip_document
    from support.pdf_pages import page_count

    from audit.render.branding import ReportBranding
    from audit.render.pdf import render_pdf

    document = {"demo": full_document, "one-ip": single_ip_document}.get(name, scaled_document)()
    started, cpu = time.perf_counter(), time.process_time()
    pdf = render_pdf(document, ReportBranding())
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    letter = render_pdf(document, ReportBranding(paper="letter"))
    findings = len(document["findings"])
    print(
        json.dumps(
            {
                "case": name,
                "findings": findings,
                "seconds": seconds,
                "cpu_seconds": cpu_seconds,
                "rss_mb": rss_mb,
                "bytes": len(pdf),
                "pages": page_count(pdf),
                "letter_pages": page_count(letter),
            }
        )
    )


def main() -> int:
    if len(sys.argv) > 1:
        run_case(sys.argv[1])
        return 0
    print(
        f"{'result':<10} {'findings':>8} {'pages':>6} {'Letter':>6} {'render s':>9}"
        f" {'CPU s':>6} {'peak RSS MB':>12} {'PDF KB':>8}"
    )
    for name in CASES:
        out = subprocess.run(
            [sys.executable, __file__, name], capture_output=True, text=True, check=True
        ).stdout
        row = json.loads(out.strip().splitlines()[-1])
        print(
            f"{row['case']:<10} {row['findings']:>8} {row['pages']:>6} {row['letter_pages']:>6}"
            f" {row['seconds']:>9.1f} {row['cpu_seconds']:>6.1f} {row['rss_mb']:>12.0f}"
            f" {row['bytes'] / 1024:>8.0f}"
        )
    print(
        "(before issue 12, same machine: demo 40 pages 12.4 s 148 MB;"
        " 50-IP 244 pages 38.2 s 444 MB; A4, annex off)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
