"""The volume check: outbound volume and rejections in the mail logs given with --log.

Evidence (audit/loglines/: parse and normalize; audit/maillog/: aggregate, rejections
classified by explain's classifier; checks/volume/summary.py) is kept apart from judgement
(checks/volume/judge.py, thresholds as data in audit/knowledge/volume/thresholds.toml).
Without --log the check is *skipped*: no logs is neither a pass nor an unknown. A log that
cannot be read, or logs that hold no mail event (an empty file, another program's log), make
the check unknown.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, ClassVar

from audit.engine.context import AuditContext, Fact
from audit.knowledge.volume import shipped_rules
from audit.maillog.facts import LogFacts
from audit.maillog.ingest import read_logs
from audit.maillog.reader import LogInputError
from audit.model import CheckId, CheckResult, Unknown, UnknownReason
from checks.volume.judge import CODES, judge_volume
from checks.volume.options import VolumeOptions
from checks.volume.summary import truncated_files, volume_evidence

log = logging.getLogger(__name__)

NO_MAIL_EVENTS = "the log files hold no mail events"


def _detail(facts: LogFacts) -> str:
    messages = facts.totals.get("messages", 0)
    formats = ", ".join(sorted({f.format for f in facts.files if f.format})) or "no mail"
    span = ""
    if facts.first and facts.last:
        span = f", {facts.first:%Y-%m-%d %H:%M} to {facts.last:%Y-%m-%d %H:%M}"
    skipped = sum(f.malformed for f in facts.files)
    tail = f"; {skipped} malformed line(s) skipped" if skipped else ""
    return (
        f"{messages} message(s) from {len(facts.accounts)} account(s) in "
        f"{len(facts.files)} log(s) ({formats}{span}){tail}"
    )


class VolumeCheck:
    id: ClassVar[CheckId] = CheckId.VOLUME
    finding_codes: ClassVar[frozenset[str]] = CODES

    uses_dns: ClassVar[bool] = False

    warm_imports: ClassVar[tuple[str, ...]] = ()
    provides: ClassVar[tuple[Fact[Any], ...]] = ()
    needs: ClassVar[tuple[Fact[Any], ...]] = ()

    async def run(self, ctx: AuditContext) -> CheckResult:
        paths = ctx.run.log_files
        if not paths:
            return CheckResult(check=self.id, skipped=True, detail="no --log given")
        rules = shipped_rules()
        local = frozenset({ctx.run.domain}) if ctx.run.domain else frozenset()
        year = ctx.options_for(VolumeOptions).year
        try:
            facts = await asyncio.to_thread(read_logs, paths, local, ctx.clock().date(), year)
        except LogInputError as exc:
            log.debug("volume: %s", exc)
            return CheckResult(
                check=self.id,
                unknowns=(Unknown("logs", UnknownReason.MALFORMED, str(exc)),),
                detail="the logs could not be read",
            )
        evidence = volume_evidence(facts, rules.thresholds)
        if not any(file.events for file in facts.files):
            # No mail is not a pass: nothing in the logs says the volume is normal.
            unknown = Unknown("logs", UnknownReason.DEPENDENCY, NO_MAIL_EVENTS)
            return CheckResult(
                check=self.id, evidence=evidence, unknowns=(unknown,), detail=NO_MAIL_EVENTS
            )
        return CheckResult(
            check=self.id,
            evidence=evidence,
            findings=tuple(judge_volume(facts, rules.thresholds)),
            unknowns=truncated_files(facts),
            detail=_detail(facts),
        )
