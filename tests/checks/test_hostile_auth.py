"""SPF, DKIM and DMARC under hostile DNS, through the CLI: a lookup that could not be
determined (a bound hit, an answer for another name) is unknown, never "missing" or pass."""

from __future__ import annotations

import json

import pytest
from support.hostile_dns import HostileDnsServer, answer_for_another_name

from audit.cli import main
from audit.lab.dnsserver import RecordStore
from audit.net.dns import MAX_RECORDS_PER_ANSWER

SOA = "@ 300 IN SOA ns.{0}. hostmaster.{0}. 1 3600 600 86400 300\n"
KEY = (
    "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAkF1RLT5a/QADEAFURNsTnReMsa0dEc1wWnSkj+xZh9hq"
    "G4HpJUOjTewg+jM7vKnPh6U3DfNcJ/x3VKpRoEBYaKPZSlVe4Tmx7GKG5H17iEip6zgWldAQK0E5UBfURxIBZlY7B"
    "eqyQiFKd4eCRnH4PHJWLNJ4rPA8hxNPrafqR77xX9/uoYnUCbXMp/onqkzbTHHu1StH+fZsyZQH/qOhP5KVXba9Js"
    "6BrggTCjydqaF/QX7GjYJip2kQUnmj8/OtxfovTeq5olTzk4ZcmYX2Lcsx2XSY/QcpQLu2nZf4P3KJtKMrZjNIin6"
    "gm+krbT3Ph6z7h376RCYxR7cobj+49QIDAQAB"
)


def txt(value: str) -> str:
    return " ".join(f'"{value[i : i + 255]}"' for i in range(0, len(value), 255))


def audit_json(capsys, nameserver: str, domain: str, *extra: str) -> tuple[int, dict]:
    argv = ["audit", domain, "--nameserver", nameserver, "--format", "json", "-o", "-"]
    with pytest.raises(SystemExit) as exited:
        main([*argv, "--timeout", "2", *extra])
    return exited.value.code, json.loads(capsys.readouterr().out)


def codes(document: dict) -> set[str]:
    return {finding["code"] for finding in document["findings"]}


def check(document: dict, check_id: str) -> dict:
    return next(c for c in document["checks"] if c["id"] == check_id)


def unknown_reasons(document: dict, check_id: str) -> set[str]:
    return {u["reason"] for u in check(document, check_id)["unknowns"]}


def test_two_spf_records_among_63_other_txt_records_are_spf_multiple_records(capsys, dns_server):
    junk = "".join(f"@ IN TXT {txt(f'google-site-verification={i}')}\n" for i in range(63))
    spf = '@ IN TXT "v=spf1 ip4:127.0.0.10 -all"\n@ IN TXT "v=spf1 -all"\n'
    server = dns_server(zones={"many.test": SOA.format("many.test") + junk + spf})

    code, document = audit_json(
        capsys, server.nameserver, "many.test", "--checks", "spf", "--ip", "127.0.0.10"
    )

    assert "SPF_MULTIPLE_RECORDS" in codes(document)
    assert code == 1


def test_an_spf_record_longer_than_4096_characters_is_judged_whole(capsys, dns_server):
    filler = " ".join(f"ip4:192.0.2.{i % 250}" for i in range(300))
    record = f"v=spf1 {filler} ip4:127.0.0.100 -all"
    assert len(record) > 4096
    zone = SOA.format("long.test") + f"@ IN TXT {txt(record)}\n"
    server = dns_server(zones={"long.test": zone})

    _, cut_ip = audit_json(
        capsys, server.nameserver, "long.test", "--checks", "spf", "--ip", "127.0.0.10"
    )
    _, listed_ip = audit_json(
        capsys, server.nameserver, "long.test", "--checks", "spf", "--ip", "127.0.0.100"
    )

    assert "SPF_IP_NOT_AUTHORIZED" in codes(cut_ip)
    assert "SPF_IP_NOT_AUTHORIZED" not in codes(listed_ip)


def test_an_spf_record_among_290_other_txt_records_is_found(capsys, dns_server):
    junk = "".join(f"@ IN TXT {txt(f'site-verification={i}')}\n" for i in range(290))
    zone = SOA.format("crowded.test") + junk + '@ IN TXT "v=spf1 ip4:127.0.0.10 -all"\n'
    server = dns_server(zones={"crowded.test": zone})

    _, document = audit_json(
        capsys, server.nameserver, "crowded.test", "--checks", "spf", "--ip", "127.0.0.10"
    )

    assert "SPF_MISSING" not in codes(document)
    assert check(document, "spf")["status"] == "pass"


def test_a_txt_answer_beyond_the_bound_makes_spf_unknown_answer_too_large(capsys, dns_server):
    junk = "".join(f"@ IN TXT {txt(f'j{i}')}\n" for i in range(MAX_RECORDS_PER_ANSWER + 1))
    zone = SOA.format("huge.test") + junk + '@ IN TXT "v=spf1 ip4:127.0.0.10 -all"\n'
    server = dns_server(zones={"huge.test": zone})

    code, document = audit_json(
        capsys, server.nameserver, "huge.test", "--checks", "spf", "--ip", "127.0.0.10"
    )

    assert "SPF_MISSING" not in codes(document)
    assert "answer_too_large" in unknown_reasons(document, "spf")
    assert code == 3


def test_a_valid_key_in_a_dkim_record_longer_than_4096_characters_is_not_malformed(
    capsys, dns_server
):
    note = "x" * 4200
    record = f"v=DKIM1; k=rsa; n={note}; p={KEY}"
    zone = SOA.format("dk.test") + f"sel._domainkey IN TXT {txt(record)}\n"
    server = dns_server(zones={"dk.test": zone})

    _, document = audit_json(
        capsys, server.nameserver, "dk.test", "--checks", "dkim", "--selector", "sel"
    )

    assert "DKIM_KEY_MALFORMED" not in codes(document)
    assert check(document, "dkim")["status"] == "pass"


@pytest.mark.parametrize(
    ("check_id", "question", "missing_code", "extra"),
    [
        ("spf", "victim.test.", "SPF_MISSING", ("--ip", "127.0.0.10")),
        ("dmarc", "_dmarc.victim.test.", "DMARC_MISSING", ()),
        ("dkim", "sel._domainkey.victim.test.", "DKIM_NOT_FOUND", ("--selector", "sel")),
    ],
)
def test_an_answer_for_another_name_is_unknown_not_missing(
    capsys, check_id, question, missing_code, extra
):
    store = RecordStore()
    store.add_zone_text("victim.test", SOA.format("victim.test"))
    craft = answer_for_another_name(
        "attacker.test.", '"v=spf1 +all"', lambda name, rdtype: name == question and rdtype == "TXT"
    )
    with HostileDnsServer(store, craft) as server:
        code, document = audit_json(
            capsys, server.nameserver, "victim.test", "--checks", check_id, *extra
        )

    assert missing_code not in codes(document)
    assert "malformed_response" in unknown_reasons(document, check_id)
    assert code == 3


def test_dkim_lists_failed_selector_probes_as_unknown_although_a_key_was_found(capsys, dns_server):
    from checks.dkim.check import curated_selectors

    failing = [s for s in curated_selectors() if s != "google"][:28]
    zone = (
        SOA.format("partial.test") + f"google._domainkey IN TXT {txt(f'v=DKIM1; k=rsa; p={KEY}')}\n"
    )
    server = dns_server(
        zones={"partial.test": zone},
        behaviours={f"{s}._domainkey.partial.test": "servfail" for s in failing},
    )

    code, document = audit_json(capsys, server.nameserver, "partial.test", "--checks", "dkim")

    dkim = check(document, "dkim")
    assert dkim["status"] == "unknown"
    assert [u["reason"] for u in dkim["unknowns"]] == ["servfail"]
    assert dkim["unknowns"][0]["detail"].startswith("28 of ")
    assert code == 3
