"""Bad input is one line on stderr and exit 2, before any query (issue 8, items 11-16).

Every case here was reproduced on main first: a traceback (exit 4), a run that went ahead
(exit 0 or 3) on input it should have refused, or exit 2 on input that was fine.
"""

from __future__ import annotations

import io
import json
import os
import sys
from pathlib import Path

import jsonschema
import pytest
from support.paths import REPO

from audit.cli import main

EXPLAIN_SCHEMA = json.loads((REPO / "audit" / "schema" / "explain.schema.json").read_text())


def cli(capsys, *argv: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exited:
        main(list(argv))
    captured = capsys.readouterr()
    return int(exited.value.code), captured.out, captured.err


def assert_one_line_error(result: tuple[int, str, str], *named: str) -> None:
    code, _out, err = result
    assert code == 2, err
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("mailhygiene: error: "), err
    for text in named:
        assert text in lines[0]


def blacklist_audit(nameserver: str) -> list[str]:
    return ["audit", "example.test", "--ip", "192.0.2.1", "--checks", "blacklist",
            "--nameserver", nameserver, "--timeout", "0.2", "--deadline", "2"]  # fmt: skip


def blacklist_command(nameserver: str) -> list[str]:
    return ["blacklist", "192.0.2.1", "--nameserver", nameserver, "--timeout", "0.2",
            "--deadline", "2"]  # fmt: skip


# -- item 11: one validation path for a lists file, audit and blacklist alike --------------------

LISTS_FILES = {
    "binary": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4, "binary data"),
    "not-utf8": ("zone.example.net\n# caf\xe9\n".encode("latin-1"), "not UTF-8"),
    "toml-without-lists": (b"[meta]\nowner = 'me'\n", "[[lists]]"),
    "bad-zone-line": (b"bl.spamcop.net\nbad zone!!\n", "line 2: invalid zone"),
    "nested-deeply": (b"x = " + b"[" * 5000 + b"]" * 5000 + b"\n", "nested too deeply"),
    "empty": (b"", "no list selected"),
    "only-comments": (b"# nothing here yet\n", "no list selected"),
    "only-defunct-lists": (b"sorbs\nnixspam\n", "no list selected"),
}


@pytest.mark.parametrize(
    "command", [blacklist_audit, blacklist_command], ids=["audit", "blacklist"]
)
@pytest.mark.parametrize("case", sorted(LISTS_FILES))
def test_a_bad_lists_file_is_exit_2_before_any_query(
    capsys, tmp_path: Path, silent_nameserver: str, command, case: str
) -> None:
    # given a --lists file that cannot be a selection (on main: exit 4 with a traceback in
    # audit, exit 3 for an empty file in both)
    content, named = LISTS_FILES[case]
    path = tmp_path / ("lists.toml" if case.startswith(("toml", "nested")) else "lists.txt")
    path.write_bytes(content)
    # when either command plans its run
    result = cli(capsys, *command(silent_nameserver), "--lists", str(path), "-q")
    # then one line names the problem, and nothing was queried
    assert_one_line_error(result, named)


def test_the_lists_command_validates_the_same_way(capsys, tmp_path: Path) -> None:
    path = tmp_path / "lists.txt"
    path.write_text("")
    assert_one_line_error(cli(capsys, "lists", "--lists", str(path)), "no list selected")


def test_an_empty_lists_file_with_a_dnsbl_zone_is_a_selection(
    capsys, tmp_path: Path, silent_nameserver: str
) -> None:
    # given an empty lists file and one --dnsbl zone: the zone is the selection
    path = tmp_path / "lists.txt"
    path.write_text("")
    argv = [*blacklist_command(silent_nameserver), "--lists", str(path), "--dnsbl", "bl.corp.test"]
    code, _, err = cli(capsys, *argv, "-q", "-o", str(tmp_path / "r.json"))
    # then it runs (the silent server makes every lookup unknown: exit 3, not 2)
    assert code == 3, err


def test_a_config_nested_thousands_deep_is_exit_2(capsys, tmp_path: Path) -> None:
    config = tmp_path / "deep.toml"
    config.write_text("a = " + "[" * 5000 + "]" * 5000 + "\n")
    result = cli(capsys, "audit", "example.test", "--config", str(config))
    assert_one_line_error(result, "nested too deeply")


def test_a_binary_config_is_exit_2(capsys, tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_bytes(os.urandom(4096) + b"\x00")
    assert_one_line_error(cli(capsys, "audit", "example.test", "--config", str(config)), "binary")


@pytest.mark.parametrize("opening", ["[", '{"a":'], ids=["arrays", "objects"])
def test_report_on_json_nested_100k_deep_is_exit_2(capsys, tmp_path: Path, opening: str) -> None:
    saved = tmp_path / "deep.json"
    closing = "]" if opening == "[" else "}"
    saved.write_text(opening * 100_000 + ("" if opening == "[" else "1") + closing * 100_000)
    result = cli(capsys, "report", str(saved), "-o", str(tmp_path / "r.txt"))
    assert_one_line_error(result, "nested too deeply")


def test_report_on_json_nested_just_under_the_decoder_limit_is_exit_2(
    capsys, tmp_path: Path
) -> None:
    # given a document the JSON decoder accepts, but deeper than any result document
    saved = tmp_path / "deep.json"
    saved.write_text('{"schema_version": "1", "x": ' + "[" * 500 + "]" * 500 + "}")
    result = cli(capsys, "report", str(saved), "-o", str(tmp_path / "r.txt"))
    assert_one_line_error(result, "nested deeper than")


# -- item 12: --selector is a DNS label sequence (RFC 6376 §3.1) ----------------------------------


@pytest.mark.parametrize(
    "selector",
    ["a b", "", "a" * 300, "a..b", "../../etc/passwd", "-s1", "s1-", "s_1", "sel\u212a"],
    ids=["space", "empty", "300-chars", "empty-label", "path", "leading-hyphen",
         "trailing-hyphen", "underscore", "kelvin-sign"],
)  # fmt: skip
def test_an_invalid_selector_is_exit_2(capsys, silent_nameserver: str, selector: str) -> None:
    argv = ["audit", "example.test", "--ip", "192.0.2.1", "--checks", "dkim",
            "--nameserver", silent_nameserver, "--selector", selector]  # fmt: skip
    assert_one_line_error(cli(capsys, *argv), "--selector")


def test_a_selector_whose_key_name_is_longer_than_253_is_exit_2(
    capsys, silent_nameserver: str
) -> None:
    # given labels that are each valid, but selector._domainkey.example.test is too long
    selector = ".".join(["a" * 60] * 4)  # 243 characters
    argv = ["audit", "example.test", "--checks", "dkim", "--nameserver", silent_nameserver,
            "--selector", selector]  # fmt: skip
    assert_one_line_error(cli(capsys, *argv), "longer than 253")


# -- item 13: binary input is refused, naming the file -----------------------------------------


def test_explain_on_a_random_binary_file_is_exit_2(capsys, tmp_path: Path) -> None:
    binary = tmp_path / "binary.bin"
    binary.write_bytes(os.urandom(3000))
    assert_one_line_error(cli(capsys, "explain", "--file", str(binary)), str(binary), "binary")


def test_explain_on_binary_stdin_is_exit_2(capsys, monkeypatch) -> None:
    stream = io.TextIOWrapper(io.BytesIO(os.urandom(3000)), encoding="utf-8")
    monkeypatch.setattr(sys, "stdin", stream)
    assert_one_line_error(cli(capsys, "explain"), "<stdin>", "binary")


def test_explain_on_dev_urandom_stops_after_the_first_chunk(capsys) -> None:
    assert_one_line_error(cli(capsys, "explain", "--file", "/dev/urandom"), "binary")


def test_audit_bounce_with_a_binary_file_is_exit_2(capsys, tmp_path: Path) -> None:
    bounce = tmp_path / "binary.eml"
    bounce.write_bytes(os.urandom(3000))
    argv = ["audit", "example.test", "--ip", "192.0.2.1", "--checks", "volume",
            "--bounce", str(bounce)]  # fmt: skip
    assert_one_line_error(cli(capsys, *argv), str(bounce), "binary")


# -- item 15: durations are finite and positive -------------------------------------------------


@pytest.mark.parametrize("value", ["inf", "nan", "-1", "0", "1e999", "100000"])
@pytest.mark.parametrize("flag", ["--timeout", "--deadline"])
def test_a_duration_that_is_not_finite_and_positive_is_exit_2(
    capsys, tmp_path: Path, silent_nameserver: str, flag: str, value: str
) -> None:
    out = str(tmp_path / "r.json")
    for command in (blacklist_audit(silent_nameserver), blacklist_command(silent_nameserver)):
        result = cli(capsys, *command, f"{flag}={value}", "-q", "-o", out)
        assert_one_line_error(result, flag)


def test_an_infinite_timeout_in_the_config_file_is_exit_2(capsys, tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text("timeout = inf\n")
    result = cli(capsys, "audit", "example.test", "--config", str(config))
    assert_one_line_error(result, "--timeout")


# -- item 16: a bounce explain cannot parse is unclassified, not bad input ---------------------

# A real-world shape: the multipart/report announces one MIME boundary and uses another
# (a broken relay rewrote it), so no part can be found.
BROKEN_MIME_BOUNCE = """\
From: Mail Delivery System <MAILER-DAEMON@mx.example.net>
To: alice@example.com
Subject: Undelivered Mail Returned to Sender
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="AAAA/mx.example.net"

--BBBB/mx.example.net
Content-Type: text/plain; charset=us-ascii

--BBBB/mx.example.net--
"""


def test_explain_on_a_bounce_it_cannot_parse_exits_0_with_an_unclassified_entry(
    capsys, tmp_path: Path
) -> None:
    # given a bounce whose rejection cannot be found (on main: exit 2 "no rejection found")
    bounce = tmp_path / "bounce.eml"
    bounce.write_text(BROKEN_MIME_BOUNCE)
    # when explained as JSON
    code, out, err = cli(capsys, "explain", "--file", str(bounce), "--format", "json")
    # then exit 0, and the document lists it as unclassified with the reason
    document = json.loads(out)
    jsonschema.validate(document, EXPLAIN_SCHEMA)
    assert code == 0 and err == ""
    assert document["classifications"] == []
    [entry] = document["unclassified"]
    assert entry["source"] == str(bounce) and "delivery-status" in entry["reason"]


def test_explain_text_lists_the_unclassified_input_with_the_reason(capsys, tmp_path: Path) -> None:
    bounce = tmp_path / "bounce.eml"
    bounce.write_text(BROKEN_MIME_BOUNCE)
    code, out, _ = cli(capsys, "explain", "--file", str(bounce))
    assert code == 0
    assert "Unclassified" in out and f"{bounce}: a message, but no failed recipient" in out


def test_explain_keeps_classifying_the_other_inputs(capsys, tmp_path: Path) -> None:
    bounce = tmp_path / "bounce.eml"
    bounce.write_text(BROKEN_MIME_BOUNCE)
    argv = ["explain", "550 5.7.1 blocked using bl.spamcop.net", "--file", str(bounce)]
    code, out, _ = cli(capsys, *argv, "--format", "json")
    document = json.loads(out)
    assert code == 0
    assert [c["blocklist"] for c in document["classifications"]] == ["bl.spamcop.net"]
    assert [u["source"] for u in document["unclassified"]] == [str(bounce)]


# -- found by the fuzz test: a saved result valid by the schema, but not renderable -------------


def test_report_on_a_result_with_malformed_evidence_is_exit_2(capsys, tmp_path: Path) -> None:
    # given the demo's result with an hourly timestamp of the volume chart replaced (the
    # schema leaves evidence open; on main the HTML renderer raised ValueError: exit 4)
    document = json.loads((REPO / "samples" / "demo" / "report.json").read_text())
    volume = next(c for c in document["checks"] if c["id"] == "volume")
    account = next(iter(volume["evidence"]["hourly"]))
    volume["evidence"]["hourly"][account][0][0] = "x" * 50
    saved = tmp_path / "edited.json"
    saved.write_text(json.dumps(document))
    # when it is re-rendered as HTML
    result = cli(capsys, "report", str(saved), "-o", str(tmp_path / "r.html"))
    # then one line says the content cannot be rendered
    assert_one_line_error(result, "cannot be rendered")


@pytest.mark.parametrize("target", ["fe80::1%eth0", "fe80::%eth0/126"])
def test_a_blacklist_target_with_a_zone_index_is_exit_2(
    capsys, silent_nameserver: str, target: str
) -> None:
    # found by the fuzz test: on main the query name was built at run time (exit 4)
    result = cli(capsys, "blacklist", target, "--nameserver", silent_nameserver)
    assert_one_line_error(result, "zone index")


def test_a_blacklist_target_file_is_read_bounded(capsys, silent_nameserver: str) -> None:
    # on main `@/dev/urandom` was read to its end (st_size 0 passed the size check)
    result = cli(capsys, "blacklist", "@/dev/urandom", "--nameserver", silent_nameserver)
    assert_one_line_error(result, "/dev/urandom")
