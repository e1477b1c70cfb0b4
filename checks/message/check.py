"""The message check: every message of the --message files (or `message FILE...`)
analysed as a receiver would, judged per message.

Reading happens here, in a worker thread, so a large mbox does not stall the other
checks; each message is then analysed (DNS through the run's resolver, cryptography by
dkimpy) and judged by the pure functions of `checks.message.judge`.
"""

from __future__ import annotations

import asyncio
from typing import Any, ClassVar

from audit.engine.context import AuditContext, Fact
from audit.model import CheckId, CheckResult, Finding, Unknown, UnknownReason
from audit.model.errors import InputError
from checks.message.evidence import (
    FINDING_EVIDENCE,
    MessageEvidenceDocument,
    MessageItemEvidence,
)
from checks.message.judge import judge_message, unknowns_of
from checks.message.options import MessageOptions
from checks.message.source import MAX_MESSAGES, RawMessage, messages_in, read_bytes


def read_messages(paths: tuple[str, ...]) -> list[RawMessage]:
    return [raw for path in paths for raw in messages_in(path, read_bytes(path))]


class MessageCheck:
    id: ClassVar[CheckId] = CheckId.MESSAGE
    finding_codes: ClassVar[frozenset[str]] = frozenset(FINDING_EVIDENCE)
    uses_dns: ClassVar[bool] = True
    # Empty: the analysis (dkimpy, the Public Suffix List, the SPF evaluator) is imported
    # in `run`, only when there are messages: an audit without --message, where this check
    # is skipped, must not pay for it at start-up or in the warm-up.
    warm_imports: ClassVar[tuple[str, ...]] = ()
    provides: ClassVar[tuple[Fact[Any], ...]] = ()
    needs: ClassVar[tuple[Fact[Any], ...]] = ()

    async def run(self, ctx: AuditContext) -> CheckResult:
        options = ctx.options_for(MessageOptions)
        if not options.files:  # an audit without --message: nothing to analyse
            return CheckResult(self.id, detail="no --message given", skipped=True)
        from checks.message.analyse import AnalysisRun, analyse

        try:
            raws = await asyncio.to_thread(read_messages, options.files)
        except InputError as exc:  # a file that vanished or grew since validation
            unknown = Unknown("messages", UnknownReason.MALFORMED, str(exc))
            return CheckResult(self.id, detail=str(exc), unknowns=(unknown,))
        over = len(raws) - MAX_MESSAGES
        run = AnalysisRun(ctx.dns, options.trusted_receivers)
        items = [await analyse(run, raw) for raw in raws[:MAX_MESSAGES]]
        return self._result(items, options, over)

    def _result(
        self, items: list[MessageItemEvidence], options: MessageOptions, over: int
    ) -> CheckResult:
        findings: list[Finding] = [f for item in items for f in judge_message(item)]
        unknowns = [u for item in items for u in unknowns_of(item)]
        if over > 0:
            detail = f"{over} message(s) beyond the limit of {MAX_MESSAGES} a run not analysed"
            unknowns.append(Unknown("messages", UnknownReason.INPUT_LIMIT, detail))
        evidence: MessageEvidenceDocument = {
            "trusted_receivers": list(options.trusted_receivers),
            "messages": items,
        }
        analysed = sum(1 for item in items if "analysis" in item)
        return CheckResult(
            check=self.id,
            evidence=evidence,
            findings=tuple(sorted(findings, key=Finding.sort_key)),
            unknowns=tuple(sorted(unknowns, key=Unknown.sort_key)),
            detail=f"{analysed} of {len(items)} message(s) analysed",
        )
