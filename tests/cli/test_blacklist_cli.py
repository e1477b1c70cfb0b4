"""`mailhygiene blacklist` and `mailhygiene lists` end to end (in-process, lab DNS)."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import jsonschema
import pytest
from support.paths import REPO
from support.rbldnsd_fixture import dnsbl_zone

from audit.cli import main
from audit.knowledge.dnsbl.catalog import shipped_catalog

SCHEMA = REPO / "audit" / "schema" / "result.schema.json"
DQS_KEY = "zz9plural9z9alpha0secret00"


def run(argv: list[str], capsys) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exited:
        main(argv)
    out, err = capsys.readouterr()
    return int(exited.value.code), out, err


@pytest.fixture
def lab(dns_server):
    zones = {e.zone: dnsbl_zone(e.zone) for e in shipped_catalog().active}
    zones["bl.spamcop.net"] = dnsbl_zone(
        "bl.spamcop.net", ["21.2.0.192 IN A 127.0.0.2", '21.2.0.192 IN TXT "Blocked - see spamcop"']
    )
    zones["zen.spamhaus.org"] = dnsbl_zone("zen.spamhaus.org", ["30.2.0.192 IN A 127.0.0.10"])
    dqs = f"{DQS_KEY}.zen.dq.spamhaus.net"
    zones[dqs] = dnsbl_zone(dqs, ["40.2.0.192 IN A 127.0.0.4", f'40.2.0.192 IN TXT "{DQS_KEY}"'])
    return dns_server(zones=zones, behaviours={"50.2.0.192.bl.spamcop.net": "timeout"})


def test_a_listed_ip_exits_1_with_the_finding_in_json(lab, capsys) -> None:
    code, out, _ = run(
        ["blacklist", "192.0.2.21", "--nameserver", lab.nameserver, "--format", "json"], capsys
    )
    document = json.loads(out)
    assert code == 1
    assert [(f["code"], f["severity"]) for f in document["findings"]] == [
        ("BLACKLIST_LISTED", "critical")
    ]
    assert document["summary"]["exit_code"] == 1


def test_the_json_document_follows_the_result_schema(lab, capsys) -> None:
    _, out, _ = run(
        [
            "blacklist",
            "192.0.2.21",
            "example.com",
            "--nameserver",
            lab.nameserver,
            "--format",
            "json",
        ],
        capsys,
    )
    jsonschema.validate(json.loads(out), json.loads(SCHEMA.read_text()))


def test_a_clean_ip_exits_0(lab, capsys) -> None:
    code, _, _ = run(["blacklist", "192.0.2.99", "--nameserver", lab.nameserver, "-q"], capsys)
    assert code == 0


def test_a_policy_listing_below_fail_on_exits_0(lab, capsys) -> None:
    code, out, _ = run(
        ["blacklist", "192.0.2.30", "--nameserver", lab.nameserver, "--format", "json"], capsys
    )
    assert code == 0
    assert [f["code"] for f in json.loads(out)["findings"]] == ["BLACKLIST_POLICY_LISTED"]


def test_a_policy_listing_at_fail_on_medium_exits_1(lab, capsys) -> None:
    argv = ["blacklist", "192.0.2.30", "--nameserver", lab.nameserver, "--fail-on", "medium", "-q"]
    assert run(argv, capsys)[0] == 1


def test_an_unanswered_list_exits_3_incomplete(lab, capsys) -> None:
    argv = [
        "blacklist",
        "192.0.2.50",
        "--nameserver",
        lab.nameserver,
        "--timeout",
        "0.3",
        "--format",
        "json",
    ]
    code, out, _ = run(argv, capsys)
    assert code == 3
    assert json.loads(out)["summary"]["status"] == "incomplete"


def test_allow_incomplete_turns_exit_3_into_0(lab, capsys) -> None:
    argv = [
        "blacklist",
        "192.0.2.50",
        "--nameserver",
        lab.nameserver,
        "--timeout",
        "0.3",
        "--allow-incomplete",
        "-q",
    ]
    assert run(argv, capsys)[0] == 0


def test_a_range_above_a_slash_20_is_refused_with_exit_2(lab, capsys) -> None:
    code, _, err = run(["blacklist", "192.0.0.0/19", "--nameserver", lab.nameserver], capsys)
    assert code == 2
    assert "--max-targets" in err


def test_max_targets_raises_the_guard(lab, capsys, tmp_path: Path) -> None:
    one_list = tmp_path / "lists.txt"
    one_list.write_text("spamcop\n", encoding="utf-8")
    argv = [
        "blacklist",
        "192.0.0.0/22",
        "--max-targets",
        "1024",
        "--lists",
        str(one_list),
        "--nameserver",
        lab.nameserver,
        "--format",
        "json",
    ]
    code, out, _ = run(argv, capsys)
    assert code == 1  # 192.0.2.21 is inside the /22
    assert len(json.loads(out)["target"]["ips"]) == 1022


def test_targets_are_read_from_a_file(lab, capsys, tmp_path: Path) -> None:
    path = tmp_path / "targets.txt"
    path.write_text("# mine\n192.0.2.21\n192.0.2.99  # clean\nexample.com\n", encoding="utf-8")
    _, out, _ = run(
        ["blacklist", f"@{path}", "--nameserver", lab.nameserver, "--format", "json"], capsys
    )
    document = json.loads(out)
    assert [ip["ip"] for ip in document["target"]["ips"]] == ["192.0.2.21", "192.0.2.99"]
    assert document["target"]["domain"] == "example.com"


@pytest.mark.parametrize(
    "argv",
    [["nonsense..x"], ["192.0.2.1", "--lists", "/nope"], ["192.0.2.1", "--dnsbl", "bad zone"]],
)
def test_bad_input_exits_2(lab, capsys, argv: list[str]) -> None:
    assert run(["blacklist", *argv, "--nameserver", lab.nameserver], capsys)[0] == 2


def test_the_dqs_key_never_appears_in_any_output(lab, capsys, caplog, tmp_path: Path) -> None:
    # given a DQS-keyed zone that even echoes the key in its TXT, and every output
    caplog.set_level(logging.DEBUG)
    outputs = [tmp_path / "r.json", tmp_path / "r.txt", tmp_path / "r.xml"]
    argv = [
        "blacklist",
        "192.0.2.40",
        "192.0.2.50",
        "--nameserver",
        lab.nameserver,
        "--timeout",
        "1",
        "--spamhaus-dqs-key",
        DQS_KEY,
        "-v",
        "-o",
        "-",
        *[arg for path in outputs for arg in ("-o", str(path))],
    ]
    # when the check runs (listing found through DQS)
    code, out, err = run(argv, capsys)
    document = json.loads(outputs[0].read_text())
    assert code == 1
    assert "spamhaus-zen" in {f["evidence"]["list"] for f in document["findings"]}
    # then the key is nowhere
    texts = [out, err, caplog.text, *(p.read_text() for p in outputs)]
    leaks = [t[max(0, t.find(DQS_KEY) - 200) : t.find(DQS_KEY) + 50] for t in texts if DQS_KEY in t]
    assert leaks == []


@pytest.mark.parametrize(
    ("command", "zone"),
    [
        (["blacklist", "192.0.2.40"], f"{DQS_KEY}.zen.dq.spamhaus.net"),
        (
            ["audit", "example.com", "--checks", "blacklist", "--ip", "192.0.2.40"],
            f"{DQS_KEY}.zen.dq.spamhaus.net",
        ),
        (["blacklist", "192.0.2.40"], f"{DQS_KEY}.newlist.dq.spamhaus.com"),
        (
            ["audit", "example.com", "--checks", "blacklist", "--ip", "192.0.2.40"],
            f"{DQS_KEY}.newlist.dq.spamhaus.com",
        ),
    ],
)
def test_a_dqs_key_given_inside_a_dnsbl_zone_never_appears_in_any_output(
    dns_server, capsys, caplog, tmp_path: Path, command: list[str], zone: str
) -> None:
    # given a keyed zone named with --dnsbl (not --spamhaus-dqs-key), echoing its key
    caplog.set_level(logging.DEBUG)
    listing = ["40.2.0.192 IN A 127.0.0.4", f'40.2.0.192 IN TXT "{DQS_KEY}"']
    server = dns_server(zones={zone: dnsbl_zone(zone, listing)})
    outputs = [tmp_path / "r.json", tmp_path / "r.txt", tmp_path / "r.xml", tmp_path / "r.html"]
    argv = [*command, "--dnsbl", zone, "--lists", str(_no_lists(tmp_path))]
    argv += ["--nameserver", server.nameserver]
    argv += ["--timeout", "1", "-v", "-o", "-", *[a for p in outputs for a in ("-o", str(p))]]
    # when the run finds the listing
    code, out, err = run(argv, capsys)
    assert code == 1
    # then the key is in no output and no log line
    texts = [out, err, caplog.text, *(p.read_text() for p in outputs)]
    assert [t for t in texts if DQS_KEY in t] == []


def _no_lists(tmp_path: Path) -> Path:
    """A --lists file naming no list, so only the --dnsbl zone is queried."""
    path = tmp_path / "lists.txt"
    path.write_text("# only the --dnsbl zone\n")
    return path


def test_a_malformed_dqs_key_is_a_usage_error_that_does_not_echo_it(lab, capsys) -> None:
    code, out, err = run(["blacklist", "192.0.2.1", "--spamhaus-dqs-key", "x.y-" + DQS_KEY], capsys)
    assert code == 2
    assert DQS_KEY not in out + err


def test_lists_prints_the_catalog_as_json_with_defunct_lists(capsys) -> None:
    code, out, _ = run(["lists", "--format", "json"], capsys)
    document = json.loads(out)
    active = [e for e in document["lists"] if e["status"] != "defunct"]
    defunct = [e for e in document["lists"] if e["status"] == "defunct"]
    assert code == 0
    assert len(active) >= 40
    assert defunct and all(e["ended"] and not e["selected"] for e in defunct)


def test_lists_health_on_healthy_lists_exits_0(lab, capsys) -> None:
    code, out, _ = run(
        ["lists", "--health", "--nameserver", lab.nameserver, "--format", "json"], capsys
    )
    assert code == 0
    assert {h["health"] for h in json.loads(out)["health"]} == {"healthy"}


def test_lists_health_reports_a_world_listing_zone_and_exits_3(dns_server, capsys) -> None:
    world = dnsbl_zone("psbl.surriel.com", ["* IN A 127.0.0.2"], healthy=False)
    server = dns_server(zones={"psbl.surriel.com": world})
    argv = [
        "lists",
        "--health",
        "--lists",
        "all",
        "--nameserver",
        server.nameserver,
        "--timeout",
        "0.5",
        "--format",
        "json",
    ]
    code, out, _ = run(argv, capsys)
    health = {h["id"]: h["health"] for h in json.loads(out)["health"]}
    assert code == 3
    assert health["psbl"] == "lists_the_world"
