"""The explicit check registry: one entry per CheckId, no import-time discovery."""

from __future__ import annotations

from audit.engine.check import Check
from audit.model import CheckId
from checks.blacklist.check import BlacklistCheck
from checks.dkim.check import DkimCheck
from checks.dmarc.check import DmarcCheck
from checks.message.check import MessageCheck
from checks.mx.check import MxCheck
from checks.ptr.check import PtrCheck
from checks.relay.check import RelayCheck
from checks.spf.check import SpfCheck
from checks.volume.check import VolumeCheck

CHECKS: dict[CheckId, type[Check]] = {
    CheckId.BLACKLIST: BlacklistCheck,
    CheckId.PTR: PtrCheck,
    CheckId.SPF: SpfCheck,
    CheckId.DKIM: DkimCheck,
    CheckId.DMARC: DmarcCheck,
    CheckId.RELAY: RelayCheck,
    CheckId.VOLUME: VolumeCheck,
    CheckId.MX: MxCheck,
    CheckId.MESSAGE: MessageCheck,
}


def instantiate(check_ids: list[CheckId] | tuple[CheckId, ...]) -> list[Check]:
    return [CHECKS[check_id]() for check_id in check_ids]
