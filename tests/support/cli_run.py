"""Running the CLI in-process from a test: exit code, stdout and stderr."""

from __future__ import annotations

import pytest

from audit.cli import main


def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """`mailhygiene ARGV...` through `main`, as the console script runs it."""
    with pytest.raises(SystemExit) as exited:
        main(list(argv))
    captured = capsys.readouterr()
    return exited.value.code, captured.out, captured.err
