"""The `demo` command: the whole audit against the bundled offline lab (audit.lab)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from audit.cli.options import QuietOpt


def register(app: typer.Typer) -> None:
    @app.command()
    def demo(
        output_dir: Annotated[
            Path, typer.Option("--output-dir", metavar="DIR", help="Where to write the reports.")
        ] = Path("out"),
        quiet: QuietOpt = False,
    ) -> None:
        """Audit the bundled offline lab (local DNS, sample zones); writes out/report.json."""
        raise typer.Exit(run_demo(output_dir, quiet=quiet))


def run_demo(output_dir: Path, quiet: bool = False) -> int:
    from audit.cli.common import Output, execute, write_outputs
    from audit.lab.demo import LAB_DOMAIN, demo_lab

    output_dir.mkdir(parents=True, exist_ok=True)
    outputs = [
        Output(str(output_dir / "report.json"), "json"),
        Output(str(output_dir / "report.txt"), "text"),
        Output(str(output_dir / "report.xml"), "junit"),
        Output(str(output_dir / "report.html"), "html"),
        Output(str(output_dir / "report.pdf"), "pdf"),
    ]
    with demo_lab() as lab:
        plan = lab.plan()
        result = execute(plan, quiet, outputs)
    write_outputs(result, [*outputs, Output("-", "text")], plan.run.fail_on)
    if not quiet:
        written = ", ".join(o.path for o in outputs)
        print(
            f"\nDemo audit of {LAB_DOMAIN} (offline lab). Reports: {written}. "
            f"A real run would exit {result.summary.exit_code}.",
            file=sys.stderr,
        )
    return 4 if result.summary.exit_code == 4 else 0
