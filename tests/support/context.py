"""A check's context as the runner builds it, for tests that run one check directly."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from audit.engine.context import AuditContext
from audit.engine.options import RunOptions
from audit.model import CheckId, IpSource, SendingIp, Target
from audit.net.dns import DnsClient


def check_context(
    dns: DnsClient | None,
    domain: str | None = None,
    ips: Sequence[str] = (),
    options: Sequence[object] = (),
    selected: Sequence[CheckId] = (),
    **run: Any,
) -> AuditContext:
    """`options` are typed check options (e.g. `SpfOptions(...)`); `run` RunOptions fields."""
    target = Target(domain, tuple(SendingIp(ip, IpSource.GIVEN) for ip in ips))
    return AuditContext(
        run=RunOptions(domain=domain, **run),
        target=target,
        client=dns,
        check_options={type(o): o for o in options},
        selected=frozenset(selected),
    )
