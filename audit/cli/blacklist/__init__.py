"""The `blacklist` and `lists` commands, one module each for what needs Typer and what not.

command.py declares both commands for Typer (`register(app)`, called from
audit/cli/typer_app.py); run.py is what `blacklist` runs, without Typer; fast.py parses a
plain `blacklist` command line without Typer and runs it (audit/cli/__init__.py `main`).
Nothing is imported here: `fast` must not bring Typer in with its package.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import typer


def register(app: typer.Typer) -> None:
    """Add `blacklist` and `lists` to the main app (audit/cli/typer_app.py)."""
    from audit.cli.blacklist.command import register as add_commands

    add_commands(app)
