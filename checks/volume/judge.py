"""Pure judges of the volume check: `LogFacts` + `Thresholds` in, findings out.

The patterns come from peer tools' issue trackers (reference/peer-tools.md §2): a burst
far above an account's own median hour (CIPP #5642, baruwa #36), many SASL client IPs
for one account (wazuh #35544) - both at once is a compromised account - bounces as
the only visible symptom (mailcow #1834), remote blocklist rejections, and external
clients relayed to foreign domains without authentication (an open relay).
"""

from __future__ import annotations

import statistics

from audit.knowledge.volume import Thresholds
from audit.maillog.facts import AccountFacts, HourStat, LogFacts, RejectionFacts, RelayFacts
from audit.model import CheckId, Finding, Severity
from checks.volume.attacks import ATTACK_CODES, judge_attacks
from checks.volume.evidence import (
    VolumeBlocksEvidence,
    VolumeBounceEvidence,
    VolumeBurstEvidence,
    VolumeClientIpsEvidence,
    VolumeFindingEvidence,
    VolumeHourEvidence,
    VolumeUnauthenticatedRelayEvidence,
)

COMPROMISED = "VOLUME_COMPROMISED_ACCOUNT"
BURST = "VOLUME_BURST"
MANY_CLIENT_IPS = "VOLUME_MANY_CLIENT_IPS"
HIGH_BOUNCE_RATE = "VOLUME_HIGH_BOUNCE_RATE"
REMOTE_BLOCKS = "VOLUME_REMOTE_BLOCKS"
UNAUTHENTICATED_RELAY = "VOLUME_UNAUTHENTICATED_RELAY"
CODES = (
    frozenset(
        {
            COMPROMISED,
            BURST,
            MANY_CLIENT_IPS,
            HIGH_BOUNCE_RATE,
            REMOTE_BLOCKS,
            UNAUTHENTICATED_RELAY,
        }
    )
    | ATTACK_CODES
)


def _finding(
    code: str, severity: Severity, subject: str, title: str, evidence: VolumeFindingEvidence
) -> Finding:
    return Finding(CheckId.VOLUME, code, severity, subject, title, evidence=evidence)


def median_hour(account: AccountFacts) -> float:
    return statistics.median(h.messages for h in account.hours) if account.hours else 0.0


def baseline(account: AccountFacts, t: Thresholds) -> float:
    """The account's usual hour: its median active hour, or 0 without enough history."""
    return median_hour(account) if len(account.hours) >= t.burst_min_baseline_hours else 0.0


def site_median(accounts: tuple[AccountFacts, ...]) -> float:
    """The site's usual account-hour: the median over every account's active hours."""
    hours = [h.messages for a in accounts for h in a.hours]
    return statistics.median(hours) if hours else 0.0


def floor_for(hour: HourStat, median: float, site: float, t: Thresholds) -> float:
    """The volume an hour must reach to be a burst. From one or a few client IPs, the
    absolute floor: a person's mailing of under `burst_floor` is not news. From as many IPs
    as a compromise (`compromise_ips_per_hour`), a floor that scales with the account's own
    baseline and the site's (`floor_baseline_multiplier` times the larger), never under
    `floor_min_messages` nor over the absolute floor: 190/hour from 6 IPs is a compromise
    for an account that sends 5."""
    if hour.client_ips < t.compromise_ips_per_hour:
        return float(t.burst_floor)
    scaled = t.floor_baseline_multiplier * max(median, site)
    return float(min(t.burst_floor, max(t.floor_min_messages, scaled)))


def is_burst(hour: HourStat, median: float, t: Thresholds, site: float = 0.0) -> bool:
    if hour.messages < floor_for(hour, median, site, t):
        return False
    return hour.messages >= t.burst_absolute or hour.messages >= t.burst_median_multiplier * median


def _hour_evidence(hours: list[HourStat]) -> list[VolumeHourEvidence]:
    return [
        {
            "hour": h.hour.isoformat(),
            "messages": h.messages,
            "recipients": h.recipients,
            "client_ips": h.client_ips,
            "recipient_domains": h.recipient_domains,
        }
        for h in hours
    ]


def _burst_evidence(
    account: AccountFacts,
    hours: list[HourStat],
    peak: HourStat,
    median: float,
    site: float,
    t: Thresholds,
) -> VolumeBurstEvidence:
    return VolumeBurstEvidence(
        account=account.account,
        median_messages_per_hour=median,
        burst_hours=_hour_evidence(hours),
        floor_messages=floor_for(peak, median, site, t),
        site_median_messages_per_hour=site,
    )


def judge_account(account: AccountFacts, t: Thresholds, site: float = 0.0) -> list[Finding]:
    """Compromise (burst + many client IPs), else burst, else many client IPs. `site`:
    the site's median account-hour (`site_median`), which the floor scales with."""
    median = baseline(account, t)
    bursts = [h for h in account.hours if is_burst(h, median, t, site)]
    crowded = [h for h in account.hours if h.client_ips >= t.many_ips_per_hour]
    compromised = [h for h in bursts if h.client_ips >= t.compromise_ips_per_hour]
    if compromised:
        peak = max(compromised, key=lambda h: h.messages)
        title = (
            f"{account.account} sent {peak.messages} messages in the hour from "
            f"{peak.hour:%Y-%m-%d %H:00} from {peak.client_ips} client IPs"
        )
        evidence = _burst_evidence(account, compromised, peak, median, site, t)
        return [_finding(COMPROMISED, Severity.CRITICAL, account.account, title, evidence)]
    if bursts:
        peak = max(bursts, key=lambda h: h.messages)
        title = (
            f"{account.account} sent {peak.messages} messages in one hour "
            f"(median {median:g} per hour)"
        )
        evidence = _burst_evidence(account, bursts, peak, median, site, t)
        return [_finding(BURST, Severity.HIGH, account.account, title, evidence)]
    if crowded:
        peak = max(crowded, key=lambda h: h.client_ips)
        title = f"{account.account} submitted mail from {peak.client_ips} client IPs in one hour"
        crowd = VolumeClientIpsEvidence(
            account=account.account,
            median_messages_per_hour=median,
            hours=_hour_evidence(crowded),
            sample_client_ips=list(account.sample_client_ips),
        )
        return [_finding(MANY_CLIENT_IPS, Severity.HIGH, account.account, title, crowd)]
    return []


def judge_bounces(account: AccountFacts, t: Thresholds) -> list[Finding]:
    deliveries = account.sent + account.bounced
    if deliveries < t.bounce_min_deliveries or deliveries == 0:
        return []
    ratio = account.bounced / deliveries
    if ratio < t.bounce_medium_ratio:
        return []
    severity = Severity.HIGH if ratio >= t.bounce_high_ratio else Severity.MEDIUM
    title = f"{ratio:.0%} of {account.account}'s deliveries bounced"
    evidence: VolumeBounceEvidence = {
        "account": account.account,
        "bounced": account.bounced,
        "sent": account.sent,
        "deferred": account.deferred,
        "bounce_ratio": round(ratio, 4),
    }
    return [_finding(HIGH_BOUNCE_RATE, severity, account.account, title, evidence)]


def judge_remote_blocks(rejections: tuple[RejectionFacts, ...], t: Thresholds) -> list[Finding]:
    """One finding per (receiving provider, blocklist) refusing us for reputation."""
    groups: dict[tuple[str, str], list[RejectionFacts]] = {}
    for item in rejections:
        if item.rejection.reason in t.block_reasons:
            key = (item.rejection.provider or "", item.rejection.blocklist or "")
            groups.setdefault(key, []).append(item)
    findings = []
    for (provider, blocklist), items in sorted(groups.items()):
        count = sum(i.count for i in items)
        if count < t.blocks_min_rejections:
            continue
        subject = " / ".join(p for p in (provider, blocklist) if p) or "remote servers"
        title = f"{count} deliveries refused by {subject} for blocklist or reputation reasons"
        evidence: VolumeBlocksEvidence = {
            "provider": provider or None,
            "blocklist": blocklist or None,
            "rejections": count,
            "hosts": sorted({i.rejection.host for i in items if i.rejection.host})[:10],
            "codes": sorted({i.rejection.enhanced or i.rejection.code or "" for i in items} - {""}),
            "sample": items[0].sample,
        }
        findings.append(_finding(REMOTE_BLOCKS, Severity.HIGH, subject, title, evidence))
    return findings


def judge_relay(relay: RelayFacts, t: Thresholds) -> list[Finding]:
    if relay.messages < t.relay_min_messages:
        return []
    title = (
        f"{relay.client_ip} relayed {relay.messages} messages to foreign domains "
        "without authenticating"
    )
    evidence: VolumeUnauthenticatedRelayEvidence = {
        "client_ip": relay.client_ip,
        "messages": relay.messages,
        "foreign_domains": list(relay.foreign_domains[:20]),
    }
    return [_finding(UNAUTHENTICATED_RELAY, Severity.CRITICAL, relay.client_ip, title, evidence)]


def judge_volume(facts: LogFacts, t: Thresholds) -> list[Finding]:
    findings: list[Finding] = []
    site = site_median(facts.accounts)
    for account in facts.accounts:
        findings += judge_account(account, t, site) + judge_bounces(account, t)
    findings += judge_remote_blocks(facts.rejections, t)
    for relay in facts.relays:
        findings += judge_relay(relay, t)
    findings += judge_attacks(facts, t)
    return sorted(findings, key=Finding.sort_key)
