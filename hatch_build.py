"""Build hook: the mail-log hot path compiled with mypyc, when a C compiler is there.

`mailhygiene logs` reads millions of lines through a few modules (the Postfix line parser
and its records, the digest and its bounded tables, the rejection classifier). Compiled
with mypyc (part of mypy: the type hints the code already carries, checked by `make lint`,
become C), the same source reads a log 1.25-1.7x faster (README, "Benchmarks":
bench_logs). Nothing else changes: the modules stay Python source, importable and correct
without their compiled form.

On `pip install` (wheel and editable), the hook compiles NATIVE_MODULES and writes
audit/native.txt: each source's checksum when compiled. audit/native.py imports the Python
sources instead of the compiled modules when any source changed since (an edit after an
editable install) or when MAILHYGIENE_PURE_PYTHON=1. MAILHYGIENE_NATIVE=0 at install time
skips compiling; a failed compile (no compiler, no headers) warns and installs pure Python.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

# module names, in the order mypyc is given them (one group: they call each other in C)
NATIVE_MODULES = (
    "audit.loglines.attempts",
    "audit.loglines.postfix",
    "audit.loglines.records",
    "audit.loglines.timestamps",
    "audit.maillog.attempts",
    "audit.maillog.bounded",
    "audit.maillog.digest",
    "audit.maillog.rejections",
)
GROUP = "mailhygiene"  # the shared library's name: mailhygiene__mypyc.<abi>.so
MANIFEST = Path("audit") / "native.txt"


def source_of(module: str) -> Path:
    return Path(*module.split(".")).with_suffix(".py")


def manifest(root: Path, checked: bool) -> str:
    """What audit/native.py reads: each module and its source's checksum when compiled
    (a wheel's: UNCHECKED, its installed files are not compared)."""
    sys.path.insert(0, str(root))
    try:
        from audit.native import UNCHECKED, checksum
    finally:
        sys.path.pop(0)
    return "".join(
        f"{module} {checksum((root / source_of(module)).read_bytes()) if checked else UNCHECKED}\n"
        for module in NATIVE_MODULES
    )


def compile_native(root: Path, build_lib: Path) -> list[Path]:
    """The compiled modules under `build_lib` (paths relative to it)."""
    from mypyc.build import mypycify
    from setuptools import Distribution
    from setuptools.command.build_ext import build_ext

    cwd = os.getcwd()
    os.chdir(root)  # mypycify reads the sources by relative path, writes C under build/
    try:
        sources = [str(source_of(module)) for module in NATIVE_MODULES]
        extensions = mypycify(
            [*sources, "--ignore-missing-imports"], opt_level="3", group_name=GROUP
        )
        # a Distribution of its own: setup() would read our pyproject.toml (hatchling's)
        command = build_ext(Distribution({"name": GROUP, "ext_modules": extensions}))
        command.build_lib = str(build_lib)
        command.build_temp = str(build_lib / "temp")
        command.ensure_finalized()
        command.run()
    finally:
        os.chdir(cwd)
    shutil.rmtree(build_lib / "temp", ignore_errors=True)
    return [path.relative_to(build_lib) for path in build_lib.rglob("*.so")]


class CustomBuildHook(BuildHookInterface):
    build_lib: Path | None = None

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if self.target_name != "wheel" or os.environ.get("MAILHYGIENE_NATIVE") == "0":
            return
        root = Path(self.root)
        editable = version == "editable"
        if editable:  # a clean slate: no old compiled module left without its manifest
            (root / MANIFEST).unlink(missing_ok=True)
            for old in (*root.glob(f"{GROUP}__mypyc.*.so"), *(root / "audit").rglob("*.so")):
                old.unlink()
        build_lib = self.build_lib = Path(tempfile.mkdtemp(prefix="mailhygiene-native-"))
        try:
            built = compile_native(root, build_lib)
        except Exception as exc:  # no compiler, no headers: the source runs as it is
            print(f"mailhygiene: mypyc not used ({type(exc).__name__}: {exc})", file=sys.stderr)
            return
        (build_lib / MANIFEST).parent.mkdir(parents=True, exist_ok=True)
        (build_lib / MANIFEST).write_text(manifest(root, checked=editable), "utf-8")
        for path in (*built, MANIFEST):
            if editable:  # beside the sources the editable install imports
                shutil.copy2(build_lib / path, root / path)
            else:
                build_data["force_include"][str(build_lib / path)] = str(path)
        build_data["pure_python"] = False
        build_data["infer_tag"] = True

    def finalize(self, version: str, build_data: dict[str, Any], artifact_path: str) -> None:
        if self.build_lib is not None:
            shutil.rmtree(self.build_lib, ignore_errors=True)
