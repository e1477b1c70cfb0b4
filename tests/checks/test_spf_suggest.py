"""The SPF record suggested under SPF_PTR_MECHANISM (checks/spf/tree.py): within the
10-lookup limit, -all only when the audit saw every sending source."""

from __future__ import annotations

from checks.spf.tree import SpfNode, TermCost, within_limit


def leaf(domain: str, *ips: str) -> SpfNode:
    terms = tuple(TermCost(ip, 0, 0) for ip in ips)
    return SpfNode(domain, records=("v=spf1 " + " ".join(ips) + " -all",), terms=terms)


def include(domain: str, child: SpfNode, lookups: int) -> TermCost:
    return TermCost(f"include:{domain}", lookups, 0, child=child)


def demo_like_tree(helpdesk_missing: bool = True) -> SpfNode:
    """mx a ip4 include(3) include(5) include(2, reaching a missing record unless told
    otherwise) ptr ~all: 12 lookups without ptr."""
    crm = SpfNode(
        "spf.crm.example",
        terms=(
            include("a.crm.example", leaf("a.crm.example", "ip4:198.18.10.0/24"), 1),
            include("b.crm.example", leaf("b.crm.example", "ip4:198.18.11.0/24"), 1),
            TermCost("a:legacy.crm.example", 1, 1, note="void"),
        ),
    )
    mailgun = SpfNode("_spf.mailgun.example", terms=(TermCost("ip4:192.0.2.0/26", 0, 0),))
    old = (
        SpfNode("old.helpdesk.example", problem="missing")
        if helpdesk_missing
        else leaf("old.helpdesk.example", "ip4:192.0.2.200")
    )
    helpdesk = SpfNode("spf.helpdesk.example", terms=(include("old.helpdesk.example", old, 1),))
    terms = (
        TermCost("mx", 1, 0),
        TermCost("a", 1, 0),
        TermCost("ip4:203.0.113.77", 0, 0),
        include("_spf.mailgun.example", mailgun, 3),
        include("spf.crm.example", crm, 5),
        include("spf.helpdesk.example", helpdesk, 2),
        TermCost("ptr", 1, 0),
        TermCost("~all", 0, 0),
    )
    return SpfNode("northwind.example", terms=terms)


def test_the_suggestion_fits_in_ten_lookups_by_flattening_the_costliest_include():
    # given a record that costs 12 lookups once ptr is gone, every include healthy
    suggestion = within_limit(demo_like_tree(helpdesk_missing=False), (), False)
    # then the costliest include is replaced by the ranges it publishes, within the limit
    assert suggestion.lookups <= 10
    assert "include:spf.crm.example" not in suggestion.record
    assert "ip4:198.18.10.0/24 ip4:198.18.11.0/24" in suggestion.record
    assert "ptr" not in suggestion.record
    assert "include:spf.helpdesk.example" in suggestion.record
    assert any("flattened" in note for note in suggestion.notes)


def test_dropping_a_broken_include_can_be_enough_to_fit():
    suggestion = within_limit(demo_like_tree(), (), every_source_seen=False)
    assert suggestion.lookups == 10
    assert "include:spf.crm.example" in suggestion.record


def test_an_include_reaching_a_domain_without_spf_is_dropped_with_the_reason():
    suggestion = within_limit(demo_like_tree(), (), every_source_seen=False)
    assert "include:spf.helpdesk.example" not in suggestion.record
    assert any("old.helpdesk.example publishes no SPF record" in n for n in suggestion.notes)


def test_without_a_mail_log_the_record_ends_in_softfail_with_the_reason():
    suggestion = within_limit(demo_like_tree(), (), every_source_seen=False)
    assert suggestion.record.endswith(" ~all")
    assert any("every sending source" in note for note in suggestion.notes)


def test_when_the_log_showed_every_source_the_record_ends_in_fail():
    suggestion = within_limit(demo_like_tree(), (), every_source_seen=True)
    assert suggestion.record.endswith(" -all")


def test_the_sending_ips_only_ptr_matched_are_listed():
    suggestion = within_limit(demo_like_tree(), ("198.51.100.9", "2001:db8::9"), True)
    assert "ip4:198.51.100.9 ip6:2001:db8::9" in suggestion.record


def test_a_record_already_ending_in_fail_keeps_it():
    tree = demo_like_tree()
    terms = (*(t for t in tree.terms if t.term != "~all"), TermCost("-all", 0, 0))
    suggestion = within_limit(SpfNode(tree.domain, terms=terms), (), every_source_seen=False)
    assert suggestion.record.endswith(" -all")
