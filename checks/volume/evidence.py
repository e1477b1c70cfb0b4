"""The volume check's evidence, as the JSON result holds it: the log files read, totals,
the busiest accounts with an hourly series each (for the report's chart), remote
rejections, unauthenticated relays, our sending IPs the logs name; and the evidence
each volume finding carries.

Built by `checks.volume.summary` and `checks.volume.judge`, read by
`checks.volume.report` and the chart (audit/render/report/chart.py), described by the
`$defs` of audit/schema/result.schema.json (tests/checks/test_evidence_schema.py keeps
them equal).
"""

from collections.abc import Mapping
from typing import NotRequired, TypedDict


class VolumeFileEvidence(TypedDict):
    path: str
    format: str | None  # postfix | exim | mailgun (its most frequent); None: no line recognised
    lines: int
    events: int
    malformed_lines: int
    truncated_lines: int
    size_limit_reached: bool
    # lines per family seen: postfix, exim, mailgun, not_mail (other programs' syslog lines)
    line_families: NotRequired[dict[str, int]]
    truncated: NotRequired[str | None]  # why the rest of the file is unknown (corrupt .gz)


class VolumeTimeRangeEvidence(TypedDict):
    first: str | None  # ISO-8601
    last: str | None


class VolumeAccountEvidence(TypedDict):
    account: str
    messages: int
    recipients: int
    client_ips: int
    sent: int
    deferred: int
    bounced: int
    median_messages_per_hour: float
    peak_hour: str | None  # ISO-8601
    peak_messages: int


class VolumeRejectionEvidence(TypedDict):
    reason: str  # the classifier's reason (blocked, bad_reputation, ...)
    provider: str | None
    blocklist: str | None
    code: str | None  # the SMTP reply code
    enhanced_code: str | None  # RFC 3463
    host: str | None
    temporary: bool
    count: int
    sample: str


class VolumeRelayEvidence(TypedDict):
    client_ip: str
    messages: int


class VolumeSendingIpEvidence(TypedDict):
    ip: str
    deliveries: int


class VolumeAttackerEvidence(TypedDict):
    ip: str
    attempts: int
    targets: int  # distinct accounts tried (auth) or recipients (relay, unknown recipient)
    sample_targets: list[str]
    first: str | None  # ISO-8601
    last: str | None


class VolumeAttemptsEvidence(TypedDict):
    attempt: str  # auth_failed | relay_denied | unknown_recipient
    attempts: int
    client_ips: int  # distinct IPs in the bounded table
    more_client_ips: int  # IPs folded out of the bounded table (their attempts are counted)
    top_client_ips: list[VolumeAttackerEvidence]


class VolumeCappedEvidence(TypedDict):
    table: str
    limit: int
    folded_keys: int  # keys below the top folded into the rest (or into a coarser key)
    folded_weight: int  # the counts no listed key holds any more


class VolumeTlsEvidence(TypedDict):
    """Remote deliveries that went out (status sent) to one mailbox provider's servers."""

    provider: str  # gmail | yahoo | microsoft | apple (the requirements' ids) | other
    tls: int  # over TLS (Postfix's TLS connection line, smtp_tls_loglevel >= 1; Exim X=)
    plain: int  # in clear text, or with no TLS line where the log has them


class VolumeEvidenceDocument(TypedDict):
    files: list[VolumeFileEvidence]
    formats: list[str]
    lines_parsed: int  # lines of a mail family (Postfix, Exim, Mailgun)
    lines_skipped: int  # malformed lines
    lines_ignored: NotRequired[int]  # other programs' syslog lines (dovecot, amavis, ...)
    time_range: VolumeTimeRangeEvidence
    totals: dict[str, int]  # messages, recipients, sent, deferred, bounced, ...
    accounts_seen: int
    top_accounts: list[VolumeAccountEvidence]
    hourly: dict[str, list[list[str | int]]]  # account -> [hour "YYYY-MM-DDTHH:00Z", messages]
    rejections: list[VolumeRejectionEvidence]
    unauthenticated_relays: list[VolumeRelayEvidence]
    sending_ips: list[VolumeSendingIpEvidence]
    timestamps: str  # how zone-less timestamps were read
    attempts: NotRequired[list[VolumeAttemptsEvidence]]  # refused at SMTP time, per kind
    capped_tables: NotRequired[list[VolumeCappedEvidence]]  # tables that reached their bound
    tls_deliveries: NotRequired[list[VolumeTlsEvidence]]  # per provider; [] no remote delivery


class VolumeHourEvidence(TypedDict):
    hour: str  # ISO-8601
    messages: int
    recipients: int
    client_ips: int
    recipient_domains: int


class VolumeBurstEvidence(TypedDict):
    account: str
    median_messages_per_hour: float
    burst_hours: list[VolumeHourEvidence]
    # the floor the peak hour had to reach (the absolute one, or scaled with the account's
    # and the site's baseline for an hour from many IPs) and the site's median account-hour
    floor_messages: NotRequired[float]
    site_median_messages_per_hour: NotRequired[float]


class VolumeClientIpsEvidence(TypedDict):
    account: str
    median_messages_per_hour: float
    hours: list[VolumeHourEvidence]
    sample_client_ips: list[str]


class VolumeBounceEvidence(TypedDict):
    account: str
    bounced: int
    sent: int
    deferred: int
    bounce_ratio: float


class VolumeBlocksEvidence(TypedDict):
    provider: str | None
    blocklist: str | None
    rejections: int
    hosts: list[str]
    codes: list[str]
    sample: str


class VolumeUnauthenticatedRelayEvidence(TypedDict):
    client_ip: str
    messages: int
    foreign_domains: list[str]


class VolumeAttackEvidence(TypedDict):
    attempt: str  # auth_failed | relay_denied | unknown_recipient
    attempts: int  # of this kind from the IPs over the threshold
    threshold: int  # attempts per IP (distinct recipients for a dictionary attack)
    attacking_ips: list[VolumeAttackerEvidence]  # most attempts first
    more_attacking_ips: int  # over the threshold, not listed


class VolumeTargetedAccountEvidence(TypedDict):
    account: str
    failures: int
    threshold: int
    client_ips: int
    attacking_ips: list[str]  # a sample
    logged_in_from: list[str]  # failing IPs that also submitted mail as the account
    first: str | None  # ISO-8601
    last: str | None


VolumeFindingEvidence = (
    VolumeBurstEvidence
    | VolumeClientIpsEvidence
    | VolumeBounceEvidence
    | VolumeBlocksEvidence
    | VolumeUnauthenticatedRelayEvidence
    | VolumeAttackEvidence
    | VolumeTargetedAccountEvidence
)

FINDING_EVIDENCE: Mapping[str, type] = {
    "VOLUME_COMPROMISED_ACCOUNT": VolumeBurstEvidence,
    "VOLUME_BURST": VolumeBurstEvidence,
    "VOLUME_MANY_CLIENT_IPS": VolumeClientIpsEvidence,
    "VOLUME_HIGH_BOUNCE_RATE": VolumeBounceEvidence,
    "VOLUME_REMOTE_BLOCKS": VolumeBlocksEvidence,
    "VOLUME_UNAUTHENTICATED_RELAY": VolumeUnauthenticatedRelayEvidence,
    "VOLUME_SASL_BRUTE_FORCE": VolumeAttackEvidence,
    "VOLUME_SASL_ACCOUNT_ATTACKED": VolumeTargetedAccountEvidence,
    "VOLUME_RELAY_ATTEMPTS": VolumeAttackEvidence,
    "VOLUME_DICTIONARY_ATTACK": VolumeAttackEvidence,
}
