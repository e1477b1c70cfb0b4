"""Mailgun event JSON -> normalized events: one object per line, or a JSON array
(compact or pretty-printed, optionally inside an Events API page `{"items": [...]}`).

`accepted` is a submission (Mailgun logs one per recipient; the digest de-duplicates by
Message-Id); `delivered` and `failed` (severity permanent -> bounced, temporary ->
deferred) are deliveries with `delivery-status` code/message/description; `rejected`
never left Mailgun. `envelope.sending-ip` is our sending IP. See
https://documentation.mailgun.com/docs/mailgun/user-manual/events/.
"""

from __future__ import annotations

import json
import re
from typing import Any

from audit.loglines.records import DeliveryEvent, DeliveryStatus, Event, SubmissionEvent
from audit.loglines.timestamps import from_epoch

MAX_OBJECT_CHARS = 1024 * 1024
PAGE_PREFIX = re.compile(r'^\s*\{\s*"items"\s*:\s*\[')
SUPPRESSIONS = ("suppress-", "old")  # failed because Mailgun skipped a known-bad address


def _get(data: Any, *path: str) -> Any:
    for key in path:
        data = data.get(key) if isinstance(data, dict) else None
    return data


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _message_id(event: dict[str, Any]) -> str:
    return _text(_get(event, "message", "headers", "message-id")) or _text(event.get("id"))


def event_from_object(event: Any) -> list[Event] | None:
    """Normalized events of one Mailgun event object; None if it is not one."""
    if not isinstance(event, dict) or not isinstance(event.get("event"), str):
        return None
    kind = event["event"]
    at = from_epoch(event.get("timestamp"))
    sender = _text(_get(event, "envelope", "sender")) or None
    authenticated = _get(event, "flags", "is-authenticated") is not False
    if kind == "accepted":
        if _get(event, "flags", "is-routed") is True:
            return []  # inbound mail forwarded by a route, not our outbound traffic
        return [
            SubmissionEvent(
                at, _message_id(event), sender if authenticated else None, None, sender, 1
            )
        ]
    if kind in ("delivered", "failed", "rejected"):
        return [_delivery(event, kind, at, sender)]
    return []  # opened, clicked, complained, unsubscribed, stored


def _delivery(event: dict[str, Any], kind: str, at: Any, sender: str | None) -> DeliveryEvent:
    status = _get(event, "delivery-status") or {}
    reply = " ".join(
        part
        for part in (
            str(status.get("code") or "") if isinstance(status, dict) else "",
            _text(_get(status, "message")),
            _text(_get(status, "description")),
            _text(_get(event, "reject", "reason")),
        )
        if part
    )
    if kind == "delivered":
        outcome = DeliveryStatus.SENT
    elif kind == "failed" and event.get("severity") == "temporary":
        outcome = DeliveryStatus.DEFERRED
    else:
        outcome = DeliveryStatus.BOUNCED
    reason = _text(event.get("reason"))
    return DeliveryEvent(
        at=at,
        message_id=_message_id(event),
        recipient=_text(event.get("recipient")) or _text(_get(event, "envelope", "targets")),
        status=outcome,
        remote=kind != "rejected" and not reason.startswith(SUPPRESSIONS),
        relay_host=_text(_get(status, "mx-host")) or None,
        reply=reply,
        local_ip=_text(_get(event, "envelope", "sending-ip")) or None,
        account=sender,
    )


class MailgunParser:
    """Line-delimited objects, or an array streamed object by object (bounded buffer)."""

    def __init__(self) -> None:
        self.buffer = ""
        self.array_mode: bool | None = None
        self.done = False
        self.decoder = json.JSONDecoder()

    def parse(self, line: str) -> list[Event] | None:
        if self.array_mode is None:
            stripped = line.lstrip("\ufeff \t")
            if not stripped:
                return []
            self.array_mode = stripped.startswith("[") or PAGE_PREFIX.match(stripped) is not None
            if not self.array_mode and not _is_whole_object(stripped):
                self.array_mode = True  # a pretty-printed object or page
        if self.array_mode:
            return self._buffered(line)
        if not line.strip():
            return []
        try:
            return event_from_object(json.loads(line))
        except ValueError:
            return None

    def _buffered(self, line: str) -> list[Event] | None:
        if self.done:
            return []
        self.buffer += line + "\n"
        if len(self.buffer) > MAX_OBJECT_CHARS:
            self.buffer = ""
            return None
        events: list[Event] = []
        while True:
            self.buffer = PAGE_PREFIX.sub("", self.buffer, count=1).lstrip(" \t\r\n,[\ufeff")
            if self.buffer.startswith("]"):
                self.done, self.buffer = True, ""  # the rest (paging links) is not events
                return events
            if not self.buffer.startswith("{"):
                if self.buffer:
                    self.buffer = ""
                    return None
                return events
            try:
                obj, end = self.decoder.raw_decode(self.buffer)
            except ValueError:
                return events  # incomplete: wait for more lines
            self.buffer = self.buffer[end:]
            parsed = event_from_object(obj)
            if parsed is None:
                return None
            events.extend(parsed)

    def finish(self) -> int:
        """Malformed objects left at the end of the input (an unterminated object)."""
        return 1 if self.buffer.strip(" \t\r\n,]") else 0


def _is_whole_object(text: str) -> bool:
    try:
        return isinstance(json.loads(text), dict)
    except ValueError:
        return False
