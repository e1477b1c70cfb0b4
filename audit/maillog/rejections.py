"""Remote rejections pulled from delivery events: the SMTP code, the enhanced status code
(RFC 3463), the receiving provider, the named blocklist and a reason class in the `explain`
vocabulary (blocked, bad_reputation, rate_limited, require_ptr, auth_failure, user_unknown,
mailbox_full, other).

The classification is `explain`'s (audit/bounce/classify.py `verdict_for`, with the provider
data of audit/knowledge/providers/ and the DNSBL catalog): one classifier, one provider table.
The reply it reads is the one `explain` would read from the same log line
(audit/bounce/extract.py `make_rejection`), so both say the same about it.

Real replies carry per-message details (Gmail's token before "- gsmtp", Outlook's server
and timestamp, queue ids, the recipient echoed back, our IP): the classifier reads the
reply with those masked (`normalised_reply`), and remembers its verdict per (masked reply,
provider serving the relay host, deferred), so 100k bounces that differ only by their
token are classified once, as are 100k hosts of one provider saying the same words.
"""

from __future__ import annotations

import re
from typing import Final, NamedTuple

from audit.bounce.classify import verdict_for
from audit.bounce.extract import RejectionReply, make_rejection
from audit.bounce.fields import smtp_codes
from audit.knowledge.dnsbl.catalog import Catalog, shipped_catalog
from audit.knowledge.providers import BounceKnowledge, shipped_knowledge
from audit.loglines.exim import remote_reply
from audit.loglines.records import DeliveryEvent, DeliveryStatus

# Any 4xx/5xx reply code: what makes a failed delivery a remote *rejection* (RFC 5321 §4.2).
SMTP_CODE: Final = re.compile(r"(?<![\w.@/:-])(?P<code>[45]\d\d)(?=[ -]|$)")
SAID: Final = "] said: "  # the end of Postfix's `host relay[ip] said: ` before a remote reply
MAX_SAMPLE_CHARS: Final = 300
MAX_CLASSIFIED: Final = 4096  # classified replies remembered at once (a cache, not state)
MAX_REMEMBERED_REPLY_CHARS: Final = 1024  # longer replies and heads are never remembered
# up to a reply's last digit (greedy, then back from the end: linear, in C)
LAST_DIGIT: Final = re.compile(r"(?s).*\d")
# Per-message details of a reply (RFC 5321 leaves the text after the codes free): the
# recipient echoed back, IP addresses, times, queue ids, Gmail's token before "- gsmtp",
# Outlook's server name and hex ids. One pass: a recipient in <...>, or a run of
# address/token characters with a digit in it (started only where a run starts: linear).
MASKED: Final = re.compile(
    r"<[^<>@\s]{0,256}@[^<>\s]{0,256}>|(?<![\w.:/+=-])[\w.:/+=-]*\d[\w.:/+=-]*"
)
IPV4: Final = re.compile(r"\[?\d{1,3}(?:\.\d{1,3}){3}\]?(?::\d+)?")
TWO_DIGITS: Final = re.compile(r"\d\D*\d")
DIGIT: Final = re.compile(r"\d")
# a word MASKED's second branch takes whole, if it has a digit
RUN: Final = re.compile(r"[\w.:/+=-]+")
MIN_IPV4_CHARS: Final = len("1.2.3.4")
# an enum member read from its class costs a descriptor call (Python 3.11), per rejection
SENT, DEFERRED = DeliveryStatus.SENT, DeliveryStatus.DEFERRED
TOKEN_CHARS: Final = 12  # shorter runs are codes a provider's patterns read: S3150, AS16012609
# A word `_masked_word` masks to "x0" (a token): one run of TOKEN_CHARS or more, at most
# one ":", two digits, a letter or "_" (so no IPv4 address): Gmail's per-message token
# `d2e1a72fcca58-7b0f0f1a2c3si1234567a3.42`, told in one match instead of `_mask_run`'s
# tests one by one (a new token in every reply: never remembered)
TOKEN_WORD: Final = re.compile(
    r"(?=[^:]*+(?::[^:]*+)?+\Z)(?=.*?[A-Za-z_])(?=\D*\d\D*\d)[\w.:/+=-]{12,}+\Z"
)


def _mask(match: re.Match[str]) -> str:
    """The constant standing for one run (same shape: "[IP] blocked using" still reads)."""
    return _mask_run(match.group())


def _mask_run(run: str) -> str:
    """`_mask` of the run's text."""
    if run[0] == "<":
        return "<x@x.invalid>"
    if run.isdigit():  # the rules below, for digits only (no dot, no colon)
        return "x0" if len(run) >= TOKEN_CHARS else "0" if len(run) >= 6 else run
    if len(run) < MIN_IPV4_CHARS and ":" not in run:
        return run  # no address, no token: a code such as 5.7.1, S3150, 4.7.28
    if IPV4.fullmatch(run):
        return "192.0.2.1"
    if ":" in run and run.count(":") >= 2:
        return "2001:db8::1" if "::" in run or run.count(":") > 3 else "00:00:00"
    if len(run) >= TOKEN_CHARS and TWO_DIGITS.search(run):
        return "x0"
    return "0" if run.isdigit() and len(run) >= 6 else run


MAX_WORDS: Final = 65_536  # words remembered with their masked form (a cache, not state)
MAX_CACHED_WORD_CHARS: Final = 64  # longer words are masked, never remembered
_words: dict[str, str] = {}  # word -> masked word (a pure function: codes repeat)


def _masked_word(word: str) -> str:
    """One word of a reply with its per-message details masked (see `normalised_reply`)."""
    if word.isalpha() or ("@" not in word and DIGIT.search(word) is None):
        return word
    masked = _words.get(word)
    if masked is None:
        # a word of run characters only is one run (MASKED's lookbehind holds at its
        # start, the run takes it all): its mask without the regex's substitution
        masked = _mask_run(word) if RUN.fullmatch(word) else MASKED.sub(_mask, word)
        # a long word the mask changed is a token: unique, not worth remembering
        if len(word) <= MAX_CACHED_WORD_CHARS and (masked == word or len(word) < TOKEN_CHARS):
            if len(_words) >= MAX_WORDS:
                _words.clear()
            _words[word] = masked
    return masked


def normalised_reply(reply: str) -> str:
    """`reply` with its per-message details masked. Word by word: no run MASKED matches
    spans a space, and a word of letters only, or without a digit and an "@", holds none
    (the regex over a whole reply costs more than these C-level tests of each word)."""
    words = reply.split(" ")
    changed = False
    for index, word in enumerate(words):
        if word.isalpha() or ("@" not in word and DIGIT.search(word) is None):
            continue
        masked = _masked_word(word)
        if masked != word:
            words[index], changed = masked, True
    return " ".join(words) if changed else reply


# Postfix's `host relay[ip] said: ` before a remote reply names the relay the event
# already holds: it is replaced by one constant (audit/bounce/extract.py takes it off the
# same way, the relay host comes from the event), and the recipient echoed back `<rcpt>`
# by its mask, before the masking: the words that differ per host and per message go
# without a regex each (100k distinct hosts, 100k recipients).
RELAY_PREFIX: Final = "host relay.invalid[::] said: "
MASKED_ADDRESS: Final = "<x@x.invalid>"
PLAIN_ADDRESS: Final = re.compile(r"[^<>@\s]{0,256}@[^<>\s]{0,256}")  # what MASKED masks in <...>


def _event_reply(event: DeliveryEvent) -> str:
    """The event's reply with its relay prefix and echoed recipient replaced (see above)."""
    reply, host = event.reply, event.relay_host
    if host is not None and reply.startswith("host "):
        prefix = f"host {host}[{event.relay_ip}] said: "
        if reply.startswith(prefix):
            reply = RELAY_PREFIX + reply[len(prefix) :]
    rcpt = event.recipient
    if rcpt and f"<{rcpt}>" in reply and PLAIN_ADDRESS.fullmatch(rcpt):
        reply = reply.replace(f"<{rcpt}>", MASKED_ADDRESS)
    return reply


class RejectionKind(NamedTuple):
    """What kind of remote rejection a delivery met: the key the digest counts by (a
    tuple: built and hashed once per rejection, millions of times on a large log)."""

    reason: str
    provider: str | None
    blocklist: str | None
    code: str | None
    enhanced: str | None
    host: str | None
    temporary: bool

    def sort_key(self) -> tuple[object, ...]:
        """Field order, None before any text (None and text do not compare)."""
        return tuple((value is not None, value) for value in self)


def is_remote_rejection(event: DeliveryEvent) -> bool:
    """A remote server refused (5xx) or deferred (4xx) with an SMTP reply."""
    if not event.remote or event.status is SENT:
        return False
    reply = event.reply
    # Postfix's `host relay[ip] said: 550 ...`: the code right after the prefix, matched
    # there (its lookbehind still reads the space before it) instead of searched from the
    # start, where the relay's name and address hold digits the search tries one by one
    said = reply.find(SAID)
    if said >= 0 and SMTP_CODE.match(reply, said + len(SAID)) is not None:
        return True
    return SMTP_CODE.search(reply) is not None


def rejection_reply(event: DeliveryEvent, reply: str | None = None) -> RejectionReply:
    """The classifier's input, as `explain` reads the same line: the remote server's words
    (Exim's "SMTP error from remote mail server after …:" taken off), the relay host.
    `reply`: the event's reply as it is to be read (normalised), by default as logged."""
    host = event.relay_host if event.relay_host not in (None, "none") else None
    deferred = event.status is DeliveryStatus.DEFERRED
    text = event.reply if reply is None else reply
    return make_rejection(remote_reply(text) or text, host, deferred)


# (reason, provider, blocklist, code, enhanced): what a reply's words say, whatever the host
_Verdict = tuple[str, str | None, str | None, str | None, str | None]


class HostIndex:
    """Which provider serves a relay host, by its name's suffixes: a few dict lookups per
    host instead of every provider's every suffix (`Provider.serves_host`), with the same
    answer: the first provider, in the data's order, one of whose suffixes the name is or
    ends with. The name is read from its last label on, and no further than a tail no
    suffix ends with (a host of no provider costs a lookup or two: 100k distinct hosts)."""

    def __init__(self, knowledge: BounceKnowledge) -> None:
        self.suffixes: dict[str, tuple[int, str]] = {}
        for index, provider in enumerate(knowledge.providers):
            for suffix in provider.hosts:
                self.suffixes.setdefault(suffix.lower().rstrip("."), (index, provider.id))
        # every suffix's label tails ("com", "google.com" of "l.google.com"): a name's tail
        # that is none of them is the end of every longer tail of that name too
        self.tails = {
            ".".join(labels[start:])
            for labels in (suffix.split(".") for suffix in self.suffixes)
            for start in range(len(labels))
        }

    def serving(self, host: str) -> str | None:
        name = host.lower().rstrip(".")
        found: tuple[int, str] | None = None
        end = len(name)
        while name:
            dot = name.rfind(".", 0, end)
            tail = name[dot + 1 :]
            if tail not in self.tails:
                break
            entry = self.suffixes.get(tail)
            if entry is not None and (found is None or entry < found):
                found = entry
            if dot < 0:
                break
            end = dot
        return found[1] if found else None


class _Template:
    """One relay's rejection as fixed text and masked words: a reply of the same relay
    (host and IP) and status that has the same text around words of the same masks is
    masked to the same reply (`normalised_reply` masks word by word), so it is of the same
    kind. Read with `str.startswith` at offsets and one mask per variable word, instead of
    the reply's relay prefix, its copy and its mask (a token in each of 100k bounces).

    Only replies without an "@" are templates: `_event_reply` replaces the recipient echoed
    back (in `<...>`), which differs per message; without an "@" it changes nothing but the
    relay prefix, which is the same for the same relay host and IP."""

    __slots__ = ("fixed", "kind", "masks", "prefix", "prefixed")

    def __init__(
        self,
        prefix: str,
        prefixed: bool,
        fixed: tuple[str, ...],
        masks: tuple[str, ...],
        kind: RejectionKind,
    ) -> None:
        self.prefix, self.prefixed = prefix, prefixed
        self.fixed, self.masks, self.kind = fixed, masks, kind

    @classmethod
    def of(cls, event: DeliveryEvent, kind: RejectionKind) -> _Template | None:
        """`event`'s reply as a template (with no variable word: the reply itself), or None
        (an "@" in it, or too long: both told at once, again on each such reply)."""
        reply = event.reply
        if "@" in reply or len(reply) > MAX_REMEMBERED_REPLY_CHARS:
            return None
        prefix = f"host {event.relay_host}[{event.relay_ip}] said: "
        prefixed = reply.startswith(prefix)
        words = reply[len(prefix) if prefixed else 0 :].split(" ")
        fixed: list[str] = []
        masks: list[str] = []
        text: list[str] = []  # the words since the last variable one
        for word in words:
            masked = _masked_word(word)
            if masked == word:
                text.append(word)
                continue
            # the text before a variable word, with the spaces around it (the first
            # segment has none before it, the word after the previous one has one)
            fixed.append(" ".join(text) + " " if text else "")
            masks.append(masked)
            text = [""]  # the space after this word
        fixed.append(" ".join(text))
        return cls(prefix, prefixed, tuple(fixed), tuple(masks), kind)

    def kind_of(self, reply: str) -> RejectionKind | None:
        """The template's kind if `reply` is of its words, else None."""
        prefixed = reply.startswith(self.prefix)
        if prefixed != self.prefixed or "@" in reply:
            return None
        at = len(self.prefix) if prefixed else 0
        fixed = self.fixed
        for index, mask in enumerate(self.masks):
            text = fixed[index]
            if not reply.startswith(text, at):
                return None
            at += len(text)
            end = reply.find(" ", at)
            if end < 0:
                end = len(reply)
            word = reply[at:end]
            # a token (TOKEN_WORD) masks to "x0", told without the mask's tests one by one
            if not word or (
                (mask != "x0" or TOKEN_WORD.match(word) is None) and _masked_word(word) != mask
            ):
                return None
            at = end
        tail = fixed[-1]
        if len(reply) - at != len(tail) or not reply.endswith(tail):
            return None
        return self.kind


class RejectionClassifier:
    """`explain`'s classifier over delivery events, on the reply with its per-message
    details masked. Bounded caches: the kind per (masked reply, relay host, status), the
    provider serving each relay host, and the verdict per (masked reply, provider serving
    the host, deferred), all the verdict reads. The knowledge and catalog load on the
    first rejection."""

    def __init__(
        self, knowledge: BounceKnowledge | None = None, catalog: Catalog | None = None
    ) -> None:
        self._knowledge, self._catalog = knowledge, catalog
        self._hosts: HostIndex | None = None
        self._classified: dict[tuple[str, str | None, DeliveryStatus], RejectionKind] = {}
        self._serving: dict[str, str | None] = {}
        self._replies: dict[str, str] = {}  # a reply -> its normalised form
        self._normalised: dict[str, str] = {}  # a reply's head -> its normalised form
        self._verdicts: dict[tuple[str, str | None, bool], _Verdict] = {}
        # (relay host, relay IP, status) -> the words of its last rejection (None: seen
        # once): a reply of the same words but its per-message ones is of the same kind
        self._templates: dict[tuple[str, str | None, DeliveryStatus], _Template | None] = {}

    def classify(self, event: DeliveryEvent) -> RejectionKind:
        host = event.relay_host
        if host is None or host == "none":  # the host is read from the reply's words
            return self._classify(event)
        key = (host, event.relay_ip, event.status)
        templates = self._templates
        template = templates.get(key)
        if template is not None:
            kind = template.kind_of(event.reply)
            if kind is not None:
                return kind
        kind = self._classify(event)
        if template is None and key not in templates:
            # a relay's first rejection: its template only on the second (100k distinct
            # hosts each seen once cost one dict entry each, not a template)
            if len(templates) >= MAX_CLASSIFIED:
                templates.clear()
            templates[key] = None
        else:  # the relay's rejections are not of one template's words: this one's
            templates[key] = _Template.of(event, kind)
        return kind

    def _classify(self, event: DeliveryEvent) -> RejectionKind:
        verbatim = _event_reply(event)
        reply = self._replies.get(verbatim)
        if reply is None:  # not seen verbatim (with its relay and recipient masked)
            reply = self._normalised_reply(verbatim)
            if len(verbatim) <= MAX_REMEMBERED_REPLY_CHARS:
                if len(self._replies) >= MAX_CLASSIFIED:
                    self._replies.clear()
                self._replies[verbatim] = reply
        key = (reply, event.relay_host, event.status)
        kind = self._classified.get(key)
        if kind is None:
            if len(self._classified) >= MAX_CLASSIFIED:
                self._classified.clear()
            kind = self._classified[key] = self._kind(event, reply)
        return kind

    def _normalised_reply(self, reply: str) -> str:
        """`normalised_reply(reply)`, its head (up to the word with its last digit) read
        once per distinct head: the mask is word by word, so the head's and the tail's
        masks joined are the whole reply's, and a per-message token is its last word with
        a digit mostly (Gmail's before "- gsmtp"), which the tail masks each time."""
        last = LAST_DIGIT.match(reply)
        if last is None:
            return normalised_reply(reply)
        split = reply.rfind(" ", 0, last.end()) + 1
        head = reply[:split]
        masked = self._normalised.get(head)
        if masked is None:
            masked = normalised_reply(head)
            if len(head) <= MAX_REMEMBERED_REPLY_CHARS:
                if len(self._normalised) >= MAX_CLASSIFIED:
                    self._normalised.clear()
                self._normalised[head] = masked
        # the tail's first word holds the reply's last digit, the words after it none: only
        # an "@" there is masked (an address in <...>)
        word, space, rest = reply[split:].partition(" ")
        if "@" in rest:
            return masked + normalised_reply(reply[split:])
        if TOKEN_WORD.match(word) is not None:
            return masked + "x0" + space + rest
        return masked + _masked_word(word) + space + rest

    def _kind(self, event: DeliveryEvent, normalised: str) -> RejectionKind:
        host = event.relay_host if event.relay_host not in (None, "none") else None
        deferred = event.status is DEFERRED
        reply: RejectionReply | None = None
        if host is None:  # the reply may name it ("host X said:"): read it as explain does
            reply = rejection_reply(event)  # as logged: a host name with digits is masked
            host = reply.remote_host
        serving = self.provider_serving(host) if host else None
        # The verdict reads the reply's words (the host prefix taken off: the same for the
        # same masked reply), the provider serving the host and the deferral.
        key = (normalised, serving, deferred)
        found = self._verdicts.get(key)
        if found is None:
            if len(self._verdicts) >= MAX_CLASSIFIED:
                self._verdicts.clear()
            # the words as logged are classified (as explain reads them), not their mask:
            # a detail the mask takes away (a host name with digits, "IP=", a code run into
            # an address) cannot change the verdict of the reply that is read
            found = self._verdicts[key] = self._verdict(reply or rejection_reply(event))
        # positional: a NamedTuple built from keywords costs more, once per rejection
        return RejectionKind(
            *found, event.relay_host if event.relay_host != "none" else None, deferred
        )

    def _verdict(self, reply: RejectionReply) -> _Verdict:
        knowledge, catalog = self._loaded()
        verdict = verdict_for(reply, knowledge, catalog)
        codes = smtp_codes(reply.text)
        blocklist = verdict.blocklist.lower().rstrip(".") if verdict.blocklist else None
        return verdict.reason.value, verdict.provider, blocklist, codes.reply, codes.enhanced

    def provider_serving(self, host: str) -> str | None:
        """The provider (audit/knowledge/providers id) whose servers `host` is one of."""
        if host in self._serving:
            return self._serving[host]
        if self._hosts is None:
            self._hosts = HostIndex(self._loaded()[0])
        if len(self._serving) >= MAX_CLASSIFIED:
            self._serving.clear()
        serving = self._serving[host] = self._hosts.serving(host)
        return serving

    def _loaded(self) -> tuple[BounceKnowledge, Catalog]:
        if self._knowledge is None or self._catalog is None:
            self._knowledge, self._catalog = shipped_knowledge(), shipped_catalog()
        return self._knowledge, self._catalog


def sample_reply(reply: str) -> str:
    """A reply as the report quotes it: its whitespace runs one space, its length bounded."""
    return " ".join(reply.split())[:MAX_SAMPLE_CHARS]
