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


def texts_around(regex: Regex) -> list[str]:
    """Texts that do and do not hold a shipped pattern's match, in several cases."""
    compiled = regex.compiled()
    needle = regex.pattern.replace("\\b", "").replace("\\", "")
    samples = [needle, needle.upper(), f"550 5.7.1 [{needle.title()}] refused", "550 refused"]
    return (
        [text for text in samples if text.isascii()]
        + [
            f"550 {needle} \u017f",  # non-ASCII: searched in full
            f"via {compiled.pattern[:3]}",
        ]
    )


def test_every_shipped_regex_answers_as_its_compiled_pattern():
    # given each shipped regex and texts that hold it or not, in several cases
    for regex in every_regex(shipped_knowledge()):
        for text in texts_around(regex):
            # when it searches, then it finds what its compiled pattern finds
            expected = re.compile(regex.pattern, re.IGNORECASE).search(text)
            found = Regex(regex.pattern, regex.where).search(text)
            assert (found and found.span()) == (expected and expected.span()), (regex, text)


def test_a_literal_pattern_absent_from_ascii_text_is_not_compiled():
    # given a plain-text pattern; when an ASCII text without it is searched
    regex = Regex(r"\bsender\.office\.com\b", "providers[1].text[0]")
    assert regex.search("550 5.7.1 Service unavailable, blocked by zen.spamhaus.org") is None
    # then nothing was compiled; a text that holds it in another case is found
    assert regex._compiled is None
    assert regex.search("see SENDER.OFFICE.COM for help") is not None


def test_a_literal_pattern_searches_non_ascii_text_in_full():
    # given a pattern "sendgrid"; when the text spells it with a long s (U+017F), which
    # IGNORECASE matches with "s" and str.lower() does not; then it is still found
    assert Regex("sendgrid", "providers[2].text[0]").search("550 \u017fendgrid refused")


@pytest.mark.parametrize(
    ("pattern", "needle"),
    [
        ("mailgun", "mailgun"),
        (r"\bqq\.com\b", "qq.com"),
        ("AUP#CNCT", "aup#cnct"),
        (r"\bSC-00[1-4]\b", None),
        (r"\(AS\d{4,}\)", None),
        ("gmail|google", None),
        ("colou?r", None),
        (r"back\\slash", None),
    ],
)
def test_only_plain_text_patterns_get_a_needle(pattern, needle):
    # given a pattern; then its needle is its text only when it is plain text
    from audit.knowledge.providers import literal_needle

    assert literal_needle(pattern) == needle
