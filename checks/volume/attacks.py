"""Pure judges of the attempts our server refused: SASL brute force (per client IP and per
account), relay attempts and dictionary attacks, with the attacking IPs as evidence (what a
fail2ban jail, a postscreen access list or a firewall rule needs).

The server refused each attempt, so an attack alone is not a compromise: brute force and
dictionary attacks are medium (they go on until a password or an address list is
found), relay probing is low (the server is doing its job). An account whose failing IPs
also submitted mail as it is high: the password was probably guessed.
"""

from __future__ import annotations

from datetime import datetime

from audit.knowledge.volume import Thresholds
from audit.loglines.records import AttemptKind
from audit.maillog.facts import AttackerFacts, AttackFacts, LogFacts, TargetedAccountFacts
from audit.model import CheckId, Finding, Severity
from checks.volume.evidence import (
    VolumeAttackerEvidence,
    VolumeAttackEvidence,
    VolumeTargetedAccountEvidence,
)

SASL_BRUTE_FORCE = "VOLUME_SASL_BRUTE_FORCE"
SASL_ACCOUNT_ATTACKED = "VOLUME_SASL_ACCOUNT_ATTACKED"
RELAY_ATTEMPTS = "VOLUME_RELAY_ATTEMPTS"
DICTIONARY_ATTACK = "VOLUME_DICTIONARY_ATTACK"
ATTACK_CODES = frozenset(
    {SASL_BRUTE_FORCE, SASL_ACCOUNT_ATTACKED, RELAY_ATTEMPTS, DICTIONARY_ATTACK}
)

# kind -> (finding code, severity, subject)
RULES = {
    AttemptKind.AUTH_FAILED: (SASL_BRUTE_FORCE, Severity.MEDIUM, "SASL authentication"),
    AttemptKind.RELAY_DENIED: (RELAY_ATTEMPTS, Severity.LOW, "relay attempts"),
    AttemptKind.UNKNOWN_RECIPIENT: (DICTIONARY_ATTACK, Severity.MEDIUM, "unknown recipients"),
}


def _iso(at: datetime | None) -> str | None:
    return at.isoformat() if at else None


def attacker_evidence(attacker: AttackerFacts) -> VolumeAttackerEvidence:
    return {
        "ip": attacker.client_ip,
        "attempts": attacker.attempts,
        "targets": attacker.targets,
        "sample_targets": list(attacker.sample_targets),
        "first": _iso(attacker.first),
        "last": _iso(attacker.last),
    }


def threshold(kind: AttemptKind, t: Thresholds) -> int:
    if kind is AttemptKind.AUTH_FAILED:
        return t.sasl_failures_per_ip
    if kind is AttemptKind.RELAY_DENIED:
        return t.relay_denied_per_ip
    return t.dictionary_recipients_per_ip


def is_attacker(attacker: AttackerFacts, kind: AttemptKind, t: Thresholds) -> bool:
    """Over the kind's threshold: attempts, or distinct recipients for a dictionary attack
    (one mistyped address retried is not a dictionary)."""
    tried = attacker.targets if kind is AttemptKind.UNKNOWN_RECIPIENT else attacker.attempts
    return tried >= max(1, threshold(kind, t))


def judge_attack(attack: AttackFacts, t: Thresholds) -> list[Finding]:
    attackers = [a for a in attack.attackers if is_attacker(a, attack.kind, t)]
    if not attackers:
        return []
    code, severity, subject = RULES[attack.kind]
    attempts = sum(a.attempts for a in attackers)
    shown = attackers[: t.attacking_ips_shown]
    title = f"{attempts:,} refused {attack.kind.value} attempts from {len(attackers)} client IP(s)"
    evidence: VolumeAttackEvidence = {
        "attempt": attack.kind.value,
        "attempts": attempts,
        "threshold": threshold(attack.kind, t),
        "attacking_ips": [attacker_evidence(a) for a in shown],
        "more_attacking_ips": len(attackers) - len(shown),
    }
    return [Finding(CheckId.VOLUME, code, severity, subject, title, evidence=evidence)]


def judge_targeted(account: TargetedAccountFacts, t: Thresholds) -> list[Finding]:
    if account.failures < max(1, t.sasl_failures_per_account):
        return []
    guessed = bool(account.logged_in_from)
    severity = Severity.HIGH if guessed else Severity.MEDIUM
    title = (
        f"{account.failures:,} failed logins for {account.account} from "
        f"{account.client_ips} client IP(s)"
        + (f", {len(account.logged_in_from)} of which then sent mail as it" if guessed else "")
    )
    evidence: VolumeTargetedAccountEvidence = {
        "account": account.account,
        "failures": account.failures,
        "threshold": t.sasl_failures_per_account,
        "client_ips": account.client_ips,
        "attacking_ips": list(account.sample_client_ips),
        "logged_in_from": list(account.logged_in_from[: t.attacking_ips_shown]),
        "first": _iso(account.first),
        "last": _iso(account.last),
    }
    return [
        Finding(
            CheckId.VOLUME, SASL_ACCOUNT_ATTACKED, severity, account.account, title,
            evidence=evidence,
        )
    ]  # fmt: skip


def judge_attacks(facts: LogFacts, t: Thresholds) -> list[Finding]:
    findings = [f for attack in facts.attacks for f in judge_attack(attack, t)]
    # most failures first; a spray over thousands of names gives the top ones, not thousands
    for account in facts.targeted_accounts[: t.top_accounts]:
        findings += judge_targeted(account, t)
    return findings
