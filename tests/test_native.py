"""The mail-log modules compiled by hatch_build.py are imported only while they are their
sources' (audit/native.py): a changed source, or MAILHYGIENE_PURE_PYTHON=1, imports every
one of them from source. In CI (MAILHYGIENE_REQUIRE_NATIVE=1) the install must have
compiled them: the speed README states is that of the compiled modules."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

import pytest
from support.paths import REPO

import hatch_build
from audit import native

# every module the hook compiles, imported, and the file each came from
WHERE = (
    f"import importlib; names = {list(hatch_build.NATIVE_MODULES)!r}; "
    "print(*(importlib.import_module(name).__file__ for name in names))"
)


def imported_files(**env: str) -> list[str]:
    """Where a new interpreter imports the compiled modules from."""
    done = subprocess.run(
        [sys.executable, "-c", WHERE],
        capture_output=True, text=True, check=True, cwd=REPO,
        env={**os.environ, **env},
    )  # fmt: skip
    return done.stdout.split()


def source_checksum(module: str) -> str:
    return native.checksum(Path(native.source_of(module)).read_bytes())


def manifest_with(tmp_path: Path, changed: Mapping[str, str] | None = None) -> Path:
    """A manifest of the compiled modules' sources as they are, but for `changed`."""
    path = tmp_path / "native.txt"
    entries = {m: source_checksum(m) for m in hatch_build.NATIVE_MODULES}
    entries.update(changed or {})
    path.write_text("".join(f"{m} {c}\n" for m, c in entries.items()), "utf-8")
    return path


def test_the_build_hook_and_the_import_check_name_the_same_modules(tmp_path: Path) -> None:
    # given the manifest the hook writes for an editable install
    path = tmp_path / "native.txt"
    path.write_text(hatch_build.manifest(REPO, checked=True), "utf-8")
    # then it names exactly the modules compiled, with their sources' checksums
    read = native.read_manifest(str(path))
    assert read is not None and tuple(read) == hatch_build.NATIVE_MODULES
    assert not native.stale(read)


def test_a_wheel_s_manifest_is_never_stale(tmp_path: Path) -> None:
    path = tmp_path / "native.txt"
    path.write_text(hatch_build.manifest(REPO, checked=False), "utf-8")
    read = native.read_manifest(str(path))
    assert read is not None and set(read.values()) == {native.UNCHECKED}
    assert not native.stale(read)


def test_a_source_changed_since_its_compile_is_stale(tmp_path: Path) -> None:
    # given a manifest whose checksum of one module is not its source's
    read = native.read_manifest(str(manifest_with(tmp_path, {"audit.maillog.digest": "0-0"})))
    # then the compiled modules are stale; so are those of an empty manifest
    assert read is not None and native.stale(read)
    assert native.stale({})


def checked(monkeypatch: pytest.MonkeyPatch, manifest: Path) -> list[object]:
    """The import system's finders after `native.check` over `manifest`, in a copy of
    sys.meta_path the test gets back as it was."""
    monkeypatch.setattr(native, "MANIFEST", str(manifest))
    monkeypatch.setattr(native, "_checked", False)
    monkeypatch.delenv("MAILHYGIENE_PURE_PYTHON", raising=False)
    monkeypatch.setattr(sys, "meta_path", list(sys.meta_path))
    native.check()
    return sys.meta_path


def test_a_stale_manifest_imports_every_compiled_module_from_source(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given a manifest whose checksum of one module is not its source's
    manifest = manifest_with(tmp_path, {"audit.maillog.digest": "0-0"})
    # when the check runs
    finder = checked(monkeypatch, manifest)[0]
    # then every module of the group is found as its source, the rest as before
    for module in hatch_build.NATIVE_MODULES:
        spec = finder.find_spec(module)  # type: ignore[attr-defined]
        assert spec is not None and spec.origin is not None and spec.origin.endswith(".py")
    assert finder.find_spec("audit.maillog.ingest") is None  # type: ignore[attr-defined]


def test_a_fresh_manifest_leaves_the_import_system_as_it_is(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = list(sys.meta_path)
    assert checked(monkeypatch, manifest_with(tmp_path)) == before


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
