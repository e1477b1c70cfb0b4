"""The explicit check registry: one entry per CheckId, no import-time discovery."""

from __future__ import annotations

from audit.model import CheckId
from checks.base import Check
from checks.blacklist import BlacklistCheck
from checks.dkim import DkimCheck
from checks.dmarc import DmarcCheck
from checks.ptr import PtrCheck
from checks.relay import RelayCheck
from checks.spf import SpfCheck
from checks.volume import VolumeCheck

CHECKS: dict[CheckId, type[Check]] = {
    CheckId.BLACKLIST: BlacklistCheck,
    CheckId.PTR: PtrCheck,
    CheckId.SPF: SpfCheck,
    CheckId.DKIM: DkimCheck,
    CheckId.DMARC: DmarcCheck,
    CheckId.RELAY: RelayCheck,
    CheckId.VOLUME: VolumeCheck,
}


def instantiate(check_ids: list[CheckId] | tuple[CheckId, ...]) -> list[Check]:
    return [CHECKS[check_id]() for check_id in check_ids]
