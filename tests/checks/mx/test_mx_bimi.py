"""BIMI: the default._bimi record against a lab DNS server, with the DMARC policy the
dmarc check finds (the DMARC_EVIDENCE fact), never recomputed by the mx check."""

from __future__ import annotations

from support.mxlab import codes, run_mx, zone

from checks.mx.bimi import parse_bimi

LOGO = "https://brand.test/logo.svg"
VMC = "https://brand.test/vmc.pem"


def run_bimi(dns_server, bimi: str, dmarc: str = "v=DMARC1; p=reject"):
    lines = ["@ MX 10 mx", "mx A 192.0.2.1", f'_dmarc TXT "{dmarc}"', f'default._bimi TXT "{bimi}"']
    server = dns_server(zones=zone("brand.test", *lines))
    return run_mx(server.nameserver, "brand.test", relay_probe=False)


def bimi_codes(result) -> dict[str, str]:
    return {c: s for c, s in codes(result).items() if c.startswith("MX_BIMI")}


def test_a_complete_record_under_reject_is_clean(dns_server):
    result = run_bimi(dns_server, f"v=BIMI1; l={LOGO}; a={VMC}")
    assert bimi_codes(result) == {}
    assert result.evidence["bimi"]["dmarc_enforced"] is True
    assert result.evidence["bimi"]["logo_url"] == LOGO


def test_bimi_under_p_none_is_medium(dns_server):
    result = run_bimi(dns_server, f"v=BIMI1; l={LOGO}; a={VMC}", "v=DMARC1; p=none")
    assert bimi_codes(result) == {"MX_BIMI_DMARC_NOT_ENFORCED": "medium"}
    assert result.evidence["bimi"]["dmarc_policy"] == "none"


def test_quarantine_at_half_the_mail_is_not_enforced(dns_server):
    result = run_bimi(dns_server, f"v=BIMI1; l={LOGO}; a={VMC}", "v=DMARC1; p=quarantine; pct=50")
    assert bimi_codes(result) == {"MX_BIMI_DMARC_NOT_ENFORCED": "medium"}


def test_no_certificate_is_low(dns_server):
    result = run_bimi(dns_server, f"v=BIMI1; l={LOGO}")
    assert bimi_codes(result) == {"MX_BIMI_NO_CERTIFICATE": "low"}


def test_a_logo_over_http_is_invalid(dns_server):
    result = run_bimi(dns_server, "v=BIMI1; l=http://brand.test/logo.svg")
    assert bimi_codes(result) == {"MX_BIMI_INVALID": "medium"}


def test_a_declination_is_no_finding():
    assert parse_bimi(("v=BIMI1; l=; a=;",))["declined"] is True


def test_no_bimi_record_is_no_finding_and_no_dmarc_lookup(dns_server):
    server = dns_server(zones=zone("plain.test", "@ MX 10 mx", "mx A 192.0.2.1"))
    result = run_mx(server.nameserver, "plain.test", relay_probe=False)
    assert bimi_codes(result) == {}
    assert result.evidence["bimi"]["dmarc_enforced"] is None
    assert ("_dmarc.plain.test.", "TXT") not in server.repeated_questions()
