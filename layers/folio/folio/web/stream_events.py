"""DynamoDB stream events as Lambda delivers them, read once here (as :mod:`.s3_events` reads S3's):
a function on the table's stream sees :class:`StreamRecord` values, never the event dictionary,
and answers with :func:`batch_failures` (the event source mapping's ``ReportBatchItemFailures``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class StreamRecord:
    """One record of the table's stream: the item's keys and its images before and after the
    write (DynamoDB's wire format; NEW_AND_OLD_IMAGES), and its place in the shard."""

    sequence_number: str
    event_name: str  # INSERT, MODIFY or REMOVE
    keys: dict[str, Any]
    old_image: dict[str, Any] | None
    new_image: dict[str, Any] | None


def stream_records(event: dict[str, Any]) -> list[StreamRecord]:
    """The records of a DynamoDB stream event, in shard order; malformed ones are left out."""
    return records_of(event.get("Records") if isinstance(event, dict) else None)


def records_of(records: Any) -> list[StreamRecord]:
    """Stream records as Lambda passes them, or as the stream API gives them (the same shape)."""
    found = []
    for record in records if isinstance(records, list) else []:
        stream = record.get("dynamodb") if isinstance(record, dict) else None
        if not isinstance(stream, dict) or not isinstance(stream.get("SequenceNumber"), str):
            continue
        found.append(StreamRecord(
            sequence_number=stream["SequenceNumber"], event_name=str(record.get("eventName", "")),
            keys=_mapping(stream.get("Keys")), old_image=_mapping(stream.get("OldImage")) or None,
            new_image=_mapping(stream.get("NewImage")) or None))
    return found


def batch_failures(sequence_numbers: list[str]) -> dict[str, Any]:
    """The answer of a function with ``ReportBatchItemFailures``: Lambda sends the batch again from
    the first record named (every record after it too), and counts the others as done."""
    return {"batchItemFailures": [{"itemIdentifier": number} for number in sequence_numbers]}


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


@dataclass(frozen=True)
class FailedBatch:
    """Where in the stream a batch lies that Lambda gave up on: its on-failure destination's message
    (``DDBStreamBatchInfo``), read once here."""

    stream_arn: str
    shard_id: str
    first: str
    last: str
    size: int


def failed_batch(message: Any) -> FailedBatch:
    """The batch an on-failure message names; ValueError for anything else."""
    info = message.get("DDBStreamBatchInfo") if isinstance(message, dict) else None
    names = ("streamArn", "shardId", "startSequenceNumber", "endSequenceNumber")
    if not isinstance(info, dict) or not all(isinstance(info.get(n), str) and info[n] for n in names):
        raise ValueError("not an on-failure message of a DynamoDB stream mapping (no DDBStreamBatchInfo with "
                         "streamArn, shardId, startSequenceNumber and endSequenceNumber)")
    return FailedBatch(info["streamArn"], info["shardId"], info["startSequenceNumber"], info["endSequenceNumber"],
                       int(info.get("batchSize") or 0))
