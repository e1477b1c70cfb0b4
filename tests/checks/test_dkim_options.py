"""The dkim check's options: selectors are DNS label sequences (RFC 6376 §3.1)."""

from __future__ import annotations

import pytest

from audit.model.errors import InputError
from checks.dkim.options import DkimOptions, parse_selector


@pytest.mark.parametrize(
    ("text", "expected"),
    [("Selector1", "selector1"), ("s1.2024", "s1.2024"), (" k-1 ", "k-1"), ("a" * 63, "a" * 63)],
)
def test_a_selector_of_ldh_labels_is_accepted_in_lowercase(text: str, expected: str) -> None:
    assert parse_selector(text) == expected


def test_a_selector_that_fits_the_domain_is_accepted() -> None:
    DkimOptions(("s1",)).validate_for("example.test")


def test_a_selector_too_long_for_the_domain_is_an_input_error() -> None:
    options = DkimOptions((".".join(["a" * 60] * 4),))
    with pytest.raises(InputError, match="longer than 253"):
        options.validate_for("example.test")
