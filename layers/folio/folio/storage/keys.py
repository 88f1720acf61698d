"""How folio names its items in the one DynamoDB table (template.yaml: ``pk`` and ``sk``, strings).

A document lives in the partition ``<tenant>#<kind>#<id>``: its head (``HEAD``), one immutable
history item per version (``V#<version>``, zero-padded so they sort), the alias that names
another document (``ALIAS``) and, while an atomic batch holds the head, the pending record
beside it (``PENDING#<txid>``). Id counters are items of their own (taken a block at a time).
The same partition holds the *marks* of a dialect's numbered versions (``M#<number>``, zero-padded:
the first and the latest version that held it), their count (``MARKS``), and the *holder* of each
stored file a commit attached (``F#<slot>#<S3 version id>``): see :class:`folio.core.ports.CommitMarks`.
Nothing outside storage builds or parses these strings.

No partition key is hotter than one document (DESIGN §12): what every tenant's requests would
otherwise share (the intents of batches, the purges in progress) and the large lists are spread
over :data:`SHARDS` partitions. Shard 0 keeps the name the unsharded partition had before
sharding, so what an older deployment wrote stays where the sharded reads look.
"""

from __future__ import annotations

import hashlib
from typing import Any

from ..core.documents import DocumentKey

HEAD = "HEAD"
ALIAS = "ALIAS"
COUNTER = "COUNTER"
HISTORY_PREFIX = "V#"
PENDING_PREFIX = "PENDING#"
#: How many partitions a sharded set of items is spread over. Fixed for good: every reader
#: queries each of them, and an item's shard is computed from its key, never stored.
SHARDS = 16
#: The partitions of every batch's intent record (sort key: the batch id), sharded by batch id.
INTENTS_PK = "folio#batch-intents"
#: The partitions of every purge in progress (sort key: the document's partition key), sharded by it.
PURGES_PK = "folio#purges"
#: The partition of the sweepers' checkpoints (sort key: the sweep's name): written once per run.
SWEEPS_PK = "folio#sweeps"
#: The head's attributes of the list index (template.yaml: ByCollectionKeys, keys only): the list's
#: partition ``<tenant>#<collection>`` (a shard of it) and ``<created_at>#<id>``, so a page reads
#: newest first, then its heads from the table.
LIST_PK, LIST_SK = "lpk", "lsk"
LIST_INDEX = "ByCollectionKeys"
#: The attributes of a head a delete marked: when (epoch seconds) and by whom (the actor, as JSON).
DELETED, DELETED_BY = "deleted", "deleted_by"
#: The attributes of a head that an atomic batch holds: the batch's id, and the version it writes.
LOCK = "txlock"
PENDING_VERSION = "pending_version"


def shard_of(value: str, shards: int = SHARDS) -> int:
    """The shard of a key: an integer id's remainder (consecutive ids fill the shards evenly),
    anything else by its SHA-256."""
    if shards == 1:
        return 0
    if value.isascii() and value.isdigit():
        return int(value) % shards
    return int.from_bytes(hashlib.sha256(value.encode()).digest()[:8], "big") % shards


def sharded(base: str, shard: int) -> str:
    """A shard's partition key: shard 0 is ``base`` itself (the unsharded layout's), others
    ``<base>#~<shard>`` (``~`` is in no tenant, kind or id folio builds keys from)."""
    return base if shard == 0 else f"{base}#~{shard}"


def partition_key(key: DocumentKey) -> str:
    """Every stored key starts with the tenant (tenants carry no ``#``: see Caller)."""
    return f"{key.tenant}#{key.kind}#{key.id}"


def document_key(pk: str) -> DocumentKey:
    """The document a partition key names (the id keeps any ``#`` it has)."""
    tenant, kind, id_ = pk.split("#", 2)
    return DocumentKey(tenant, kind, id_)


def history_sk(version: int) -> str:
    return f"{HISTORY_PREFIX}{version:010d}"


#: A mark's sort key prefix, and the item counting a document's marked commits.
MARK_PREFIX = "M#"
MARKS = "MARKS"
#: The attributes of a mark: the first and the latest version that held its number.
MARK_FIRST, MARK_LAST = "first", "last"
#: The attribute of ``MARKS``: how many committed versions wrote their marks.
MARKED = "marked"
HOLDER_PREFIX = "F#"
#: The table's time-to-live attribute (template.yaml's TimeToLiveSpecification): epoch seconds.
EXPIRATION = "expiration"
#: The attribute of a holder that an aborted upload session wrote: no commit may attach that file.
ABANDONED = "abandoned"


def mark_sk(number: int) -> str:
    return f"{MARK_PREFIX}{number:010d}"


def mark_key(key: DocumentKey, number: int) -> dict[str, Any]:
    return item_key(partition_key(key), mark_sk(number))


def marks_key(key: DocumentKey) -> dict[str, Any]:
    return item_key(partition_key(key), MARKS)


def holder_key(key: DocumentKey, slot: str, version_id: str) -> dict[str, Any]:
    return item_key(partition_key(key), f"{HOLDER_PREFIX}{slot}#{version_id}")


def item_key(pk: str, sk: str) -> dict[str, Any]:
    """A primary key in DynamoDB's wire shape."""
    return {"pk": {"S": pk}, "sk": {"S": sk}}


def head_key(key: DocumentKey) -> dict[str, Any]:
    return item_key(partition_key(key), HEAD)


def version_key(key: DocumentKey, version: int) -> dict[str, Any]:
    return item_key(partition_key(key), history_sk(version))


def alias_key(alias: DocumentKey) -> dict[str, Any]:
    return item_key(partition_key(alias), ALIAS)


def pending_key(key: DocumentKey, txid: str) -> dict[str, Any]:
    """The item that holds a locked document's pending record, beside its head (never on it: a lock
    must not double the head's size against the 400 KB an item holds)."""
    return item_key(partition_key(key), PENDING_PREFIX + txid)


def counter_key(tenant: str, kind: str) -> dict[str, Any]:
    return item_key(f"{tenant}#{kind}#counter", COUNTER)


def intent_key(txid: str) -> dict[str, Any]:
    return item_key(sharded(INTENTS_PK, shard_of(txid)), txid)


def legacy_intent_key(txid: str) -> dict[str, Any] | None:
    """Where the unsharded layout kept this intent, if that is not where it goes now (a batch an
    earlier deployment began)."""
    return None if shard_of(txid) == 0 else item_key(INTENTS_PK, txid)


def intent_partitions() -> list[str]:
    return [sharded(INTENTS_PK, shard) for shard in range(SHARDS)]


#: The sort key of an upload session's record, in the partition ``<tenant>#upload#<upload id>``.
UPLOAD = "UPLOAD"


def upload_key(tenant: str, upload_id: str) -> dict[str, Any]:
    return item_key(f"{tenant}#upload#{upload_id}", UPLOAD)


#: The sort keys of a document's *links*: items elsewhere that hold its data (an upload session's
#: record, an Idempotency-Key record's answer), each with the S3 object it may hold; its erasure
#: reads them (one Query) and erases what they name.
LINK_PREFIX = "L#"
SESSION_LINK, ANSWER_LINK = f"{LINK_PREFIX}upload#", f"{LINK_PREFIX}answer#"


def session_link_key(key: DocumentKey, upload_id: str) -> dict[str, Any]:
    return item_key(partition_key(key), f"{SESSION_LINK}{upload_id}")


def answer_link_key(key: DocumentKey, record_pk: str) -> dict[str, Any]:
    return item_key(partition_key(key), f"{ANSWER_LINK}{hashlib.sha256(record_pk.encode()).hexdigest()[:32]}")


def list_partition(tenant: str, collection: str, shard: int = 0) -> str:
    return sharded(f"{tenant}#{collection}", shard)


def purge_key(key: DocumentKey) -> dict[str, Any]:
    pk = partition_key(key)
    return item_key(sharded(PURGES_PK, shard_of(pk)), pk)


def legacy_purge_key(key: DocumentKey) -> dict[str, Any] | None:
    """Where the unsharded layout kept this purge, if that is not where it goes now (a delete an
    earlier deployment began)."""
    pk = partition_key(key)
    return None if shard_of(pk) == 0 else item_key(PURGES_PK, pk)


def purge_partitions() -> list[str]:
    return [sharded(PURGES_PK, shard) for shard in range(SHARDS)]


def sweep_key(name: str) -> dict[str, Any]:
    """A sweeper's checkpoint (where its next run continues): one item per sweep, written once a run."""
    return item_key(SWEEPS_PK, name)
