"""Powertools' idempotency records, in the documents table, through folio's own clients; answers
too large for a record go to the files bucket, the record keeping a pointer to them."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from aws_lambda_powertools import Logger

from ..core import service as core
from .clients import client
from .config import Settings, settings
from .keys import EXPIRATION, answer_link_key

#: Where answers too large for their record are kept; the bucket's lifecycle rule expires them.
#: "~" is no tenant character: no tenant's files (``<tenant>/...``) can fall under this prefix.
ANSWER_PREFIX = "~idempotency/"
#: The largest answer a record holds itself, as Powertools serializes it (JSON, escaped): well
#: under DynamoDB's 400 KB item, which also holds the keys, the status and the fingerprint.
MAX_INLINE_ANSWER_BYTES = 256 * 1024
#: The one field of a record's answer that marks it as a pointer to the bucket.
_STORED = "stored_answer"
#: What a retry gets when the first request's change was made but its large answer could not be
#: kept: the key stays used (a retry never writes again), and the client is told to read the result.
LOST_ANSWER = {
    "status_code": 409, "binary": False,
    "headers": {"Content-Type": "application/problem+json"},
    "body": json.dumps({"type": "urn:folio:problem:idempotency-answer-lost", "title": "Conflict", "status": 409,
                        "detail": "the first request with this Idempotency-Key succeeded, but its answer could "
                                  "not be kept; read the resource to see the result"}),
}
#: What a record answers once the document its answer showed was erased: the key stays used (a
#: retry writes nothing again), the answer, which held the document's data, is gone.
ERASED_ANSWER = {
    "status_code": 410, "binary": False,
    "headers": {"Content-Type": "application/problem+json"},
    "body": json.dumps({"type": "urn:folio:problem:idempotency-answer-erased", "title": "Gone", "status": 410,
                        "detail": "the first request with this Idempotency-Key succeeded; the document it wrote "
                                  "has been erased since, and its answer with it"}),
}
#: The attribute a Powertools record keeps its answer in (DynamoDBPersistenceLayer's data_attr).
IDEMPOTENCY_DATA = "data"
#: How long a link outlives its record's expiry: an answer kept in the bucket lives 2 days.
LINK_GRACE_SECONDS = 2 * 24 * 3600

logger = Logger(service="folio")


def idempotency_store(tenant: str, cfg: Settings | None = None):
    """The persistence layer of Powertools Idempotency for one tenant's requests: each record in a
    partition of its own, ``<tenant>#idempotency#<key>`` (sort key: Powertools' key itself), never
    Powertools' default of one partition per function for every tenant (DESIGN §12). Its expiry,
    in epoch seconds, is the ``expiration`` attribute the table's TTL deletes by."""
    from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer

    class PerKeyRecords(DynamoDBPersistenceLayer):
        def _get_key(self, idempotency_key: str) -> dict:
            return {"pk": {"S": f"{tenant}#idempotency#{idempotency_key}"}, "sk": {"S": idempotency_key}}

        def _item_to_data_record(self, item: dict[str, Any]):
            record = super()._item_to_data_record(item)
            record.idempotency_key = item["sk"]["S"]  # Powertools reads it from the partition key
            return record

        def _update_record(self, data_record) -> None:
            """The answer saved, then a link to it from each document the request committed, so
            their erasure erases the answer too (it shows their data)."""
            super()._update_record(data_record)
            if data_record.status == "COMPLETED" and core.committed_documents:
                link_answer(self.client, self.table_name, self._get_key(data_record.idempotency_key),
                            data_record.response_data, data_record.expiry_timestamp)

    cfg = cfg or settings()
    return PerKeyRecords(table_name=cfg.table_name, key_attr="pk", sort_key_attr="sk",
                         boto3_client=client("dynamodb", cfg))


def link_answer(db, table: str, record_key: dict[str, Any], response_data: str | None, expires: int) -> None:
    """A link (``L#answer#<hash of the record's key>``) in the partition of every document this
    request committed, naming the record and the bucket object its answer may be kept in."""
    try:
        stored = (json.loads(response_data or "{}") or {}).get(_STORED)
    except ValueError:
        stored = None
    for key in dict.fromkeys(core.committed_documents):
        item = {**answer_link_key(key, record_key["pk"]["S"]), "record_pk": record_key["pk"],
                "record_sk": record_key["sk"], EXPIRATION: {"N": str(int(expires) + LINK_GRACE_SECONDS)}}
        if isinstance(stored, dict) and isinstance(stored.get("key"), str):
            item["object"] = {"S": stored["key"]}
        db.put_item(TableName=table, Item=item)


class AnswerStore:
    """Answers as a record keeps them: inline when they fit, else in S3 under the owner's
    (tenant, caller, key) hash, the record naming the exact object version."""

    def __init__(self, cfg: Settings | None = None):
        self._cfg = cfg or settings()

    def to_record(self, owner: list[str], answer: dict[str, Any]) -> dict[str, Any]:
        if len(json.dumps(answer, sort_keys=True).encode()) <= MAX_INLINE_ANSWER_BYTES:
            return answer
        from .files import FileStore

        digest = hashlib.sha256(json.dumps(owner).encode()).hexdigest()
        try:
            stored = FileStore(self._cfg).put(ANSWER_PREFIX + digest, json.dumps(answer).encode(), "application/json")
        except Exception:  # noqa: BLE001 - the change is committed: keep the key, lose only the answer
            logger.exception("an answer too large for its Idempotency-Key record could not be kept")
            return LOST_ANSWER
        return {_STORED: {"key": stored.key, "version_id": stored.version_id}}

    def from_record(self, record: dict[str, Any]) -> dict[str, Any]:
        pointer = record.get(_STORED)
        if pointer is None:
            return record
        from .files import FileStore

        return json.loads(FileStore(self._cfg).get(pointer["key"], pointer["version_id"]))
