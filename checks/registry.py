"""The explicit check registry: one entry per CheckId, no import-time discovery."""

from __future__ import annotations

from audit.model import CheckId
from checks.base import Check
from checks.ptr import PtrCheck

CHECKS: dict[CheckId, type[Check]] = {
    CheckId.PTR: PtrCheck,
}


def instantiate(check_ids: list[CheckId] | tuple[CheckId, ...]) -> list[Check]:
    return [CHECKS[check_id]() for check_id in check_ids]
