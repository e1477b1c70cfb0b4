"""The console script ends its process without finalizing the interpreter, safely.

Each case runs `audit.cli.end_process` in a fresh interpreter, as the console script does.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from support.paths import REPO


def run_python(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_the_status_is_kept_and_atexit_handlers_run(tmp_path: Path):
    # given an atexit handler that leaves a marker
    marker = tmp_path / "ran"
    completed = run_python(
        f"""
        import atexit, pathlib
        from audit.cli import end_process
        atexit.register(pathlib.Path({str(marker)!r}).touch)
        end_process(3)
        print("not reached")
        """
    )
    # when the process ends, then with that status, the handler run, nothing after it
    assert completed.returncode == 3
    assert marker.exists()
    assert "not reached" not in completed.stdout


def test_buffered_output_arrives_whole():
    # given 200 KB printed to a pipe, unflushed
    completed = run_python(
        """
        import sys
        from audit.cli import end_process
        sys.stdout.write("x" * 200_000)
        sys.stderr.write("done")
        end_process(0)
        """
    )
    # when the process ends, then every byte arrived
    assert (len(completed.stdout), completed.stderr, completed.returncode) == (200_000, "done", 0)


def test_a_thread_to_wait_for_means_the_normal_exit(tmp_path: Path):
    # given a (non-daemon) thread still working when the process would end
    marker = tmp_path / "finished"
    completed = run_python(
        f"""
        import pathlib, sys, threading, time
        from audit.cli import end_process
        work = lambda: (time.sleep(0.3), pathlib.Path({str(marker)!r}).touch())
        threading.Thread(target=work).start()
        end_process(5)
        print("returned")
        sys.exit(0)
        """
    )
    # when it ends, then it returned to the normal exit, which waited for the thread
    assert (completed.stdout.strip(), completed.returncode) == ("returned", 0)
    assert marker.exists()
