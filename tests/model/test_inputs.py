"""User input validation: names by IDNA 2008/UTS #46, IPs, SMTP hosts (one-line errors)."""

from __future__ import annotations

import pytest

from audit.model.errors import InputError
from audit.model.inputs import parse_domain, parse_ip, parse_seconds, parse_smtp_host


def test_a_german_sharp_s_is_kept_as_idna_2008_not_mapped_to_ss():
    assert parse_domain("straße.test") == "xn--strae-oqa.test"


def test_upper_case_unicode_is_mapped_by_uts46():
    assert parse_domain("ÄBC.test") == "xn--bc-uia.test"


@pytest.mark.parametrize("invisible", ["\u200b", "\u00ad", "\u2060"])
def test_an_invisible_character_inside_a_name_is_an_error_not_dropped(invisible):
    with pytest.raises(InputError, match="invisible character"):
        parse_domain(f"exa{invisible}mple.test")


def test_one_trailing_root_dot_is_accepted():
    assert parse_domain("goodmail.test.") == "goodmail.test"


@pytest.mark.parametrize("name", ["goodmail.test..", "goodmail..test", ".goodmail.test"])
def test_an_empty_label_is_an_error(name):
    with pytest.raises(InputError, match="empty label"):
        parse_domain(name)


def test_an_ipv6_zone_index_is_not_a_sending_ip():
    with pytest.raises(InputError, match="zone index"):
        parse_ip("fe80::1%eth0")


def test_an_smtp_host_with_an_unclosed_bracket_is_an_error():
    with pytest.raises(InputError, match=r"missing '\]'"):
        parse_smtp_host("[::1")


def test_an_smtp_host_ipv6_literal_with_a_port_is_parsed():
    assert parse_smtp_host("[::1]:2525") == ("::1", 2525)


@pytest.mark.parametrize("value", [0.05, 3, 86_400])
def test_a_finite_positive_duration_is_accepted(value: float) -> None:
    assert parse_seconds(value, "--timeout") == value


@pytest.mark.parametrize("name", ["\x80", "a\x85b.test", "\u0378.test"])
def test_a_code_point_uts46_disallows_is_an_input_error_not_a_crash(name: str) -> None:
    # found by the CLI fuzz test: idna.uts46_remap raised InvalidCodepoint (exit 4)
    with pytest.raises(InputError, match="invalid domain"):
        parse_domain(name)
