"""Start-up time: `mailhygiene --help` must answer in under 0.3 s of import time.

Measures the median wall time of `--help` for us and for checkdmarc's CLI (a peer with
the same dependency stack), and our import time: `python -c "import audit.cli"` minus
a bare `python -c pass`. Heavy libraries (weasyprint, checkdmarc, dnspython's resolver)
must load only when used.
"""

from __future__ import annotations

import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

RUNS = 7
BIN = Path(sys.executable).parent
BUDGET_S = 0.3


def median_wall(argv: list[str]) -> float:
    samples = []
    for _ in range(RUNS):
        started = time.perf_counter()
        subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def main() -> None:
    bare = median_wall([sys.executable, "-c", "pass"])
    ours_import = median_wall([sys.executable, "-c", "import audit.cli"]) - bare
    ours_help = median_wall([str(BIN / "mailhygiene"), "--help"])
    rows = [("mailhygiene: import audit.cli (minus bare python)", ours_import, None)]
    rows.append(("mailhygiene --help (wall)", ours_help, None))
    peer = shutil.which("checkdmarc", path=str(BIN))
    if peer:
        peer_help = median_wall([peer, "--help"])
        rows.append(("checkdmarc --help (wall)", peer_help, peer_help / ours_help))
    print(f"{'measurement':55} {'median s':>9} {'peer/ours':>9}")
    for name, seconds, ratio in rows:
        print(f"{name:55} {seconds:9.3f} {f'{ratio:.2f}x' if ratio else '':>9}")
    verdict = "within" if ours_import < BUDGET_S else "OVER"
    print(f"import time {ours_import:.3f}s is {verdict} the {BUDGET_S}s budget")


if __name__ == "__main__":
    main()
