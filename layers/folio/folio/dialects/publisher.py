"""Change events (DESIGN §11): the committed changes a batch of the table's stream holds, announced
on the stack's bus as CloudEvents, in stream order. Each dialect names its documents (its
``events`` module: ``SUBJECTS``, a subject per kind it announces); a kind no dialect names
(capture's procedures, a counter) announces nothing."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from aws_lambda_powertools import Logger

from ..core import Document
from ..core.changes import Subject, change_between, cloud_event
from ..core.ports import EventBus
from ..storage.changes import head_image, head_of_stream
from ..web.stream_events import StreamRecord
from . import providers

logger = Logger(service="folio")


@dataclass(frozen=True)
class Published:
    """What one batch did: the events the bus accepted, and the record to send again from (None: all done)."""

    events: list[dict[str, Any]] = field(default_factory=list)
    retry_from: str | None = None


def subjects() -> dict[str, Callable[[Document], Subject]]:
    """Every dialect's subjects, by the kind of document they name."""
    found: dict[str, Callable[[Document], Subject]] = {}
    for provider in providers("events"):
        found.update(provider.SUBJECTS)
    return found


def publish_changes(records: Sequence[StreamRecord], bus: EventBus,
                    named: dict[str, Callable[[Document], Subject]] | None = None) -> Published:
    """Announce the change each record is (if any), in order. A record that cannot be read stops
    the batch there (Lambda sends it again, then bisects and gives up on it into the dead-letter
    queue, so one bad record never silently drops the ones after it); so does an event the bus
    did not accept."""
    named = subjects() if named is None else named
    pending: list[tuple[str, dict[str, Any]]] = []
    unreadable: str | None = None
    for record in records:
        key = head_of_stream(record.keys)
        describe = named.get(key.kind) if key is not None else None
        if describe is None:
            continue
        try:
            change = change_between(key, head_image(record.old_image), head_image(record.new_image))
            if change is not None:
                pending.append((record.sequence_number, cloud_event(change, describe(change.document))))
        except (KeyError, ValueError, TypeError, AttributeError) as error:
            logger.error("a stream record could not be read as a change; its batch stops there", extra={
                "sequence_number": record.sequence_number, "error": f"{type(error).__name__}: {error}"})
            unreadable = record.sequence_number
            break
    accepted = bus.publish([event for _, event in pending]) if pending else 0
    published = [event for _, event in pending[:accepted]]
    for event in published:
        logger.info("change announced", extra={"event_id": event["id"], "event_type": event["type"],
                                               "subject": event["subject"], "tenant": event["tenant"]})
    retry_from = pending[accepted][0] if accepted < len(pending) else unreadable
    return Published(published, retry_from)
