"""The root --help lists the commands from their summaries, building none of them.

The listing must say exactly what the fully built app says (audit/cli/typer_app.py
SUMMARIES against each command's own docstring), so the shortcut is invisible to users.
"""

from __future__ import annotations

import pytest
import typer
from typer.testing import CliRunner

from audit.cli import SUMMARIES, build_app


def full_app() -> typer.Typer:
    return build_app(listing=False)


def command_helps(app: typer.Typer) -> dict[str, str | None]:
    group = typer.main.get_command(app)
    assert isinstance(group, typer.core.TyperGroup)
    return {name: command.help for name, command in group.commands.items()}


def test_every_command_has_a_summary_so_the_listing_builds_none():
    # given the app with every command built
    # when its commands are listed
    # then each has a summary (else --help would build it to list it)
    assert set(command_helps(full_app())) == set(SUMMARIES)


def test_each_summary_is_its_commands_own_help_text():
    # given the fully built commands, when their help texts are read,
    # then the summaries say the same, in the same order
    assert list(command_helps(full_app()).items()) == list(SUMMARIES.items())


@pytest.mark.parametrize("argv", [["--help"], [], ["no-such-command"], ["audi"]])
def test_the_listing_renders_as_the_full_app(argv):
    # given the listing app and the fully built one
    runner = CliRunner()
    # when both are run with the same root arguments
    listed = runner.invoke(build_app(), argv, prog_name="mailhygiene")
    built = runner.invoke(full_app(), argv, prog_name="mailhygiene")
    # then the output and the exit code are the same
    assert (listed.output, listed.exit_code) == (built.output, built.exit_code)
