"""Every DynamoDB call folio makes, sent and classified in one place, and DynamoDB's limits as
folio counts them (DESIGN §2): what the document and batch tables build on."""

from __future__ import annotations

from typing import Any

from ..core import service as core
from ..core.errors import PayloadTooLarge, StorageUnavailable
from .clients import AWS_ERRORS, Failure, client, domain_error, error_code, is_conflict, logger
from .config import Settings, settings

# ---------------------------------------------------------------- DynamoDB's limits (DESIGN §2)
#: An item holds at most 400 KB, attribute names included.
MAX_ITEM_BYTES = 400 * 1024
#: A transaction holds at most 100 actions and 4 MB of items; folio packs below a margin of the
#: byte limit so that its own count (exact for strings, an upper bound for numbers) never meets it.
MAX_TRANSACTION_ACTIONS = 100
MAX_TRANSACTION_BYTES = 4 * 1024 * 1024
TRANSACTION_BYTE_BUDGET = MAX_TRANSACTION_BYTES - 64 * 1024
#: BatchGetItem reads at most 100 keys a call.
MAX_BATCH_GET_KEYS = 100
#: How many reads of a sharded set (its shards' queries) are in flight at once: under botocore's
#: pool of 10 connections a client keeps.
PARALLEL_READS = 8
#: How often a write that AWS cancelled without executing it (a transaction conflict, a throttle)
#: is sent again before the caller is told to retry later; inside an invocation's retry budget
#: (core.service.RetryBudget) its deadline bounds the retries of a conflict instead.
TRANSIENT_ATTEMPTS = 6


# ---------------------------------------------------------------- sizes, as DynamoDB counts them

def _value_bytes(value: dict[str, Any]) -> int:
    (kind, data), = value.items()
    if kind == "S":
        return len(data.encode())
    if kind == "N":  # about one byte per two significant digits, plus one; never more than 21
        return min(21, len(data.lstrip("-").replace(".", "").strip("0") or "0") // 2 + 2)
    if kind == "B":
        return len(data)
    if kind in ("BOOL", "NULL"):
        return 1
    if kind == "M":
        return 3 + sum(len(k.encode()) + _value_bytes(v) + 1 for k, v in data.items())
    if kind == "L":
        return 3 + sum(_value_bytes(v) + 1 for v in data)
    return len(repr(data).encode())  # sets: not used by folio; an upper bound


def item_bytes(item: dict[str, Any]) -> int:
    """An item's size as DynamoDB counts it against its 400 KB: names and values."""
    return sum(len(name.encode()) + _value_bytes(value) for name, value in item.items())


def action_bytes(action: dict[str, Any]) -> int:
    """What one transaction action adds to the transaction's 4 MB."""
    (kind, body), = action.items()
    if kind == "Put":
        return item_bytes(body["Item"])
    values = body.get("ExpressionAttributeValues") or {}
    return item_bytes(body["Key"]) + sum(_value_bytes(v) for v in values.values())


def check_item(item: dict[str, Any], what: str) -> None:
    """PayloadTooLarge, naming the limit, for an item DynamoDB would refuse."""
    size = item_bytes(item)
    if size > MAX_ITEM_BYTES:
        raise PayloadTooLarge(f"{what} would be {size:,} bytes as stored; a DynamoDB item holds at most "
                              f"400 KB ({MAX_ITEM_BYTES:,} bytes)")


def pack(groups: list[list[dict[str, Any]]], max_actions: int,
         max_bytes: int = TRANSACTION_BYTE_BUDGET) -> list[list[int]]:
    """Group indexes packed into transactions of at most ``max_actions`` actions and ``max_bytes``;
    a group (one document's actions) is never split."""
    packs: list[list[int]] = []
    actions = size = 0
    for index, group in enumerate(groups):
        group_size = sum(action_bytes(a) for a in group)
        if group_size > TRANSACTION_BYTE_BUDGET or len(group) > max_actions:
            raise PayloadTooLarge(f"one document's write is {group_size:,} bytes; a DynamoDB transaction holds "
                                  f"at most 4 MB ({MAX_TRANSACTION_BYTES:,} bytes)")
        if not packs or actions + len(group) > max_actions or size + group_size > max_bytes:
            packs.append([])
            actions = size = 0
        packs[-1].append(index)
        actions += len(group)
        size += group_size
    return packs


class ConditionsFailed(Exception):
    """A write was refused by its conditions; ``indexes`` are the actions whose condition failed.
    Storage's own: the tables turn it into what the core expects (ConditionFailed, BatchConflict)."""

    def __init__(self, indexes: list[int]):
        super().__init__(f"conditions failed for {indexes}")
        self.indexes = indexes


class Table:
    """The documents table; every call goes through :meth:`_call`: one classification for all of them."""

    def __init__(self, cfg: Settings | None = None):
        self._cfg = cfg or settings()
        self._db = client("dynamodb", self._cfg)
        self._name = self._cfg.table_name

    def _call(self, operation: str, what: str, **request: Any) -> dict[str, Any]:
        """Send one call; resend it while AWS says it executed nothing, with backoff: a transaction
        conflict within the invocation's retry budget (else TRANSIENT_ATTEMPTS times), a throttle
        TRANSIENT_ATTEMPTS times. Raises ConditionsFailed or a domain error."""
        token = request.get("ClientRequestToken")
        attempt = 0
        while True:
            if token:  # each resend of ours is a new transaction (the last was cancelled, not executed)
                request["ClientRequestToken"] = f"{token}-{attempt}"
            try:
                return getattr(self._db, operation)(**request)
            except AWS_ERRORS as error:
                kind, indexes = Failure.of(error)
                if kind == Failure.CONDITION:
                    raise ConditionsFailed(indexes) from error
                if kind != Failure.TRANSIENT:
                    raise domain_error(error, what) from error
                attempt += 1
                if not (core.retry_budget.allows(attempt, TRANSIENT_ATTEMPTS) if is_conflict(error)
                        else attempt < TRANSIENT_ATTEMPTS):
                    logger.warning("AWS call kept failing transiently", extra={
                        "what": what, "attempts": attempt, "aws_error_code": error_code(error)})
                    raise StorageUnavailable(f"{what} kept meeting concurrent transactions or throttling; "
                                             f"retry later") from error
                core.request_stats["transient_retries"] = core.request_stats.get("transient_retries", 0) + 1
                core.pause(attempt)

    def _get(self, key: dict[str, Any], what: str) -> dict[str, Any] | None:
        return self._call("get_item", what, TableName=self._name, Key=key, ConsistentRead=True).get("Item")

    def _batch_get(self, keys: list[dict[str, Any]], what: str) -> list[dict[str, Any]]:
        """Items by key, strongly consistent: 100 keys a call, unprocessed keys (16 MB a call) sent again."""
        found: list[dict[str, Any]] = []
        for start in range(0, len(keys), MAX_BATCH_GET_KEYS):
            request = {self._name: {"Keys": keys[start:start + MAX_BATCH_GET_KEYS], "ConsistentRead": True}}
            attempt = 0
            while request:
                out = self._call("batch_get_item", what, RequestItems=request)
                found.extend(out.get("Responses", {}).get(self._name, []))
                request = out.get("UnprocessedKeys") or None
                if request:
                    attempt += 1
                    core.pause(min(attempt, 6))
        return found

    def _query(self, what: str, condition: str, values: dict[str, Any]) -> list[dict[str, Any]]:
        """Every item a key condition selects, strongly consistent, page by page (1 MB a page)."""
        items: list[dict[str, Any]] = []
        request = {"TableName": self._name, "KeyConditionExpression": condition,
                   "ExpressionAttributeValues": values, "ConsistentRead": True}
        while True:
            page = self._call("query", what, **request)
            items.extend(page.get("Items", []))
            if "LastEvaluatedKey" not in page:
                return items
            request["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def _each(self, calls: list, run) -> list:
        """``run(call)`` for each of ``calls``, in parallel threads when there are several and the
        settings allow (a simulation's scheduler runs one thread at a time); results in order."""
        if len(calls) <= 1 or not self._cfg.parallel_reads:
            return [run(call) for call in calls]
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(max_workers=min(len(calls), PARALLEL_READS), thread_name_prefix="folio-read") as pool:
            return list(pool.map(run, calls))

    def _query_partitions(self, what: str, partitions: list[str]) -> list[dict[str, Any]]:
        """Every item of each partition (the shards of a sharded set), read in parallel."""
        pages = self._each(partitions, lambda pk: self._query(what, "pk = :pk", {":pk": {"S": pk}}))
        return [item for items in pages for item in items]

    def _transact(self, actions: list[dict[str, Any]], what: str, token: str | None = None) -> None:
        """One transaction; ``token`` its ClientRequestToken, so the SDK's resend of an attempt whose
        answer was lost is answered with that attempt's success rather than executed again."""
        if actions:
            extra = {"ClientRequestToken": token} if token else {}
            self._call("transact_write_items", what, TransactItems=actions, **extra)
