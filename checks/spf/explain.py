"""The explanation of an SPF fail: the exp= modifier (RFC 7208 §6.2).

A fail whose record carries exp= gets the TXT record at the expanded domain-spec,
itself macro-expanded (§7, with the explanation-only letters c, r and t). Any problem
on the way means "no explanation", never an error: the result stays fail.
"""

from __future__ import annotations

from checks.spf.macro import MacroValues, expand, uses_validated_name
from checks.spf.mechanisms import MechanismMatcher
from checks.spf.record import EXPLANATION_MACRO_LETTERS, SpfSyntaxError, check_macro_string
from checks.spf.state import EvalState, PermError, TempError, is_valid_domain


async def explain(
    matcher: MechanismMatcher, state: EvalState, spec: str, domain: str
) -> str | None:
    """Any problem with exp= means "no explanation" (§6.2), never an error."""
    try:
        target = await matcher.target(state, spec, domain)
    except (PermError, TempError):
        return None
    if not is_valid_domain(target):
        return None
    lookup = await matcher.dns.query(target, "TXT")
    if not lookup.exists or len(lookup.records) != 1:
        return None
    text = lookup.records[0]
    try:
        if not text.isascii():
            raise SpfSyntaxError("non-ASCII explanation")
        check_macro_string(text, EXPLANATION_MACRO_LETTERS, allow_space=True)
    except SpfSyntaxError:
        return None
    validated = "unknown"
    if uses_validated_name(text):
        validated = await matcher.validated_name(state, domain)
    values = MacroValues(
        state.ip, state.sender, domain, state.helo, validated, timestamp=state.timestamp
    )
    return expand(text, values)
