"""Client-facing wording: what the report says instead of tool jargon.

The result document keeps the tool's own phrasing (golden JSON, the text renderer): "3
target(s)", "no --log given", `accepted_at_rcpt`. A client reading the HTML/PDF report
should see neither "(s)" plurals, command-line flags nor raw enum values, so every text
the report takes from the document passes through `client_text`. Values from DNS, SMTP or
logs are data, shown as they are (only escaped).
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Sequence

# A number, then a noun with "(s)" or "(es)": plural unless the number is one.
_COUNTED = re.compile(r"\b(\d+)(\s+(?:\w+\s+)?)(\w+?)\((e?s)\)")
_PLURAL = re.compile(r"(\w+?)\((e?s)\)")
_FLAG_PHRASES = (
    ("with `mailhygiene blacklist`", "with a blocklist lookup"),
    ("no --log given", "no mail log was given"),
    ("with --bounce", "given to the audit"),
    ("pass it with --selector", "give it to the audit as a selector"),
    ("raise --timeout", "allow a longer DNS timeout"),
    ("--timeout", "the DNS timeout"),
    ("--deadline", "the run's time limit"),
    ("--log", "a mail log"),
    ("--selector", "the selector setting"),
    ("--smtp-host", "the mail-server setting"),
    ("--ip", "the sending-IP setting"),
)
_FLAG = re.compile(r"(?<![\w-])--([a-z][a-z-]+)")
_ENUM = re.compile(r"\b([a-z]+(?:_[a-z]+)+)\b(?!\()")  # not a function: check_host(
ENUM_WORDS = {
    "accepted_at_rcpt": "accepted at RCPT",
    "accepted_at_data": "accepted at DATA",
    "not_applicable": "not applicable",
}


def _counted(match: re.Match[str]) -> str:
    number, middle, noun, ending = match.groups()
    return f"{number}{middle}{noun}" + ("" if number == "1" else ending)


def plural(count: int, noun: str, nouns: str | None = None) -> str:
    """'1 finding', '3 findings'."""
    return f"{count} {noun if count == 1 else nouns or noun + 's'}"


def enum_words(value: str) -> str:
    """A raw enum value as words ('accepted_at_rcpt' -> 'accepted at RCPT')."""
    return ENUM_WORDS.get(value, value.replace("_", " "))


def client_text(text: str, enums: bool = True) -> str:
    """`text` without "(s)" plurals, command-line flags or (with `enums`) snake_case enum
    values. Remediation steps keep snake_case: there it names a setting to change
    (Postfix `smtpd_relay_restrictions`)."""
    text = _COUNTED.sub(_counted, text)
    text = _PLURAL.sub(r"\1\2", text)
    for phrase, replacement in _FLAG_PHRASES:
        text = text.replace(phrase, replacement)
    text = _FLAG.sub(lambda m: "the " + m.group(1).replace("-", " ") + " setting", text)
    return _ENUM.sub(lambda m: enum_words(m.group(1)), text) if enums else text


def capitalized(text: str) -> str:
    """First letter upper case, the rest untouched ('DNS admin' stays 'DNS admin')."""
    return text[:1].upper() + text[1:]


def address_runs(ips: Sequence[str]) -> tuple[str, ...]:
    """The addresses in their order, 3 or more consecutive ones as one "first – last"
    run: 35 sending IPs of one block take one line of the summary, not six."""
    runs: list[list[str]] = []
    for ip in ips:
        if runs and _follows(runs[-1][-1], ip):
            runs[-1].append(ip)
        else:
            runs.append([ip])
    shown: list[str] = []
    for run in runs:
        shown += [f"{run[0]} – {run[-1]}"] if len(run) >= 3 else run
    return tuple(shown)


def run_size(run: str) -> int:
    """How many addresses a "first – last" run of `address_runs` holds."""
    first, last = run.split(" – ")
    return int(ipaddress.ip_address(last)) - int(ipaddress.ip_address(first)) + 1


def _follows(previous: str, ip: str) -> bool:
    """Whether `ip` is the address right after `previous` (same family)."""
    try:
        before, after = ipaddress.ip_address(previous), ipaddress.ip_address(ip)
    except ValueError:
        return False
    return before.version == after.version and int(after) == int(before) + 1
