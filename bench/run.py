"""`make bench`: every benchmark under bench/, each timing us and our peers in one run.

Each bench_*.py is a standalone script that prints its own table with ratios; this
driver runs them in turn, so one command shows everything. Timings are printed, never
asserted.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> int:
    scripts = sorted(HERE.glob("bench_*.py"))
    failed = []
    for script in scripts:
        print(f"\n=== {script.name} ===", flush=True)
        completed = subprocess.run([sys.executable, str(script)], check=False)
        if completed.returncode != 0:
            failed.append(script.name)
    if failed:
        print(f"\nbenchmarks that failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
