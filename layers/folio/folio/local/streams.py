"""The table's stream read, and the functions on it run, as Lambda's event source mapping does
(DESIGN §11): batches in shard order, filter patterns, ``ReportBatchItemFailures`` (the batch
is sent again from the first record named), bisection on a function error, bounded retries,
and the on-failure destination (here: a list, and a line on stderr).

moto's stream keeps the records of a transaction it rolled back in a shard its rollback
replaces, so an iterator kept across calls can miss later records or see ones that never
committed: every read here asks for a fresh iterator after the last sequence number seen.
"""

from __future__ import annotations

import json
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .aws import LOCAL_REGION
from .template import StreamTrigger


def lambda_record(record: dict[str, Any], stream_arn: str) -> dict[str, Any]:
    """A record of the DynamoDB Streams API as Lambda hands it to a function."""
    stream = dict(record["dynamodb"])
    created = stream.get("ApproximateCreationDateTime")
    if hasattr(created, "timestamp"):
        stream["ApproximateCreationDateTime"] = int(created.timestamp())
    return {"eventID": record["eventID"], "eventName": record["eventName"], "eventVersion": "1.1",
            "eventSource": "aws:dynamodb", "awsRegion": record.get("awsRegion", LOCAL_REGION),
            "dynamodb": stream, "eventSourceARN": stream_arn}


class StreamReader:
    """Every record of a table's stream, each once, in shard order (closed shards first)."""

    def __init__(self, dynamodb, streams, table: str, *, latest: bool = False):
        self.streams = streams
        self.stream_arn = dynamodb.describe_table(TableName=table)["Table"]["LatestStreamArn"]
        #: per shard: the last sequence number read (None: from its start)
        self.positions: dict[str, str | None] = {}
        #: the shard each record read came from, by sequence number
        self.shard_of: dict[str, str] = {}
        while latest and self.read():  # StartingPosition LATEST: what is already there is not read
            pass

    def _shards(self) -> list[str]:
        shards, start = [], None
        while True:
            page = self.streams.describe_stream(StreamArn=self.stream_arn, **(
                {"ExclusiveStartShardId": start} if start else {}))["StreamDescription"]
            shards += [s["ShardId"] for s in page.get("Shards", [])]
            start = page.get("LastEvaluatedShardId")
            if not start:
                return shards

    def read(self, limit: int = 1000) -> list[dict[str, Any]]:
        """The records written since the last read, as Lambda passes them."""
        found: list[dict[str, Any]] = []
        for shard in self._shards():
            last = self.positions.get(shard)
            where = ({"ShardIteratorType": "AFTER_SEQUENCE_NUMBER", "SequenceNumber": last} if last
                     else {"ShardIteratorType": "TRIM_HORIZON"})
            iterator = self.streams.get_shard_iterator(StreamArn=self.stream_arn, ShardId=shard,
                                                       **where)["ShardIterator"]
            records = self.streams.get_records(ShardIterator=iterator, Limit=limit).get("Records", [])
            if records:
                self.positions[shard] = records[-1]["dynamodb"]["SequenceNumber"]
                self.shard_of.update((r["dynamodb"]["SequenceNumber"], shard) for r in records)
                found += [lambda_record(r, self.stream_arn) for r in records]
            else:
                self.positions.setdefault(shard, None)
        return found


@dataclass
class Failure:
    """What Lambda sends an on-failure destination: the batch's place in the stream, not its records."""

    function: str
    first_sequence_number: str
    last_sequence_number: str
    batch_size: int
    attempts: int
    condition: str  # RetryAttemptsExhausted
    stream_arn: str = ""
    shard_id: str = ""

    def destination_record(self) -> dict[str, Any]:
        """The message Lambda puts in the on-failure destination of a DynamoDB stream mapping (what
        `folio replay-changes` reads)."""
        return {"version": "1.0", "requestContext": {
                    "functionArn": f"arn:aws:lambda:{LOCAL_REGION}:123456789012:function:{self.function}",
                    "condition": self.condition, "approximateInvokeCount": self.attempts},
                "DDBStreamBatchInfo": {"shardId": self.shard_id, "startSequenceNumber": self.first_sequence_number,
                                       "endSequenceNumber": self.last_sequence_number, "batchSize": self.batch_size,
                                       "streamArn": self.stream_arn}}


@dataclass
class EventSourceMapping:
    """One function on one stream, with the template's settings (:class:`StreamTrigger`).
    ``invoke(function_id, event) -> result`` runs the function as Lambda would (errorType on a crash)."""

    function_id: str
    trigger: StreamTrigger
    reader: StreamReader
    invoke: Callable[[str, dict[str, Any]], Any]
    #: seconds between retries (Lambda backs off too; short here so that a laptop does not wait)
    retry_pause: float = 0.05
    failures: list[Failure] = field(default_factory=list)

    def __post_init__(self):
        from moto.events.models import EventPattern  # Lambda's filter rules are EventBridge's

        self._patterns = [EventPattern.load(p) for p in self.trigger.filters]

    def matches(self, record: dict[str, Any]) -> bool:
        return not self._patterns or any(p.matches_event(record) for p in self._patterns)

    def poll(self) -> int:
        """Read what the stream holds now and run every batch of it to its end; records handled."""
        records = [r for r in self.reader.read() if self.matches(r)]
        for start in range(0, len(records), self.trigger.batch_size):
            self._run(records[start:start + self.trigger.batch_size])
        return len(records)

    def _run(self, batch: list[dict[str, Any]]) -> None:
        """Until every record is done or given up on: the batch, then what it asked to retry."""
        attempts = 0
        while batch:
            result = self.invoke(self.function_id, {"Records": batch})
            failed_at = self._failed_at(batch, result)
            if failed_at is None:
                return
            if failed_at == 0 and self._is_error(result) and self.trigger.bisect_on_error and len(batch) > 1:
                half = len(batch) // 2  # bisection does not count against the retries
                self._run(batch[:half])
                self._run(batch[half:])
                return
            batch = batch[failed_at:]
            attempts += 1
            if 0 <= self.trigger.maximum_retry_attempts < attempts:
                self._give_up(batch, attempts)
                return
            time.sleep(self.retry_pause * attempts)

    @staticmethod
    def _is_error(result: Any) -> bool:
        return isinstance(result, dict) and "errorType" in result

    def _failed_at(self, batch: list[dict[str, Any]], result: Any) -> int | None:
        """Where the batch is to be sent again from (None: all done). A function error, or a
        failure naming no record of the batch, fails the whole batch, as Lambda has it."""
        if self._is_error(result):
            return 0
        if not self.trigger.report_batch_item_failures or not isinstance(result, dict):
            return None
        named = [f.get("itemIdentifier") for f in result.get("batchItemFailures") or [] if isinstance(f, dict)]
        if not named:
            return None
        numbers = [r["dynamodb"]["SequenceNumber"] for r in batch]
        if any(n not in numbers for n in named):
            return 0
        return min(numbers.index(n) for n in named)

    def _give_up(self, batch: list[dict[str, Any]], attempts: int) -> None:
        first = batch[0]["dynamodb"]["SequenceNumber"]
        failure = Failure(self.function_id, first, batch[-1]["dynamodb"]["SequenceNumber"], len(batch), attempts,
                          "RetryAttemptsExhausted", batch[0].get("eventSourceARN", ""),
                          getattr(self.reader, "shard_of", {}).get(first, ""))
        self.failures.append(failure)
        print(f"folio local: {self.function_id} gave up on {len(batch)} stream records after {attempts} attempts "
              f"(on AWS: a message in {self.trigger.on_failure or 'no destination'}; `folio replay-changes` "
              f"announces them again): {json.dumps(failure.destination_record())}", file=sys.stderr, flush=True)


class StreamPoller:
    """Polls every mapping on a thread of its own until stopped (folio local)."""

    def __init__(self, mappings: list[EventSourceMapping], interval: float = 0.2):
        self.mappings = mappings
        self.interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="stream-poller", daemon=True)

    def start(self) -> StreamPoller:
        self._thread.start()
        return self

    def _loop(self) -> None:
        while not self._stop.is_set():
            busy = False
            for mapping in self.mappings:
                try:
                    busy |= mapping.poll() > 0
                except Exception as error:  # noqa: BLE001 - the endpoint went away, or a bug: say so, go on
                    print(f"folio local: reading the stream for {mapping.function_id} failed: {error}",
                          file=sys.stderr, flush=True)
            if not busy:
                self._stop.wait(self.interval)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(5)


def mappings_for(template, runtime, aws, *, latest: bool = False) -> list[EventSourceMapping]:
    """An event source mapping per stream trigger of the template, over ``aws``'s table streams
    (``latest``: from now on, whatever the template's starting position: what folio local wrote
    before it served anything, its seed, announces nothing)."""
    dynamodb, streams = aws.client("dynamodb"), aws.client("dynamodbstreams")
    found = []
    for fn in template.functions.values():
        for trigger in fn.stream_triggers:
            table = template.resolve({"Ref": trigger.table})
            reader = StreamReader(dynamodb, streams, table, latest=latest or trigger.starting_position == "LATEST")
            found.append(EventSourceMapping(fn.logical_id, trigger, reader, runtime.invoke))
    return found
