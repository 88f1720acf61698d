"""The stack's EventBridge bus: change events put as CloudEvents, in order (DESIGN §11)."""

from __future__ import annotations

import json
from typing import Any

from .clients import AWS_ERRORS, client, error_code, logger
from .config import Settings, settings

#: PutEvents takes at most 10 entries a call, and 256 KB in all (each entry counted as its
#: Source, DetailType, Detail and Resources in UTF-8, plus 14 bytes for Time).
MAX_ENTRIES_PER_CALL = 10
MAX_CALL_BYTES = 256 * 1024


def entry_bytes(entry: dict[str, Any]) -> int:
    """An entry's size as EventBridge counts it against PutEvents' 256 KB."""
    return (14 + sum(len(entry[name].encode()) for name in ("Source", "DetailType", "Detail"))
            + sum(len(r.encode()) for r in entry.get("Resources", ())))


class EventBus:
    """Implements :class:`folio.core.ports.EventBus`."""

    def __init__(self, cfg: Settings | None = None):
        self._cfg = cfg or settings()
        if not self._cfg.event_bus_name:
            raise RuntimeError("EVENT_BUS_NAME is not set: the function that publishes change events needs the "
                               "bus's name (template.yaml sets it)")
        self._events = client("events", self._cfg)

    def entry(self, event: dict[str, Any]) -> dict[str, Any]:
        """A CloudEvent as a PutEvents entry: EventBridge's ``source`` and ``detail-type`` are the
        CloudEvent's, its ``detail`` the whole CloudEvent, so rules match on either."""
        return {"EventBusName": self._cfg.event_bus_name, "Source": event["source"], "DetailType": event["type"],
                "Detail": json.dumps(event, separators=(",", ":"), ensure_ascii=False)}

    def publish(self, events: list[dict[str, Any]]) -> int:
        """Put the events in order, 10 (or 256 KB) a call; stop at the first one not accepted (a
        failed call, or an entry EventBridge refused) and say how many went before it."""
        entries = [self.entry(event) for event in events]
        sent = 0
        while sent < len(entries):
            batch, size = [], 0
            for entry in entries[sent:sent + MAX_ENTRIES_PER_CALL]:
                if batch and size + entry_bytes(entry) > MAX_CALL_BYTES:
                    break
                batch.append(entry)
                size += entry_bytes(entry)
            try:
                answer = self._events.put_events(Entries=batch)
            except AWS_ERRORS as error:
                logger.warning("PutEvents failed; the events are sent again", extra={
                    "aws_error_code": error_code(error), "aws_error": type(error).__name__, "events": len(batch)})
                return sent
            for index, result in enumerate(answer.get("Entries", [])):
                if result.get("ErrorCode"):
                    logger.warning("EventBridge refused an event; it is sent again", extra={
                        "aws_error_code": result["ErrorCode"], "event_id": events[sent + index]["id"]})
                    return sent + index
            sent += len(batch)
        return sent
