"""Shared by the benchmarks: installing a peer tool from Debian's packages, and printing a
table of (label, value) rows."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Sequence

APT_TIMEOUT_S = 300


def can_install() -> bool:
    return os.geteuid() == 0 and shutil.which("apt-get") is not None


def apt_install(package: str) -> None:
    """Install `package`; failures are left for the caller's own presence check."""
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = ["apt-get", "install", "-y", "-qq", package]
    try:
        if subprocess.run(install, env=env, capture_output=True, timeout=APT_TIMEOUT_S).returncode:
            # the package lists may be missing or stale: update once, then try again
            update = ["apt-get", "update", "-qq"]
            subprocess.run(update, env=env, capture_output=True, timeout=APT_TIMEOUT_S)
            subprocess.run(install, env=env, capture_output=True, timeout=APT_TIMEOUT_S)
    except (OSError, subprocess.TimeoutExpired):
        pass


def ensure_tool(tool: str, package: str) -> str | None:
    """The path of `tool`, installing `package` first when it is missing and we can."""
    found = shutil.which(tool)
    if found is None and can_install():
        apt_install(package)
        found = shutil.which(tool)
    return found


def print_rows(rows: Sequence[tuple[str, str]]) -> None:
    width = max(len(label) for label, _ in rows)
    for label, value in rows:
        print(f"  {label:<{width}}  {value}")
