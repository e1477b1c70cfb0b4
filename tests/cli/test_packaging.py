"""The wheel ships the templates, schema, remediation data and lab samples."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from support.paths import REPO

import hatch_build

LAB_SAMPLES = REPO / "samples" / "lab"


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    outdir = tmp_path_factory.mktemp("wheel")
    completed = subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(outdir)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    (wheel,) = outdir.glob("mailhygiene-*.whl")
    return wheel


@pytest.fixture(scope="module")
def wheel_names(wheel: Path) -> set[str]:
    with zipfile.ZipFile(wheel) as archive:
        return set(archive.namelist())


@pytest.mark.slow
@pytest.mark.parametrize(
    "name",
    [
        "report_templates/junit.xml.j2",
        "report_templates/report.html.j2",
        "report_templates/report.css",
        "report_templates/report/_playbooks.html.j2",
        "audit/schema/result.schema.json",
        "audit/schema/explain.schema.json",
        "audit/knowledge/providers/providers.toml",
        "audit/knowledge/providers/lists.toml",
        "audit/knowledge/remediation/ptr.toml",
        "audit/cli/__init__.py",
        "audit/cli/blacklist/fast.py",
        "audit/knowledge/dnsbl/10-spamhaus.toml",
        "checks/dkim/selectors.toml",
        "checks/relay/variants.toml",
        "audit/knowledge/volume/thresholds.toml",
        "checks/ptr/check.py",
    ],
)
def test_wheel_contains(wheel_names, name):
    assert name in wheel_names


@pytest.mark.slow
@pytest.mark.skipif(
    os.environ.get("MAILHYGIENE_REQUIRE_NATIVE") != "1",
    reason="the machine may have no C compiler; CI requires the compiled modules",
)
def test_wheel_carries_the_compiled_mail_log_modules_and_their_manifest(wheel_names):
    # given a wheel built where a C compiler is (hatch_build.py)
    # then it holds each compiled module, their shared library and the hashes they are of
    compiled = {name.split(".")[0] for name in wheel_names if name.endswith(".so")}
    expected = {module.replace(".", "/") for module in hatch_build.NATIVE_MODULES}
    assert compiled == {*expected, "mailhygiene__mypyc"}
    assert "audit/native.txt" in wheel_names


@pytest.mark.slow
def test_wheel_contains_every_lab_sample(wheel_names):
    samples = sorted(
        "audit/lab/data/" + path.relative_to(LAB_SAMPLES).as_posix()
        for path in LAB_SAMPLES.rglob("*")
        if path.is_file()
    )
    assert [name for name in samples if name not in wheel_names] == []


@pytest.mark.slow
def test_wheel_declares_the_console_script(wheel, wheel_names):
    (entry_points,) = [n for n in wheel_names if n.endswith(".dist-info/entry_points.txt")]
    with zipfile.ZipFile(wheel) as archive:
        text = archive.read(entry_points).decode("utf-8")
    assert "mailhygiene = audit.cli:main" in text


def test_samples_schema_is_the_packaged_schema():
    packaged = REPO / "audit" / "schema" / "result.schema.json"
    assert (REPO / "samples" / "result.schema.json").read_bytes() == packaged.read_bytes()
