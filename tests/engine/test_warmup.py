"""Slow imports start while the run's network work goes on (audit/engine/warmup.py)."""

from __future__ import annotations

import subprocess
import sys

from support.paths import REPO

from audit.engine.warmup import warm_up


def test_modules_already_imported_start_no_thread():
    assert warm_up(["sys", "json"]) is None


def test_a_missing_module_does_not_raise_in_the_warm_up():
    thread = warm_up(["mailhygiene_no_such_module"])
    assert thread is not None
    thread.join(10)


def test_a_run_imports_its_checks_and_outputs_slow_modules_in_the_background():
    # given a fresh interpreter, a run of the spf check (checkdmarc) writing a PDF (WeasyPrint)
    code = """
import asyncio, sys
from audit.engine.options import RunOptions
from audit.engine.runner import RunPlan, run_audit
from checks.spf.check import SpfCheck

class Quiet(SpfCheck):
    uses_dns = False
    async def run(self, ctx):  # no DNS: only the warm-up is under test
        from audit.model import CheckResult
        return CheckResult(check=self.id)

plan = RunPlan(RunOptions(domain="example.test", derive_ips=False), (Quiet(),),
               warm_imports=("weasyprint",))
asyncio.run(run_audit(plan))
import threading
for thread in threading.enumerate():
    if thread.name == "warm-up":
        thread.join(60)
print("checkdmarc.spf" in sys.modules, "weasyprint" in sys.modules)
"""
    # when it runs
    completed = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=120
    )
    # then both were imported although nothing in the run imported them itself
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.split() == ["True", "True"]
