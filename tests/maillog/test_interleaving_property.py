"""Property (issue 9): random interleavings of message lines and junk never raise and never
change the totals of the valid messages. Hypothesis draws, derandomized and bounded: which
messages (Postfix sent/deferred/bounced, Exim through syslog), how their lines interleave
(each message's own lines stay in order, as a server writes them) and what junk lands
between them (other programs' lines, Postfix lines of no interest, arbitrary text, bytes
that are not UTF-8)."""

from __future__ import annotations

import tempfile
from datetime import date, timedelta
from pathlib import Path

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from support import mail_logs as ml

from audit.maillog.ingest import read_logs

TODAY = date(2025, 12, 31)
STATUSES = ("sent", "deferred", "bounced")
REPLIES = {
    "sent": "250 2.0.0 OK",
    "deferred": "451 4.7.1 Greylisted, try again later",
    "bounced": ml.USER_UNKNOWN.format(rcpt="x@example.org"),
}
NO_NEWLINE = st.characters(blacklist_categories=("Cs",), blacklist_characters="\n\r")
JUNK = st.one_of(
    st.text(NO_NEWLINE, max_size=200),
    st.builds(lambda n: ml.dovecot(n, ml.START), st.integers(0, 10_000)),
    st.builds(lambda n: ml.amavis(n, ml.START), st.integers(0, 10_000)),
    st.sampled_from(
        [
            ml.syslog(ml.START, "postfix/smtpd[9]", "connect from unknown[192.0.2.9]"),
            ml.syslog(ml.START, "postfix/smtpd[9]", "disconnect from unknown[192.0.2.9] ehlo=1"),
            ml.syslog(ml.START, "postfix/qmgr[9]", "warning: lots of deferred mail"),
            ml.syslog(ml.START, "postfix/smtpd[9]", "NOQUEUE: lost connection after AUTH"),
            "\ufffd\ufffd garbage \x00\x01",
            "",
        ]
    ),
)


def message(n: int, kind: str) -> list[str]:
    at = ml.START + timedelta(minutes=n)
    if kind == "exim":
        return [ml.via_syslog(line, at) for line in ml.exim_message(n, at)]
    rcpt = f"r{n}@example.org"
    return ml.postfix_delivery(n, at, rcpt, ml.OTHER_MX, kind, REPLIES[kind])


@st.composite
def interleaved(draw: st.DrawFn) -> tuple[list[str], list[str]]:
    """(the messages' lines alone, the same lines interleaved with each other and junk)."""
    kinds = draw(st.lists(st.sampled_from((*STATUSES, "exim")), min_size=1, max_size=12))
    messages = [message(n, kind) for n, kind in enumerate(kinds)]
    alone = [line for lines in messages for line in lines]
    queues = [list(lines) for lines in messages]
    mixed: list[str] = []
    while any(queues):
        if draw(st.booleans()):
            mixed.append(draw(JUNK))
        waiting = [q for q in queues if q]
        mixed.append(waiting[draw(st.integers(0, len(waiting) - 1))].pop(0))
    mixed += draw(st.lists(JUNK, max_size=3))
    return alone, mixed


def totals(lines: list[str], binary_junk: bytes = b"") -> dict[str, int]:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "mail.log"
        path.write_bytes(("\n".join(lines) + "\n").encode("utf-8") + binary_junk)
        facts = read_logs([str(path)], today=TODAY)
    return facts.totals


@settings(
    max_examples=80,
    deadline=None,
    derandomize=True,
    database=None,
    phases=(Phase.explicit, Phase.generate, Phase.shrink),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(interleaved(), st.binary(max_size=64).filter(lambda b: b"\n" not in b and b"\r" not in b))
def test_junk_between_message_lines_never_changes_the_totals(
    drawn: tuple[list[str], list[str]], binary_junk: bytes
) -> None:
    # given some messages' lines, and the same lines interleaved with each other and junk
    alone, mixed = drawn
    # when both are read as a mail.log (the mixed one ending in bytes that are not text)
    expected, got = totals(alone), totals(mixed, binary_junk)
    # then nothing raised and the totals of the messages are the same
    assert got == expected and expected["messages"] >= 1
