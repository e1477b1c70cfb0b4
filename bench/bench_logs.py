"""Benchmark: `mailhygiene logs` vs pflogsumm on the same large Postfix log.

Run: .venv/bin/python bench/bench_logs.py   (a few minutes; prints a table)
     .venv/bin/python bench/bench_logs.py tokens hosts   (only the shapes named)

Generates a realistic Postfix log deterministically (fixed seed) into a temporary
directory, with the message model of samples/logs/generate.py extended: two weeks of a
40-account company (connect/cleanup/disconnect lines, inbound mail, deferrals, spam
rejected at RCPT time), and one SASL account that sends thousands of messages at night
from a botnet and gets blocked by Outlook (S3150), Gmail (4.7.28) and Spamhaus. Then it
times, in the same run:
- `mailhygiene logs FILE --format json` on the plain file and on a gzip copy;
- `pflogsumm FILE` (Debian package; Perl), and `zcat FILE.gz | pflogsumm` for gzip.
Each is the median of REPEATS runs, wall time including process start-up. The table
shows lines/s, the ratio, and what each produced: our findings (anomaly detection and
classified remote rejections), pflogsumm's grand totals (a traffic summary: it has no
anomaly detection). If pflogsumm is missing, it is installed with apt-get when we are
root; if that fails, its rows say "peer not available".

Then the shapes that hurt a log reader (issue 9), ours (compiled, and on the Python source)
and pflogsumm on the same file, interleaved, medians of SHAPE_ROUNDS runs on the shapes of
up to 500k lines, one run on the larger (compare the ratios: the machine is shared), with
our peak RSS (`/usr/bin/time -v`): a 2M-line log with 2 % bounces; the same with a compromised
account (27 % of all deliveries bounced or deferred, replies with tokens, queue ids, IPs);
SHAPE_MESSAGES Gmail "no such user" bounces each with its own per-message token; bounces
from SHAPE_MESSAGES distinct remote hosts; and a 4M-line log (peak RSS).

    .venv/bin/python bench/bench_logs.py --profile tokens
profiles (cProfile) our reader in-process on the named shape and prints the top functions.

    .venv/bin/python bench/bench_logs.py --ab=REV compromised
times the Postfix line parser alone (audit/loglines/postfix.py as of git revision REV,
and as in the work tree) in-process, interleaved, best of AB_RUNS each, on the named
shapes: a parser change measured apart from the noise of a shared machine, which moves
the end-to-end ratios by +-0.1.
"""

from __future__ import annotations

import cProfile
import functools
import gzip
import json
import os
import pstats
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import types
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "samples" / "logs"))

import generate as sample  # noqa: E402  (samples/logs/generate.py: the message model)
from peers import ensure_tool, print_rows  # noqa: E402  (bench/peers.py)

MAILHYGIENE = str(REPO / ".venv" / "bin" / "mailhygiene")
SEED = 2025
DAYS = 14
USERS = [f"{name}{n}" for n in range(5) for name in sample.USERS]  # 40 accounts
COMPROMISED = "heidi3"
INCIDENT_DAY = 10  # nights of this day and the next
INCIDENT = ((1, 1400), (2, 1800), (3, 1300), (4, 900))  # (hour, messages)
REPEATS = 3
AB_RUNS = 5


class BigPostfixLog(sample.PostfixLog):
    """samples/logs/generate.py's PostfixLog with the lines a real Postfix adds around
    each message (smtpd connect/disconnect, cleanup message-id), plus RCPT-time rejects."""

    def message(self, at: datetime, user: str, client: str, rcpt: str, outcome: str) -> None:
        self.line(at, "smtpd", f"connect from unknown[{client}]")
        self._with_cleanup(
            at, lambda: super(BigPostfixLog, self).message(at, user, client, rcpt, outcome)
        )
        self.line(
            at,
            "smtpd",
            f"disconnect from unknown[{client}] ehlo=1 auth=1 mail=1 "
            "rcpt=1 data=1 quit=1 commands=6",
        )

    def inbound(self, at: datetime, user: str) -> None:
        self.line(at, "smtpd", "connect from mail.contoso.example[192.0.2.80]")
        self._with_cleanup(at, lambda: super(BigPostfixLog, self).inbound(at, user))
        self.line(
            at,
            "smtpd",
            "disconnect from mail.contoso.example[192.0.2.80] ehlo=1 "
            "mail=1 rcpt=1 data=1 quit=1 commands=5",
        )

    def reject(self, at: datetime, client: str, rcpt: str) -> None:
        """Spam stopped at RCPT time by a DNSBL (postscreen-less smtpd)."""
        self.line(at, "smtpd", f"connect from unknown[{client}]")
        self.line(
            at,
            "smtpd",
            f"NOQUEUE: reject: RCPT from unknown[{client}]: 554 5.7.1 "
            f"Service unavailable; Client host [{client}] blocked using zen.spamhaus.org; "
            f"from=<promo@spam.example> to=<{rcpt}> proto=ESMTP helo=<bulk>",
        )
        self.line(
            at,
            "smtpd",
            f"disconnect from unknown[{client}] ehlo=1 mail=1 rcpt=0/1 quit=1 commands=3/4",
        )

    def _with_cleanup(self, at: datetime, emit: Callable[[], None]) -> None:
        """Run `emit` (the sample's lines for one message), then add cleanup's
        message-id line after its first (smtpd) line."""
        outer, self.lines = self.lines, []
        emit()
        chunk, self.lines = self.lines, outer
        qid = chunk[0].split(": ", 2)[1]
        self.pid += 1
        stamp = at.isoformat(timespec="microseconds")
        mid = f"{self.rng.getrandbits(48):012x}@{sample.DOMAIN}"
        chunk.insert(1, f"{stamp} mx1 postfix/cleanup[{self.pid}]: {qid}: message-id=<{mid}>")
        self.lines.extend(chunk)


def office_outcome(rng: random.Random, domain: str) -> str:
    roll = rng.random()
    if domain == "gmail.com" and roll < 0.01:
        return "4.7.28"  # the odd deferral on an ordinary day
    return "sent"


def postfix_lines(rng: random.Random) -> list[str]:
    log = BigPostfixLog(rng)
    first = datetime(2025, 3, 1, tzinfo=UTC)
    remotes = list(sample.REMOTE)
    events: list[tuple[datetime, str, str, str, str]] = []
    for day in range(DAYS):
        date = first + timedelta(days=day)
        weekend = date.weekday() >= 5
        for user in USERS:
            for _ in range(rng.randint(2, 8) if weekend else rng.randint(25, 55)):
                at = date + timedelta(hours=rng.randint(8, 17), seconds=rng.randint(0, 3599))
                domain = rng.choice(remotes)
                rcpt = f"{rng.choice(['ann', 'ben', 'cho', 'dee', 'eve'])}{rng.randint(1, 99)}"
                events.append((at, "office", user, f"{rcpt}@{domain}", office_outcome(rng, domain)))
            for _ in range(rng.randint(3, 10) if weekend else rng.randint(20, 40)):
                at = date + timedelta(hours=rng.randint(0, 23), seconds=rng.randint(0, 3599))
                events.append((at, "inbound", user, "", ""))
        for _ in range(rng.randint(250, 450)):
            at = date + timedelta(hours=rng.randint(0, 23), seconds=rng.randint(0, 3599))
            spammer = f"{rng.randint(11, 220)}.{rng.randint(0, 255)}.{rng.randint(0, 255)}.9"
            events.append((at, "reject", spammer, f"{rng.choice(USERS)}@{sample.DOMAIN}", ""))
    botnet = [
        f"{rng.randint(11, 220)}.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
        for _ in range(60)
    ]
    for night in (INCIDENT_DAY, INCIDENT_DAY + 1):
        for hour, count in INCIDENT:
            for _ in range(count):
                at = first + timedelta(days=night, hours=hour, seconds=rng.randint(0, 3599))
                domain = rng.choice(remotes)
                roll, outcome = rng.random(), "sent"
                if domain == "outlook.com" and roll < 0.7:
                    outcome = "s3150"
                elif domain == "gmail.com" and roll < 0.6:
                    outcome = "4.7.28"
                elif domain == "mail.example.net" and roll < 0.8:
                    outcome = "zen"
                rcpt = f"user{rng.randint(1000, 99999)}@{domain}"
                events.append((at, rng.choice(botnet), COMPROMISED, rcpt, outcome))
    for at, client, user, rcpt, outcome in sorted(events):
        if client == "inbound":
            log.inbound(at, user)
        elif client == "reject":
            log.reject(at, user, rcpt)
        else:
            log.message(at, user, sample.OFFICE_IP if client == "office" else client, rcpt, outcome)
    return log.lines


def timed(
    argv: list[str] | str, shell: bool = False, env: dict[str, str] | None = None
) -> tuple[float, subprocess.CompletedProcess]:
    started = time.perf_counter()
    environment = None if env is None else {**os.environ, **env}
    done = subprocess.run(
        argv, capture_output=True, text=True, shell=shell, check=False, env=environment
    )
    return time.perf_counter() - started, done


PURE = {"MAILHYGIENE_PURE_PYTHON": "1"}  # our mail-log modules from source (audit/native.py)


def compiled() -> str:
    """Whether our install imports its mail-log modules compiled (hatch_build.py)."""
    done = subprocess.run(
        [str(REPO / ".venv" / "bin" / "python"), "-c",
         "import audit.maillog.digest as d; print(d.__file__)"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    path = done.stdout.strip()
    return "compiled (mypyc)" if path and not path.endswith(".py") else "pure Python"


def median_run(argv: list[str] | str, shell: bool = False):
    runs = [timed(argv, shell) for _ in range(REPEATS)]
    return statistics.median(t for t, _ in runs), runs[0][1]


def our_document(done: subprocess.CompletedProcess) -> dict | None:
    try:
        return json.loads(done.stdout)
    except json.JSONDecodeError:
        return None


def comparable(document: dict | None) -> dict | None:
    """`document` without what differs between two runs of the same input (times)."""
    if document is None:
        return None
    kept = {k: v for k, v in document.items() if k not in ("started_at", "duration_s")}
    kept["checks"] = [{k: v for k, v in c.items() if k != "duration_s"} for c in kept["checks"]]
    return kept


def our_summary(document: dict) -> str:
    evidence = document["checks"][0]["evidence"]
    codes: dict[str, int] = {}
    for finding in document["findings"]:
        codes[finding["code"]] = codes.get(finding["code"], 0) + 1
    listed = ", ".join(f"{code.removeprefix('VOLUME_')} x{n}" for code, n in codes.items())
    flagged = sorted(
        f["subject"] for f in document["findings"] if f["code"] == "VOLUME_COMPROMISED_ACCOUNT"
    )
    return (
        f"{len(document['findings'])} findings ({listed}); compromised: "
        f"{', '.join(flagged) or 'none'}; {len(evidence['rejections'])} remote rejection "
        f"groups classified (provider, blocklist, reason)"
    )


GRAND_TOTAL = re.compile(
    r"^\s*(\d+)([km]?)\s+(received|delivered|deferred|bounced|rejected)\b", re.M
)
# pflogsumm prints a count over 512k in units of 1024 ("956k": adj_int_units, %d)
UNITS = {"": 1, "k": 1024, "m": 1024 * 1024}


def pflogsumm_totals(done: subprocess.CompletedProcess) -> dict[str, tuple[int, str]]:
    """name -> (count, unit) as pflogsumm printed it."""
    return {name: (int(n), unit) for n, unit, name in GRAND_TOTAL.findall(done.stdout)[:5]}


def same_count(ours: int, peer: tuple[int, str] | None) -> bool:
    """Whether pflogsumm's count, in its printed unit, is ours."""
    return peer is not None and ours // UNITS[peer[1]] == peer[0]


def pflogsumm_summary(done: subprocess.CompletedProcess) -> str:
    sections = sum(1 for line in done.stdout.splitlines() if re.fullmatch(r"-{4,}", line))
    return (
        f"a traffic report ({sections} sections, {len(done.stdout.splitlines()):,} lines); "
        "no anomaly detection: no findings, no account flagged"
    )


def totals_row(ours: dict, peer: dict[str, tuple[int, str]]) -> str:
    pairs = (
        ("messages", "received"),
        ("sent", "delivered"),
        ("deferred", "deferred"),
        ("bounced", "bounced"),
    )
    shown = [f"{o} {ours.get(o, 0)}/{''.join(map(str, peer.get(p, ('?', ''))))}" for o, p in pairs]
    same = all(same_count(ours.get(o, 0), peer.get(p)) for o, p in pairs)
    rejected = "".join(map(str, peer.get("rejected", (0, ""))))
    tail = f"; pflogsumm also counts {rejected} local RCPT rejects (NOQUEUE)"
    return f"{'agree' if same else 'DIFFER'}: {', '.join(shown)}{tail}"


def rate(seconds: float, count: int) -> str:
    return f"{seconds:6.2f} s  {count / seconds:>9,.0f} lines/s"


def write_logs(workdir: Path) -> tuple[Path, Path, int]:
    lines = postfix_lines(random.Random(SEED))
    plain = workdir / "mail.log"
    plain.write_text("\n".join(lines) + "\n", encoding="utf-8")
    packed = workdir / "mail.log.gz"
    with plain.open("rb") as source, gzip.open(packed, "wb", compresslevel=6) as target:
        shutil.copyfileobj(source, target)
    return plain, packed, len(lines)


def bench(plain: Path, packed: Path, count: int) -> list[tuple[str, str]]:
    peer = ensure_tool("pflogsumm", "pflogsumm")
    ours_s, ours_done = median_run([MAILHYGIENE, "logs", str(plain), "--format", "json"])
    ours_gz_s, ours_gz_done = median_run([MAILHYGIENE, "logs", str(packed), "--format", "json"])
    document, gz_document = our_document(ours_done), our_document(ours_gz_done)
    if document is None:
        raise SystemExit(f"mailhygiene logs gave no JSON: {ours_done.stderr.strip()[:300]}")
    rows = [
        ("runs per measurement (median, wall incl. start-up)", str(REPEATS)),
        ("mailhygiene logs (plain)", rate(ours_s, count)),
        ("  of which the volume check itself", f"{document['checks'][0]['duration_s']:6.2f} s"),
        ("mailhygiene logs (.gz)", rate(ours_gz_s, count)),
    ]
    peer_done = None
    if peer:
        peer_s, peer_done = median_run([peer, str(plain)])
        peer_gz_s, _ = median_run(f"zcat {packed} | {peer}", shell=True)
        rows += [
            ("pflogsumm (plain)", rate(peer_s, count)),
            ("pflogsumm (zcat .gz |)", rate(peer_gz_s, count)),
            ("ratio lines/s mailhygiene / pflogsumm (plain)", f"{peer_s / ours_s:.2f}"),
            ("ratio lines/s mailhygiene / pflogsumm (.gz)", f"{peer_gz_s / ours_gz_s:.2f}"),
        ]
    else:
        rows.append(("pflogsumm", "peer not available (not installed, apt-get failed)"))
    rows.append(("mailhygiene produced", our_summary(document)))
    if gz_document is None or our_summary(gz_document) != our_summary(document):
        rows.append(("mailhygiene (.gz) produced something else", ours_gz_done.stderr[:200]))
    if peer_done is not None:
        totals = totals_row(
            document["checks"][0]["evidence"]["totals"], pflogsumm_totals(peer_done)
        )
        rows.append(("pflogsumm produced", pflogsumm_summary(peer_done)))
        rows.append(("totals ours/pflogsumm", totals))
    return rows


SHAPE_MESSAGES = 100_000
STAMP0 = datetime(2025, 3, 1, tzinfo=UTC)
MAX_RSS = re.compile(r"Maximum resident set size \(kbytes\): (\d+)")


def shape_message(
    log: list[str], n: int, rcpt: str, relay: str, status: str, reply: str, user: str
) -> None:
    """One submitted message and its one delivery, Postfix lines as logged (RFC 3339)."""
    at = (STAMP0 + timedelta(seconds=n // 40)).isoformat(timespec="microseconds")
    qid = f"{0x4000000000 + n:010X}"
    host, ip = relay.split("|")
    log.append(
        f"{at} mx1 postfix/smtpd[2001]: {qid}: client=unknown[198.51.100.{n % 250}], "
        f"sasl_method=LOGIN, sasl_username={user}"
    )
    log.append(
        f"{at} mx1 postfix/qmgr[2002]: {qid}: from=<{user}>, size=2048, nrcpt=1 (queue active)"
    )
    said = (
        reply
        if status == "sent"
        else f"host {host}[{ip}] said: {reply} (in reply to RCPT TO command)"
    )
    log.append(
        f"{at} mx1 postfix/smtp[2003]: {qid}: to=<{rcpt}>, relay={host}[{ip}]:25, delay=1.2, "
        f"delays=0.1/0/0.5/0.6, dsn=5.0.0, status={status} ({said})"
    )
    if status != "deferred":
        log.append(f"{at} mx1 postfix/qmgr[2002]: {qid}: removed")


def token(rng: random.Random) -> str:
    """A Gmail per-message token: `d2e1a72fcca58-7b0f0f1a2c3si1234567a3.42`."""
    head, tail = rng.getrandbits(52), rng.getrandbits(44)
    return f"{head:013x}-{tail:011x}si{rng.randint(10**6, 10**7)}a{rng.randint(1, 99)}.42"


GMAIL = "gmail-smtp-in.l.google.com|142.250.102.27"
OUTLOOK = "outlook-com.olc.protection.outlook.com|52.101.68.2"
SPAMHAUS_MX = "mx.example.net|198.51.100.200"
NO_SUCH_USER = (
    "550-5.1.1 The email account that you tried to reach does not exist. Please try "
    "double-checking the recipient's email address for typos or unnecessary spaces. "
    "For more information, go to https://support.google.com/mail/?p=NoSuchUser {} - gsmtp"
)


LARGE_MESSAGES = 500_000  # ~4 lines each: a 2M-line log
HUGE_MESSAGES = 1_000_000  # a 4M-line log


def ordinary_traffic(rng: random.Random, messages: int) -> list[str]:
    """40 accounts' mail, 2 % of it bounced by Gmail (each reply with its token)."""
    log: list[str] = []
    for n in range(messages):
        user = f"user{n % 40}@example.com"
        if rng.random() < 0.02:
            reply, status = NO_SUCH_USER.format(token(rng)), "bounced"
        else:
            reply, status = f"250 2.0.0 OK {token(rng)} - gsmtp", "sent"
        shape_message(log, n, f"r{n}@gmail.com", GMAIL, status, reply, user)
    return log


def unique_token_bounces(rng: random.Random) -> list[str]:
    log: list[str] = []
    for n in range(SHAPE_MESSAGES):
        reply = NO_SUCH_USER.format(token(rng))
        shape_message(log, n, f"u{n}@gmail.com", GMAIL, "bounced", reply, "news@example.com")
    return log


def spam_outcome(rng: random.Random) -> tuple[str, str, str]:
    """(reply, relay, status) of one spam delivery, as each provider words it."""
    ip = ".".join(str(rng.randint(11, 220)) for _ in range(4))
    outlook_id = f"AM{rng.randint(1, 9)}PR0{rng.randint(1, 9)}MB{rng.randint(1000, 9999)}"
    return rng.choice(
        [
            (
                f"421-4.7.28 [{ip}      {rng.randint(10, 99)}] Gmail has detected an unusual "
                f"rate of unsolicited mail originating from your IP address. {token(rng)} - gsmtp",
                GMAIL,
                "deferred",
            ),
            (
                f"550 5.7.1 Unfortunately, messages from [{ip}] weren't sent. Please contact "
                "your Internet service provider since part of their network is on our block "
                f"list (S3150). [{outlook_id}.eurprd01.prod.outlook.com "
                f"{rng.getrandbits(64):016X}]",
                OUTLOOK,
                "bounced",
            ),
            (NO_SUCH_USER.format(token(rng)), GMAIL, "bounced"),
            (
                f"554 5.7.1 Service unavailable; Client host [{ip}] blocked using "
                f"zen.spamhaus.org; https://www.spamhaus.org/query/ip/{ip}",
                SPAMHAUS_MX,
                "bounced",
            ),
        ]
    )


def compromised_account(rng: random.Random, messages: int = SHAPE_MESSAGES) -> list[str]:
    """Ordinary mail of 40 accounts, and one account sending spam: 27 % of all deliveries
    bounced or deferred, each reply with its per-message details."""
    log: list[str] = []
    for n in range(messages):
        user = "mallory@example.com" if n % 3 == 0 else f"user{n % 40}@example.com"
        if user.startswith("mallory") and rng.random() < 0.81:
            reply, relay, status = spam_outcome(rng)
        else:
            reply, relay, status = f"250 2.0.0 OK {token(rng)} - gsmtp", GMAIL, "sent"
        shape_message(log, n, f"r{n}@gmail.com", relay, status, reply, user)
    return log


def distinct_hosts(rng: random.Random) -> list[str]:
    log: list[str] = []
    for n in range(SHAPE_MESSAGES):
        relay = f"mx{n}.dom{n}.example|203.0.{n % 250}.{n // 250 % 250}"
        reply = f"550 5.1.1 <u{n}@dom{n}.example>: Recipient address rejected: User unknown"
        shape_message(log, n, f"u{n}@dom{n}.example", relay, "bounced", reply, "news@example.com")
    return log


SHAPES: tuple[tuple[str, Callable[[random.Random], list[str]]], ...] = (
    ("2M lines, 2 % bounces", functools.partial(ordinary_traffic, messages=LARGE_MESSAGES)),
    (
        "2M lines, compromised account, 27 % bounced/deferred",
        functools.partial(compromised_account, messages=LARGE_MESSAGES),
    ),
    ("100k bounces, unique per-message tokens", unique_token_bounces),
    ("100k distinct remote hosts", distinct_hosts),
    ("4M lines (peak RSS)", functools.partial(ordinary_traffic, messages=HUGE_MESSAGES)),
)


def children_cpu() -> float:
    """CPU seconds (user + system) of the child processes waited for so far."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def peak_rss_run(
    argv: list[str], env: dict[str, str] | None = None
) -> tuple[float, int | None, subprocess.CompletedProcess]:
    """Wall time and peak RSS (MB, from /usr/bin/time -v when there is one) of one run."""
    wrapper = ["/usr/bin/time", "-v"] if Path("/usr/bin/time").exists() else []
    seconds, done = timed(wrapper + argv, env=env)
    found = MAX_RSS.search(done.stderr)
    return seconds, int(found.group(1)) // 1024 if found else None, done


def write_shape(path: Path, make: Callable[[random.Random], list[str]]) -> int:
    """The shape's log written to `path` (fixed seed): its line count."""
    lines = make(random.Random(SEED))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return len(lines)


def profile(workdir: Path, words: list[str]) -> None:
    """cProfile of our reader (audit.maillog.ingest.read_logs, in-process) on each shape
    named: the hot loop's top functions by their own time."""
    sys.path.insert(0, str(REPO))
    from audit.maillog.ingest import read_logs

    for name, make in SHAPES:
        if any(word in name for word in words):
            path = workdir / "shape.log"
            count = write_shape(path, make)
            profiler = cProfile.Profile()
            profiler.runcall(read_logs, [str(path)])
            print(f"\n--- profile: {name} ({count:,} lines) ---")
            pstats.Stats(profiler).sort_stats("tottime").print_stats(15)


def _parser_at(revision: str) -> types.ModuleType:
    """audit/loglines/postfix.py as of `revision`, as a module of its own."""
    source = subprocess.run(
        ["git", "-C", str(REPO), "show", f"{revision}:audit/loglines/postfix.py"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    module = types.ModuleType("postfix_at_revision")
    sys.modules[module.__name__] = module  # dataclasses look their module up
    exec(compile(source, f"{revision}:audit/loglines/postfix.py", "exec"), module.__dict__)
    return module


def ab(workdir: Path, revision: str, words: list[str]) -> None:
    """The parser at `revision` against the work tree's, on each shape named."""
    sys.path.insert(0, str(REPO))
    import audit.loglines.postfix as current

    parsers = {revision: _parser_at(revision), "work tree": current}
    for name, make in SHAPES:
        if any(word in name for word in words):
            path = workdir / "shape.log"
            write_shape(path, make)
            lines = path.read_text().splitlines()
            best = dict.fromkeys(parsers, float("inf"))
            for _ in range(AB_RUNS):
                for label, module in parsers.items():
                    parser = module.PostfixParser(datetime(2026, 12, 1).date())
                    started = time.process_time()
                    parser.parse_batch(lines, lambda event: None)
                    best[label] = min(best[label], time.process_time() - started)
            per_line = ", ".join(f"{k} {v / len(lines) * 1e6:.2f} us" for k, v in best.items())
            gain = best[revision] / best["work tree"]
            print(f"{name}: {per_line} a line; {gain:.2f}x")


SMALL_SHAPE_LINES = 500_000  # shapes up to this size are timed SHAPE_ROUNDS times
SHAPE_ROUNDS = 3


def cpu_run(argv: list[str], env: dict[str, str] | None = None, rss: bool = False):
    """(wall s, CPU s, peak RSS MB or None, the completed process) of one run."""
    before = children_cpu()
    if rss:
        seconds, peak, done = peak_rss_run(argv, env)
    else:
        (seconds, done), peak = timed(argv, env=env), None
    return seconds, children_cpu() - before, peak, done


def shape_rows(
    workdir: Path, name: str, make: Callable[[random.Random], list[str]]
) -> list[tuple[str, str]]:
    path = workdir / "shape.log"
    count = write_shape(path, make)
    ours_argv = [MAILHYGIENE, "logs", str(path), "--format", "json", "--fail-on", "never"]
    peer = ensure_tool("pflogsumm", "pflogsumm")
    # ours, ours on the Python source and pflogsumm, one after the other, SHAPE_ROUNDS times
    # on the smaller shapes: the medians of interleaved runs (a single run on this shared
    # machine moves by +-20 %)
    rounds = SHAPE_ROUNDS if count <= SMALL_SHAPE_LINES else 1
    runs: dict[str, list[tuple[float, float]]] = {"ours": [], "pure": [], "peer": []}
    rss = done = pure_done = peer_done = None
    for round_ in range(rounds):
        seconds, cpu, peak, last = cpu_run(ours_argv, rss=round_ == 0)
        runs["ours"].append((seconds, cpu))
        if round_ == 0:  # the RSS and the result of the first run
            rss, done = peak, last
        seconds, cpu, _, pure_done = cpu_run(ours_argv, PURE)
        runs["pure"].append((seconds, cpu))
        if peer:
            seconds, cpu, _, peer_done = cpu_run([peer, str(path)])
            runs["peer"].append((seconds, cpu))
    assert done is not None and pure_done is not None
    ours_s, ours_cpu = (statistics.median(x) for x in zip(*runs["ours"], strict=True))
    pure_s, pure_cpu = (statistics.median(x) for x in zip(*runs["pure"], strict=True))
    document = our_document(done)
    timing = f"median of {rounds}, interleaved" if rounds > 1 else "one run"
    rows = [
        (
            f"[{name}] {count:,} lines ({timing})",
            f"ours {rate(ours_s, count)}, {ours_cpu:.1f} s CPU, peak RSS {rss} MB",
        )
    ]
    if document is None:
        rows.append((f"[{name}] ours failed", done.stderr.strip()[-200:]))
    same = document is not None and comparable(document) == comparable(our_document(pure_done))
    rows.append(
        (
            f"[{name}] ours, pure Python",
            f"{rate(pure_s, count)}, {pure_cpu:.1f} s CPU "
            f"({'the same result' if same else 'A DIFFERENT RESULT'})",
        )
    )
    if peer and peer_done is not None:
        peer_s, peer_cpu = (statistics.median(x) for x in zip(*runs["peer"], strict=True))
        # CPU time is the steadier ratio on a shared machine: wall time swings with the
        # other processes' load between the two runs
        rows.append(
            (
                f"[{name}] pflogsumm",
                f"{rate(peer_s, count)}, {peer_cpu:.1f} s CPU; ratio ours/pflogsumm "
                f"{peer_s / ours_s:.2f} wall, {peer_cpu / max(ours_cpu, 1e-9):.2f} CPU "
                f"(pure Python: {peer_cpu / max(pure_cpu, 1e-9):.2f} CPU)",
            )
        )
        if document is not None:
            evidence = document["checks"][0]["evidence"]
            rows.append(
                (
                    f"[{name}] totals ours/pflogsumm",
                    totals_row(evidence["totals"], pflogsumm_totals(peer_done)),
                )
            )
    path.unlink()
    return rows


def main() -> None:
    started = time.perf_counter()
    workdir = Path(tempfile.mkdtemp(prefix="bench-logs-"))
    # shape name substrings
    only = [word for word in sys.argv[1:] if not word.startswith(("--profile", "--ab="))]
    rows: list[tuple[str, str]] = []
    try:
        if "--profile" in sys.argv:
            profile(workdir, only)
            return
        if revisions := [word.removeprefix("--ab=") for word in sys.argv if word[:5] == "--ab="]:
            ab(workdir, revisions[0], only)
            return
        if not only:
            plain, packed, count = write_logs(workdir)
            size = (
                f"{plain.stat().st_size / 1e6:.0f} MB ({packed.stat().st_size / 1e6:.1f} MB gzip)"
            )
            generated = time.perf_counter() - started
            log_row = f"{count:,} Postfix lines, {size}, {DAYS} days, made in {generated:.1f} s"
            rows = [("log", log_row), *bench(plain, packed, count)]
        for name, make in SHAPES:
            if not only or any(word in name for word in only):
                rows += shape_rows(workdir, name, make)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    print_rows([("our mail-log modules", compiled()), *rows])
    print(f"\n(total {time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
