"""write_outputs is all or nothing: a file is staged beside its target and renamed into
place only when every output was written (audit/render/outputs.py)."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest
from support.report_fixtures import demo_document

from audit.model.errors import InputError
from audit.render.formats import RenderOptions
from audit.render.outputs import Output, write_outputs


def disk_full_on(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the flush of the temporary file for `name` fail as a full disk would."""
    real_fsync = os.fsync

    def fsync(fd: int) -> None:
        if os.readlink(f"/proc/self/fd/{fd}").split("/")[-1].startswith(f".{name}."):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fsync)


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc")
def test_a_write_failing_halfway_leaves_no_partial_file(tmp_path, monkeypatch):
    html = tmp_path / "report.html"
    disk_full_on("report.html", monkeypatch)

    with pytest.raises(InputError, match="No space left"):
        write_outputs(demo_document(), [Output(str(html), "html")], RenderOptions())

    assert list(tmp_path.iterdir()) == []


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc")
def test_a_later_failure_removes_the_files_written_before_it(tmp_path, monkeypatch):
    first, second = tmp_path / "a.json", tmp_path / "b.html"
    disk_full_on("b.html", monkeypatch)

    with pytest.raises(InputError, match=r"b\.html"):
        outputs = [Output(str(first), "json"), Output(str(second), "html")]
        write_outputs(demo_document(), outputs, RenderOptions())

    assert list(tmp_path.iterdir()) == []


def test_a_report_gets_the_mode_a_plain_write_would_give(tmp_path):
    report = tmp_path / "r.json"
    umask = os.umask(0o022)
    try:
        write_outputs(demo_document(), [Output(str(report), "json")], RenderOptions())
    finally:
        os.umask(umask)

    assert report.stat().st_mode & 0o777 == 0o644
