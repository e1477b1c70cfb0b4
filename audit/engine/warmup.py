"""Slow imports that a run will need start while its network work goes on.

checkdmarc (~0.5 s) and WeasyPrint (~0.9 s) are imported only by the runs that use them
(the CLI's start-up never pays for them), but the run that does should not pay for them
after its DNS answers are in: a daemon thread imports them while the checks wait on the
network. A failing import is left to the code that needs the module, which reports it
where it happens.
"""

from __future__ import annotations

import importlib
import logging
import sys
import threading
from collections.abc import Iterable

log = logging.getLogger(__name__)


def warm_up(modules: Iterable[str]) -> threading.Thread | None:
    """Start importing `modules` (those not yet imported) in a daemon thread."""
    wanted = [name for name in dict.fromkeys(modules) if name not in sys.modules]
    if not wanted:
        return None
    thread = threading.Thread(target=_import_all, args=(wanted,), name="warm-up", daemon=True)
    thread.start()
    return thread


def _import_all(modules: list[str]) -> None:
    for name in modules:
        try:
            importlib.import_module(name)
        except Exception as exc:  # reported by the import that needs it, not here
            log.debug("warm-up import of %s failed: %s", name, exc)
