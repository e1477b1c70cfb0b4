"""Re-import the sisimai corpus: messages and expected reasons from a p5-sisimai checkout.

Run by hand (not a test): `python tests/conformance/sisimai/import_corpus.py GIT_DIR [COMMIT]`
with GIT_DIR a bare clone of github.com/sisimai/p5-sisimai. It reads every t/*.t test that
uses t/600-lhost-code (one `$isexpected` table per MTA/provider: INDEX => [[status, reply
code, reason, hard bounce], ...], one row per recipient), copies each labelled message of
set-of-emails/maildir/bsd/ to maildir/ here, the licence beside them, and writes
expected.json (file -> sisimai's rows). The mapping to our reasons is in mapping.py.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ENGINE_RE = re.compile(r"my \$enginename = '([^']+)';")
TABLE_RE = re.compile(r"my \$isexpected = \{(.*?)\n\};", re.DOTALL)
ENTRY_RE = re.compile(r"'(\d+)'\s*=>\s*\[(.*?)\]\s*\],?\s*(?:#.*)?$", re.DOTALL | re.MULTILINE)
ROW_RE = re.compile(r"\[([^\[\]]*)\]")
NOT_LHOST = ("ARF", "RFC3464", "RFC3834")


def git(gitdir: str, *args: str) -> str:
    return subprocess.run(
        ["git", "--git-dir", gitdir, *args], check=True, capture_output=True, text=True
    ).stdout


def rows_of(body: str) -> list[list[str]]:
    rows = []
    for row in ROW_RE.finditer(body + "]"):
        cells = [c.strip().strip("'\"") for c in row.group(1).split(",")]
        rows.append(cells[:4])
    return rows


def main(gitdir: str, commit: str = "HEAD") -> None:
    tests = [p for p in git(gitdir, "ls-tree", "--name-only", commit, "t/").split() if p]
    expected: dict[str, list[list[str]]] = {}
    for test in tests:
        source = git(gitdir, "show", f"{commit}:{test}")
        engine, table = ENGINE_RE.search(source), TABLE_RE.search(source)
        if "600-lhost-code" not in source or engine is None or table is None:
            continue
        name = engine.group(1)
        prefix = "" if name in NOT_LHOST else ("rhost-" if "-rhost-" in test else "lhost-")
        for entry in ENTRY_RE.finditer(table.group(1)):
            file = f"{prefix}{name.lower()}-{int(entry.group(1)):02d}.eml"
            expected[file] = rows_of(entry.group(2))
    maildir = HERE / "maildir"
    maildir.mkdir(exist_ok=True)
    kept = {}
    for file, rows in sorted(expected.items()):
        try:
            data = subprocess.run(
                ["git", "--git-dir", gitdir, "show", f"{commit}:set-of-emails/maildir/bsd/{file}"],
                check=True,
                capture_output=True,
            ).stdout
        except subprocess.CalledProcessError:
            continue
        (maildir / file).write_bytes(data)
        kept[file] = rows
    licence = git(gitdir, "show", f"{commit}:LICENSE")  # BSD-2-Clause, as set-of-emails'
    (HERE / "LICENSE").write_text(licence)
    revision = git(gitdir, "rev-parse", commit).strip()
    document = {"source": "github.com/sisimai/p5-sisimai", "commit": revision, "expected": kept}
    (HERE / "expected.json").write_text(json.dumps(document, indent=1, sort_keys=True) + "\n")
    print(f"{len(kept)} messages, {sum(map(len, kept.values()))} records")


if __name__ == "__main__":
    main(*sys.argv[1:])
