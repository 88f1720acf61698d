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
from ..storage.changes import head_image, head_of_stream, stream_range
from ..web.stream_events import FailedBatch, StreamRecord, records_of
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


class UnreadableRecord(Exception):
    """A record of the stream that is no change folio can read: the invocation fails, so that
    Lambda bisects the batch down to that record alone and gives up on it (its on-failure
    destination), announcing every other record."""


def publish_changes(records: Sequence[StreamRecord], bus: EventBus,
                    named: dict[str, Callable[[Document], Subject]] | None = None) -> Published:
    """Announce the change each record is (if any), in order; stop at the first event the bus did
    not accept (Lambda sends the batch again from its record). A record that cannot be read: the
    events before it are published and it is named as the one to send again from; when it comes
    first, :class:`UnreadableRecord` (with ReportBatchItemFailures, Lambda resends a batch from the
    record named and bisects only on an error: so a bad record is isolated, never the ones after it
    given up with it)."""
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
        except Exception as error:  # noqa: BLE001 - whatever it is, the record is isolated, not its batch
            logger.error("a stream record could not be read as a change", extra={
                "sequence_number": record.sequence_number, "error": f"{type(error).__name__}: {error}"})
            if not pending:
                raise UnreadableRecord(f"stream record {record.sequence_number}: {type(error).__name__}") from error
            unreadable = record.sequence_number
            break
    accepted = bus.publish([event for _, event in pending]) if pending else 0
    published = [event for _, event in pending[:accepted]]
    for event in published:
        logger.info("change announced", extra={"event_id": event["id"], "event_type": event["type"],
                                               "subject": event["subject"], "tenant": event["tenant"]})
    retry_from = pending[accepted][0] if accepted < len(pending) else unreadable
    return Published(published, retry_from)


def replay(batch: FailedBatch, bus: EventBus) -> list[dict[str, Any]]:
    """Announce a batch Lambda gave up on, from the stream (within the 24 hours it keeps records):
    each record after the last one the bus took, until all are (events a first attempt put already
    come again with their ids: consumers deduplicate). Raises what the stream or the bus answers."""
    records = records_of(stream_range(batch.stream_arn, batch.shard_id, batch.first, batch.last))
    announced: list[dict[str, Any]] = []
    while records:
        published = publish_changes(records, bus)
        announced += published.events
        if published.retry_from is None:
            break
        numbers = [r.sequence_number for r in records]
        if published.retry_from == numbers[0] and not published.events:
            raise RuntimeError(f"the bus keeps refusing the event of stream record {published.retry_from}; "
                               "try again later")
        records = records[numbers.index(published.retry_from):]
    return announced
