"""The compliance verdict: every provider rule (audit/knowledge/requirements/*.toml)
answered from a run's results as met, not met or unknown with the reason.

Here, in the checks layer, because the answers read the checks' evidence and finding
codes (the engine below knows no check); a command hands `evaluate` to the runner as
its `conclude` step. Messages answer what only real mail shows (DKIM passing, From
alignment, one-click, format, TLS); the DNS checks what the domain publishes. What
only the provider knows (spam rate) is unknown, with where to look.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace

from audit.knowledge.requirements import requirements
from audit.model import CheckId, CheckResult, CheckStatus
from audit.model.compliance import Compliance, RuleState, RuleVerdict
from checks.message.evidence import MessageAnalysisEvidence
from checks.volume.evidence import VolumeTlsEvidence

Answer = tuple[RuleState, str]
MET, NOT_MET, UNKNOWN = RuleState.MET, RuleState.NOT_MET, RuleState.UNKNOWN
# Reasons are what a client reads (JSON, text, the report): whole sentences that name
# the findings by their titles, without "(s)" plurals, finding codes or CLI flags.
NEEDS_MESSAGE = "Only a real message from the sender shows this, and none was analysed."
CHECK_NAMES = {CheckId.SPF: "SPF", CheckId.DKIM: "DKIM", CheckId.DMARC: "DMARC",
               CheckId.PTR: "reverse DNS (PTR)"}  # fmt: skip


@dataclass(frozen=True)
class RunFacts:
    """What a run established, as the answers read it."""

    results: Mapping[CheckId, CheckResult]
    provider: str = ""  # the provider of the rule being answered (gmail, yahoo, ...)

    def ran(self, check: CheckId) -> bool:
        result = self.results.get(check)
        return result is not None and result.status is not CheckStatus.SKIPPED

    def codes(self, check: CheckId) -> set[str]:
        result = self.results.get(check)
        return {f.code for f in result.findings} if result else set()

    def titles(self, check: CheckId, codes: set[str]) -> list[str]:
        """The titles of the check's findings with `codes`, once each, in finding order."""
        result = self.results.get(check)
        findings = result.findings if result else ()
        return list(dict.fromkeys(f.title.rstrip(".") for f in findings if f.code in codes))

    def status(self, check: CheckId) -> CheckStatus | None:
        result = self.results.get(check)
        return result.status if result else None

    @property
    def messages(self) -> list[MessageAnalysisEvidence]:
        result = self.results.get(CheckId.MESSAGE)
        items = result.evidence.get("messages", []) if result else []
        return [item["analysis"] for item in items if "analysis" in item]

    @property
    def tls_deliveries(self) -> list[VolumeTlsEvidence] | None:
        """The logs' remote deliveries per provider, over TLS or not; None: no logs read."""
        result = self.results.get(CheckId.VOLUME)
        if result is None or result.status is CheckStatus.SKIPPED:
            return None
        rows: list[VolumeTlsEvidence] | None = result.evidence.get("tls_deliveries")
        return rows


def _from_messages(
    facts: RunFacts, ok: Callable[[MessageAnalysisEvidence], bool | None], what: str
) -> Answer | None:
    """Met when every analysed message passes `ok`; None when no message was analysed."""
    messages = facts.messages
    if not messages:
        return None
    verdicts = [ok(message) for message in messages]
    failing = verdicts.count(False)
    both = " and " in what  # "SPF and DKIM fail", "SPF fails"
    if failing:
        verb = "fail" if both else "fails"
        return NOT_MET, f"{_capital(what)} {verb} in {_share(failing, len(messages))}."
    if None in verdicts:
        return UNKNOWN, f"{_capital(what)} could not be determined for every message analysed."
    verb = "are" if both else "is"
    return MET, f"{_capital(what)} {verb} in order in {_every(len(messages))}."


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _share(failing: int, total: int) -> str:
    if total == 1:
        return "the one message analysed"
    return f"{'all' if failing == total else failing} of the {total} messages analysed"


def _every(total: int) -> str:
    return "the one message analysed" if total == 1 else f"all {total} messages analysed"


def _dns_answer(facts: RunFacts, check: CheckId, failing: set[str], what: str) -> Answer:
    name = CHECK_NAMES.get(check, str(check))
    if not facts.ran(check):
        return UNKNOWN, f"The {name} check did not run: an audit of the domain runs it."
    found = facts.codes(check) & failing
    if found:
        return (
            NOT_MET,
            f"{_capital(what)} is not in order: {'; '.join(facts.titles(check, found))}.",
        )
    if facts.status(check) is CheckStatus.UNKNOWN:
        return UNKNOWN, f"The {name} check could not complete."
    return MET, f"{_capital(what)} is published and valid."


SPF_BROKEN = {"SPF_MISSING", "SPF_PERMERROR", "SPF_IP_NOT_AUTHORIZED", "SPF_MULTIPLE_RECORDS",
              "SPF_SYNTAX_ERROR", "SPF_TOO_MANY_LOOKUPS", "SPF_LOOP"}  # fmt: skip
DKIM_BROKEN = {
    "DKIM_NOT_FOUND",
    "DKIM_ONLY_REVOKED_KEYS",
    "DKIM_KEY_TOO_SHORT",
    "DKIM_KEY_MALFORMED",
}
DMARC_BROKEN = {"DMARC_MISSING", "DMARC_INVALID", "DMARC_MULTIPLE_RECORDS"}


def _spf_ok(m: MessageAnalysisEvidence) -> bool | None:
    spf = m["spf"]
    if spf is None or spf["result"] == "temperror":
        return None
    return spf["result"] == "pass"


def _dkim_ok(m: MessageAnalysisEvidence) -> bool | None:
    results = {s["result"] for s in m["dkim"]}
    if "pass" in results:
        return True
    return None if "unknown" in results else False


def _either(a: bool | None, b: bool | None) -> bool | None:
    return True if a or b else None if a is None or b is None else False


def _both(a: bool | None, b: bool | None) -> bool | None:
    return False if a is False or b is False else None if a is None or b is None else True


def spf(facts: RunFacts) -> Answer:
    return _from_messages(facts, _spf_ok, "SPF") or _dns_answer(
        facts, CheckId.SPF, SPF_BROKEN, "SPF"
    )


def dkim(facts: RunFacts) -> Answer:
    return _from_messages(facts, _dkim_ok, "DKIM") or _dns_answer(
        facts, CheckId.DKIM, DKIM_BROKEN, "DKIM key"
    )


def _combined(facts: RunFacts, join: Callable[[bool | None, bool | None], bool | None]) -> Answer:
    what = "SPF or DKIM" if join is _either else "SPF and DKIM"
    from_messages = _from_messages(facts, lambda m: join(_spf_ok(m), _dkim_ok(m)), what)
    if from_messages:
        return from_messages
    states = [spf(facts)[0], dkim(facts)[0]]
    if join is _either and MET in states:
        return MET, "SPF or DKIM is published and valid; a message would show that it passes."
    if join is _both and NOT_MET in states:
        return NOT_MET, "SPF or DKIM is missing or broken."
    if UNKNOWN in states:
        return UNKNOWN, "SPF or DKIM could not be determined."
    if join is _both:
        return MET, "SPF and DKIM are both published and valid."
    return NOT_MET, "Neither SPF nor DKIM is published and valid."


def authentication(facts: RunFacts) -> Answer:
    return _combined(facts, _either)


def spf_and_dkim(facts: RunFacts) -> Answer:
    return _combined(facts, _both)


def dkim_key_size(facts: RunFacts) -> Answer:
    def ok(m: MessageAnalysisEvidence) -> bool | None:
        bits = [s["key_bits"] for s in m["dkim"] if s["key_bits"] is not None]
        return min(bits) >= 1024 if bits else None

    # Messages answer only when one carried a key; unsigned ones leave it to the DNS.
    signed = any(ok(m) is not None for m in facts.messages)
    from_messages = _from_messages(facts, ok, "DKIM key size") if signed else None
    return from_messages or _dns_answer(
        facts, CheckId.DKIM, {"DKIM_KEY_TOO_SHORT"}, "DKIM key size"
    )


def ptr(facts: RunFacts) -> Answer:
    """The ptr check's answer for the sending IPs; without it, the connecting IPs of the
    messages (forward-confirmed reverse DNS)."""
    if not facts.ran(CheckId.PTR):

        def ok(m: MessageAnalysisEvidence) -> bool | None:
            return m["connecting_ptr"]["confirmed"] if m["connecting_ptr"] else None

        from_messages = _from_messages(
            facts, ok, "forward-confirmed reverse DNS of the connecting IP"
        )
        if from_messages:
            return from_messages
    return _dns_answer(
        facts,
        CheckId.PTR,
        {"PTR_MISSING", "PTR_FCRDNS_FAILED"},
        "reverse DNS (PTR, forward-confirmed)",
    )


def dmarc_record(facts: RunFacts) -> Answer:
    from_messages = _from_messages(
        facts, lambda m: m["dmarc"] is not None and m["dmarc"]["record"] is not None, "DMARC record"
    )
    return from_messages or _dns_answer(facts, CheckId.DMARC, DMARC_BROKEN, "DMARC record")


def _aligned(m: MessageAnalysisEvidence) -> bool | None:
    if m["dmarc"] is None:
        return False
    result = m["dmarc"]["result"]
    return None if result == "unknown" else result == "pass"


def alignment(facts: RunFacts) -> Answer:
    return _from_messages(facts, _aligned, "From alignment") or (UNKNOWN, NEEDS_MESSAGE)


def dmarc_pass(facts: RunFacts) -> Answer:
    record = dmarc_record(facts)
    if record[0] is NOT_MET:
        return record
    return _from_messages(facts, _aligned, "DMARC") or (UNKNOWN, NEEDS_MESSAGE)


def full_authentication(facts: RunFacts) -> Answer:
    states = [spf(facts), dkim(facts), dmarc_pass(facts)]
    failing = [reason for state, reason in states if state is NOT_MET]
    if failing:
        return NOT_MET, " ".join(dict.fromkeys(failing))
    unknown = [reason for state, reason in states if state is UNKNOWN]
    if unknown:
        return UNKNOWN, " ".join(dict.fromkeys(unknown))
    return MET, "SPF, DKIM and DMARC all pass."


def format_rules(facts: RunFacts) -> Answer:
    return _from_messages(facts, lambda m: not m["format"], "the RFC 5322 format") or (
        UNKNOWN,
        NEEDS_MESSAGE,
    )


def no_gmail_from(facts: RunFacts) -> Answer:
    return _from_messages(
        facts,
        lambda m: not m["gmail_from_forged"],
        "the From address (no gmail.com address sent from elsewhere)",
    ) or (
        UNKNOWN,
        NEEDS_MESSAGE,
    )


def one_click_https(facts: RunFacts) -> Answer:
    def ok(m: MessageAnalysisEvidence) -> bool:
        return m["unsubscribe"]["one_click"] and m["unsubscribe"]["signed"]

    return _from_messages(facts, ok, "signed one-click unsubscribe") or (UNKNOWN, NEEDS_MESSAGE)


def one_click_any(facts: RunFacts) -> Answer:
    def ok(m: MessageAnalysisEvidence) -> bool:
        return m["unsubscribe"]["one_click"] or bool(m["unsubscribe"]["mailto"])

    return _from_messages(facts, ok, "a List-Unsubscribe header (https or mailto)") or (
        UNKNOWN,
        NEEDS_MESSAGE,
    )


PROVIDER_NAMES = {"gmail": "Gmail", "yahoo": "Yahoo", "microsoft": "Outlook.com",
                  "apple": "iCloud"}  # fmt: skip
NO_TLS_LINES = (
    "the logs show no delivery over TLS at all: Postfix logs the TLS connection only with "
    "smtp_tls_loglevel >= 1, Exim the cipher (X=) only with log_selector tls_cipher"
)


def _from_logs(facts: RunFacts) -> Answer | None:
    """The logs' deliveries to the rule's provider: met when every one used TLS, not met
    with the count otherwise; unknown when the logs hold no TLS line at all (the log level
    hides it) or no delivery to that provider. None: no logs were read."""
    rows = facts.tls_deliveries
    if rows is None:
        return None
    name = PROVIDER_NAMES.get(facts.provider, facts.provider)
    if not any(row["tls"] for row in rows):
        return UNKNOWN, NO_TLS_LINES
    row = next((row for row in rows if row["provider"] == facts.provider), None)
    if row is None:
        return UNKNOWN, f"the logs hold no delivery to {name}'s servers"
    total = row["tls"] + row["plain"]
    if row["plain"]:
        return (
            NOT_MET,
            f"{row['plain']:,} of {total:,} deliveries to {name} in the logs without TLS",
        )
    return MET, f"all {total:,} deliveries to {name} in the logs used TLS"


def tls(facts: RunFacts) -> Answer:
    """The logs' deliveries when they tell; else the messages' hop into the receiver."""

    def ok(m: MessageAnalysisEvidence) -> bool | None:
        return m["hops"][m["trusted_hop"]]["tls"] if m["trusted_hop"] is not None else None

    from_logs = _from_logs(facts)
    if from_logs is not None and from_logs[0] is not UNKNOWN:
        return from_logs
    from_messages = _from_messages(facts, ok, "TLS on the hop into the receiver")
    if from_messages is not None:
        return from_messages
    return from_logs or (
        UNKNOWN,
        "Only a message as the provider received it (its Received header records TLS) or"
        " the mail logs show this, and neither was given.",
    )


def spam_rate(facts: RunFacts) -> Answer:
    return UNKNOWN, (
        "Only the provider knows the spam rate: see Google Postmaster Tools or the provider's"
        " complaint feedback loop."
    )


def _body_link(m: MessageAnalysisEvidence) -> bool | None:
    """A link found; none in a body read whole; unknown when nothing readable was there
    (no text part) or a bound cut the reading short."""
    body = m.get("body")
    if body is None:
        return None
    if body["links_found"]:
        return True
    return None if body["truncated"] or not body["text_parts"] else False


def visible_unsubscribe(facts: RunFacts) -> Answer:
    return _from_messages(facts, _body_link, "the visible unsubscribe link in the body") or (
        UNKNOWN,
        NEEDS_MESSAGE,
    )


ANSWERS: Mapping[str, Callable[[RunFacts], Answer]] = {
    "authentication": authentication,
    "spf": spf,
    "dkim": dkim,
    "dkim_key_size": dkim_key_size,
    "ptr": ptr,
    "tls": tls,
    "spam_rate": spam_rate,
    "format": format_rules,
    "no_gmail_from": no_gmail_from,
    "spf_and_dkim": spf_and_dkim,
    "dmarc_record": dmarc_record,
    "dmarc_pass": dmarc_pass,
    "alignment": alignment,
    "one_click_https": one_click_https,
    "one_click_any": one_click_any,
    "full_authentication": full_authentication,
    "visible_unsubscribe": visible_unsubscribe,
}


def evaluate(results: tuple[CheckResult, ...]) -> Compliance:
    facts = RunFacts({result.check: result for result in results})
    verdicts = []
    for rule in requirements():
        state, reason = ANSWERS[rule.answered_by](replace(facts, provider=rule.provider))
        verdicts.append(
            RuleVerdict(
                rule.rule,
                rule.provider,
                rule.title,
                rule.bulk,
                state,
                reason,
                rule.answered_by,
                rule.source,
                rule.snapshot,
            )
        )
    return Compliance(tuple(verdicts))
