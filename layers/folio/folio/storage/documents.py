"""The documents of the core in DynamoDB: a *head* item per document and an immutable *history*
item per committed version, always written together in one transaction, each conditional; and
the id counters. Implements :class:`folio.core.ports.DocumentTable`.

Numbered versions (DESIGN §12: a read of one version reads one item, history lists are paginated):
a commit that carries :class:`~folio.core.ports.CommitMarks` also writes, in its transaction, the
*mark* of the dialect's number it holds (``M#<number>``: ``SET first = if_not_exists(first, :v),
last = :v``), adds one to the document's count of marked commits (``MARKS``), and records the
*holder* of each stored file it attaches (``F#<slot>#<version id>``). Each is an Update written
exactly when the commit is; the marks have no condition of their own, and a holder only one:
that no abort of the file's upload session abandoned it first (:meth:`DocumentTable.abandon`;
the commit then fails with FileAbandoned). Holder and abandonment are one item, so of a
completion and an abort racing for one stored file exactly one wins. A read of number n is one TransactGetItems (head, count, mark: an atomic view, so
"the marks are complete" and "mark n is missing" are true at the same instant) and one read of
the history item the mark names; a page is one Query of the marks and one BatchGetItem. Marks live
in the document's partition, so the purge's Query of the partition erases them with it."""

from __future__ import annotations

import json
import threading
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ..core.documents import DocumentKey
from ..core import service as core
from ..core.errors import ConditionFailed, FileAbandoned
from ..core.ports import CommitMarks, Head, Mark, MarkState, VersionWrite
from .keys import (
    ALIAS, DELETED, DELETED_BY, HEAD, HISTORY_PREFIX, LIST_INDEX, LIST_PK, LIST_SK, LOCK, PENDING_VERSION,
    alias_key, counter_key, document_key, head_key, item_key, legacy_purge_key, list_partition, partition_key, pending_key, purge_key,
    purge_partitions, ANSWER_LINK, LINK_PREFIX, SESSION_LINK, shard_of, upload_key, version_key,
)
from .keys import ABANDONED, EXPIRATION, MARK_FIRST, MARK_LAST, MARK_PREFIX, MARKED, holder_key, mark_key, mark_sk, marks_key
#: The history item's attribute naming the commit (its ClientRequestToken) that wrote it.
COMMIT = "commit"
from .clients import on_reset
from .idempotency import ERASED_ANSWER, IDEMPOTENCY_DATA
from .table import MAX_TRANSACTION_ACTIONS, ConditionsFailed, Table, check_item

#: How many ids one ``ADD`` on a counter takes for an environment (DESIGN §12): the counter item is
#: written once per this many documents created. An environment that ends (or a SnapStart snapshot,
#: whose restored copies must not share a block) leaves the rest of its block unused: ids have gaps.
ID_BLOCK = 100


class IdBlocks:
    """This environment's blocks of ids, one per (table, tenant, kind); thread-safe (folio local
    runs functions on threads of one process)."""

    def __init__(self):
        self._blocks: dict[tuple[str, ...], list[int]] = {}  # scope -> [next, last]
        self._lock = threading.Lock()

    def next(self, scope: tuple[str, ...], take_block) -> int:
        with self._lock:
            block = self._blocks.get(scope)
            if block is None or block[0] > block[1]:
                block = self._blocks[scope] = list(take_block())
            value = block[0]
            block[0] += 1
            return value

    def skip_through(self, scope: tuple[str, ...], value: int) -> None:
        with self._lock:
            block = self._blocks.get(scope)
            if block is not None and block[0] <= value:
                block[0] = value + 1

    def forget(self) -> None:
        """Drop every block (a fresh AWS in tests; an environment restored from a snapshot)."""
        with self._lock:
            self._blocks.clear()


_ID_BLOCKS = IdBlocks()
on_reset(_ID_BLOCKS.forget)


class DocumentTable(Table):
    """Head + history items of documents, and the id counters, in one DynamoDB table."""

    def get_head(self, key: DocumentKey) -> Head | None:
        """The head, read strongly consistent; None when absent or a placeholder a pending create locked."""
        item = self._get(head_key(key), "reading the document")
        if not item or "record" not in item:
            return None
        return head_of(key, item)

    def get_heads(self, keys: list[DocumentKey]) -> dict[DocumentKey, Head]:
        """Heads by key, placeholders included (BatchGetItem, strongly consistent)."""
        by_pk = {partition_key(key): key for key in keys}
        items = self._batch_get([head_key(key) for key in keys], "reading the documents")
        return {by_pk[item["pk"]["S"]]: head_of(by_pk[item["pk"]["S"]], item) for item in items}

    def check_record(self, key: DocumentKey, record: str) -> None:
        """PayloadTooLarge, naming the limit, when a version of ``record`` cannot be stored: checked
        on the largest item it will be part of (a head while a batch holds it locked)."""
        check_item({**head_key(key), "version": {"N": "9" * 20}, "record": {"S": record},
                    LOCK: {"S": "f" * 32}, PENDING_VERSION: {"N": "9" * 20}}, "the document")

    def commit(self, key: DocumentKey, version: int, record: str, marks: CommitMarks | None = None) -> None:
        """Write head and history of ``version`` in one transaction, and ``marks`` with them.

        ``version == 1`` requires that no head exists; otherwise the head must still be at
        ``version - 1``. Raises ConditionFailed when another writer got there first.
        """
        self.check_record(key, record)
        commit_id = uuid.uuid4().hex
        actions = self._version_actions(VersionWrite(key, version, record), lock=None)
        actions[1]["Put"]["Item"][COMMIT] = {"S": commit_id}  # the history item: which commit wrote it
        first_mark = len(actions)
        if marks is not None:
            actions += self._mark_actions(key, version, marks)
        try:
            self._transact(actions, "saving the document", token=commit_id)
        except ConditionsFailed as failed:
            abandoned = [actions[i]["Update"]["Key"]["sk"]["S"] for i in failed.indexes if i >= first_mark]
            if abandoned:  # only a holder's condition can fail among the marks
                raise FileAbandoned(f"the stored file {abandoned[0]} was abandoned: its upload session was "
                                    "aborted; start a new one") from failed
            if self._committed(key, version, commit_id):
                return
            raise ConditionFailed(partition_key(key)) from failed

    def _committed(self, key: DocumentKey, version: int, commit_id: str) -> bool:
        """Whether this commit's own transaction wrote ``version`` after all.

        An attempt whose answer was lost (a read timeout, a connection reset) is sent again by the SDK;
        when the first one had committed, the second finds its own version there and fails its
        conditions. DynamoDB answers such a resend with success when it carries the same
        ClientRequestToken within 10 minutes; an engine that does not (moto), and a resend after the
        window, are told apart from a lost race by the history item's commit id: otherwise the caller
        would apply its edit a second time.
        """
        item = self._get(version_key(key, version), "reading the document history")
        return item is not None and item.get(COMMIT, {}).get("S") == commit_id

    def get_version(self, key: DocumentKey, version: int) -> str | None:
        """The record of one committed version, from its immutable history item; None once the
        document is marked deleted (its purge may not have reached the history yet)."""
        item = self._get(version_key(key, version), "reading the document history")
        if not item:
            return None
        head = self._get(head_key(key), "reading the document")
        return None if head is None or DELETED in head else item["record"]["S"]

    def history(self, key: DocumentKey, *, deleted_too: bool = False) -> list[tuple[int, str]]:
        """Every committed version's ``(version, record)``, oldest first: one paginated Query of the
        partition, which also says whether the document is marked deleted (then none, unless
        ``deleted_too``: what its purge reads)."""
        items = self._query("reading the document history", "pk = :pk", {":pk": {"S": partition_key(key)}})
        if not deleted_too and any(i["sk"]["S"] == HEAD and DELETED in i for i in items):
            return []
        return [(int(i["version"]["N"]), i["record"]["S"]) for i in items if i["sk"]["S"].startswith(HISTORY_PREFIX)]

    # ---- numbered versions: marks (see the module's docstring) ----
    def mark_state(self, key: DocumentKey, numbers: list[int] = (), versions: list[int] = ()) -> MarkState | None:
        """One TransactGetItems: the head, the count of marked commits, the marks and history items asked for."""
        keys = [head_key(key), marks_key(key)] + [mark_key(key, n) for n in numbers] + [
            version_key(key, v) for v in versions]
        if len(keys) > MAX_TRANSACTION_ACTIONS:
            raise ValueError(f"at most {MAX_TRANSACTION_ACTIONS - 2} marks and versions at once")
        items = self._transact_get(keys, "reading the document's versions")
        head, count = items[0], items[1]
        if not head or "record" not in head or DELETED in head:
            return None
        state = head_of(key, head)
        marks = {n: _mark_of(n, item) for n, item in zip(numbers, items[2:2 + len(numbers)]) if item}
        records = {v: item["record"]["S"] for v, item in zip(versions, items[2 + len(numbers):]) if item}
        complete = bool(count) and int(count[MARKED]["N"]) == state.version
        return MarkState(state, complete, marks, records)

    def records(self, key: DocumentKey, versions: list[int]) -> dict[int, str]:
        """History items by version, strongly consistent: GetItem for one, else BatchGetItem."""
        wanted = list(dict.fromkeys(versions))
        if len(wanted) == 1:
            item = self._get(version_key(key, wanted[0]), "reading the document history")
            items = [item] if item else []
        else:
            items = self._batch_get([version_key(key, v) for v in wanted], "reading the document history")
        return {int(item["version"]["N"]): item["record"]["S"] for item in items}

    def mark_page(self, key: DocumentKey, after: int | None, limit: int, newest_first: bool,
                  ) -> tuple[list[Mark], bool]:
        """One Query of the marks' range, ``limit + 1`` of them (the one more says whether a page follows)."""
        low, high = mark_sk(0), mark_sk(10**10 - 1)
        if after is not None:
            if newest_first:
                high = mark_sk(max(after - 1, 0))
            else:
                low = mark_sk(after + 1)
        if low > high:
            return [], False
        out = self._call("query", "reading the document's versions", TableName=self._name, ConsistentRead=True,
                         KeyConditionExpression="pk = :pk AND sk BETWEEN :low AND :high",
                         ExpressionAttributeValues={":pk": {"S": partition_key(key)}, ":low": {"S": low},
                                                    ":high": {"S": high}},
                         ScanIndexForward=not newest_first, Limit=limit + 1)
        items = out.get("Items", [])
        marks = [_mark_of(int(item["sk"]["S"][len(MARK_PREFIX):]), item) for item in items[:limit]]
        # a Query page ends at 1 MB too (never with marks this small): then a page follows anyway
        return marks, len(items) > limit or "LastEvaluatedKey" in out

    def backfill_marks(self, key: DocumentKey, version: int, marks: list[Mark]) -> bool:
        """Transactions of 99 marks (SET both: they are the history's, exact at ``version``) and a
        check that the head is still at ``version`` and not deleted (so nothing is written once a
        purge may have read the partition); the count last, set to ``version``."""
        check = {"ConditionCheck": {"TableName": self._name, "Key": head_key(key),
                                    "ConditionExpression": "version = :v AND attribute_exists(#record) "
                                                           f"AND attribute_not_exists({DELETED})",
                                    "ExpressionAttributeNames": {"#record": "record"},
                                    "ExpressionAttributeValues": {":v": {"N": str(version)}}}}
        updates = [{"Update": {"TableName": self._name, "Key": mark_key(key, m.number),
                               "UpdateExpression": "SET #first = :first, #last = :last",
                               "ExpressionAttributeNames": {"#first": MARK_FIRST, "#last": MARK_LAST},
                               "ExpressionAttributeValues": {":first": {"N": str(m.first)},
                                                             ":last": {"N": str(m.last)}}}}
                   for m in marks if m.first is not None]
        updates.append({"Update": {"TableName": self._name, "Key": marks_key(key),
                                   "UpdateExpression": "SET #marked = :v", "ExpressionAttributeNames": {"#marked": MARKED},
                                   "ExpressionAttributeValues": {":v": {"N": str(version)}}}})
        chunk = MAX_TRANSACTION_ACTIONS - 1
        try:
            for start in range(0, len(updates), chunk):
                self._transact([check, *updates[start:start + chunk]], "recording the document's versions")
        except ConditionsFailed:
            return False
        return True

    def holder(self, key: DocumentKey, slot: str, version_id: str) -> int | None:
        """One TransactGetItems of the head and the holder (a document marked deleted holds nothing)."""
        head, holder = self._transact_get([head_key(key), holder_key(key, slot, version_id)], "reading the document")
        if head is None or "record" not in head or DELETED in head or holder is None or "version" not in holder:
            return None
        return int(holder["version"]["N"])

    def abandon(self, key: DocumentKey, slot: str, version_id: str, expires: int) -> bool:
        """Record that no commit may attach stored file ``version_id`` to ``slot`` (its upload
        session is being aborted), unless a commit already did: False then. The record expires at
        ``expires`` (epoch seconds: after the session could be completed), if no purge erased it."""
        try:
            self._call("update_item", "abandoning the uploaded file", TableName=self._name,
                       Key=holder_key(key, slot, version_id),
                       UpdateExpression="SET #abandoned = :yes, #expiration = :expires",
                       ConditionExpression="attribute_not_exists(version)",
                       ExpressionAttributeNames={"#abandoned": ABANDONED, "#expiration": EXPIRATION},
                       ExpressionAttributeValues={":yes": {"BOOL": True}, ":expires": {"N": str(expires)}})
        except ConditionsFailed:
            return False
        return True

    def _transact_get(self, keys: list[dict[str, Any]], what: str) -> list[dict[str, Any] | None]:
        """Items by key in one atomic read (IAM: GetItem on each); None for each one absent."""
        out = self._call("transact_get_items", what,
                         TransactItems=[{"Get": {"TableName": self._name, "Key": k}} for k in keys])
        responses = out.get("Responses") or [{} for _ in keys]
        return [response.get("Item") for response in responses]

    def _mark_actions(self, key: DocumentKey, version: int, marks: CommitMarks) -> list[dict[str, Any]]:
        """The Updates a commit's marks add to its transaction: none has a condition of its own."""
        v = {":v": {"N": str(version)}}
        actions: list[dict[str, Any]] = []
        if marks.number is not None:
            actions.append({"Update": {"TableName": self._name, "Key": mark_key(key, marks.number),
                                       "UpdateExpression": "SET #first = if_not_exists(#first, :v), #last = :v",
                                       "ExpressionAttributeNames": {"#first": MARK_FIRST, "#last": MARK_LAST},
                                       "ExpressionAttributeValues": v}})
        if marks.counted:
            actions.append({"Update": {"TableName": self._name, "Key": marks_key(key),
                                       "UpdateExpression": "ADD #marked :one", "ExpressionAttributeNames": {"#marked": MARKED},
                                       "ExpressionAttributeValues": {":one": {"N": "1"}}}})
        for slot, version_id in dict.fromkeys(marks.attached):
            actions.append({"Update": {"TableName": self._name, "Key": holder_key(key, slot, version_id),
                                       "UpdateExpression": "SET version = if_not_exists(version, :v)",
                                       "ConditionExpression": "attribute_not_exists(#abandoned)",
                                       "ExpressionAttributeNames": {"#abandoned": ABANDONED},
                                       "ExpressionAttributeValues": v}})
        return actions

    def next_id(self, tenant: str, kind: str) -> int:
        """A new integer for this tenant and kind, never handed out before: from this environment's
        block, taking the next block with one ``ADD`` when it runs out (hi-lo, DESIGN §12)."""
        return _ID_BLOCKS.next(self._id_scope(tenant, kind), lambda: self._take_block(tenant, kind))

    def raise_counter(self, tenant: str, kind: str, at_least: int) -> None:
        """Move a counter up to ``at_least`` (never down), for ids created outside next_id; this
        environment's block skips them too."""
        try:
            self._call("update_item", "moving the id counter", TableName=self._name, Key=counter_key(tenant, kind),
                       UpdateExpression="SET n = :v", ConditionExpression="attribute_not_exists(n) OR n < :v",
                       ExpressionAttributeValues={":v": {"N": str(at_least)}})
        except ConditionsFailed:
            pass  # already at or above it
        _ID_BLOCKS.skip_through(self._id_scope(tenant, kind), at_least)

    def _id_scope(self, tenant: str, kind: str) -> tuple[str, ...]:
        return (self._cfg.dynamodb_endpoint_url or "", self._name, tenant, kind)

    def _take_block(self, tenant: str, kind: str) -> tuple[int, int]:
        """The next :data:`ID_BLOCK` integers of the counter, ``(first, last)``: the counter holds the
        last id any block took (an older deployment's counter, which gave ids one at a time, is
        continued where it stood)."""
        out = self._call("update_item", "allocating ids", TableName=self._name, Key=counter_key(tenant, kind),
                         UpdateExpression="ADD n :block", ExpressionAttributeValues={":block": {"N": str(ID_BLOCK)}},
                         ReturnValues="UPDATED_NEW")
        last = int(out["Attributes"]["n"]["N"])
        return last - ID_BLOCK + 1, last

    # ---- lists (the ByCollectionKeys index) ----
    def list_heads(self, tenant: str, collection: str, shards: int, limit: int, before: str | None,
                   ) -> tuple[list[Head], str | None]:
        """Up to ``limit`` heads of a list, newest first, strictly older than ``before`` (a position
        this call returned), merged exactly from the list's ``shards`` index partitions: each is
        queried newest first, and a shard is read further only while its next items could still be
        among the page's (so a page reads about ``limit`` items, plus a few per shard). Returns the
        position of the page's last head, None when nothing follows. An index reads eventually
        consistent: a document committed a moment ago may appear on the next read."""
        streams = [_Shard(list_partition(tenant, collection, shard)) for shard in range(shards)]
        first = limit if shards == 1 else max(2, -(-limit // shards) + 1)
        self._each(streams, lambda shard: self._read_shard(shard, first, before))
        while True:
            merged = sorted((item for shard in streams for item in shard.items),
                            key=lambda item: item[LIST_SK]["S"], reverse=True)
            cutoff = merged[limit - 1][LIST_SK]["S"] if len(merged) >= limit else None
            behind = [shard for shard in streams if not shard.done and (
                cutoff is None or not shard.items or shard.items[-1][LIST_SK]["S"] > cutoff)]
            if not behind:
                break
            self._each(behind, lambda shard: self._read_shard(shard, limit, before))
        page = merged[:limit]
        more = len(merged) > limit or any(not shard.done for shard in streams)
        return self._heads_of(page), (page[-1][LIST_SK]["S"] if page and more else None)

    def _heads_of(self, page: list[dict[str, Any]]) -> list[Head]:
        """The heads a page of index keys names, in its order, read from the table (the index holds
        keys only): strongly consistent, so each is what a GET answers now. A document deleted since
        the index was read (gone, or out of that list) is left out, as it would be a moment later
        from the index itself."""
        if not page:
            return []
        found = {item["pk"]["S"]: item for item in self._batch_get(
            [item_key(i["pk"]["S"], i["sk"]["S"]) for i in page], "listing the documents")}
        heads = []
        for entry in page:
            item = found.get(entry["pk"]["S"])
            if item is None or item.get(LIST_SK) != entry[LIST_SK]:
                continue
            heads.append(head_of(document_key(entry["pk"]["S"]), item))
        return heads

    def _read_shard(self, shard: _Shard, limit: int, before: str | None) -> None:
        """The next ``limit`` items of one shard, newest first, older than ``before``."""
        condition, values = "#lpk = :lpk", {":lpk": {"S": shard.partition}}
        names = {"#lpk": LIST_PK}
        if before is not None:
            condition += " AND #lsk < :before"
            names["#lsk"] = LIST_SK
            values[":before"] = {"S": before}
        request: dict[str, Any] = {
            "TableName": self._name, "IndexName": LIST_INDEX, "Limit": limit, "ScanIndexForward": False,
            "KeyConditionExpression": condition, "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": values}
        if shard.start is not None:
            request["ExclusiveStartKey"] = shard.start
        page = self._call("query", "listing the documents", **request)
        shard.items.extend(page.get("Items", []))
        shard.start = page.get("LastEvaluatedKey")
        shard.done = shard.start is None

    # ---- deletes that erase ----
    def mark_deleted(self, key: DocumentKey, version: int, aliases: tuple[DocumentKey, ...], marked: datetime,
                     deleted_by: dict) -> None:
        """The head loses its record and list keys and gains ``deleted`` and ``deleted_by``: the stream
        carries the record (old image) and the actor (new image) to the change event."""
        try:
            self._transact([
                {"Update": {"TableName": self._name, "Key": head_key(key),
                            "UpdateExpression": f"REMOVE #record, {LIST_PK}, {LIST_SK} "
                                                f"SET {DELETED} = :marked, {DELETED_BY} = :by",
                            "ConditionExpression": f"version = :v AND attribute_exists(#record) AND "
                                                   f"attribute_not_exists({LOCK})",
                            "ExpressionAttributeNames": {"#record": "record"},
                            "ExpressionAttributeValues": {":v": {"N": str(version)}, ":marked": {"N": f"{marked.timestamp():.6f}"},
                                                          ":by": {"S": json.dumps(deleted_by, separators=(",", ":"),
                                                                                  ensure_ascii=False)}}}},
                {"Put": {"TableName": self._name,
                         "Item": {**purge_key(key), "marked": {"N": str(int(marked.timestamp()))},
                                  "aliases": {"L": [{"S": partition_key(a)} for a in aliases]}}}},
            ], "deleting the document")
        except ConditionsFailed as failed:
            raise ConditionFailed(partition_key(key)) from failed

    def claim_purge(self, key: DocumentKey, now: int, seconds: int) -> bool:
        """Claim a recorded purge for ``seconds``: False when another run holds it, when it has
        ended, or when the head is there and not marked deleted (the key names a new document).
        A purge an earlier deployment recorded in the unsharded partition is claimed there."""
        record = purge_key(key)
        if self._claim_purge(key, record, now, seconds):
            return True
        legacy = legacy_purge_key(key)
        if legacy is None or self._get(record, "reading the purge") or not self._get(legacy, "reading the purge"):
            return False
        return self._claim_purge(key, legacy, now, seconds)

    def _claim_purge(self, key: DocumentKey, record: dict[str, Any], now: int, seconds: int) -> bool:
        try:
            self._transact([
                {"Update": {"TableName": self._name, "Key": record,
                            "UpdateExpression": "SET claimed_until = :until",
                            "ConditionExpression": "attribute_exists(pk) AND (attribute_not_exists(claimed_until) "
                                                   "OR claimed_until < :now)",
                            "ExpressionAttributeValues": {":until": {"N": str(now + seconds)},
                                                          ":now": {"N": str(now)}}}},
                {"ConditionCheck": {"TableName": self._name, "Key": head_key(key),
                                    "ConditionExpression": "attribute_not_exists(pk) OR attribute_exists(deleted)"}},
            ], "claiming the purge")
        except ConditionsFailed:
            return False
        return True

    def purge(self, key: DocumentKey) -> None:
        """The head goes last but one (so no read ever finds a history without its marked head), the
        purge record last."""
        record = purge_key(key)
        intent = self._get(record, "reading the purge")
        if intent is None and (legacy := legacy_purge_key(key)) is not None:
            intent = self._get(legacy, "reading the purge")
            record = legacy if intent is not None else record
        aliases = [a["S"] for a in (intent or {}).get("aliases", {}).get("L", [])]
        items = self._query("reading the document's items", "pk = :pk", {":pk": {"S": partition_key(key)}})
        keys = [item_key(i["pk"]["S"], i["sk"]["S"]) for i in items if i["sk"]["S"] != HEAD]
        sessions = [upload_key(key.tenant, i["sk"]["S"].removeprefix(SESSION_LINK)) for i in items
                    if i["sk"]["S"].startswith(SESSION_LINK)]  # their records, before their links
        for link in (i for i in items if i["sk"]["S"].startswith(ANSWER_LINK)):
            self._erase_answer(link)
        self._batch_delete(sessions + keys + [item_key(a, ALIAS) for a in aliases], "erasing the document")
        self._call("delete_item", "erasing the document", TableName=self._name, Key=head_key(key))
        self._call("delete_item", "ending the purge", TableName=self._name, Key=record)

    def linked_objects(self, key: DocumentKey) -> list[str]:
        """The S3 objects the document's links name (its upload sessions' objects, the Idempotency-Key
        answers too large for their record): one Query."""
        items = self._query("reading the document's links", "pk = :pk AND begins_with(sk, :prefix)",
                            {":pk": {"S": partition_key(key)}, ":prefix": {"S": LINK_PREFIX}})
        return [i["object"]["S"] for i in items if "object" in i]

    def _erase_answer(self, link: dict[str, Any]) -> None:
        """The Idempotency-Key record a link names keeps its key (a retry still writes nothing) and
        loses its answer, which held the document's data: a retry is answered 410."""
        try:
            self._call("update_item", "erasing a kept answer", TableName=self._name,
                       Key=item_key(link["record_pk"]["S"], link["record_sk"]["S"]),
                       UpdateExpression="SET #data = :erased", ConditionExpression="attribute_exists(pk)",
                       ExpressionAttributeNames={"#data": IDEMPOTENCY_DATA},
                       ExpressionAttributeValues={":erased": {"S": json.dumps(ERASED_ANSWER, sort_keys=True)}})
        except ConditionsFailed:
            pass  # expired already

    def list_purges(self) -> list[tuple[DocumentKey, int]]:
        """Every purge in progress, from each of its shards (read in parallel)."""
        items = self._query_partitions("listing the purges", purge_partitions())
        return [(document_key(i["sk"]["S"]), int(i["marked"]["N"])) for i in items]

    def _batch_delete(self, keys: list[dict[str, Any]], what: str) -> None:
        """BatchWriteItem, 25 deletes a call, unprocessed ones sent again."""
        for start in range(0, len(keys), 25):
            request = {self._name: [{"DeleteRequest": {"Key": k}} for k in keys[start:start + 25]]}
            attempt = 0
            while request:
                out = self._call("batch_write_item", what, RequestItems=request)
                request = out.get("UnprocessedItems") or None
                if request:
                    attempt += 1
                    core.pause(min(attempt, 6))

    def _version_actions(self, w: VersionWrite, lock: str | None) -> list[dict[str, Any]]:
        """Head and history of one version (and the alias of a create): conditional on the version
        before, or, rolling a batch forward, on the batch's lock."""
        item = {"version": {"N": str(w.version)}, "record": {"S": w.record}}
        head: dict[str, Any] = {"TableName": self._name, "Item": {**head_key(w.key), **item, **_listing(w)}}
        if lock is not None:  # the whole head replaced: the lock goes with the old item
            head.update(ConditionExpression=f"{LOCK} = :t", ExpressionAttributeValues={":t": {"S": lock}})
        elif w.version == 1:
            head.update(ConditionExpression="attribute_not_exists(pk)")
        else:
            head.update(ConditionExpression=f"version = :expected AND attribute_not_exists({LOCK}) "
                                            f"AND attribute_not_exists(deleted)",  # a delete's mark wins for good
                        ExpressionAttributeValues={":expected": {"N": str(w.version - 1)}})
        actions = [{"Put": head}, {"Put": {"TableName": self._name,
                                           "Item": {**version_key(w.key, w.version), **item},
                                           "ConditionExpression": "attribute_not_exists(pk)"}}]
        if lock is not None:
            actions.append({"Delete": {"TableName": self._name, "Key": pending_key(w.key, lock)}})
        if w.alias:
            actions.append({"Put": {"TableName": self._name,
                                    "Item": {**alias_key(w.alias), "target": {"S": partition_key(w.key)}},
                                    "ConditionExpression": "attribute_not_exists(pk)"}})
        return actions


@dataclass
class _Shard:
    """One index partition of a list, as far as a page has read it."""

    partition: str
    items: list[dict[str, Any]] = field(default_factory=list)
    start: dict[str, Any] | None = None  # where the next read continues
    done: bool = False


def _listing(w: VersionWrite) -> dict[str, Any]:
    """The list-index attributes of a head whose record names a collection (else none: in no list):
    the shard the document's id falls in (shard 0 for a list of one), and its position."""
    if '"collection":' not in w.record:
        return {}
    data = json.loads(w.record)
    collection = data.get("collection")
    if not collection:
        return {}
    shard = shard_of(w.key.parts[-1], data.get("list_shards", 1))
    return {LIST_PK: {"S": list_partition(w.key.tenant, collection, shard)},
            LIST_SK: {"S": f"{data['created_at']}#{w.key.id}"}}


def _mark_of(number: int, item: dict[str, Any]) -> Mark:
    first = item.get(MARK_FIRST, {}).get("N")
    return Mark(number, int(first) if first is not None else None, int(item[MARK_LAST]["N"]))


def head_of(key: DocumentKey, item: dict[str, Any]) -> Head:
    """A head item as the core sees it."""
    return Head(
        key=key, version=int(item["version"]["N"]),
        record=item["record"]["S"] if "record" in item else None,
        lock=item[LOCK]["S"] if LOCK in item else None,
        pending_version=int(item[PENDING_VERSION]["N"]) if PENDING_VERSION in item else None,
    )
