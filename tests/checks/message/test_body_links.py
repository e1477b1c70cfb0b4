"""The visible unsubscribe link in the body (checks/message/body_links.py) and the rule
it answers (gmail/yahoo/apple .unsubscribe_link)."""

from __future__ import annotations

import asyncio
import base64
import quopri

import pytest
from support import messages as m
from support.context import check_context

from audit.model.compliance import RuleState
from audit.net.dns import DnsClient, Nameserver
from checks.compliance import evaluate
from checks.message import body_links
from checks.message.body_links import body_evidence
from checks.message.check import MessageCheck
from checks.message.options import MessageOptions
from checks.message.parse import parse_message

LIST_URI = "https://shop.test/u/1"
HEADER = (
    "From: Shop <news@shop.test>\r\nTo: c@receiver.test\r\nSubject: Offers\r\n"
    "Date: Wed, 02 Dec 2026 08:00:00 +0000\r\nMessage-ID: <b1@shop.test>\r\n"
    "MIME-Version: 1.0\r\n"
)


def body_of(data: bytes, https: tuple[str, ...] = (LIST_URI,)):
    message = parse_message(data)
    return body_evidence(message, data[message.body_start :], list(https))


def single(content_type: str, body: str | bytes, encoding: str = "") -> bytes:
    header = HEADER + f"Content-Type: {content_type}\r\n"
    if encoding:
        header += f"Content-Transfer-Encoding: {encoding}\r\n"
    payload = body if isinstance(body, bytes) else body.encode()
    return header.encode() + b"\r\n" + payload


def alternative(plain: str, html: str, attachment: str = "") -> bytes:
    parts = [
        f"Content-Type: text/plain; charset=utf-8\r\n\r\n{plain}\r\n",
        f"Content-Type: text/html; charset=utf-8\r\n\r\n{html}\r\n",
    ]
    if attachment:
        parts.append(
            "Content-Type: text/html\r\nContent-Disposition: attachment; filename=a.html\r\n"
            f"\r\n{attachment}\r\n"
        )
    body = "".join(f"--b\r\n{part}" for part in parts) + "--b--\r\n"
    header = HEADER + 'Content-Type: multipart/alternative; boundary="b"\r\n'
    return (header + "\r\n" + body).encode()


def test_an_html_anchor_saying_unsubscribe_is_found():
    body = body_of(single("text/html", '<p><a href="https://x.test/p?id=1">Unsubscribe</a></p>'))
    assert body["links_found"] == 1
    assert body["unsubscribe_links"][0]["matched_by"] == "text"
    assert body["unsubscribe_links"][0]["href"] == "https://x.test/p?id=1"


def test_a_german_abmelden_link_counts():
    body = body_of(single("text/html", '<a href="https://x.test/p">Newsletter abmelden</a>'))
    assert body["unsubscribe_links"][0]["matched_by"] == "text"


def test_an_anchor_whose_address_says_opt_out_counts_by_its_href():
    body = body_of(single("text/html", '<a href="https://x.test/opt-out/7">here</a>'))
    assert body["unsubscribe_links"][0]["matched_by"] == "href"


def test_an_anchor_to_the_list_unsubscribe_uri_counts_whatever_its_text():
    body = body_of(single("text/html", f'<a href="{LIST_URI}">Manage mail</a>'))
    assert body["unsubscribe_links"][0]["matched_by"] == "list_unsubscribe"


def test_other_links_do_not_count():
    body = body_of(single("text/html", '<a href="https://shop.test/sale">Our sale</a>'))
    assert body["links_found"] == 0
    assert body["text_parts"] == 1


def test_a_plain_text_url_after_an_unsubscribe_line_counts():
    text = "Offers.\r\n\r\nTo stop these mails, unsubscribe here:\r\nhttps://x.test/u/9\r\n"
    body = body_of(single("text/plain; charset=utf-8", text))
    assert body["unsubscribe_links"][0]["part"] == "text/plain"
    assert body["unsubscribe_links"][0]["href"] == "https://x.test/u/9"


def test_unsubscribe_words_without_a_link_do_not_count():
    body = body_of(single("text/plain", 'To unsubscribe, reply with "unsubscribe".\r\n'))
    assert body["links_found"] == 0


def test_a_base64_html_part_is_decoded_before_reading():
    html = base64.encodebytes(b'<a href="https://x.test/1">Unsubscribe</a>').decode()
    body = body_of(single("text/html; charset=utf-8", html, "base64"))
    assert body["links_found"] == 1


def test_a_quoted_printable_link_split_over_soft_breaks_is_found():
    html = quopri.encodestring(b'<a href="https://x.test/' + b"a" * 90 + b'">Abbestellen</a>')
    body = body_of(single("text/html", html, "quoted-printable"))
    assert body["unsubscribe_links"][0]["href"] == "https://x.test/" + "a" * 90


def test_the_html_alternative_of_a_multipart_message_is_read():
    body = body_of(alternative("Offers.", '<a href="https://x.test/u">Unsubscribe</a>'))
    assert body["text_parts"] == 2
    assert [link["part"] for link in body["unsubscribe_links"]] == ["text/html"]


def test_a_link_in_an_attachment_does_not_count():
    attached = '<a href="https://x.test/u">Unsubscribe</a>'
    body = body_of(alternative("Offers.", "<p>Offers</p>", attachment=attached))
    assert body["links_found"] == 0
    assert body["text_parts"] == 2


def test_a_part_over_the_bound_is_read_up_to_it_and_marked_truncated(monkeypatch):
    monkeypatch.setattr(body_links, "MAX_PART_BYTES", 64)
    html = "<p>" + "x" * 200 + '</p><a href="https://x.test/u">Unsubscribe</a>'
    body = body_of(single("text/html", html))
    assert body == {"text_parts": 1, "truncated": True, "unsubscribe_links": [], "links_found": 0}


def test_a_message_without_a_text_part_reads_none():
    body = body_of(single("image/png", "iVBORw0KGgo=", "base64"))
    assert body["text_parts"] == 0


@pytest.fixture
def verdict(dns_server, tmp_path):
    server = dns_server(zones=m.zones())

    def run(data: bytes) -> dict[str, RuleState]:
        path = tmp_path / "m.eml"
        path.write_bytes(data)
        dns = DnsClient([Nameserver.parse(server.nameserver)], timeout=1.0)
        options = MessageOptions(files=(str(path),))
        result = asyncio.run(MessageCheck().run(check_context(dns, options=[options])))
        return {v.rule: v.state for v in evaluate((result,)).rules}

    return run


LINK_RULES = ("gmail.unsubscribe_link", "yahoo.unsubscribe_link", "apple.unsubscribe_link")


def test_a_message_with_a_visible_link_meets_the_link_rules(verdict):
    body = f"Offers.\r\nUnsubscribe: {LIST_URI}\r\n"
    states = verdict(m.delivered(m.sign(m.message(body=body))))
    assert [states[rule] for rule in LINK_RULES] == [RuleState.MET] * 3


def test_a_message_without_a_visible_link_does_not_meet_them(verdict):
    states = verdict(m.delivered(m.sign(m.message())))
    assert [states[rule] for rule in LINK_RULES] == [RuleState.NOT_MET] * 3


def test_a_message_without_a_readable_text_part_leaves_them_unknown(verdict):
    data = m.message().replace(b"Content-Type: text/plain", b"Content-Type: image/png")
    states = verdict(m.delivered(m.sign(data)))
    assert [states[rule] for rule in LINK_RULES] == [RuleState.UNKNOWN] * 3


def test_reading_stops_at_the_total_bound_and_says_so(monkeypatch):
    monkeypatch.setattr(body_links, "MAX_TOTAL_BYTES", 20)
    late = '<a href="https://x.test/u">Unsubscribe</a>'
    body = body_of(alternative("Offers, offers, offers and more offers.", late))
    assert (body["text_parts"], body["truncated"], body["links_found"]) == (1, True, 0)


def test_a_single_part_cut_at_the_total_bound_is_marked_truncated(monkeypatch):
    monkeypatch.setattr(body_links, "MAX_TOTAL_BYTES", 20)
    body = body_of(single("text/html", "<p>" + "x" * 50 + "</p>"))
    assert (body["text_parts"], body["truncated"]) == (1, True)
