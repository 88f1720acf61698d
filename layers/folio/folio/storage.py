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
        if not item:
            return None
        return {"version": int(item["version"]["N"]), "record": item["record"]["S"]}

    def commit(self, pk: str, version: int, record: str) -> None:
        """Write head and history of ``version`` in one transaction.

        ``version == 1`` requires that no head exists; otherwise the head must still be at
        ``version - 1``. Raises ConditionFailed when another writer got there first.
        """
        if version == 1:
            head_condition = {"ConditionExpression": "attribute_not_exists(pk)"}
        else:
            head_condition = {
                "ConditionExpression": "version = :expected",
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
        out: list[tuple[int, str]] = []
        kwargs: dict[str, Any] = {
            "TableName": self._name,
            "KeyConditionExpression": "pk = :pk AND begins_with(sk, :v)",
            "ExpressionAttributeValues": {":pk": {"S": pk}, ":v": {"S": "V#"}},
            "ConsistentRead": True,
        }
        try:
            while True:
                page = self._db.query(**kwargs)
                out.extend((int(i["version"]["N"]), i["record"]["S"]) for i in page.get("Items", []))
                if "LastEvaluatedKey" not in page:
                    return out
                kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        except (ClientError, BotoCoreError) as e:
            raise _domain_error(e, "reading the document history") from e

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

    def delete_version(self, key: str, version_id: str) -> None:
        try:
            self._s3.delete_object(Bucket=self._bucket, Key=key, VersionId=version_id)
        except (ClientError, BotoCoreError) as e:
            raise _domain_error(e, "deleting an unreferenced file version") from e
