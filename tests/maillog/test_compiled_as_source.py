"""The compiled mail-log modules (hatch_build.py, mypyc) read what their Python source reads.

mypyc turns type hints into checks at run time and some operations into C: a value the
hints did not foresee would raise where the source runs on. Over third-party lines
(postfix_exporter's corpus, the Postfix log fixture, the message model of the tests) and
seeded mutations of them (cut short, characters of the grammar inserted, fields repeated,
bytes that are not UTF-8), both read the same file in their own process and must give the
same facts, with no traceback. Skipped where the install compiled nothing."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from support import mail_logs as ml
from support.paths import FIXTURES, REPO

from audit import native

SEED = 7208
MUTANTS = 3000
GRAMMAR = [*"[]<>=,:;() \t@.-/", "status=", "relay=", ", ", "said: ", "\u202e", "é", "0"]
FACTS = (
    "import sys, json; from datetime import date; "
    "from audit.maillog.ingest import read_logs; import audit.maillog.digest as d; "
    "facts = read_logs(sys.argv[1:], today=date(2025, 12, 31)); "
    "print(json.dumps([d.__file__.endswith('.py'), repr(facts)]))"
)


def third_party_lines() -> list[str]:
    corpus = json.loads((FIXTURES / "logs" / "postfix_exporter" / "lines.json").read_text("utf-8"))
    lines = [entry["line"] for case in corpus["cases"] for entry in case["lines"]]
    lines += (FIXTURES / "bounces" / "postfix-maillog.txt").read_text("utf-8").splitlines()
    for n in range(20):
        at = ml.START + timedelta(minutes=n)
        lines += ml.postfix_delivery(n, at, f"r{n}@example.org", ml.OTHER_MX, "bounced",
                                     ml.USER_UNKNOWN.format(rcpt=f"r{n}@example.org"))  # fmt: skip
        lines += [ml.via_syslog(line, at) for line in ml.exim_message(n, at)]
    return [line for line in lines if line.strip()]


def mutant(rng: random.Random, line: str) -> str:
    at = rng.randrange(len(line) + 1)
    match rng.randrange(5):
        case 0:
            return line[:at]
        case 1:
            return line[:at] + rng.choice(GRAMMAR) + line[at:]
        case 2:
            return line[:at] + line[at:][: rng.randrange(1, 60)] + line[at:]
        case 3:
            return line.replace(" ", rng.choice(("", "  ", ",")), rng.randrange(1, 4))
        case _:
            return line[:at] + "".join(rng.choices(GRAMMAR, k=rng.randrange(1, 8))) + line[at:]


def read_in_process(path: Path, **env: str) -> tuple[bool, str]:
    """(read from source, repr of the facts) as a new interpreter reads `path`."""
    done = subprocess.run(
        [sys.executable, "-c", FACTS, str(path)],
        capture_output=True, text=True, cwd=REPO, env={**os.environ, **env}, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    source, facts = json.loads(done.stdout)
    return source, facts


@pytest.mark.skipif(
    native.read_manifest(native.MANIFEST) is None, reason="this install compiled nothing"
)
def test_the_compiled_modules_read_third_party_and_mutated_lines_as_the_source(
    tmp_path: Path,
) -> None:
    # given third-party lines and seeded mutations of them, with bytes that are not UTF-8
    rng = random.Random(SEED)
    lines = third_party_lines()
    mixed = lines + [mutant(rng, rng.choice(lines)) for _ in range(MUTANTS)]
    rng.shuffle(mixed)
    path = tmp_path / "mail.log"
    path.write_bytes(("\n".join(mixed) + "\n").encode("utf-8") + b"\xff\xfe tail \xc3\n")
    # when the compiled modules and their sources read it, each in its own process
    compiled = read_in_process(path, MAILHYGIENE_PURE_PYTHON="0")
    source = read_in_process(path, MAILHYGIENE_PURE_PYTHON="1")
    # then the sources were read in the second only, and both found the same facts
    assert (compiled[0], source[0]) == (False, True)
    assert compiled[1] == source[1]
