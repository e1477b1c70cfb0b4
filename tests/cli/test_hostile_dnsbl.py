"""`audit --checks blacklist` and `blacklist` judge the same hostile DNS answers alike.

Both commands run the blacklist check, `blacklist` through the multiplexed DNS client and
`audit` through dnspython's; one judgement (audit/net/dns_answer.py, then
checks/blacklist/classify.py) must give every (IP, list) pair the same verdict, and the
run the same exit code. None of these answers may read as clean or listed.
"""

from __future__ import annotations

import json

import pytest
from support.hostile_dns import (
    Craft,
    HostileDnsServer,
    a_outside_loopback,
    answer_for_another_name,
    echo_query,
    huge_rrset,
    short_a_record,
)

from audit.cli import main
from audit.lab.dnsserver import RecordStore
from audit.net.dns import MAX_RECORDS_PER_ANSWER

IP = "192.0.2.20"
HOSTILE: dict[str, Craft] = {
    "echo": echo_query(),
    "foreign_owner": answer_for_another_name("other.test.", "127.0.0.2"),
    "short_a_rdata": short_a_record(10),
    "a_outside_127_8": a_outside_loopback("198.51.100.7"),
    "huge_rrset": huge_rrset(MAX_RECORDS_PER_ANSWER + 1),
}
Verdicts = dict[str, tuple[str, str | None]]


def run_json(capsys, argv: list[str]) -> tuple[int, dict]:
    with pytest.raises(SystemExit) as exited:
        main([*argv, "--timeout", "0.5", "--format", "json", "-o", "-", "-q"])
    return int(exited.value.code), json.loads(capsys.readouterr().out)


def ip_verdicts(document: dict) -> Verdicts:
    """(list -> (state, reason)) for the IP, from the blacklist check's evidence."""
    check = next(c for c in document["checks"] if c["id"] == "blacklist")
    rows = [row for row in check["evidence"]["results"] if row["target"] == IP]
    return {row["list"]: (row["state"], row.get("reason")) for row in rows}


@pytest.mark.parametrize("answer", sorted(HOSTILE))
def test_audit_and_blacklist_give_the_same_verdicts_for_a_hostile_answer(capsys, answer):
    with HostileDnsServer(RecordStore(), HOSTILE[answer]) as server:
        via_audit = run_json(
            capsys,
            ["audit", "example.test", "--checks", "blacklist", "--ip", IP,
             "--nameserver", server.nameserver],
        )  # fmt: skip
        via_blacklist = run_json(capsys, ["blacklist", IP, "--nameserver", server.nameserver])

    audit_verdicts, blacklist_verdicts = ip_verdicts(via_audit[1]), ip_verdicts(via_blacklist[1])
    assert audit_verdicts and audit_verdicts == blacklist_verdicts
    assert {state for state, _ in audit_verdicts.values()} == {"unknown"}
    assert via_audit[0] == via_blacklist[0] == 3
