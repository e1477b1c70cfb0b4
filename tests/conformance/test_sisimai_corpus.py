"""sisimai's corpus of real bounces (BSD-2-Clause, tests/conformance/sisimai/) through explain.

Every message is read as `explain --file` reads it and classified; the reasons are scored
against the reasons sisimai's own tests expect, mapped to ours (tests/support/sisimai_corpus.py,
README.md beside the corpus). The score is printed in pytest's terminal summary, beside the
RFC 7208 one; the floors are the scores reached, so a regression fails CI.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from support.sisimai_corpus import MAILDIR, Score, expected_reasons

from audit.bounce.explain import explain_inputs
from audit.bounce.input import read_file
from audit.model.errors import InputError

# The score reached (ours), minus nothing: raise them when the classifier gets better.
FLOOR_RIGHT = 430
FLOOR_HYGIENE_RIGHT = 100
FLOOR_BLOCKED_RIGHT = 29
EXPECTED = expected_reasons()
SCORE: dict[str, Score] = {}


def classify_corpus() -> tuple[Score, list[str]]:
    """The score on every message, and the messages refused as bad input (exit 2)."""
    score, refused = Score(), []
    for name, expected in sorted(EXPECTED.items()):
        try:
            explained = explain_inputs([read_file(str(MAILDIR / name))])
        except InputError:
            refused.append(name)
            score.add(name, expected, ["exit-2"])
            continue
        score.add(name, expected, [c.reason.value for c in explained.classifications])
    return score, refused


class _ScoreReporter:
    """Prints the corpus score in the terminal summary (CI logs)."""

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        if "corpus" in SCORE:
            terminalreporter.write_line(SCORE["corpus"].summary())


@pytest.fixture(scope="module")
def corpus_score(request: pytest.FixtureRequest) -> Iterator[tuple[Score, list[str]]]:
    plugin = _ScoreReporter()
    if not request.config.pluginmanager.has_plugin("sisimai-corpus-score"):
        request.config.pluginmanager.register(plugin, "sisimai-corpus-score")
    score, refused = classify_corpus()
    SCORE["corpus"] = score
    yield score, refused


def test_every_labelled_message_is_vendored() -> None:
    # given the expected reasons imported from sisimai's tests
    # when the corpus directory is listed
    present = {path.name for path in MAILDIR.glob("*.eml")}
    # then every labelled message is there
    assert set(EXPECTED) <= present


def test_no_real_bounce_is_refused_as_bad_input(corpus_score: tuple[Score, list[str]]) -> None:
    # given the real bounces of the corpus
    # when explain reads and classifies each
    _, refused = corpus_score
    # then none exits 2 (unreadable, binary or empty)
    assert refused == []


def test_labelled_records_score_at_least_the_floor(corpus_score: tuple[Score, list[str]]) -> None:
    # given the labelled records (sisimai's reason has a counterpart of ours)
    # when they are scored
    score, _ = corpus_score
    # then at least as many are right as when the floor was set
    assert score.right >= FLOOR_RIGHT, score.summary()


def test_hygiene_subset_scores_at_least_the_floor(corpus_score: tuple[Score, list[str]]) -> None:
    # given the hygiene-relevant records (blocks, reputation, PTR, auth, rate, relay, spam)
    # when they are scored
    score, _ = corpus_score
    # then at least as many are right as when the floor was set
    assert score.hygiene_right >= FLOOR_HYGIENE_RIGHT, score.summary()


def test_blocked_recall_is_at_least_the_floor(corpus_score: tuple[Score, list[str]]) -> None:
    # given the records sisimai calls blocked
    # when they are scored
    score, _ = corpus_score
    # then at least as many are found as when the floor was set
    assert score.given_right["blocked"] >= FLOOR_BLOCKED_RIGHT, score.summary()
