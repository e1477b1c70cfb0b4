"""Fuzz the command line (issue 8, acceptance): whatever the arguments and file contents,
`mailhygiene` exits 0-3, never 4, never with a traceback, and exit 2 is exactly one line on
stderr starting `mailhygiene: error:`.

Every command (audit, blacklist, explain, logs, report, lists) gets arguments drawn from
pools of valid and of hostile values (domains, IPs, CIDRs, selectors, SMTP hosts, durations,
formats, --fail-on, check ids) and files with drawn contents (configs, lists files, logs,
bounces, saved results, logos). Each example first draws a *mood*, the chance that a value
comes from the hostile pool: 0 for many examples, so a good share pass validation and really
run, and up to 40 % for the others. Runs stay on loopback: --nameserver is always the lab DNS
server or a silent port, the relay probe is off or aimed at a scripted SMTP server on
127.0.0.1, and --timeout/--deadline are always small (or invalid), so an example takes a
fraction of a second. Examples are derandomized: CI runs the same ones every time.
"""

from __future__ import annotations

import gzip
import io
import itertools
import json
import math
import sys
import tomllib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from support.paths import REPO
from support.report_fixtures import tiny_png

from audit.cli import main
from audit.cli.config import audit_config_keys
from audit.model.errors import InputError
from audit.model.inputs import parse_smtp_host
from checks.registry import CHECKS

pytestmark = pytest.mark.fuzz

# At least this share of each command's examples pass validation and really run.
RUN_SHARE = 0.15  # the draw is derandomized: which examples run shifts as options are added


def fuzz_settings(examples: int) -> settings:
    return settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,  # the same examples in every run: CI is reproducible
        database=None,
        print_blob=True,
        # No shrinking: a failure names its argv, and shrinking CLI runs can take minutes.
        phases=(Phase.explicit, Phase.generate),
        suppress_health_check=[
            HealthCheck.function_scoped_fixture,  # the servers are shared by all examples
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.filter_too_much,
        ],
    )


# -- the loopback lab every example runs against ---------------------------------------------

SOA = "@ 300 IN SOA ns.example.test. hostmaster.example.test. 1 3600 600 86400 300\n"
EXAMPLE_ZONE = SOA + (
    "@ IN MX 10 mail\n"
    "mail IN A 127.0.0.1\n"
    '@ IN TXT "v=spf1 ip4:127.0.0.1 include:_spf.example.test ~all"\n'
    '_spf IN TXT "v=spf1 ip4:192.0.2.0/24 -all"\n'
    '_dmarc IN TXT "v=DMARC1; p=none; rua=mailto:d@example.test"\n'
    's1._domainkey IN TXT "v=DKIM1; k=rsa; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQC"\n'
)
REVERSE_ZONE = SOA + "1 IN PTR mail.example.test.\n"


@dataclass
class Lab:
    nameservers: tuple[str, ...]  # the lab server (answers) and a silent port (times out)
    smtp: str  # a scripted, closed SMTP server on 127.0.0.1
    folder: Path
    counter: Iterator[int] = field(default_factory=itertools.count)

    def file(self, content: bytes, suffix: str = ".txt") -> str:
        path = self.folder / f"f{next(self.counter)}{suffix}"
        path.write_bytes(content)
        return str(path)

    def output(self, name: str) -> str:
        if name == "nodir":
            return str(self.folder / "missing" / "r.json")
        return "-" if name == "-" else str(self.folder / f"out{next(self.counter)}.{name}")


@pytest.fixture
def lab(dns_server, silent_nameserver: str, smtp_server, tmp_path: Path) -> Lab:
    zones = {"example.test": EXAMPLE_ZONE, "0.0.127.in-addr.arpa": REVERSE_ZONE}
    server = dns_server(zones=zones)
    return Lab((server.nameserver, silent_nameserver), smtp_server().address, tmp_path)


@dataclass(frozen=True)
class Outcome:
    code: int
    err: str


def run(capsys, argv: list[str], stdin: bytes = b"") -> Outcome:
    """One in-process run; stdin is always a non-terminal stream (explain may read it)."""
    capsys.readouterr()
    saved_stdin = sys.stdin
    sys.stdin = io.TextIOWrapper(io.BytesIO(stdin), encoding="utf-8")
    try:
        with pytest.raises(SystemExit) as exited:
            main(argv)
    finally:
        sys.stdin = saved_stdin
    _out, err = capsys.readouterr()
    return Outcome(int(exited.value.code), err)


def assert_clean(outcome: Outcome, argv: list[str]) -> None:
    where = f"argv={argv!r}\nstderr={outcome.err[-2000:]}"
    assert outcome.code in (0, 1, 2, 3), where
    assert "Traceback" not in outcome.err and "internal error" not in outcome.err, where
    if outcome.code == 2:
        lines = outcome.err.splitlines()
        assert len(lines) == 1 and lines[0].startswith("mailhygiene: error:"), where


# -- pools of values: each option has a valid one and a hostile one -----------------------------


@dataclass(frozen=True)
class Pool:
    valid: st.SearchStrategy[Any]
    hostile: st.SearchStrategy[Any]


# Command-line arguments cannot hold NUL (execve) nor lone surrogates (not UTF-8).
ARG_CHARS = st.characters(exclude_categories=("Cs",), exclude_characters="\x00")
hostile_text = st.text(ARG_CHARS, max_size=24)
ldh = st.from_regex(r"[a-z0-9]([a-z0-9-]{0,8}[a-z0-9])?", fullmatch=True)
tld = st.from_regex(r"[a-z]{2,6}", fullmatch=True)
valid_names = st.builds(
    lambda labels, top: ".".join([*labels, top]), st.lists(ldh, min_size=1, max_size=2), tld
)

DOMAIN = Pool(
    st.sampled_from(["example.test", "EXAMPLE.test.", "straße.test", "xn--strae-oqa.test"])
    | valid_names,
    st.sampled_from(
        [
            "goodmail.test..",
            "a" * 64 + ".test",
            "localhost",
            "-x.test",
            "192.0.2.1",
            "ex ample.test",
            "good\u200bmail.test",
            ".test",
            "example.123",
            "x" * 250 + ".test",
        ]
    )
    | hostile_text,
)
IP = Pool(
    st.ip_addresses().map(str) | st.sampled_from(["127.0.0.1", "192.0.2.1", "::1"]),
    st.sampled_from(["fe80::1%eth0", "999.1.1.1", "1.2.3", " ", "", "192.0.2.1/32", "::g"])
    | hostile_text,
)
CIDR = Pool(
    st.builds("{}/{}".format, st.ip_addresses(v=4), st.integers(27, 32))
    | st.builds("{}/{}".format, st.ip_addresses(v=6), st.integers(123, 128)),
    st.sampled_from(["192.0.2.0/-1", "192.0.2.0/x", "/24", "10.0.0.0/8", "::/0", "1.2.3.4/33"]),
)
SELECTOR = Pool(
    st.lists(ldh, min_size=1, max_size=2).map(".".join),
    st.sampled_from(["a b", "", "a" * 300, "a..b", "../../etc/passwd", "-s", "s_1", "é"])
    | hostile_text,
)
TIMEOUT = Pool(
    st.floats(0.03, 0.1).map("{:.3f}".format),
    st.sampled_from(["inf", "-inf", "nan", "0", "-1", "1e999", "abc", "", "100000", "0x10"]),
)
DEADLINE = Pool(st.floats(0.15, 0.4).map("{:.3f}".format), TIMEOUT.hostile)
FORMAT = Pool(
    st.sampled_from(["text", "json", "junit", "html"]),
    st.sampled_from(["JSON", "bogus", "", "xml", "pdf2"]) | hostile_text,
)
FAIL_ON = Pool(
    st.sampled_from(["info", "low", "medium", "high", "critical", "never", "HIGH"]),
    st.sampled_from(["x", "", "severe", "1"]) | hostile_text,
)
RUNNABLE_IDS = sorted(check_id.value for check_id in CHECKS)
CHECK_IDS = Pool(
    st.lists(st.sampled_from(RUNNABLE_IDS), min_size=1, max_size=3, unique=True).map(",".join),
    st.lists(st.sampled_from(["mx", "bogus", "", " spf ", "SPF", ",,"]), max_size=3).map(",".join),
)
DQS_KEY = Pool(
    st.just("zz9plural9z9alpha0secret00"),
    st.sampled_from(["short", "bad.key-x", "k" * 70, "key with space"]),
)
DNSBL = Pool(
    st.sampled_from(
        [
            "bl.spamcop.net",
            "zen.spamhaus.org:ip",
            "dbl.spamhaus.org:domain",
            "rbl.corp.test",
            "k3y0123456.combined.mail.abusix.zone",
            "zz9plural9z9alpha0secret00.zen.dq.spamhaus.net",
        ]
    ),
    st.sampled_from(["rbl.corp.test:bogus", "bad zone", "spamcop", ":ip", "x..y"]) | hostile_text,
)
MAX_TARGETS = Pool(st.sampled_from(["1", "5", "64"]), st.sampled_from(["0", "-3", "abc", ""]))


def _is_unsafe_smtp_host(text: str) -> bool:
    """A value that parses: the probe would connect (only the lab's server may be probed)."""
    try:
        parse_smtp_host(text)
    except InputError:
        return False
    return True


SMTP_HOST_HOSTILE = st.sampled_from(["[::1", "host:0", "host:99999", "a b", "", "[::1]x", ":25"])
SMTP_HOST_HOSTILE |= hostile_text.filter(lambda text: not _is_unsafe_smtp_host(text))


@dataclass
class Example:
    """One example's draws: `value(pool)` is hostile with the example's mood (in %)."""

    draw: st.DrawFn
    lab: Lab
    mood: int

    def value(self, pool: Pool) -> Any:
        hostile = self.draw(st.integers(0, 99)) < self.mood
        return self.draw(pool.hostile if hostile else pool.valid)

    def chance(self, percent: int) -> bool:
        return self.draw(st.integers(0, 99)) < percent

    def values(self, pool: Pool, most: int) -> list[Any]:
        return [self.value(pool) for _ in range(self.draw(st.integers(0, most)))]

    def file(self, pool: Pool, suffix: str) -> str:
        return self.lab.file(self.value(pool), suffix)


def example(draw: st.DrawFn, lab: Lab) -> Example:
    return Example(draw, lab, draw(st.sampled_from([0, 0, 0, 10, 40])))


# -- file contents ----------------------------------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)
binary = st.one_of(
    st.binary(min_size=1, max_size=600),
    st.just(b"\x89PNG\r\n\x1a\n" + bytes(range(256))),
    st.integers(1, 3000).map(lambda n: b"\x00" * n),
)


def deep(opening: str, closing: str, depth: int) -> bytes:
    return (opening * depth + closing * depth).encode()


def toml_value(value: Any) -> str:
    """A TOML rendering of a JSON-like value (inline tables for dicts)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        return ("inf" if value > 0 else "-inf") if math.isinf(value) else repr(value)
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        pairs = (f"{json.dumps(k)} = {toml_value(v)}" for k, v in value.items())
        return "{" + ", ".join(pairs) + "}"
    return json.dumps("" if value is None else str(value), ensure_ascii=False)


def toml_table(values: dict[str, Any]) -> str:
    return "".join(f"{json.dumps(key)} = {toml_value(value)}\n" for key, value in values.items())


CATALOG_TOML = (REPO / "audit/knowledge/dnsbl/20-ip-lists.toml").read_text()
CATALOG_ENTRY = tomllib.loads(CATALOG_TOML)["lists"][1]  # SpamCop


@st.composite
def mutated_catalog(draw: st.DrawFn) -> bytes:
    """The shipped SpamCop entry with fields replaced, dropped or added."""
    entry = dict(CATALOG_ENTRY)
    keys = st.sampled_from([*entry, "unknown_key", "dqs_zone", "status", "decode"])
    for key in draw(st.lists(keys, max_size=3)):
        if draw(st.booleans()):
            entry.pop(key, None)
        else:
            entry[key] = draw(json_values | st.sampled_from(["defunct", "ipv4", "127.0.0.2"]))
    tables = draw(st.integers(0, 2))
    return ("".join(f"[[lists]]\n{toml_table(entry)}" for _ in range(tables)) or "x = 1\n").encode()


def _lines(pool: st.SearchStrategy[str], most: int) -> st.SearchStrategy[bytes]:
    return st.lists(pool, max_size=most).map(lambda lines: "\n".join(lines).encode())


LISTS_FILE = Pool(
    _lines(DNSBL.valid | st.just("# a comment") | st.just("spamcop"), 4).filter(bool)
    | st.just(f"[[lists]]\n{toml_table(CATALOG_ENTRY)}".encode()),
    _lines(DNSBL.hostile | DNSBL.valid | st.just(""), 5)
    | mutated_catalog()
    | binary
    | st.just(deep("x = [", "]", 3000)),
)
LOG_LINES = [
    line
    for path in ("samples/logs/postfix-compromised.log", "samples/logs/exim-mainlog.log")
    for line in (REPO / path).read_text().splitlines()[:40]
] + (REPO / "samples/logs/mailgun-events.jsonl").read_text().splitlines()[:10]
LOG_FILE = Pool(
    _lines(st.sampled_from(LOG_LINES), 12).filter(bool),
    _lines(st.sampled_from(LOG_LINES) | hostile_text, 12) | binary | st.just(b""),
)
BOUNCES = [p.read_bytes() for p in sorted((REPO / "tests/fixtures/bounces").iterdir())]


@st.composite
def cut_bounce(draw: st.DrawFn) -> bytes:
    """A real bounce with a slice replaced by junk."""
    bounce = draw(st.sampled_from(BOUNCES))
    start, length = draw(st.integers(0, len(bounce))), draw(st.integers(0, 200))
    return bounce[:start] + draw(st.binary(max_size=40)) + bounce[start + length :]


BOUNCE_FILE = Pool(
    st.sampled_from(BOUNCES) | hostile_text.filter(str.strip).map(str.encode),
    cut_bounce() | binary | st.sampled_from([b"", b"   \n\t\n"]),
)
DEMO_RESULT = (REPO / "samples/demo/report.json").read_text()


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield prefix
    if isinstance(value, dict):
        children: Any = value.items()
    else:
        children = enumerate(value) if isinstance(value, list) else ()
    for key, child in children:
        yield from _paths(child, (*prefix, key))


DEMO_PATHS = list(_paths(json.loads(DEMO_RESULT)))[1:]
STRING_PATHS = [p for p in DEMO_PATHS if isinstance(p[-1], str)]


@st.composite
def mutated_result(draw: st.DrawFn, replacements: st.SearchStrategy[Any]) -> bytes:
    """The demo's saved result with a few values replaced."""
    document = json.loads(DEMO_RESULT)
    for _ in range(draw(st.integers(1, 3))):
        *parents, last = draw(st.sampled_from(DEMO_PATHS))
        holder = document
        try:
            for key in parents:
                holder = holder[key]
            holder[last] = draw(replacements)
        except (KeyError, IndexError, TypeError):
            continue  # an earlier replacement removed this path
    return json.dumps(document).encode()


RESULT_FILE = Pool(
    # Hostile strings where strings are: often still schema-valid, so they reach the renderers.
    st.just(DEMO_RESULT.encode())
    | mutated_result(st.sampled_from(["", "\x1b[2J", "<script>", "∞", "\u202e", "x" * 500])),
    mutated_result(json_values)
    | st.integers(0, len(DEMO_RESULT)).map(lambda n: DEMO_RESULT[:n].encode())
    | st.integers(90, 120_000).map(lambda n: deep('{"a":', "}", n))
    | st.integers(90, 120_000).map(lambda n: deep("[", "]", n))
    | st.just(DEMO_RESULT.replace('"duration_s": ', '"duration_s": NaN, "x": ', 1).encode())
    | binary,
)
LOGO_FILE = Pool(
    st.sampled_from([tiny_png(), b"<svg xmlns='http://www.w3.org/2000/svg'/>"]),
    binary | st.just(b"<svg xmlns='http://www.w3.org/2000/svg'><script/></svg>"),
)

# Config keys with values that keep the run on loopback and short: durations small or invalid,
# file paths absent (the lab's files are given on the command line), no nameserver that wins.
CONFIG_VALUES: dict[str, Pool] = {
    "domains": Pool(st.lists(DOMAIN.valid, max_size=2), st.lists(DOMAIN.hostile, max_size=2)),
    "ip": Pool(st.lists(IP.valid, max_size=2), IP.hostile | st.lists(IP.hostile, max_size=2)),
    "selector": Pool(st.lists(SELECTOR.valid, max_size=2), st.lists(SELECTOR.hostile, max_size=2)),
    "timeout": Pool(st.floats(0.03, 0.1), st.sampled_from([math.inf, math.nan, 0, -1, "3"])),
    "deadline": Pool(st.floats(0.15, 0.4), st.sampled_from([math.inf, math.nan, 0, -1, True])),
    "fail_on": FAIL_ON,
    "checks": Pool(CHECK_IDS.valid, CHECK_IDS.hostile | st.lists(CHECK_IDS.hostile, max_size=2)),
    "lists": Pool(st.sampled_from(["default", "all"]), st.sampled_from(["/nonexistent", ""])),
    "dnsbl": Pool(st.lists(DNSBL.valid, max_size=2), st.lists(DNSBL.hostile, max_size=2)),
    "log": Pool(st.just([]), st.just("/nonexistent/mail.log")),
    "brand_logo": Pool(st.just(""), st.just("/nonexistent/logo.png")),
    "brand_name": Pool(hostile_text, json_values),
}
CONFIG_KEYS = [*sorted(audit_config_keys()), "unknown-key", "fail-on"]


@st.composite
def config_file(draw: st.DrawFn, mood: int) -> tuple[bytes, frozenset[str]]:
    """A --config file and the keys it sets: known keys with drawn values, or junk."""
    if draw(st.integers(0, 99)) < mood:
        junk = binary | hostile_text.map(str.encode) | st.just(deep("a = [", "]", 5000))
        return draw(junk), frozenset()
    keys = [k for k in CONFIG_KEYS if k in CONFIG_VALUES] if mood == 0 else CONFIG_KEYS
    table: dict[str, Any] = {}
    for key in draw(st.lists(st.sampled_from(keys), max_size=4, unique=True)):
        pool = CONFIG_VALUES.get(key.replace("-", "_"), Pool(json_values, json_values))
        hostile = draw(st.integers(0, 99)) < mood
        table[key] = draw(pool.hostile if hostile else pool.valid)
    return toml_table(table).encode(), frozenset(k.replace("-", "_") for k in table)


# -- option builders ----------------------------------------------------------------------------


def _repeat(flag: str, values: list[str]) -> list[str]:
    return [part for value in values for part in (flag, value)]


def durations(ex: Example, config_keys: frozenset[str] = frozenset()) -> list[str]:
    """--timeout and --deadline: always given (small or invalid) unless the config sets them."""
    argv = []
    for flag, pool in (("--timeout", TIMEOUT), ("--deadline", DEADLINE)):
        if flag[2:] not in config_keys or ex.chance(50):
            argv.append(f"{flag}={ex.value(pool)}")
    return argv


def outputs(ex: Example) -> list[str]:
    """--format and -o: in a valid example, one output whose extension names its format
    (or stdout in the --format given); else anything."""
    if ex.mood == 0:
        name = ex.draw(st.sampled_from(["-", "json", "txt", "xml", "html", None]))
        fmt = ex.value(FORMAT) if name in ("-", None) and ex.chance(50) else None
        argv = [] if name is None else ["-o", ex.lab.output(name)]
        return argv + ([] if fmt is None else ["--format", fmt])
    names = st.sampled_from(["-", "json", "txt", "xml", "html", "weird", "nodir", "pdf2"])
    argv = _repeat("-o", [ex.lab.output(n) for n in ex.draw(st.lists(names, max_size=2))])
    return argv + (["--format", ex.value(FORMAT)] if ex.chance(40) else [])


def reporting(ex: Example) -> list[str]:
    """Outputs, --fail-on, -q/-v/--allow-incomplete, and branding."""
    argv = outputs(ex)
    if ex.chance(40):
        argv += ["--fail-on", ex.value(FAIL_ON)]
    switches = st.sampled_from(["-q", "-v", "--allow-incomplete"])
    argv += ex.draw(st.lists(switches, max_size=2, unique=True))
    for flag in ("--brand-name", "--client-name", "--prepared-by"):
        if ex.chance(15):
            argv += [flag, ex.draw(hostile_text)]
    if ex.chance(15):
        suffix = ex.draw(st.sampled_from([".png", ".svg", ".gif"]))
        argv += ["--brand-logo", ex.file(LOGO_FILE, suffix)]
    return argv


def lists_options(ex: Example) -> list[str]:
    argv = _repeat("--dnsbl", ex.values(DNSBL, 2))
    choice = ex.draw(st.sampled_from(["none", "default", "all", "file", "toml", "missing"]))
    if choice in ("default", "all"):
        argv += ["--lists", choice]
    elif choice in ("file", "toml"):
        argv += ["--lists", ex.file(LISTS_FILE, f".{choice if choice == 'toml' else 'txt'}")]
    elif choice == "missing" and ex.mood > 0:
        argv += ["--lists", str(ex.lab.folder / "missing.txt")]
    if ex.chance(15):
        argv += ["--spamhaus-dqs-key", ex.value(DQS_KEY)]
    return argv


def nameserver(ex: Example) -> list[str]:
    return ["--nameserver", ex.draw(st.sampled_from(ex.lab.nameservers))]


@st.composite
def audit_argv(draw: st.DrawFn, lab: Lab) -> list[str]:
    ex = example(draw, lab)
    argv, config_keys = ["audit"], frozenset[str]()
    if ex.chance(25):
        content, config_keys = draw(config_file(ex.mood))
        argv += ["--config", lab.file(content, ".toml")]
    if "domains" not in config_keys or ex.chance(80):
        argv.append(ex.value(DOMAIN))
    argv += _repeat("--ip", ex.values(IP, 2))
    argv += _repeat("--selector", ex.values(SELECTOR, 2))
    if ex.chance(50):
        argv += ["--checks", ex.value(CHECK_IDS)]
    if ex.chance(20):
        argv += ["--skip", ex.value(CHECK_IDS)]
    argv += _repeat("--helo", ex.values(DOMAIN, 1))
    argv += _repeat("--expect-ptr-suffix", ex.values(DOMAIN, 1))
    # The relay probe stays on loopback: the lab's scripted server, or off.
    hosts = ex.values(Pool(st.just(lab.smtp), SMTP_HOST_HOSTILE), 2)
    argv += _repeat("--smtp-host", hosts) + ([] if lab.smtp in hosts else ["--no-relay-probe"])
    if ex.chance(30):
        argv += lists_options(ex)
    if ex.chance(25):
        argv += ["--log", ex.file(LOG_FILE, ex.draw(st.sampled_from([".log", ".jsonl"])))]
    if ex.chance(25):
        argv += ["--bounce", ex.file(BOUNCE_FILE, ".eml")]
    return argv + durations(ex, config_keys) + nameserver(ex) + reporting(ex)


@st.composite
def blacklist_argv(draw: st.DrawFn, lab: Lab) -> list[str]:
    ex = example(draw, lab)
    target = Pool(
        st.one_of(IP.valid, CIDR.valid, DOMAIN.valid), st.one_of(IP.hostile, CIDR.hostile)
    )
    targets = [ex.value(target) for _ in range(draw(st.integers(1 if ex.mood == 0 else 0, 3)))]
    if ex.chance(15):
        lines = [*ex.values(target, 3), "# a comment"]
        targets.append("@" + lab.file("\n".join(lines).encode("utf-8", "replace")))
    argv = ["blacklist", *targets]
    if ex.chance(25):
        argv += ["--max-targets", ex.value(MAX_TARGETS)]
    argv += lists_options(ex)
    return argv + durations(ex) + nameserver(ex) + reporting(ex)


@st.composite
def lists_argv(draw: st.DrawFn, lab: Lab) -> list[str]:
    ex = example(draw, lab)
    argv = ["lists", *lists_options(ex)]
    if ex.chance(50):
        argv += ["--health", *nameserver(ex), "--timeout", ex.value(TIMEOUT)]
    if ex.chance(50):
        argv += ["--format", ex.value(Pool(st.sampled_from(["text", "json"]), FORMAT.hostile))]
    return argv


@st.composite
def explain_argv(draw: st.DrawFn, lab: Lab) -> tuple[list[str], bytes]:
    ex = example(draw, lab)
    argv = ["explain"]
    if ex.chance(50):
        argv.append(ex.value(Pool(st.just("550 5.7.1 blocked") | hostile_text, st.just(" "))))
    argv += _repeat(
        "--file", [ex.file(BOUNCE_FILE, ".eml") for _ in range(draw(st.integers(0, 2)))]
    )
    if ex.chance(15):
        special = st.sampled_from(["-", "/dev/urandom", "/dev/zero", "/", "/nonexistent"])
        argv += ["--file", draw(special)]
    if ex.chance(40):
        argv += ["--format", ex.value(Pool(st.sampled_from(["text", "json"]), FORMAT.hostile))]
    if ex.chance(40):
        argv += ["-o", lab.output(draw(st.sampled_from(["-", "json", "txt", "nodir"])))]
    return argv, ex.value(BOUNCE_FILE)


@st.composite
def logs_argv(draw: st.DrawFn, lab: Lab) -> tuple[list[str], bytes]:
    ex = example(draw, lab)
    files = []
    for _ in range(draw(st.integers(1 if ex.mood == 0 else 0, 2))):
        content = ex.value(LOG_FILE)
        kind = draw(st.sampled_from([".log", ".jsonl", ".gz", "gzip", "-"]))
        if kind == "gzip":
            files.append(lab.file(gzip.compress(content), ".gz"))
        else:
            files.append(kind if kind == "-" else lab.file(content, kind))
    argv = ["logs", *files]
    if ex.chance(40):
        argv += ["--domain", ex.value(DOMAIN)]
    return argv + reporting(ex), ex.value(LOG_FILE)


@st.composite
def report_argv(draw: st.DrawFn, lab: Lab) -> list[str]:
    ex = example(draw, lab)
    argv = ["report", ex.file(RESULT_FILE, ".json")]
    return argv + [a for a in reporting(ex) if a != "--allow-incomplete"]


# -- the properties -----------------------------------------------------------------------------


def check_run(capsys, codes: Counter[int], argv: list[str], stdin: bytes = b"") -> None:
    outcome = run(capsys, argv, stdin)
    codes[outcome.code] += 1
    assert_clean(outcome, argv)


def assert_both_kinds(codes: Counter[int]) -> None:
    """The fuzz is not vacuous: enough examples passed validation and really ran (exit
    0/1/3), and some were refused (exit 2)."""
    total = sum(codes.values())
    print(f"exit codes over {total} examples: {dict(sorted(codes.items()))}")
    assert codes[2] > 0 and (total - codes[2]) >= RUN_SHARE * total, codes


def test_audit_never_crashes(lab: Lab, capsys) -> None:
    codes: Counter[int] = Counter()

    @fuzz_settings(80)
    @given(st.data())
    def examples(data: st.DataObject) -> None:
        check_run(capsys, codes, data.draw(audit_argv(lab)))

    examples()
    assert_both_kinds(codes)


def test_blacklist_never_crashes(lab: Lab, capsys) -> None:
    codes: Counter[int] = Counter()

    @fuzz_settings(60)
    @given(st.data())
    def examples(data: st.DataObject) -> None:
        check_run(capsys, codes, data.draw(blacklist_argv(lab)))

    examples()
    assert_both_kinds(codes)


def test_lists_never_crashes(lab: Lab, capsys) -> None:
    codes: Counter[int] = Counter()

    @fuzz_settings(30)
    @given(st.data())
    def examples(data: st.DataObject) -> None:
        check_run(capsys, codes, data.draw(lists_argv(lab)))

    examples()
    assert_both_kinds(codes)


def test_explain_never_crashes(lab: Lab, capsys) -> None:
    codes: Counter[int] = Counter()

    @fuzz_settings(60)
    @given(st.data())
    def examples(data: st.DataObject) -> None:
        argv, stdin = data.draw(explain_argv(lab))
        check_run(capsys, codes, argv, stdin)

    examples()
    assert_both_kinds(codes)


def test_logs_never_crashes(lab: Lab, capsys) -> None:
    codes: Counter[int] = Counter()

    @fuzz_settings(40)
    @given(st.data())
    def examples(data: st.DataObject) -> None:
        argv, stdin = data.draw(logs_argv(lab))
        check_run(capsys, codes, argv, stdin)

    examples()
    assert_both_kinds(codes)


def test_report_never_crashes(lab: Lab, capsys) -> None:
    codes: Counter[int] = Counter()

    @fuzz_settings(40)
    @given(st.data())
    def examples(data: st.DataObject) -> None:
        check_run(capsys, codes, data.draw(report_argv(lab)))

    examples()
    assert_both_kinds(codes)


def test_the_property_holds_for_the_issue_cases(lab: Lab, capsys) -> None:
    """The reproduced cases of issue 8 items 11-16, as fixed examples of the same property."""
    base = ["--nameserver", lab.nameservers[1], "--deadline", "0.3", "-q"]
    cases: list[list[str]] = [
        ["audit", "example.test", "--ip", "fe80::1%eth0"],
        ["audit", "example.test", "--lists", lab.file(bytes(range(256)))],
        ["audit", "example.test", "--lists", lab.file(b"[meta]\n", ".toml")],
        ["audit", "example.test", "--lists", lab.file(b"bad zone!!\n")],
        ["audit", "example.test", "--lists", lab.file(deep("x = [", "]", 5000), ".toml")],
        ["blacklist", "192.0.2.1", "--lists", lab.file(b"")],
        ["audit", "example.test", "--config", lab.file(deep("a = [", "]", 5000), ".toml")],
        ["audit", "example.test", "--selector", "a b"],
        ["audit", "example.test", "--selector", "../../etc/passwd"],
        ["audit", "example.test", "--timeout=inf", "--no-relay-probe"],
        ["audit", "straße.test", "--smtp-host", "[::1"],
        ["audit", "goodmail.test.."],
        ["audit", "\x80"],
    ]
    for argv in cases:
        timeout = [] if "--timeout=inf" in argv else ["--timeout", "0.05"]
        outcome = run(capsys, [*argv, *base, *timeout])
        assert_clean(outcome, argv)
        assert outcome.code == 2, (argv, outcome.err)
    report = ["report", lab.file(deep("[", "]", 100_000), ".json"), "-o", lab.output("txt")]
    assert run(capsys, report).code == 2
    explain = ["explain", "--file", lab.file(bytes(range(256)) * 10, ".bin")]
    assert run(capsys, explain).code == 2
