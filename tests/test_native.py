"""The mail-log modules compiled by hatch_build.py are imported only while they are their
sources' (audit/native.py): a changed source, or MAILHYGIENE_PURE_PYTHON=1, imports every
one of them from source. In CI (MAILHYGIENE_REQUIRE_NATIVE=1) the install must have
compiled them: the speed README states is that of the compiled modules."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from support.paths import REPO

import hatch_build
from audit import native

WHERE = (
    "import audit.maillog.digest as d, audit.loglines.postfix as p, "
    "audit.maillog.rejections as r, audit.maillog.bounded as b; "
    "print(d.__file__, p.__file__, r.__file__, b.__file__)"
)


def imported_files(**env: str) -> list[str]:
    """Where a new interpreter imports the compiled modules from."""
    done = subprocess.run(
        [sys.executable, "-c", WHERE],
        capture_output=True, text=True, check=True, cwd=REPO,
        env={**os.environ, **env},
    )  # fmt: skip
    return done.stdout.split()


def hashes(modules: dict[str, str]) -> dict[str, object]:
    return {"group": "mailhygiene__mypyc", "modules": modules}


def source_hash(module: str) -> str:
    path = REPO / Path(*module.split(".")).with_suffix(".py")
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_the_build_hook_and_the_import_check_name_the_same_modules() -> None:
    # given the modules the hook compiles
    # then its manifest hashes exactly those sources, as the check reads them
    written = hatch_build.manifest(REPO)
    assert tuple(written["modules"]) == hatch_build.NATIVE_MODULES
    assert not native.stale(written)


def test_a_source_changed_since_its_compile_is_stale() -> None:
    # given a manifest whose hash of one module is not its source's
    modules = {m: source_hash(m) for m in hatch_build.NATIVE_MODULES}
    modules["audit.maillog.digest"] = "0" * 64
    # then the compiled modules are stale; so is a manifest without modules
    assert native.stale(hashes(modules))
    assert native.stale({"group": "mailhygiene__mypyc"})


def test_a_stale_manifest_imports_every_compiled_module_from_source(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given a manifest whose hash of one module is not its source's
    manifest = tmp_path / "native.json"
    modules = {m: source_hash(m) for m in hatch_build.NATIVE_MODULES}
    modules["audit.maillog.digest"] = "0" * 64
    manifest.write_text(json.dumps(hashes(modules)), "utf-8")
    monkeypatch.setattr(native, "MANIFEST", manifest)
    monkeypatch.setattr(native, "_checked", False)
    monkeypatch.setattr(sys, "meta_path", list(sys.meta_path))
    # when the check runs
    native.check()
    # then every module of the group is found as its source, the rest as before
    finder = sys.meta_path[0]
    for module in hatch_build.NATIVE_MODULES:
        spec = finder.find_spec(module)
        assert spec is not None and spec.origin is not None and spec.origin.endswith(".py")
    assert finder.find_spec("audit.maillog.ingest") is None


def test_a_fresh_manifest_leaves_the_import_system_as_it_is(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    manifest = tmp_path / "native.json"
    modules = {m: source_hash(m) for m in hatch_build.NATIVE_MODULES}
    manifest.write_text(json.dumps(hashes(modules)), "utf-8")
    monkeypatch.setattr(native, "MANIFEST", manifest)
    monkeypatch.setattr(native, "_checked", False)
    monkeypatch.delenv("MAILHYGIENE_PURE_PYTHON", raising=False)
    before = list(sys.meta_path)
    monkeypatch.setattr(sys, "meta_path", list(before))
    native.check()
    assert sys.meta_path == before


def test_pure_python_is_imported_when_asked() -> None:
    # when a process asks for pure Python: every module is imported from its source
    assert all(path.endswith(".py") for path in imported_files(MAILHYGIENE_PURE_PYTHON="1"))


@pytest.mark.skipif(
    os.environ.get("MAILHYGIENE_REQUIRE_NATIVE") != "1",
    reason="the install may be pure Python (no compiler); CI requires the compiled modules",
)
def test_the_install_compiled_the_mail_log_modules() -> None:
    # given an install from this source (CI: a clean clone)
    # then the mail-log modules are imported compiled
    files = imported_files()
    assert files and all(not path.endswith(".py") for path in files), files
