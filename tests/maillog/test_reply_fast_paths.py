"""The classifier's shortcuts answer what the long way answers: a Postfix reply's code
matched after `] said: ` (`is_remote_rejection`), a per-message token told by one regex
(`TOKEN_WORD`, masked as `_masked_word` masks it), on any text."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from audit.loglines.records import DeliveryEvent, DeliveryStatus
from audit.maillog.rejections import (
    SMTP_CODE,
    TOKEN_WORD,
    _masked_word,
    is_remote_rejection,
)

# the characters replies and their tokens are made of, and some that break runs
WORD_CHARS = st.sampled_from(list("aZ_09.:/+=-x5@<> ]é٣"))
words = st.text(WORD_CHARS, min_size=0, max_size=40)


@given(words)
def test_a_word_told_a_token_is_masked_as_the_mask_masks_it(word: str) -> None:
    # given any word; when the token regex takes it
    if TOKEN_WORD.match(word) is not None:
        # then the word-by-word mask makes it the same constant
        assert _masked_word(word) == "x0"


def test_a_gmail_token_is_told_by_the_token_regex() -> None:
    # given Gmail's per-message token, an IPv4 address and a short code
    # then only the token is told a token
    assert TOKEN_WORD.match("d2e1a72fcca58-7b0f0f1a2c3si1234567a3.42")
    assert not TOKEN_WORD.match("192.168.100.200:25")
    assert not TOKEN_WORD.match("AS16012609")


def delivery(reply: str) -> DeliveryEvent:
    return DeliveryEvent(None, "Q1", "a@b.example", DeliveryStatus.BOUNCED, True, reply=reply)


# the pieces of a Postfix reply, and of hostile ones (codes inside the relay's name)
PIECES = ["host ", "mx550", "[", "]", " said: ", "550", "421", "-", " ", "5.1.1", "x", ":", "("]
replies = st.lists(st.sampled_from(PIECES), max_size=12).map("".join)


@given(replies)
def test_a_remote_rejection_is_what_the_code_search_finds(reply: str) -> None:
    # given any reply text of a remote failed delivery
    event = delivery(reply)
    # then the shortcut after `] said: ` agrees with the search over the whole reply
    assert is_remote_rejection(event) == (SMTP_CODE.search(reply) is not None)


def test_a_postfix_relay_reply_is_a_remote_rejection() -> None:
    # given Postfix's reply of a relay with digits in its name and address
    reply = "host mx550.example[203.0.113.250] said: 550 5.1.1 User unknown"
    # then it is a rejection, and a reply without a code is not
    assert is_remote_rejection(delivery(reply))
    assert not is_remote_rejection(delivery("host mx550.example[203.0.113.250] said: no"))
