"""Which check lays out which part of the report: CheckId -> its report section.

Each check owns the check-specific view of its evidence (`checks/<id>/report.py`: a pure
function from that check's part of the result document to a `CheckView`); the report
view model calls them through `SECTIONS` and places what they return (audit/render/
report/layout.py). A check a saved document names but this version does not know gets
its evidence flattened into an appendix section. A test keeps `SECTIONS` covering every
`CheckId`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType

from audit.model import CheckId
from audit.model.document import CheckDocument, ResultDocument
from audit.model.view import CheckView, Section, flatten
from audit.render.report.view import check_label
from checks.blacklist import report as blacklist
from checks.dkim import report as dkim
from checks.dmarc import report as dmarc
from checks.message import report as message
from checks.mx import report as mx
from checks.ptr import report as ptr
from checks.relay import report as relay
from checks.spf import report as spf
from checks.volume import report as volume

SectionFunction = Callable[[CheckDocument], CheckView]

SECTIONS: Mapping[CheckId, SectionFunction] = MappingProxyType(
    {
        CheckId.BLACKLIST: blacklist.section,
        CheckId.PTR: ptr.section,
        CheckId.SPF: spf.section,
        CheckId.DKIM: dkim.section,
        CheckId.DMARC: dmarc.section,
        CheckId.RELAY: relay.section,
        CheckId.VOLUME: volume.section,
        CheckId.MX: mx.section,
        CheckId.MESSAGE: message.section,
    }
)


def generic_section(check: CheckDocument) -> CheckView:
    """An unknown check's evidence as labelled facts (a result from a newer version)."""
    return CheckView(Section(check_label(check["id"]), flatten(check["evidence"], limit=80)))


def section_function(check_id: str) -> SectionFunction:
    try:
        known = CheckId(check_id)
    except ValueError:
        return generic_section
    return SECTIONS.get(known, generic_section)


def check_views(document: ResultDocument) -> dict[str, CheckView]:
    """Each check that ran (not skipped), by id, in the document's order."""
    return {
        check["id"]: section_function(check["id"])(check)
        for check in document["checks"]
        if check["status"] != "skipped"
    }
