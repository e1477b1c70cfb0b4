"""`mailhygiene explain` end to end: formats, the JSON Schema, samples, exit codes."""

from __future__ import annotations

import io
import json
import sys

import jsonschema
import pytest
from support.paths import REPO

from audit.cli import main
from audit.model.errors import InputError

SCHEMA_PATH = REPO / "audit" / "schema" / "explain.schema.json"
SAMPLES = REPO / "samples"
SAMPLE_BOUNCES = sorted((SAMPLES / "bounces").iterdir())
S3150 = str(REPO / "tests" / "fixtures" / "bounces" / "microsoft-s3150.eml")
TSS04 = (
    "421 4.7.0 [TSS04] Messages from 203.0.113.7 temporarily deferred due to unexpected volume "
    "or user complaints"
)


def run(argv: list[str], capsys) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exited:
        main(argv)
    out, err = capsys.readouterr()
    return int(exited.value.code), out, err


def validate(document: dict) -> None:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    jsonschema.validate(document, schema, format_checker=jsonschema.FormatChecker())


def test_json_output_follows_the_schema(capsys):
    code, out, _ = run(["explain", "--file", S3150, "--format", "json"], capsys)
    document = json.loads(out)
    assert code == 0
    validate(document)
    assert document["classifications"][0]["provider"] == "microsoft-outlook"


def test_the_samples_schema_is_the_packaged_schema():
    assert (SAMPLES / "explain.schema.json").read_bytes() == SCHEMA_PATH.read_bytes()


def test_the_samples_json_is_current(capsys):
    # given the sample bounces, when explained as JSON
    argv = ["explain", "--format", "json"]
    for path in SAMPLE_BOUNCES:
        argv += ["--file", str(path.relative_to(REPO))]
    code, out, _ = run(argv, capsys)
    # then the output is the committed samples/explain.json (regenerate with `make samples`)
    assert code == 0
    assert json.loads(out) == json.loads((SAMPLES / "explain.json").read_text(encoding="utf-8"))
    validate(json.loads(out))


def test_json_says_how_many_rejections_were_not_classified(monkeypatch, capsys):
    # given more rejections than one run classifies
    monkeypatch.setattr("audit.bounce.explain.MAX_REJECTIONS", 2)
    text = "\n".join([TSS04] * 5)
    # when explained as JSON
    code, out, _ = run(["explain", text, "--format", "json"], capsys)
    document = json.loads(out)
    # then the cap is not silent: "truncated" counts the rest, and the schema allows it
    assert code == 0
    assert (len(document["classifications"]), document["truncated"]) == (2, 3)
    validate(document)


def test_json_has_no_truncated_key_under_the_cap(capsys):
    code, out, _ = run(["explain", TSS04, "--format", "json"], capsys)
    assert code == 0 and "truncated" not in json.loads(out)


def test_text_says_how_many_rejections_were_not_classified(monkeypatch, capsys):
    monkeypatch.setattr("audit.bounce.explain.MAX_REJECTIONS", 2)
    monkeypatch.setattr("audit.render.explain.MAX_REJECTIONS", 2)
    code, out, _ = run(["explain", "\n".join([TSS04] * 5)], capsys)
    assert code == 0 and "Rejection 2 of 2" in out and "Rejection 3" not in out
    assert out.rstrip().splitlines()[-1] == (
        "Not classified: 3 more rejections found beyond the limit of 2 a run; "
        "split the input to explain the rest."
    )


def test_text_output_lists_provider_reason_and_steps(capsys):
    code, out, _ = run(["explain", TSS04], capsys)
    assert code == 0
    assert "provider:   yahoo" in out and "reason:     bad_reputation" in out
    assert "temporary" in out and "1. " in out and "link: https://" in out


def test_unknown_text_still_exits_0(capsys):
    code, out, _ = run(["explain", "something odd happened"], capsys)
    assert code == 0 and "reason:     other" in out


def test_output_file_format_comes_from_the_extension(tmp_path, capsys):
    target = tmp_path / "explained.json"
    code, out, _ = run(["explain", TSS04, "-o", str(target)], capsys)
    assert code == 0 and out == ""
    validate(json.loads(target.read_text(encoding="utf-8")))


def test_stdin_is_read_when_no_text_or_file_is_given(monkeypatch, capsys):
    stream = io.TextIOWrapper(io.BytesIO(TSS04.encode()), encoding="utf-8")
    monkeypatch.setattr(sys, "stdin", stream)
    code, out, _ = run(["explain", "--format", "json"], capsys)
    assert code == 0 and json.loads(out)["classifications"][0]["provider"] == "yahoo"


@pytest.mark.parametrize(
    "argv",
    [
        ["explain", "--file", "/nonexistent/bounce.eml"],
        ["explain", "   "],
        ["explain", TSS04, "--format", "pdf"],
    ],
    ids=["unreadable-file", "empty-text", "bad-format"],
)
def test_bad_input_exits_2_with_one_line(argv, capsys):
    code, out, err = run(argv, capsys)
    assert code == 2 and out == ""
    assert err.startswith("mailhygiene: error:") and err.count("\n") == 1
    assert "Traceback" not in err


def test_binary_file_exits_2(tmp_path, capsys):
    binary = tmp_path / "image.bin"
    binary.write_bytes(bytes(range(32)) * 200)
    code, _, err = run(["explain", "--file", str(binary)], capsys)
    assert code == 2 and "binary" in err


def test_empty_stdin_exits_2(monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b""), encoding="utf-8"))
    code, _, err = run(["explain"], capsys)
    assert code == 2 and "empty" in err


def test_the_text_listing_says_which_requirement_a_rejection_enforces(capsys):
    # given Gmail's DMARC requirement code
    text = "421-4.7.31 Your email has been rate limited because DMARC policy is not enforced gsmtp"
    # when explain lists it
    code, out, _ = run(["explain", text], capsys)
    # then it says the rule it fails, not a rate limit
    assert code == 0
    assert "fails Gmail's DMARC requirement (gmail.dmarc)" in out


def test_a_directory_gives_every_file_under_it_in_one_run(tmp_path, capsys):
    # given a maildir-like directory with two bounces (one in new/) and a hidden file
    (tmp_path / "new").mkdir()
    (tmp_path / "a.txt").write_text("550 5.1.1 <a@example.net>: User unknown\n")
    (tmp_path / "new" / "b.txt").write_text("552 5.2.2 <b@example.net>: Mailbox full\n")
    (tmp_path / ".hidden").write_text("550 5.7.1 blocked using zen.spamhaus.org\n")
    # when explain reads the directory
    code, out, _ = run(["explain", "--file", str(tmp_path), "--format", "json"], capsys)
    # then both files are classified in file order, the hidden one skipped
    reasons = [c["reason"] for c in json.loads(out)["classifications"]]
    assert (code, reasons) == (0, ["user_unknown", "mailbox_full"])


def test_an_empty_directory_is_bad_input(tmp_path, capsys):
    # given an empty directory, when explain is asked to read it
    code, _, err = run(["explain", "--file", str(tmp_path)], capsys)
    # then it is bad input (exit 2), said in one line
    assert code == 2
    assert "nothing to explain" in err


PLAIN_TEXTS = [
    "550 5.7.1 Service unavailable; Client host [192.0.2.1] blocked using zen.spamhaus.org",
    "421 4.7.28 Gmail has detected an unusual rate of unsolicited mail",
    "no rejection in here",
    "",  # empty: exit 2, one line
    "\x1b[31m<b>hostile</b>\u202e",
]


@pytest.mark.parametrize("text", PLAIN_TEXTS)
def test_explain_text_alone_ends_as_through_typer(text, capsys):
    # given `explain TEXT`, which runs without Typer (audit/cli/explain.py plain_call)
    from audit.cli import _run_typer

    # when it runs the plain way and through the Typer app
    with pytest.raises(SystemExit) as plain:
        main(["explain", text])
    plain_out = capsys.readouterr()
    try:
        typer_code = _run_typer(["explain", text])
    except InputError as exc:  # main turns it into the one-line error, as for the plain run
        typer_code, typer_err = 2, f"mailhygiene: error: {exc}\n"
    else:
        typer_err = ""
    typer_out = capsys.readouterr()
    # then both give the same exit code and the same output
    assert (plain.value.code, plain_out.out) == (typer_code, typer_out.out)
    assert plain_out.err == typer_out.err + typer_err
