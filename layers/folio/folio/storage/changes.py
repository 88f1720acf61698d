"""The table's change stream, read as the core reads heads: which document a stream record's
keys name, and what each of its two images (DynamoDB's wire format) holds. Every other item of
the table (history, aliases, locks' pending records, intents, counters, purges, upload sessions,
Idempotency-Key records) is no head, and announces nothing."""

from __future__ import annotations

import json
from typing import Any

from ..core.changes import HeadImage
from ..core.documents import DocumentKey
from ..core.errors import FolioError
from .clients import AWS_ERRORS, client, error_code
from .config import Settings, settings
from .keys import DELETED, DELETED_BY, HEAD, document_key


def head_of_stream(keys: dict[str, Any]) -> DocumentKey | None:
    """The document whose head a stream record's keys name; None for any other item."""
    sk, pk = (keys.get("sk") or {}).get("S"), (keys.get("pk") or {}).get("S")
    if sk != HEAD or not isinstance(pk, str) or pk.count("#") < 2:
        return None
    return document_key(pk)


def head_image(image: dict[str, Any] | None) -> HeadImage | None:
    """A head's image as the core reads it (None: no image, the item did not exist)."""
    if not image:
        return None
    deleted = image.get(DELETED, {}).get("N")
    by = image.get(DELETED_BY, {}).get("S")
    return HeadImage(version=int(image["version"]["N"]), record=image.get("record", {}).get("S"),
                     deleted=float(deleted) if deleted is not None else None,
                     deleted_by=json.loads(by) if by else {})


class RecordsExpired(FolioError):
    """The stream no longer holds the records asked for (DynamoDB Streams keeps them 24 hours)."""


def stream_range(stream_arn: str, shard_id: str, first: str, last: str, cfg: Settings | None = None,
                 max_empty_pages: int = 5) -> list[dict[str, Any]]:
    """The records of one shard from sequence number ``first`` to ``last`` (both included), as the
    stream API gives them: what Lambda's on-failure record of a stream batch names."""
    streams = client("dynamodbstreams", cfg or settings())
    try:
        iterator = streams.get_shard_iterator(StreamArn=stream_arn, ShardId=shard_id,
                                              ShardIteratorType="AT_SEQUENCE_NUMBER",
                                              SequenceNumber=first)["ShardIterator"]
        found: list[dict[str, Any]] = []
        empty = 0
        while iterator and empty < max_empty_pages:
            page = streams.get_records(ShardIterator=iterator, Limit=1000)
            records = page.get("Records", [])
            empty = 0 if records else empty + 1
            for record in records:
                if int(record["dynamodb"]["SequenceNumber"]) > int(last):
                    return found
                found.append(record)
            if found and found[-1]["dynamodb"]["SequenceNumber"] == last:
                return found
            iterator = page.get("NextShardIterator")
        return found
    except AWS_ERRORS as error:
        if error_code(error) in ("TrimmedDataAccessException", "ResourceNotFoundException"):
            raise RecordsExpired(f"the stream no longer holds records {first} to {last} of {shard_id} "
                                 "(DynamoDB Streams keeps them 24 hours)") from error
        raise
