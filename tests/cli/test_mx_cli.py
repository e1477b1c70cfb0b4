"""The mx options on the command line and in --config: --ca-file, --no-http; `--checks mx`."""

from __future__ import annotations

import json

from support.cli_run import cli
from support.tlslab import PolicyServer, Served, TestPki, server_context

SOA = "@ 300 IN SOA ns.sts.test. hostmaster.sts.test. 1 3600 600 86400 300\n"
ZONES = {
    "sts.test": SOA
    + "@ MX 10 mx\nmx A 192.0.2.1\nmta-sts A 127.0.0.1\n"
    + '_mta-sts TXT "v=STSv1; id=1"\n_smtp._tls TXT "v=TLSRPTv1; rua=mailto:t@sts.test"\n'
}


def mx_audit(capsys, nameserver: str, *extra: str) -> tuple[int, dict, str]:
    argv = ["audit", "sts.test", "--nameserver", nameserver, "--checks", "mx", "--no-relay-probe"]
    code, out, err = cli(capsys, *argv, "--format", "json", "--timeout", "1", *extra)
    return code, json.loads(out) if out.strip() else {}, err


def test_no_http_makes_the_policy_unknown_and_the_run_incomplete(capsys, dns_server, tmp_path):
    # given a domain with an MTA-STS record and a policy server that must not be asked
    pki = TestPki(tmp_path)
    served = {"mta-sts.sts.test": Served(b"version: STSv1\nmode: enforce\nmx: mx.sts.test\n")}
    with PolicyServer(server_context(pki.issue("p", ("mta-sts.sts.test",))), served) as https:
        server = dns_server(zones=ZONES)
        code, document, _ = mx_audit(capsys, server.nameserver, "--no-http")
    # then nothing was fetched, the policy is unknown and the exit code says incomplete
    assert https.requests == []
    assert code == 3
    assert document["checks"][0]["evidence"]["mta_sts"]["fetch"] == "skipped_no_http"


def test_a_ca_file_that_holds_no_certificate_is_bad_input(capsys, dns_server, tmp_path):
    bogus = tmp_path / "ca.pem"
    bogus.write_text("not a certificate\n")
    code, _, err = mx_audit(capsys, dns_server(zones=ZONES).nameserver, "--ca-file", str(bogus))
    assert code == 2
    assert "--ca-file" in err


def test_config_file_keys(capsys, dns_server, tmp_path):
    pki = TestPki(tmp_path)
    config = tmp_path / "c.toml"
    config.write_text(f'ca_file = "{pki.ca_file}"\nno_http = true\n', "utf-8")
    code, document, _ = mx_audit(
        capsys, dns_server(zones=ZONES).nameserver, "--config", str(config)
    )
    assert code == 3
    assert document["checks"][0]["evidence"]["mta_sts"]["fetch"] == "skipped_no_http"
