"""The human-readable `explain` listing: one block per rejection, plain text only.

No rich markup is interpreted, so bounce text such as "[bold]" or "<script>" prints as
itself; control characters were already removed when the input was read.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence

from audit.bounce.explain import Unclassified, requirement_text
from audit.bounce.extract import MAX_REJECTIONS
from audit.model.rejection import Classification

WIDTH = 100
INPUT_PREVIEW = 300


def _kind(item: Classification) -> str:
    return "temporary (retry may succeed)" if item.temporary else "permanent"


def _field_lines(item: Classification) -> list[str]:
    preview = item.input if len(item.input) <= INPUT_PREVIEW else item.input[:INPUT_PREVIEW] + "…"
    return [
        f"  input:      {preview}",
        f"  provider:   {item.provider or '(unknown)'}",
        f"  blocklist:  {item.blocklist or '-'}",
        f"  reason:     {item.reason.value}",
        f"  sending IP: {item.sending_ip or '-'}",
        f"  type:       {_kind(item)}",
        *([f"  rule:       {requirement_text(item.requirement)}"] if item.requirement else []),
    ]


def _remediation_lines(item: Classification) -> list[str]:
    remediation = item.remediation
    by = f" ({remediation.provider})" if remediation.provider else ""
    lines = [f"  what to do{by}: {remediation.summary}"]
    for number, step in enumerate(remediation.steps, start=1):
        wrapped = textwrap.wrap(step, WIDTH - 8) or [""]
        lines.append(f"    {number}. {wrapped[0]}")
        lines.extend(f"       {rest}" for rest in wrapped[1:])
    lines.extend(f"    link: {link}" for link in remediation.links)
    return lines


def truncation_line(truncated: int) -> str:
    more = "rejection" if truncated == 1 else "rejections"
    return (
        f"Not classified: {truncated:,} more {more} found beyond the limit of "
        f"{MAX_REJECTIONS:,} a run; split the input to explain the rest."
    )


def unclassified_block(unclassified: Sequence[Unclassified]) -> str:
    lines = ["Unclassified (read, but no rejection found):"]
    lines.extend(f"  {item.source}: {item.reason}" for item in unclassified)
    return "\n".join(lines)


def render_text(
    classifications: Sequence[Classification],
    truncated: int = 0,
    unclassified: Sequence[Unclassified] = (),
) -> str:
    """One block per classification; then the inputs without a rejection, and a last line
    saying how many were left out, if any."""
    count = len(classifications)
    blocks = [
        "\n".join([f"Rejection {n} of {count}", *_field_lines(c), *_remediation_lines(c)])
        for n, c in enumerate(classifications, start=1)
    ]
    if unclassified:
        blocks.append(unclassified_block(unclassified))
    if truncated > 0:
        blocks.append(truncation_line(truncated))
    return "\n\n".join(blocks) + "\n"
