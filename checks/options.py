"""The registry of check options: one line per check that has options.

Kept apart from `checks.registry` (which imports every check and its dependencies) so
the CLI can declare its flags at import time and `--help` stays fast.
"""

from __future__ import annotations

from audit.engine.options import CheckOptions
from checks.blacklist.options import BlacklistOptions
from checks.dkim.options import DkimOptions
from checks.message.options import MessageOptions
from checks.mx.options import MxOptions
from checks.ptr.options import PtrOptions
from checks.relay.options import RelayOptions
from checks.spf.options import SpfOptions
from checks.volume.options import VolumeOptions

# In the order their flags appear in `audit --help`.
CHECK_OPTIONS: tuple[type[CheckOptions], ...] = (
    DkimOptions,
    PtrOptions,
    SpfOptions,
    RelayOptions,
    BlacklistOptions,
    MxOptions,
    MessageOptions,
    VolumeOptions,
)
