"""The mx check's report section, from its part of the result document."""

from __future__ import annotations

from support.mxlab import run_mx, zone

from checks.mx.report import HTTP_NOTE, section


def test_the_section_shows_the_mx_set_and_says_which_http_request_is_made(dns_server):
    server = dns_server(zones=zone("r.test", "@ MX 10 mx", "mx A 192.0.2.1"))
    result = run_mx(server.nameserver, "r.test", relay_probe=False)
    view = section({"id": "mx", "evidence": dict(result.evidence)})  # type: ignore[typeddict-item]
    assert view.appendix is not None
    assert view.appendix.note == HTTP_NOTE
    assert view.appendix.tables[0].rows[0][1].text == "mx.r.test"


def test_a_check_that_recorded_nothing_has_no_section():
    assert section({"id": "mx", "evidence": {}}).appendix is None  # type: ignore[typeddict-item]
