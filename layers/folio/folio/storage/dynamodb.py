"""Storage: the only module that imports boto3.

DynamoDB holds one *head* item per document (``sk = HEAD``) and one immutable *history*
item per committed version (``sk = V#<version>``), always written together in one
transaction, each conditional. S3 holds files in a versioned bucket; every read names the
exact VersionId. ``ClientError`` never leaves this module: it becomes a domain error.
"""

from __future__ import annotations

import base64
import hashlib
import threading
from dataclasses import dataclass
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from .config import Settings, settings
from ..core.errors import ConditionFailed, FolioError, PayloadTooLarge, StorageUnavailable

HEAD = "HEAD"

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
#: How often a write that AWS cancelled without executing it (a transaction conflict, a throttle)
#: is sent again before the caller is told to retry later.
TRANSIENT_ATTEMPTS = 6

#: Error codes after which nothing was executed and the same call may simply be sent again.
_TRANSIENT_CODES = frozenset({
    "TransactionConflictException", "ProvisionedThroughputExceededException", "ThrottlingException",
    "RequestLimitExceeded", "LimitExceededException",
})
#: TransactionCanceledException reasons that mean "not executed, try again".
_TRANSIENT_REASONS = frozenset({"TransactionConflict", "ThrottlingError", "ProvisionedThroughputExceeded",
                                "RequestLimitExceeded"})
#: Reasons that mean the request itself can never be executed as it is (an item or collection too large).
_REFUSED_REASONS = frozenset({"ValidationError", "ItemCollectionSizeLimitExceeded"})

_clients: dict[str, Any] = {}
_clients_lock = threading.Lock()


def _client(service: str, cfg: Settings):
    """One client per service and endpoint, created on first use (after moto is up in tests)."""
    endpoint_url = cfg.endpoint_url(service)
    cache_key = f"{service}|{endpoint_url}|{cfg.region}"
    client = _clients.get(cache_key)
    if client is None:
        with _clients_lock:
            client = _clients.get(cache_key)
            if client is None:
                config = Config(
                    retries={"mode": "standard", "max_attempts": 3},
                    connect_timeout=3,
                    read_timeout=10,
                    s3={"addressing_style": "path"} if endpoint_url else None,
                    signature_version="s3v4" if service == "s3" else None,  # presigned URLs: SigV4
                )
                client = boto3.session.Session().client(
                    service, region_name=cfg.region, endpoint_url=endpoint_url, config=config
                )
                _clients[cache_key] = client
    return client


def reset_clients() -> None:
    """Forget cached clients (tests that start a fresh moto)."""
    with _clients_lock:
        _clients.clear()


def history_sk(version: int) -> str:
    return f"V#{version:010d}"


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


def _action_bytes(action: dict[str, Any]) -> int:
    """What one transaction action adds to the transaction's 4 MB."""
    (kind, body), = action.items()
    if kind == "Put":
        return item_bytes(body["Item"])
    values = body.get("ExpressionAttributeValues") or {}
    return item_bytes(body["Key"]) + sum(_value_bytes(v) for v in values.values())


def _check_item(item: dict[str, Any], what: str) -> None:
    size = item_bytes(item)
    if size > MAX_ITEM_BYTES:
        raise PayloadTooLarge(f"{what} would be {size:,} bytes as stored; a DynamoDB item holds at most "
                              f"400 KB ({MAX_ITEM_BYTES:,} bytes)")


def _pack(groups: list[list[dict[str, Any]]], max_actions: int,
          max_bytes: int = TRANSACTION_BYTE_BUDGET) -> list[list[int]]:
    """Group indexes packed into transactions of at most ``max_actions`` actions and ``max_bytes``;
    a group (one document's actions) is never split."""
    packs: list[list[int]] = []
    actions = size = 0
    for index, group in enumerate(groups):
        group_size = sum(_action_bytes(a) for a in group)
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


# ---------------------------------------------------------------- errors, by code and reason

def _cancellation_codes(error: ClientError) -> list[str]:
    return [(reason or {}).get("Code") or "None" for reason in error.response.get("CancellationReasons") or []]


class _Failure:
    """How a DynamoDB error is to be handled, decided from its code and cancellation reasons only."""

    CONDITION = "condition"  # another writer got there first: the caller decides
    TRANSIENT = "transient"  # nothing executed; the same write may be sent again
    REFUSED = "refused"  # the request can never be executed as it is (a limit)
    FAILED = "failed"  # AWS failed or the outcome is unknown: retry later, from the top

    @staticmethod
    def of(error: Exception) -> tuple[str, list[int]]:
        if not isinstance(error, ClientError):
            return _Failure.FAILED, []  # a timeout or a connection error: botocore already retried
        code = error.response.get("Error", {}).get("Code", "")
        if code == "ConditionalCheckFailedException":
            return _Failure.CONDITION, [0]
        if code == "TransactionCanceledException":
            codes = _cancellation_codes(error)
            failed = [i for i, c in enumerate(codes) if c == "ConditionalCheckFailed"]
            if failed:
                return _Failure.CONDITION, failed
            if any(c in _REFUSED_REASONS for c in codes):
                return _Failure.REFUSED, [i for i, c in enumerate(codes) if c in _REFUSED_REASONS]
            if any(c in _TRANSIENT_REASONS for c in codes):
                return _Failure.TRANSIENT, []
            return _Failure.FAILED, []
        if code in _TRANSIENT_CODES:
            return _Failure.TRANSIENT, []
        if code == "ValidationException":
            # folio writes every expression itself and sizes every item and transaction before
            # sending it, so what the store still refuses is a size it counts differently
            return _Failure.REFUSED, []
        return _Failure.FAILED, []


def _domain_error(error: Exception, what: str) -> FolioError:
    """A domain error for a failure that is not a condition: never naming an AWS error code."""
    kind, _ = _Failure.of(error)
    if kind == _Failure.REFUSED:
        return PayloadTooLarge(f"{what}: the request exceeds a limit of the document store "
                               f"(400 KB per item, 4 MB per transaction)")
    return StorageUnavailable(f"{what} did not complete; retry later")


class ConditionsFailed(Exception):
    """A write was refused by its conditions; ``indexes`` are the actions whose condition failed."""

    def __init__(self, indexes: list[int]):
        super().__init__(f"conditions failed for {indexes}")
        self.indexes = indexes


class _Dynamo:
    """Every DynamoDB call goes through :meth:`_call`: one classification for all of them."""

    def __init__(self, cfg: Settings | None = None):
        self._cfg = cfg or settings()
        self._db = _client("dynamodb", self._cfg)
        self._name = self._cfg.table_name

    def _call(self, operation: str, what: str, **request: Any) -> dict[str, Any]:
        """Send one call; resend it while AWS says it executed nothing (a transaction conflict, a
        throttle), a bounded number of times with backoff. Raises ConditionsFailed or a domain error."""
        from ..core import service as core

        for attempt in range(TRANSIENT_ATTEMPTS):
            try:
                return getattr(self._db, operation)(**request)
            except (ClientError, BotoCoreError) as error:
                kind, indexes = _Failure.of(error)
                if kind == _Failure.CONDITION:
                    raise ConditionsFailed(indexes) from error
                if kind != _Failure.TRANSIENT:
                    raise _domain_error(error, what) from error
                if attempt + 1 == TRANSIENT_ATTEMPTS:
                    raise StorageUnavailable(f"{what} kept meeting concurrent transactions; retry later") from error
                core.request_stats["transient_retries"] = core.request_stats.get("transient_retries", 0) + 1
                core.pause(attempt + 1)
        raise AssertionError("unreachable")

    def _get(self, key: dict[str, Any], what: str) -> dict[str, Any] | None:
        return self._call("get_item", what, TableName=self._name, Key=key, ConsistentRead=True).get("Item")

    def _batch_get(self, keys: list[dict[str, Any]], what: str) -> list[dict[str, Any]]:
        """Items by key, strongly consistent: 100 keys a call, unprocessed keys (16 MB a call) sent again."""
        from ..core import service as core

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

    def _transact(self, actions: list[dict[str, Any]], what: str) -> None:
        if actions:
            self._call("transact_write_items", what, TransactItems=actions)


class DocumentTable(_Dynamo):
    """Head + history items of documents, and the id counters, in one DynamoDB table."""

    def get_head(self, pk: str) -> dict[str, Any] | None:
        """The head item's ``version`` and ``record`` (JSON text), read strongly consistent."""
        item = self._get({"pk": {"S": pk}, "sk": {"S": HEAD}}, "reading the document")
        if not item or "record" not in item:
            return None  # absent, or a placeholder locked by a pending atomic batch
        return {"version": int(item["version"]["N"]), "record": item["record"]["S"],
                "lock": item["txlock"]["S"] if "txlock" in item else None}

    def get_heads(self, pks: list[str]) -> dict[str, Head]:
        """Heads by pk (BatchGetItem, strongly consistent)."""
        items = self._batch_get([{"pk": {"S": pk}, "sk": {"S": HEAD}} for pk in pks], "reading the documents")
        return {item["pk"]["S"]: _head(item) for item in items}

    def check_record(self, pk: str, record: str) -> None:
        """PayloadTooLarge, naming the limit, when a version of ``record`` cannot be stored: checked
        on the largest item it will be part of (a head while a batch holds it locked)."""
        _check_item({"pk": {"S": pk}, "sk": {"S": HEAD}, "version": {"N": "9" * 20}, "record": {"S": record},
                     "txlock": {"S": "f" * 32}, "pending_version": {"N": "9" * 20}}, "the document")

    def commit(self, pk: str, version: int, record: str) -> None:
        """Write head and history of ``version`` in one transaction.

        ``version == 1`` requires that no head exists; otherwise the head must still be at
        ``version - 1``. Raises ConditionFailed when another writer got there first.
        """
        self.check_record(pk, record)
        try:
            self._transact(self._version_actions(VersionWrite(pk, version, record), lock=None),
                           "saving the document")
        except ConditionsFailed as failed:
            raise ConditionFailed(pk) from failed

    def get_version(self, pk: str, version: int) -> str | None:
        """The record of one committed version, from its immutable history item."""
        item = self._get({"pk": {"S": pk}, "sk": {"S": history_sk(version)}}, "reading the document history")
        return item["record"]["S"] if item else None

    def history(self, pk: str) -> list[tuple[int, str]]:
        """Every committed version's ``(version, record)``, oldest first (one paginated Query)."""
        items = self._query("reading the document history", "pk = :pk AND begins_with(sk, :v)",
                            {":pk": {"S": pk}, ":v": {"S": "V#"}})
        return [(int(i["version"]["N"]), i["record"]["S"]) for i in items]

    def next_id(self, counter_pk: str) -> int:
        """An atomic counter: each call returns a new integer, never reused."""
        out = self._call("update_item", "allocating an id", TableName=self._name,
                         Key={"pk": {"S": counter_pk}, "sk": {"S": "COUNTER"}},
                         UpdateExpression="ADD n :one", ExpressionAttributeValues={":one": {"N": "1"}},
                         ReturnValues="UPDATED_NEW")
        return int(out["Attributes"]["n"]["N"])

    def raise_counter(self, counter_pk: str, at_least: int) -> None:
        """Move a counter up to ``at_least`` (never down), for ids created outside next_id."""
        try:
            self._call("update_item", "moving the id counter", TableName=self._name,
                       Key={"pk": {"S": counter_pk}, "sk": {"S": "COUNTER"}}, UpdateExpression="SET n = :v",
                       ConditionExpression="attribute_not_exists(n) OR n < :v",
                       ExpressionAttributeValues={":v": {"N": str(at_least)}})
        except ConditionsFailed:
            pass  # already at or above it

    def _version_actions(self, w: VersionWrite, lock: str | None) -> list[dict[str, Any]]:
        """Head and history of one version (and the alias of a create): conditional on the version
        before, or, rolling a batch forward, on the batch's lock."""
        item = {"version": {"N": str(w.version)}, "record": {"S": w.record}}
        if lock is not None:  # the whole head replaced: the lock goes with the old item
            head = {"Put": {"TableName": self._name, "Item": {"pk": {"S": w.pk}, "sk": {"S": HEAD}, **item},
                            "ConditionExpression": "txlock = :t", "ExpressionAttributeValues": {":t": {"S": lock}}}}
        elif w.version == 1:
            head = {"Put": {"TableName": self._name, "Item": {"pk": {"S": w.pk}, "sk": {"S": HEAD}, **item},
                            "ConditionExpression": "attribute_not_exists(pk)"}}
        else:
            head = {"Put": {"TableName": self._name, "Item": {"pk": {"S": w.pk}, "sk": {"S": HEAD}, **item},
                            "ConditionExpression": "version = :expected AND attribute_not_exists(txlock)",
                            "ExpressionAttributeValues": {":expected": {"N": str(w.version - 1)}}}}
        actions = [head, {"Put": {"TableName": self._name,
                                  "Item": {"pk": {"S": w.pk}, "sk": {"S": history_sk(w.version)}, **item},
                                  "ConditionExpression": "attribute_not_exists(pk)"}}]
        if lock is not None:
            actions.append({"Delete": {"TableName": self._name, "Key": _pending_key(w.pk, lock)}})
        if w.alias:
            actions.append({"Put": {"TableName": self._name,
                                    "Item": {"pk": {"S": w.alias}, "sk": {"S": "ALIAS"}, "target": {"S": w.pk}},
                                    "ConditionExpression": "attribute_not_exists(pk)"}})
        return actions


def idempotency_store(cfg: Settings | None = None):
    """Powertools' idempotency records, in the documents table, through folio's own client."""
    from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer

    cfg = cfg or settings()
    return DynamoDBPersistenceLayer(table_name=cfg.table_name, key_attr="pk", sort_key_attr="sk",
                                    boto3_client=_client("dynamodb", cfg))


# ---------------------------------------------------------------- atomic batches

@dataclass(frozen=True)
class Head:
    """A head item as stored: ``record`` is None for a placeholder a pending create locked;
    ``lock`` names the batch holding it and ``pending_version`` the version that batch writes."""

    pk: str
    version: int
    record: str | None
    lock: str | None = None
    pending_version: int | None = None


@dataclass(frozen=True)
class VersionWrite:
    """The next version of one document; ``alias`` (only on create) is an extra pk that points at it."""

    pk: str
    version: int
    record: str
    alias: str | None = None


class BatchConflict(Exception):
    """A write was refused by conditions; ``indexes`` are the documents whose condition failed."""

    def __init__(self, indexes: list[int]):
        super().__init__(f"conditions failed for {indexes}")
        self.indexes = indexes


INTENTS_PK = "folio#batch-intents"


class BatchAborted(Exception):
    """The batch's intent is no longer PENDING (a recoverer judged its writer dead): lock nothing more."""


def _pending_key(pk: str, txid: str) -> dict[str, Any]:
    """The item that holds a locked document's pending record, beside its head (never on it: a lock
    must not double the head's size against the 400 KB an item holds)."""
    return {"pk": {"S": pk}, "sk": {"S": f"PENDING#{txid}"}}


class BatchTable(DocumentTable):
    """The storage half of multi-document atomic writes: many heads in one transaction, or,
    beyond one transaction (100 actions, 4 MB), locks + one intent record as the commit point.
    Every method that writes several documents packs them into transactions by actions and bytes."""

    def __init__(self, cfg: Settings | None = None, *, max_actions: int | None = None):
        super().__init__(cfg)
        self.max_actions = min(MAX_TRANSACTION_ACTIONS, max_actions or self._cfg.max_transaction_actions)
        #: bytes per transaction; lower only to exercise packing with small records (tests)
        self.max_bytes = TRANSACTION_BYTE_BUDGET

    def get_alias(self, alias: str) -> str | None:
        item = self._get({"pk": {"S": alias}, "sk": {"S": "ALIAS"}}, "reading the document")
        return item["target"]["S"] if item else None

    def fits_one_transaction(self, writes: list[VersionWrite]) -> bool:
        """Whether these versions can be written by one transaction (actions and bytes)."""
        return len(_pack([self._version_actions(w, lock=None) for w in writes], self.max_actions, self.max_bytes)) <= 1

    def write_versions(self, writes: list[VersionWrite]) -> None:
        """Every write in one transaction, each conditional on the version before (BatchConflict);
        the caller asked :meth:`fits_one_transaction` first (the store refuses more: 413)."""
        groups = [self._version_actions(w, lock=None) for w in writes]
        self._transact_groups(groups, list(range(len(writes))), "saving the documents")

    def lock(self, txid: str, locks: list[tuple[str, int, str]]) -> None:
        """Lock heads for ``txid``, each beside an item holding its pending record: ``(pk, expected
        version, record)``; expected 0 means the document must not exist (a placeholder head is
        created). As many transactions as needed, each also conditional on the intent still being
        ``PENDING`` (so no lock lands after a recoverer aborted the batch and released its locks:
        BatchAborted). BatchConflict names the documents that failed; earlier transactions stay
        locked (the caller aborts: see :meth:`release_locks`)."""
        intent_pending = {"ConditionCheck": {
            "TableName": self._name, "Key": {"pk": {"S": INTENTS_PK}, "sk": {"S": txid}},
            "ConditionExpression": "#s = :pending", "ExpressionAttributeNames": {"#s": "state"},
            "ExpressionAttributeValues": {":pending": {"S": "PENDING"}}}}
        groups = []
        for pk, expected, record in locks:
            pending = {"Put": {"TableName": self._name, "Item": {
                **_pending_key(pk, txid), "version": {"N": str(expected + 1)}, "record": {"S": record}},
                "ConditionExpression": "attribute_not_exists(pk)"}}
            if expected == 0:
                head = {"Put": {"TableName": self._name, "Item": {
                    "pk": {"S": pk}, "sk": {"S": HEAD}, "version": {"N": "0"}, "txlock": {"S": txid},
                    "pending_version": {"N": "1"}}, "ConditionExpression": "attribute_not_exists(pk)"}}
            else:
                head = {"Update": {
                    "TableName": self._name, "Key": {"pk": {"S": pk}, "sk": {"S": HEAD}},
                    "UpdateExpression": "SET txlock = :t, pending_version = :pv",
                    "ConditionExpression": "version = :v AND attribute_not_exists(txlock)",
                    "ExpressionAttributeValues": {":t": {"S": txid}, ":pv": {"N": str(expected + 1)},
                                                  ":v": {"N": str(expected)}}}}
            groups.append([head, pending])
        for pack in _pack(groups, self.max_actions - 1, self.max_bytes - _action_bytes(intent_pending)):
            try:
                self._transact([intent_pending] + [a for i in pack for a in groups[i]], "locking the documents")
            except ConditionsFailed as failed:
                if 0 in failed.indexes:
                    raise BatchAborted(txid) from failed
                raise BatchConflict(sorted({pack[(i - 1) // 2] for i in failed.indexes})) from failed

    def locked_writes(self, txid: str, pks: list[str], aliases: dict[str, str]) -> list[VersionWrite]:
        """The pending versions of the documents ``txid`` still holds (two reads: heads, then records)."""
        held = [h for h in self.get_heads(pks).values() if h.lock == txid]
        records = {item["pk"]["S"]: item["record"]["S"]
                   for item in self._batch_get([_pending_key(h.pk, txid) for h in held], "reading the batch")}
        return [VersionWrite(h.pk, h.pending_version, records[h.pk], aliases.get(h.pk))
                for h in held if h.pk in records]

    def apply_locked(self, txid: str, writes: list[VersionWrite]) -> list[VersionWrite]:
        """Roll forward: each locked head becomes its pending version, with its history (and alias),
        as many transactions as needed. Returns the writes of the transactions that did not go
        through (their lock conditions failed because a concurrent recovery applied some first, or
        AWS could not run them now): the caller re-reads which of them are still locked."""
        groups = [self._version_actions(w, lock=txid) for w in writes]
        failed: list[VersionWrite] = []
        for pack in _pack(groups, self.max_actions, self.max_bytes):
            try:
                self._transact_groups([groups[i] for i in pack], pack, "applying the batch")
            except PayloadTooLarge:
                if len(pack) == 1:  # cannot happen (sized when locked); left locked, never dropped
                    failed.append(writes[pack[0]])
                    continue
                # the store counts this pack larger than folio does: one document per transaction
                failed.extend(self.apply_locked(txid, [writes[i] for i in pack[:len(pack) // 2]]))
                failed.extend(self.apply_locked(txid, [writes[i] for i in pack[len(pack) // 2:]]))
            except (BatchConflict, StorageUnavailable):
                failed.extend(writes[i] for i in pack)
        return failed

    def release_locks(self, txid: str, pks: list[str]) -> None:
        """Roll back the heads ``txid`` holds (a placeholder is deleted), and their pending items."""
        for head in self.get_heads(pks).values():
            if head.lock != txid:
                continue
            if head.record is None:
                release = {"Delete": {"TableName": self._name, "Key": {"pk": {"S": head.pk}, "sk": {"S": HEAD}},
                                      "ConditionExpression": "txlock = :t",
                                      "ExpressionAttributeValues": {":t": {"S": txid}}}}
            else:
                release = {"Update": {"TableName": self._name, "Key": {"pk": {"S": head.pk}, "sk": {"S": HEAD}},
                                      "UpdateExpression": "REMOVE txlock, pending_version",
                                      "ConditionExpression": "txlock = :t",
                                      "ExpressionAttributeValues": {":t": {"S": txid}}}}
            try:
                self._transact([release, {"Delete": {"TableName": self._name, "Key": _pending_key(head.pk, txid)}}],
                               "releasing a lock")
            except ConditionsFailed:
                pass  # released by a concurrent recovery

    # ---- intents: the single record whose state is the batch's commit point
    def put_intent(self, txid: str, intent: str, started: int) -> None:
        item = {"pk": {"S": INTENTS_PK}, "sk": {"S": txid}, "state": {"S": "PENDING"},
                "intent": {"S": intent}, "started": {"N": str(started)}}
        _check_item(item, "the batch's intent record")
        try:
            self._call("put_item", "recording the batch", TableName=self._name, Item=item,
                       ConditionExpression="attribute_not_exists(pk)")
        except ConditionsFailed as failed:
            raise StorageUnavailable("recording the batch did not complete; retry later") from failed

    def get_intent(self, txid: str) -> dict[str, Any] | None:
        item = self._get({"pk": {"S": INTENTS_PK}, "sk": {"S": txid}}, "reading the batch")
        return _intent(item) if item else None

    def list_intents(self) -> list[dict[str, Any]]:
        return [_intent(item) for item in self._query("listing batches", "pk = :pk", {":pk": {"S": INTENTS_PK}})]

    def transition_intent(self, txid: str, from_state: str, to_state: str) -> bool:
        """Move the intent's state if it is still ``from_state``; False when another party moved it."""
        try:
            self._call("update_item", "deciding the batch", TableName=self._name,
                       Key={"pk": {"S": INTENTS_PK}, "sk": {"S": txid}},
                       UpdateExpression="SET #s = :to", ConditionExpression="#s = :from",
                       ExpressionAttributeNames={"#s": "state"},
                       ExpressionAttributeValues={":to": {"S": to_state}, ":from": {"S": from_state}})
            return True
        except ConditionsFailed:
            return False

    def delete_intent(self, txid: str) -> None:
        self._call("delete_item", "finishing the batch", TableName=self._name,
                   Key={"pk": {"S": INTENTS_PK}, "sk": {"S": txid}})

    def _transact_groups(self, groups: list[list[dict[str, Any]]], owners: list[int], what: str) -> None:
        """One transaction of several documents' actions; BatchConflict names the documents (by
        ``owners``) whose conditions failed."""
        actions, owner_of = [], []
        for owner, group in zip(owners, groups):
            actions.extend(group)
            owner_of.extend([owner] * len(group))
        try:
            self._transact(actions, what)
        except ConditionsFailed as failed:
            raise BatchConflict(sorted({owner_of[i] for i in failed.indexes if i < len(owner_of)})
                                or sorted(set(owners))) from failed


def _head(item: dict[str, Any]) -> Head:
    return Head(
        pk=item["pk"]["S"], version=int(item["version"]["N"]),
        record=item["record"]["S"] if "record" in item else None,
        lock=item["txlock"]["S"] if "txlock" in item else None,
        pending_version=int(item["pending_version"]["N"]) if "pending_version" in item else None,
    )


def _intent(item: dict[str, Any]) -> dict[str, Any]:
    return {"txid": item["sk"]["S"], "state": item["state"]["S"], "intent": item["intent"]["S"],
            "started": int(item["started"]["N"])}


@dataclass(frozen=True)
class StoredObject:
    key: str
    version_id: str
    size: int
    sha256: str
    content_type: str


class FileStore:
    """Files in the versioned bucket, always addressed by (key, VersionId)."""

    def __init__(self, cfg: Settings | None = None):
        self._cfg = cfg or settings()
        self._s3 = _client("s3", self._cfg)
        self._bucket = self._cfg.bucket_name

    def put(self, key: str, data: bytes, content_type: str) -> StoredObject:
        digest = hashlib.sha256(data).digest()
        try:
            out = self._s3.put_object(
                Bucket=self._bucket,
                Key=key,
                Body=data,
                ContentType=content_type,
                ChecksumSHA256=base64.b64encode(digest).decode(),
            )
        except (ClientError, BotoCoreError) as e:
            raise _domain_error(e, "storing the file") from e
        version_id = out.get("VersionId")
        if not version_id:
            raise StorageUnavailable("the bucket does not version its objects; refusing to store")
        return StoredObject(key, version_id, len(data), digest.hex(), content_type)

    def get(self, key: str, version_id: str) -> bytes:
        try:
            out = self._s3.get_object(Bucket=self._bucket, Key=key, VersionId=version_id)
            return out["Body"].read()
        except (ClientError, BotoCoreError) as e:
            raise _domain_error(e, "reading the file") from e

    def describe(self, key: str, version_id: str) -> StoredObject:
        """Size, content type and SHA-256 of one object version, hashed while streaming its bytes."""
        digest = hashlib.sha256()
        try:
            out = self._s3.get_object(Bucket=self._bucket, Key=key, VersionId=version_id)
            size = 0
            for chunk in out["Body"].iter_chunks(1024 * 1024):
                digest.update(chunk)
                size += len(chunk)
        except (ClientError, BotoCoreError) as e:
            raise _domain_error(e, "reading the uploaded file") from e
        return StoredObject(key, version_id, size, digest.hexdigest(), out.get("ContentType") or "application/octet-stream")

    def presign_put(self, key: str, content_type: str, expires_in: int) -> str:
        """A URL that lets its holder PUT this one key, with this Content-Type, until it expires."""
        try:
            return self._s3.generate_presigned_url(
                "put_object", Params={"Bucket": self._bucket, "Key": key, "ContentType": content_type},
                ExpiresIn=expires_in, HttpMethod="PUT")
        except (ClientError, BotoCoreError) as e:
            raise _domain_error(e, "signing the upload URL") from e

    def delete_version(self, key: str, version_id: str) -> None:
        try:
            self._s3.delete_object(Bucket=self._bucket, Key=key, VersionId=version_id)
        except (ClientError, BotoCoreError) as e:
            raise _domain_error(e, "deleting an unreferenced file version") from e
