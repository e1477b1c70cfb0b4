"""`audit --bounce FILE`: rejections classified into the result, the JSON, text and report."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import jsonschema
import pytest
from support.cli_run import cli
from support.paths import FIXTURES

import audit
from audit.cli.audit_command import build_plan

BOUNCES = FIXTURES / "bounces"
SCHEMA = json.loads(
    (Path(audit.__file__).parent / "schema" / "result.schema.json").read_text(encoding="utf-8")
)
SOA = "@ 300 IN SOA ns.{0}. hostmaster.{0}. 1 3600 600 86400 300\n"
ZONES = {
    "2.0.192.in-addr.arpa": SOA.format("2.0.192.in-addr.arpa") + "1 IN PTR mail.example.test.\n",
    "example.test": SOA.format("example.test") + "mail IN A 192.0.2.1\n",
}


def audit_argv(nameserver: str, *extra: str) -> list[str]:
    return [
        "audit", "example.test", "--ip", "192.0.2.1", "--nameserver", nameserver,
        "--checks", "ptr", *extra,
    ]  # fmt: skip


@pytest.fixture
def nameserver(dns_server) -> str:
    return str(dns_server(zones=ZONES).nameserver)


def bounce_args(*names: str) -> list[str]:
    return [arg for name in names for arg in ("--bounce", str(BOUNCES / name))]


def audit_json(capsys, nameserver: str, *names: str) -> dict:
    code, out, err = cli(
        capsys, *audit_argv(nameserver, *bounce_args(*names)), "--format", "json", "-o", "-"
    )
    assert (code, err) == (0, "")
    return dict(json.loads(out))


def test_the_json_lists_every_classified_rejection(capsys, nameserver):
    # given two bounce files, when audited, then each rejection is classified in order
    document = audit_json(capsys, nameserver, "microsoft-s3150.eml", "postfix-zen-spamhaus.eml")
    found = [(r["provider"], r["blocklist"], r["reason"]) for r in document["rejections"]]
    assert found == [
        ("microsoft-outlook", None, "blocked"),
        ("spamhaus", "zen.spamhaus.org", "blocked"),
    ]


def test_the_json_with_rejections_validates_against_the_schema(capsys, nameserver):
    document = audit_json(capsys, nameserver, "postfix-maillog.txt", "gmail-4.7.28-deferral.eml")
    assert len(document["rejections"]) >= 4
    jsonschema.Draft202012Validator(
        SCHEMA, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    ).validate(document)


def test_without_bounce_the_document_has_no_rejections_key(capsys, nameserver):
    code, out, _ = cli(capsys, *audit_argv(nameserver), "--format", "json", "-o", "-")
    assert code == 0 and "rejections" not in json.loads(out)


def test_the_text_summary_lists_the_rejections(capsys, nameserver):
    code, out, _ = cli(capsys, *audit_argv(nameserver, *bounce_args("microsoft-s3150.eml")))
    assert code == 0
    assert "Classified rejections (1):" in out
    assert "microsoft-outlook: blocked (permanent, IP 198.51.100.7)" in out


def test_a_saved_result_with_rejections_round_trips_byte_for_byte(capsys, nameserver, tmp_path):
    saved, again = tmp_path / "r.json", tmp_path / "again.json"
    argv = audit_argv(nameserver, *bounce_args("postfix-maillog.txt"), "-o", str(saved))
    assert cli(capsys, *argv)[0] == 0
    assert cli(capsys, "report", str(saved), "-o", str(again))[0] == 0
    assert again.read_bytes() == saved.read_bytes()


def test_the_html_report_has_a_playbook_entry_per_rejection(capsys, nameserver, tmp_path):
    html_path = tmp_path / "r.html"
    argv = audit_argv(nameserver, *bounce_args("postfix-zen-spamhaus.eml"), "-o", str(html_path))
    assert cli(capsys, *argv)[0] == 0
    html = html_path.read_text(encoding="utf-8")
    assert 'href="#playbooks"' in html
    assert 'id="rejection-1"' in html
    assert "zen.spamhaus.org" in html and "198.51.100.30" in html
    assert "Subject: Delisting / mitigation request for 198.51.100.30" in html


def test_rejection_text_is_escaped_in_the_html(capsys, nameserver, tmp_path):
    bounce = tmp_path / "evil.txt"
    bounce.write_text("550 5.7.1 <script>alert(1)</script> blocked using zen.spamhaus.org\n")
    html_path = tmp_path / "r.html"
    argv = audit_argv(nameserver, "--bounce", str(bounce), "-o", str(html_path))
    assert cli(capsys, *argv)[0] == 0
    html = html_path.read_text(encoding="utf-8")
    assert "<script>" not in html and "&lt;script&gt;" in html


@pytest.mark.parametrize("content", [None, b"", b"\x00\x01\x02\x03" * 100])
def test_a_missing_empty_or_binary_bounce_file_exits_2(capsys, tmp_path, content):
    path = tmp_path / "bounce.eml"
    if content is not None:
        path.write_bytes(content)
    code, _, err = cli(capsys, *audit_argv("127.0.0.1:9", "--bounce", str(path)))
    assert code == 2
    assert len(err.strip().splitlines()) == 1 and "bounce.eml" in err


def test_the_config_file_accepts_bounce(tmp_path):
    config = tmp_path / "audit.toml"
    bounce = BOUNCES / "microsoft-s3150.eml"
    config.write_text(f'bounce = ["{bounce}"]\nnameserver = ["127.0.0.1:9"]\n')
    plan = build_plan({"domain": "example.test", "config": config})
    assert plan.runs[0].run.bounce_files == (str(bounce),)


def test_a_bounce_file_gone_by_run_time_is_a_run_level_unknown(tmp_path):
    # given a file validated before the run but deleted since
    from audit.engine.runner import classify_bounces
    from audit.model import UnknownReason

    # when the runner classifies it, then the run records an unknown instead of failing
    rejections, unknowns = asyncio.run(classify_bounces([str(tmp_path / "gone.eml")], 5.0))
    assert rejections == ()
    assert [u.reason for u in unknowns] == [UnknownReason.MALFORMED]


def test_identical_rejections_share_one_playbook_entry():
    # given the same rejection seen twice and another one
    from audit.render.report.delisting.seen import group_rejections

    same = {"provider": "yahoo", "blocklist": None, "reason": "rate_limited"}
    same |= {"sending_ip": "192.0.2.1", "temporary": True, "input": "421 ..."}
    other = same | {"sending_ip": "192.0.2.2"}
    # when grouped, then the first keeps its place with a count of 2
    groups = group_rejections([same, other, dict(same)])
    assert [(g["sending_ip"], n) for g, n in groups] == [("192.0.2.1", 2), ("192.0.2.2", 1)]


def test_rejections_beyond_the_cap_are_a_run_level_unknown(tmp_path, monkeypatch):
    # given a bounce file with three rejections and a cap of two
    import audit.bounce.explain
    from audit.engine.runner import classify_bounces
    from audit.model import UnknownReason

    monkeypatch.setattr(audit.bounce.explain, "MAX_REJECTIONS", 2)
    lines = [
        f"550 5.7.1 Service unavailable; client [192.0.2.{n}] blocked using zen.spamhaus.org"
        for n in (1, 2, 3)
    ]
    path = tmp_path / "three.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    # when the runner classifies it
    rejections, unknowns = asyncio.run(classify_bounces([str(path)], 5.0))
    # then two are classified and the third is counted, not silently dropped
    assert rejections is not None and len(rejections) == 2
    assert [u.reason for u in unknowns] == [UnknownReason.INPUT_LIMIT]
    assert "1 more rejection" in unknowns[0].detail
