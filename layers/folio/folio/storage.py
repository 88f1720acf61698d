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
from .errors import ConditionFailed, PayloadTooLarge, StorageUnavailable

HEAD = "HEAD"

_RETRYABLE_CODES = {
    "ProvisionedThroughputExceededException",
    "ThrottlingException",
    "RequestLimitExceeded",
    "InternalServerError",
    "ServiceUnavailable",
    "SlowDown",
    "InternalError",
    "RequestTimeout",
}

_clients: dict[str, Any] = {}
_clients_lock = threading.Lock()


def _client(service: str, cfg: Settings):
    """One client per service and endpoint, created on first use (after moto is up in tests)."""
    cache_key = f"{service}|{cfg.endpoint_url}|{cfg.region}"
    client = _clients.get(cache_key)
    if client is None:
        with _clients_lock:
            client = _clients.get(cache_key)
            if client is None:
                config = Config(
                    retries={"mode": "standard", "max_attempts": 3},
                    connect_timeout=3,
                    read_timeout=10,
                    s3={"addressing_style": "path"} if cfg.endpoint_url else None,
                    signature_version="s3v4" if service == "s3" else None,  # presigned URLs: SigV4
                )
                client = boto3.session.Session().client(
                    service, region_name=cfg.region, endpoint_url=cfg.endpoint_url, config=config
                )
                _clients[cache_key] = client
    return client


def reset_clients() -> None:
    """Forget cached clients (tests that start a fresh moto)."""
    with _clients_lock:
        _clients.clear()


def history_sk(version: int) -> str:
    return f"V#{version:010d}"


def _is_condition_failure(error: ClientError) -> bool:
    code = error.response.get("Error", {}).get("Code", "")
    if code == "ConditionalCheckFailedException":
        return True
    if code == "TransactionCanceledException":
        reasons = error.response.get("CancellationReasons") or []
        codes = {r.get("Code") for r in reasons}
        if codes & {"ConditionalCheckFailed", "TransactionConflict"}:
            return True
        # moto (and older botocore) only put the reasons in the message
        message = error.response.get("Error", {}).get("Message", "")
        return "ConditionalCheckFailed" in message or "TransactionConflict" in message
    return False


def _domain_error(error: Exception, what: str) -> Exception:
    if isinstance(error, ClientError):
        code = error.response.get("Error", {}).get("Code", "")
        message = error.response.get("Error", {}).get("Message", "")
        if code == "ValidationException" and "size" in message.lower():
            return PayloadTooLarge("the document is larger than the store accepts (400 KB)")
        if code in _RETRYABLE_CODES or error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0) >= 500:
            return StorageUnavailable(f"{what}: {code or 'service error'}, retry later")
        return StorageUnavailable(f"{what} failed: {code}")
    return StorageUnavailable(f"{what}: {type(error).__name__}, retry later")


class DocumentTable:
    """Head + history items of documents, and the id counters, in one DynamoDB table."""

    def __init__(self, cfg: Settings | None = None):
        self._cfg = cfg or settings()
        self._db = _client("dynamodb", self._cfg)
        self._name = self._cfg.table_name

    def get_head(self, pk: str) -> dict[str, Any] | None:
        """The head item's ``version`` and ``record`` (JSON text), read strongly consistent."""
        try:
            out = self._db.get_item(
                TableName=self._name,
                Key={"pk": {"S": pk}, "sk": {"S": HEAD}},
                ConsistentRead=True,
            )
        except (ClientError, BotoCoreError) as e:
            raise _domain_error(e, "reading the document") from e
        item = out.get("Item")
        if not item or "record" not in item:
            return None  # absent, or a placeholder locked by a pending atomic batch
        return {"version": int(item["version"]["N"]), "record": item["record"]["S"],
                "lock": item["txlock"]["S"] if "txlock" in item else None}

    def get_heads(self, pks: list[str]) -> dict[str, Head]:
        """Heads by pk (BatchGetItem, 100 keys a call, strongly consistent)."""
        found: dict[str, Head] = {}
        for start in range(0, len(pks), 100):
            keys = [{"pk": {"S": pk}, "sk": {"S": HEAD}} for pk in pks[start:start + 100]]
            request = {self._name: {"Keys": keys, "ConsistentRead": True}}
            try:
                while request:
                    out = self._db.batch_get_item(RequestItems=request)
                    for item in out.get("Responses", {}).get(self._name, []):
                        found[item["pk"]["S"]] = _head(item)
                    request = out.get("UnprocessedKeys") or None
            except (ClientError, BotoCoreError) as e:
                raise _domain_error(e, "reading the documents") from e
        return found

    def commit(self, pk: str, version: int, record: str) -> None:
        """Write head and history of ``version`` in one transaction.

        ``version == 1`` requires that no head exists; otherwise the head must still be at
        ``version - 1``. Raises ConditionFailed when another writer got there first.
        """
        if version == 1:
            head_condition = {"ConditionExpression": "attribute_not_exists(pk)"}
        else:
            head_condition = {
                "ConditionExpression": "version = :expected AND attribute_not_exists(txlock)",
                "ExpressionAttributeValues": {":expected": {"N": str(version - 1)}},
            }
        item = {"version": {"N": str(version)}, "record": {"S": record}}
        try:
            self._db.transact_write_items(
                TransactItems=[
                    {"Put": {"TableName": self._name,
                             "Item": {"pk": {"S": pk}, "sk": {"S": HEAD}, **item},
                             **head_condition}},
                    {"Put": {"TableName": self._name,
                             "Item": {"pk": {"S": pk}, "sk": {"S": history_sk(version)}, **item},
                             "ConditionExpression": "attribute_not_exists(pk)"}},
                ]
            )
        except ClientError as e:
            if _is_condition_failure(e):
                raise ConditionFailed(pk) from e
            raise _domain_error(e, "saving the document") from e
        except BotoCoreError as e:
            raise _domain_error(e, "saving the document") from e

    def get_version(self, pk: str, version: int) -> str | None:
        """The record of one committed version, from its immutable history item."""
        try:
            out = self._db.get_item(
                TableName=self._name,
                Key={"pk": {"S": pk}, "sk": {"S": history_sk(version)}},
                ConsistentRead=True,
            )
        except (ClientError, BotoCoreError) as e:
            raise _domain_error(e, "reading the document history") from e
        item = out.get("Item")
        return item["record"]["S"] if item else None

    def history(self, pk: str) -> list[tuple[int, str]]:
        """Every committed version's ``(version, record)``, oldest first (one paginated Query)."""
        items = self._query("reading the document history", "pk = :pk AND begins_with(sk, :v)",
                            {":pk": {"S": pk}, ":v": {"S": "V#"}})
        return [(int(i["version"]["N"]), i["record"]["S"]) for i in items]

    def _query(self, what: str, condition: str, values: dict[str, Any]) -> list[dict[str, Any]]:
        """Every item a key condition selects, strongly consistent, through botocore's paginator."""
        try:
            pages = self._db.get_paginator("query").paginate(
                TableName=self._name, KeyConditionExpression=condition, ExpressionAttributeValues=values,
                ConsistentRead=True)
            return [item for page in pages for item in page.get("Items", [])]
        except (ClientError, BotoCoreError) as e:
            raise _domain_error(e, what) from e

    def next_id(self, counter_pk: str) -> int:
        """An atomic counter: each call returns a new integer, never reused."""
        try:
            out = self._db.update_item(
                TableName=self._name,
                Key={"pk": {"S": counter_pk}, "sk": {"S": "COUNTER"}},
                UpdateExpression="ADD n :one",
                ExpressionAttributeValues={":one": {"N": "1"}},
                ReturnValues="UPDATED_NEW",
            )
        except (ClientError, BotoCoreError) as e:
            raise _domain_error(e, "allocating an id") from e
        return int(out["Attributes"]["n"]["N"])

    def raise_counter(self, counter_pk: str, at_least: int) -> None:
        """Move a counter up to ``at_least`` (never down), for ids created outside next_id."""
        try:
            self._db.update_item(
                TableName=self._name,
                Key={"pk": {"S": counter_pk}, "sk": {"S": "COUNTER"}},
                UpdateExpression="SET n = :v",
                ConditionExpression="attribute_not_exists(n) OR n < :v",
                ExpressionAttributeValues={":v": {"N": str(at_least)}},
            )
        except ClientError as e:
            if not _is_condition_failure(e):
                raise _domain_error(e, "moving the id counter") from e
        except BotoCoreError as e:
            raise _domain_error(e, "moving the id counter") from e


def idempotency_store(cfg: Settings | None = None):
    """Powertools' idempotency records, in the documents table, through folio's own client."""
    from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer

    cfg = cfg or settings()
    return DynamoDBPersistenceLayer(table_name=cfg.table_name, key_attr="pk", sort_key_attr="sk",
                                    boto3_client=_client("dynamodb", cfg))


# ---------------------------------------------------------------- atomic batches

@dataclass(frozen=True)
class Head:
    """A head item as stored: ``record`` is None for a placeholder a pending create locked."""

    pk: str
    version: int
    record: str | None
    lock: str | None = None
    pending: str | None = None
    pending_version: int | None = None


@dataclass(frozen=True)
class VersionWrite:
    """The next version of one document; ``alias`` (only on create) is an extra pk that points at it."""

    pk: str
    version: int
    record: str
    alias: str | None = None


class BatchConflict(Exception):
    """A transaction was cancelled by conditions; ``indexes`` are the writes that failed theirs."""

    def __init__(self, indexes: list[int]):
        super().__init__(f"conditions failed for {indexes}")
        self.indexes = indexes


INTENTS_PK = "folio#batch-intents"


class BatchTable(DocumentTable):
    """The storage half of multi-document atomic writes: many heads in one transaction, or,
    beyond one transaction's 100 actions, locks + one intent record as the commit point."""

    def get_alias(self, alias: str) -> str | None:
        try:
            out = self._db.get_item(TableName=self._name, Key={"pk": {"S": alias}, "sk": {"S": "ALIAS"}},
                                    ConsistentRead=True)
        except (ClientError, BotoCoreError) as e:
            raise _domain_error(e, "reading the document") from e
        item = out.get("Item")
        return item["target"]["S"] if item else None

    def write_versions(self, writes: list[VersionWrite]) -> None:
        """Every write in one transaction (at most 100 actions), each conditional on the version before."""
        actions = []
        owners = []
        for index, w in enumerate(writes):
            for action in self._version_actions(w, lock=None):
                actions.append(action)
                owners.append(index)
        self._transact(actions, owners, "saving the documents")

    def lock(self, txid: str, locks: list[tuple[str, int, str]]) -> None:
        """Lock heads for ``txid`` with their pending records: ``(pk, expected version, record)``;
        expected 0 means the document must not exist (a placeholder head is created)."""
        actions = []
        for pk, expected, record in locks:
            values = {":t": {"S": txid}, ":p": {"S": record}, ":pv": {"N": str(expected + 1)}}
            if expected == 0:
                actions.append({"Put": {"TableName": self._name, "Item": {
                    "pk": {"S": pk}, "sk": {"S": HEAD}, "version": {"N": "0"}, "txlock": {"S": txid},
                    "pending": {"S": record}, "pending_version": {"N": "1"}},
                    "ConditionExpression": "attribute_not_exists(pk)"}})
            else:
                actions.append({"Update": {
                    "TableName": self._name, "Key": {"pk": {"S": pk}, "sk": {"S": HEAD}},
                    "UpdateExpression": "SET txlock = :t, pending = :p, pending_version = :pv",
                    "ConditionExpression": "version = :v AND attribute_not_exists(txlock)",
                    "ExpressionAttributeValues": {**values, ":v": {"N": str(expected)}}}})
        self._transact(actions, list(range(len(actions))), "locking the documents")

    def apply_locked(self, txid: str, writes: list[VersionWrite]) -> None:
        """Roll forward: each locked head becomes its pending version, with its history (and alias)."""
        actions, owners = [], []
        for index, w in enumerate(writes):
            for action in self._version_actions(w, lock=txid):
                actions.append(action)
                owners.append(index)
        self._transact(actions, owners, "applying the batch")

    def release_lock(self, txid: str, pk: str) -> None:
        """Roll back one head locked by ``txid`` (a placeholder is deleted); a no-op when it is not."""
        key = {"pk": {"S": pk}, "sk": {"S": HEAD}}
        try:
            self._db.delete_item(TableName=self._name, Key=key,
                                 ConditionExpression="txlock = :t AND version = :zero",
                                 ExpressionAttributeValues={":t": {"S": txid}, ":zero": {"N": "0"}})
            return
        except ClientError as e:
            if not _is_condition_failure(e):
                raise _domain_error(e, "releasing a lock") from e
        except BotoCoreError as e:
            raise _domain_error(e, "releasing a lock") from e
        try:
            self._db.update_item(TableName=self._name, Key=key,
                                 UpdateExpression="REMOVE txlock, pending, pending_version",
                                 ConditionExpression="txlock = :t", ExpressionAttributeValues={":t": {"S": txid}})
        except ClientError as e:
            if not _is_condition_failure(e):
                raise _domain_error(e, "releasing a lock") from e
        except BotoCoreError as e:
            raise _domain_error(e, "releasing a lock") from e

    # ---- intents: the single record whose state is the batch's commit point
    def put_intent(self, txid: str, intent: str, started: int) -> None:
        try:
            self._db.put_item(TableName=self._name, Item={
                "pk": {"S": INTENTS_PK}, "sk": {"S": txid}, "state": {"S": "PENDING"},
                "intent": {"S": intent}, "started": {"N": str(started)}},
                ConditionExpression="attribute_not_exists(pk)")
        except (ClientError, BotoCoreError) as e:
            raise _domain_error(e, "recording the batch") from e

    def get_intent(self, txid: str) -> dict[str, Any] | None:
        try:
            out = self._db.get_item(TableName=self._name, Key={"pk": {"S": INTENTS_PK}, "sk": {"S": txid}},
                                    ConsistentRead=True)
        except (ClientError, BotoCoreError) as e:
            raise _domain_error(e, "reading the batch") from e
        item = out.get("Item")
        return _intent(item) if item else None

    def list_intents(self) -> list[dict[str, Any]]:
        return [_intent(item) for item in self._query("listing batches", "pk = :pk", {":pk": {"S": INTENTS_PK}})]

    def transition_intent(self, txid: str, from_state: str, to_state: str) -> bool:
        """Move the intent's state if it is still ``from_state``; False when another party moved it."""
        try:
            self._db.update_item(TableName=self._name, Key={"pk": {"S": INTENTS_PK}, "sk": {"S": txid}},
                                 UpdateExpression="SET #s = :to", ConditionExpression="#s = :from",
                                 ExpressionAttributeNames={"#s": "state"},
                                 ExpressionAttributeValues={":to": {"S": to_state}, ":from": {"S": from_state}})
            return True
        except ClientError as e:
            if _is_condition_failure(e):
                return False
            raise _domain_error(e, "deciding the batch") from e
        except BotoCoreError as e:
            raise _domain_error(e, "deciding the batch") from e

    def delete_intent(self, txid: str) -> None:
        try:
            self._db.delete_item(TableName=self._name, Key={"pk": {"S": INTENTS_PK}, "sk": {"S": txid}})
        except (ClientError, BotoCoreError) as e:
            raise _domain_error(e, "finishing the batch") from e

    # ---- internals
    def _version_actions(self, w: VersionWrite, lock: str | None) -> list[dict[str, Any]]:
        item = {"version": {"N": str(w.version)}, "record": {"S": w.record}}
        if lock is not None:
            head = {"Update": {
                "TableName": self._name, "Key": {"pk": {"S": w.pk}, "sk": {"S": HEAD}},
                "UpdateExpression": "SET version = :v, #r = :r REMOVE txlock, pending, pending_version",
                "ConditionExpression": "txlock = :t",
                "ExpressionAttributeNames": {"#r": "record"},
                "ExpressionAttributeValues": {":v": item["version"], ":r": item["record"], ":t": {"S": lock}}}}
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
        if w.alias:
            actions.append({"Put": {"TableName": self._name,
                                    "Item": {"pk": {"S": w.alias}, "sk": {"S": "ALIAS"}, "target": {"S": w.pk}},
                                    "ConditionExpression": "attribute_not_exists(pk)"}})
        return actions

    def _transact(self, actions: list[dict[str, Any]], owners: list[int], what: str) -> None:
        if not actions:
            return
        try:
            self._db.transact_write_items(TransactItems=actions)
        except ClientError as e:
            if _is_condition_failure(e):
                reasons = e.response.get("CancellationReasons") or []
                failed = sorted({owners[i] for i, r in enumerate(reasons)
                                 if r.get("Code") in ("ConditionalCheckFailed", "TransactionConflict")})
                raise BatchConflict(failed or sorted(set(owners))) from e
            raise _domain_error(e, what) from e
        except BotoCoreError as e:
            raise _domain_error(e, what) from e


def _head(item: dict[str, Any]) -> Head:
    return Head(
        pk=item["pk"]["S"], version=int(item["version"]["N"]),
        record=item["record"]["S"] if "record" in item else None,
        lock=item["txlock"]["S"] if "txlock" in item else None,
        pending=item["pending"]["S"] if "pending" in item else None,
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
