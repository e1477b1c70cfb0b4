"""sisimai's public bounce corpus (tests/conformance/sisimai/): the mapping of its reasons
to ours, and the score of a classifier on it. Shared by the conformance tier
(tests/conformance/test_sisimai_corpus.py) and bench/bench_explain.py.

Scoring, per message: the reasons sisimai's tests expect (one per recipient) are matched as a
multiset against the reasons we give. A record is *labelled* when its sisimai reason has a
counterpart of ours (SISIMAI_TO_OURS); `None` there means no counterpart (expired, filtered,
network errors ...): such records are not scored, but any reason we give for them counts
against our precision. An auto-reply or delivery notification (NOT_A_BOUNCE) is right when
we give no classification for the message at all.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from support.paths import REPO

CORPUS = REPO / "tests" / "conformance" / "sisimai"
MAILDIR = CORPUS / "maildir"
NOT_A_BOUNCE = "not_a_bounce"
# sisimai v5 reason -> ours (the README beside the corpus explains each choice).
SISIMAI_TO_OURS: Mapping[str, str | None] = {
    "blocked": "blocked",
    "badreputation": "bad_reputation",
    "ratelimited": "rate_limited",
    "toomanyconn": "rate_limited",
    "speeding": "rate_limited",
    "requireptr": "require_ptr",
    "authfailure": "auth_failure",
    "norelaying": "relaying_denied",
    "spamdetected": "spam_content",
    "virusdetected": "spam_content",
    "feedback": "complaint",
    "policyviolation": "policy",
    "rejected": "policy",
    "securityerror": "policy",
    "notcompliantrfc": "policy",
    "userunknown": "user_unknown",
    "hostunknown": "user_unknown",
    "hasmoved": "user_unknown",
    "notaccept": "user_unknown",
    "suspend": "user_unknown",
    "mailboxfull": "mailbox_full",
    "vacation": NOT_A_BOUNCE,
    "delivered": NOT_A_BOUNCE,
    "expired": None,
    "filtered": None,
    "networkerror": None,
    "systemerror": None,
    "mailererror": None,
    "contenterror": None,
    "mesgtoobig": None,
    "onhold": None,
    "undefined": None,
    "exceedlimit": None,
    "syntaxerror": None,
    "systemfull": None,
}
HYGIENE = frozenset(
    {
        "blocked",
        "bad_reputation",
        "require_ptr",
        "auth_failure",
        "rate_limited",
        "relaying_denied",
        "spam_content",
    }
)


def expected_reasons() -> dict[str, list[str | None]]:
    """Each message's expected reasons, ours (None: no counterpart), one per recipient."""
    document = json.loads((CORPUS / "expected.json").read_text(encoding="utf-8"))
    return {
        name: [SISIMAI_TO_OURS[row[2]] for row in rows]
        for name, rows in document["expected"].items()
    }


@dataclass
class Score:
    labelled: int = 0
    right: int = 0
    hygiene: int = 0
    hygiene_right: int = 0
    given: Counter[str] = field(default_factory=Counter)  # reasons we gave
    given_right: Counter[str] = field(default_factory=Counter)
    expected: Counter[str] = field(default_factory=Counter)
    misses: list[tuple[str, str, str]] = field(default_factory=list)  # file, got, expected

    @property
    def accuracy(self) -> float:
        return self.right / self.labelled if self.labelled else 0.0

    @property
    def hygiene_accuracy(self) -> float:
        return self.hygiene_right / self.hygiene if self.hygiene else 0.0

    def recall(self, reason: str) -> float:
        return self.given_right[reason] / self.expected[reason] if self.expected[reason] else 0.0

    def precision(self, reason: str) -> float:
        return self.given_right[reason] / self.given[reason] if self.given[reason] else 1.0

    def add(self, name: str, expected: Sequence[str | None], got: Sequence[str]) -> None:
        labelled = [reason for reason in expected if reason is not None]
        self.labelled += len(labelled)
        self.given.update(got)
        if labelled and all(reason == NOT_A_BOUNCE for reason in labelled):
            self.expected[NOT_A_BOUNCE] += len(labelled)
            if not got:
                self.right += len(labelled)
                self.given_right[NOT_A_BOUNCE] += len(labelled)
            else:
                self.misses.append((name, ",".join(got), NOT_A_BOUNCE))
            return
        self.expected.update(labelled)
        left = Counter(got)
        for reason in labelled:
            hit = left[reason] > 0
            left[reason] -= int(hit)
            self.right += int(hit)
            self.given_right[reason] += int(hit)
            if reason in HYGIENE:
                self.hygiene += 1
                self.hygiene_right += int(hit)
            if not hit:
                self.misses.append((name, ",".join(got) or "-", reason))

    def summary(self) -> str:
        blocked = self.recall("blocked")
        return (
            f"sisimai corpus: {self.right}/{self.labelled} labelled records "
            f"({self.accuracy:.1%}), hygiene subset {self.hygiene_right}/{self.hygiene} "
            f"({self.hygiene_accuracy:.1%}), blocked recall {blocked:.1%}"
        )
