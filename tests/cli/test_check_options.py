"""Check options are declared by their check (checks/<id>/options.py) and reach the CLI,
the config file and the check from that one declaration."""

from __future__ import annotations

import pytest

from audit.cli.audit_command import build_plan
from audit.cli.config import audit_config_keys
from audit.engine.options import all_declarations, build_options
from audit.model.errors import InputError
from checks.options import CHECK_OPTIONS
from checks.spf.options import SpfOptions

DECLARED = all_declarations(CHECK_OPTIONS)


@pytest.mark.parametrize("spec", DECLARED, ids=lambda spec: spec.name)
def test_every_declared_option_is_a_config_key(spec):
    assert spec.name in audit_config_keys()


def test_no_two_declarations_share_a_flag_or_a_key():
    flags = [flag for spec in DECLARED for flag in spec.flags]
    assert len(flags) == len(set(flags))
    assert len({spec.name for spec in DECLARED}) == len(DECLARED)


def test_a_flag_reaches_the_check_as_its_typed_option():
    # given --helo from the command line, when the plan is built
    plan = build_plan(
        {"domain": "example.test", "helo": ["MX1.Example.Test."], "nameserver": ["127.0.0.1:9"]}
    )
    # then the spf check's own options carry the parsed name
    options = {type(o): o for o in plan.runs[0].check_options}
    assert options[SpfOptions] == SpfOptions(helo_names=("mx1.example.test",))


def test_a_config_key_reaches_the_check_as_its_typed_option(tmp_path):
    # given helo in the config file only
    config = tmp_path / "c.toml"
    config.write_text('helo = "mx1.example.test"\nnameserver = ["127.0.0.1:9"]\n')
    # when the plan is built, then the spf check gets it
    plan = build_plan({"domain": "example.test", "config": config})
    options = {type(o): o for o in plan.runs[0].check_options}
    assert options[SpfOptions].helo_names == ("mx1.example.test",)


def test_a_bad_value_is_an_input_error_from_the_declaration():
    with pytest.raises(InputError):
        build_options(SpfOptions, {"helo": ["not a domain"]})
