"""The bounce knowledge's regexes: compiled on first use, every shipped one valid."""

from __future__ import annotations

import re

import pytest

from audit.knowledge.providers import (
    BounceDataError,
    BounceKnowledge,
    Regex,
    _load,
    parse_knowledge,
    shipped_knowledge,
)


def every_regex(knowledge: BounceKnowledge) -> list[Regex]:
    regexes = [pattern.regex for pattern in knowledge.phrases]
    for provider in knowledge.providers:
        regexes += [*provider.text, *(pattern.regex for pattern in provider.patterns)]
    for named in (*knowledge.lists, *knowledge.relays):
        regexes += named.text
    return regexes


def test_every_shipped_regex_compiles():
    # given the shipped knowledge, when each regex is compiled, then none is malformed
    for regex in every_regex(shipped_knowledge()):
        assert isinstance(regex.compiled(), re.Pattern), regex.where


def test_loading_the_knowledge_compiles_no_regex(monkeypatch):
    # given re.compile counted
    compiled: list[str] = []
    original = re.compile

    def counting(pattern: str, flags: int = 0) -> re.Pattern[str]:
        compiled.append(pattern)
        return original(pattern, flags)

    monkeypatch.setattr(re, "compile", counting)
    # when the shipped files are parsed
    knowledge = parse_knowledge(_load("providers.toml"), _load("lists.toml"))
    # then nothing is compiled until a search needs it
    assert compiled == []
    assert every_regex(knowledge)


def test_a_regex_searches_case_insensitively():
    # given a data pattern, when it searches text in another case, then it matches
    assert Regex("blocked using", "phrases[0]").search("550 BLOCKED USING zen") is not None


def test_a_malformed_regex_is_a_data_error_naming_where():
    # given a malformed pattern, when it is first used, then a BounceDataError says where
    with pytest.raises(BounceDataError, match=r"providers\[3\]: bad regex"):
        Regex("blocked (using", "providers[3]").search("blocked using")


def test_equal_patterns_are_equal_regexes():
    # given two regexes of the same pattern (a document parsed twice), then they are equal
    assert Regex("a+", "x") == Regex("a+", "y")
    assert Regex("a+", "x") != Regex("b+", "x")
