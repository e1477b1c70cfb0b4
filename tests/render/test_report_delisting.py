"""The delisting chapter: one playbook and one letter per operator, the rejections seen in
the bounces folded into the playbook of their operator (issue 12, the lead's decision on
SPEC's "a playbook for every listing and every classified rejection")."""

from __future__ import annotations

from typing import Any

from support.big_report import full_document

from audit.bounce.explain import classification_document, explain
from audit.bounce.input import InputText
from audit.render.branding import ReportBranding
from audit.render.html import render_html
from audit.render.report.delisting.playbook import FORM_NOTE
from audit.render.report.model import build_report

BARRACUDA_BOUNCE = (
    "554 5.7.1 Service unavailable; Client host [198.51.100.40] blocked using "
    "b.barracudacentral.org; https://www.barracudacentral.org/reputation?ip=198.51.100.40"
)
OUTLOOK_BOUNCE = (
    "550 5.7.1 Unfortunately, messages from [198.51.100.{n}] weren't sent. Please contact "
    "your Internet service provider since part of their network is on our block list (S3150)."
)


def classified(*texts: str) -> list[dict[str, Any]]:
    """What `--bounce` puts in the result: the classifications of the texts."""
    found = explain([InputText("argument", text, False) for text in texts])
    return [classification_document(item) for item in found]


def with_rejections(*texts: str) -> dict[str, Any]:
    document = full_document()
    document["rejections"] = classified(*texts)
    return document


def test_a_bounce_citing_a_listed_operators_list_folds_into_its_one_playbook_and_letter():
    # given Barracuda listing 203.0.113.77 and a bounce of 198.51.100.40 citing Barracuda
    document = with_rejections(BARRACUDA_BOUNCE)
    assert document["rejections"][0]["blocklist"] == "b.barracudacentral.org"
    # when the report is built
    view = build_report(document, ReportBranding())
    # then Barracuda has one playbook, nobody else gets the rejection, and the one letter
    # names the listed address and the rejected one with the receiver's words
    barracuda = [p for p in view.playbooks if p.operator == "Barracuda Networks"]
    assert len(barracuda) == 1
    assert [s.sending_ip for s in barracuda[0].rejections] == ["198.51.100.40"]
    assert not any("Barracuda" in p.operator for p in view.rejection_playbooks)
    letter = barracuda[0].request_text or ""
    assert "- 203.0.113.77 on b.barracudacentral.org" in letter
    assert "- 198.51.100.40, rejected once: “554 5.7.1 Service unavailable" in letter
    assert letter.count("Subject:") == 1


def test_a_bounce_beside_a_self_service_listing_gets_no_letter_and_says_so():
    # given the demo: Spamhaus ZEN lists 203.0.113.77 (self-service form) and a bounce of
    # 198.51.100.30 says "blocked using zen.spamhaus.org"
    view = build_report(full_document(), ReportBranding())
    spamhaus = next(p for p in view.playbooks if p.operator == "The Spamhaus Project")
    # then the rejection is in the Spamhaus playbook, which has no letter and one line why
    assert [s.sending_ip for s in spamhaus.rejections] == ["198.51.100.30"]
    assert spamhaus.request_text is None and spamhaus.note == FORM_NOTE
    assert all(p.operator != "The Spamhaus Project" for p in view.rejection_playbooks)


def test_a_mailbox_providers_rejections_share_one_playbook_and_one_letter():
    # given three Outlook S3150 bounces from two addresses (two identical)
    document = with_rejections(
        OUTLOOK_BOUNCE.format(n=7), OUTLOOK_BOUNCE.format(n=8), OUTLOOK_BOUNCE.format(n=7)
    )
    # when the report is rendered
    view = build_report(document, ReportBranding())
    page = render_html(document)
    # then Microsoft has one playbook with both addresses, the repeat counted, one letter
    assert [p.operator.split(" (")[0] for p in view.rejection_playbooks] == ["Microsoft"]
    microsoft = view.rejection_playbooks[0]
    assert [(s.sending_ip, s.count) for s in microsoft.rejections] == [
        ("198.51.100.7", 2),
        ("198.51.100.8", 1),
    ]
    letter = microsoft.request_text or ""
    assert "Subject: Delisting / mitigation request for 198.51.100.7, 198.51.100.8" in letter
    assert "- 198.51.100.7, rejected 2 times: “550 5.7.1" in letter
    assert page.count("Subject: Delisting / mitigation request") == 1


def test_every_playbook_has_a_distinct_operator_and_at_most_one_letter():
    document = with_rejections(BARRACUDA_BOUNCE, OUTLOOK_BOUNCE.format(n=7))
    document["rejections"] += full_document()["rejections"]
    view = build_report(document, ReportBranding())
    playbooks = view.playbooks + view.rejection_playbooks
    operators = [p.operator for p in playbooks]
    assert len(operators) == len(set(operators))
    assert all((p.request_text or "").count("Subject:") <= 1 for p in playbooks)
    rejected = {s.anchor for p in playbooks for s in p.rejections}
    assert rejected == {f"rejection-{n}" for n in range(1, 4)}  # 4 bounces, 3 distinct


def test_a_lists_sub_lists_with_one_route_share_one_removal_line():
    # given the demo: Spamhaus ZEN lists one address on XBL (abuse) and one on PBL (policy),
    # both removed with the same self-service form
    view = build_report(full_document(), ReportBranding())
    spamhaus = next(p for p in view.playbooks if p.operator == "The Spamhaus Project")
    assert len(spamhaus.routes) == 2
    # then the playbook has one removal line naming each sub-list's expiry by its category
    (line,) = spamhaus.removal
    assert line.label == "Removal" and line.method == "Self-service removal form"
    assert line.expiry.startswith("abuse (spam source): ") and "; policy (address space): " in (
        line.expiry
    )
    assert line.fee == "free (Spamhaus never charges)"


def test_a_policy_step_the_advice_says_is_not_repeated():
    from audit.render.report.delisting.playbook import POLICY_ADVICE

    view = build_report(full_document(), ReportBranding())
    spamhaus = next(p for p in view.playbooks if p.operator == "The Spamhaus Project")
    assert POLICY_ADVICE in spamhaus.advice
    assert not any(s.startswith("Do not request delisting just to send") for s in spamhaus.steps)
    assert any("PBL self-service form" in s for s in spamhaus.steps)
