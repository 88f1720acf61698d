"""The storage half of multi-document atomic writes (the protocol is :mod:`folio.core.batches`):
many heads in one transaction, or, beyond one transaction (100 actions, 4 MB), locks and one
intent record as the commit point. Implements :class:`folio.core.ports.BatchTable`.

A lock is two attributes on the head (the batch's id and the version it writes) and an item
beside it holding the pending record; the intent record keeps the batch's documents as a JSON
plan ``{"pks": [...], "aliases": [...]}`` (one alias or null per document), in lock order."""

from __future__ import annotations

import json
from typing import Any

from ..core.documents import DocumentKey
from ..core.errors import PayloadTooLarge, StorageUnavailable
from ..core.ports import PENDING, BatchAborted, BatchConflict, Intent, VersionWrite
from .config import Settings
from .documents import DocumentTable
from .keys import (
    LOCK, PENDING_VERSION, alias_key, document_key, head_key, intent_key, intent_partitions, legacy_intent_key,
    partition_key,
    pending_key,
)
from .table import MAX_TRANSACTION_ACTIONS, TRANSACTION_BYTE_BUDGET, ConditionsFailed, action_bytes, check_item, pack


class BatchTable(DocumentTable):
    """Every method that writes several documents packs them into transactions by actions and bytes."""

    def __init__(self, cfg: Settings | None = None, *, max_actions: int | None = None):
        super().__init__(cfg)
        #: actions per transaction; lower only to exercise the multi-transaction protocol (tests)
        self.max_actions = min(MAX_TRANSACTION_ACTIONS, max_actions or self._cfg.max_transaction_actions)
        #: bytes per transaction; lower only to exercise packing with small records (tests)
        self.max_bytes = TRANSACTION_BYTE_BUDGET

    def get_alias(self, alias: DocumentKey) -> DocumentKey | None:
        item = self._get(alias_key(alias), "reading the document")
        return document_key(item["target"]["S"]) if item else None

    def fits_one_transaction(self, writes: list[VersionWrite]) -> bool:
        """Whether these versions can be written by one transaction (actions and bytes)."""
        return len(pack([self._version_actions(w, lock=None) for w in writes], self.max_actions, self.max_bytes)) <= 1

    def write_versions(self, writes: list[VersionWrite]) -> None:
        """Every write in one transaction, each conditional on the version before (BatchConflict);
        the caller asked :meth:`fits_one_transaction` first (the store refuses more: 413)."""
        groups = [self._version_actions(w, lock=None) for w in writes]
        self._transact_groups(groups, list(range(len(writes))), "saving the documents")

    def lock(self, txid: str, writes: list[VersionWrite]) -> None:
        """Lock the head of each write at the version before it, beside an item holding its pending
        record; version 1 means the document must not exist (a placeholder head is created). As
        many transactions as needed, each also conditional on the intent still being ``PENDING``
        (so no lock lands after a recoverer aborted the batch and released its locks:
        BatchAborted). BatchConflict names the writes that failed; earlier transactions stay
        locked (the caller aborts: see :meth:`release_locks`)."""
        intent_pending = {"ConditionCheck": {
            "TableName": self._name, "Key": intent_key(txid),
            "ConditionExpression": "#s = :pending", "ExpressionAttributeNames": {"#s": "state"},
            "ExpressionAttributeValues": {":pending": {"S": PENDING}}}}
        groups = []
        for w in writes:
            expected = w.version - 1
            pending = {"Put": {"TableName": self._name, "Item": {
                **pending_key(w.key, txid), "version": {"N": str(w.version)}, "record": {"S": w.record}},
                "ConditionExpression": "attribute_not_exists(pk)"}}
            if expected == 0:
                head = {"Put": {"TableName": self._name, "Item": {
                    **head_key(w.key), "version": {"N": "0"}, LOCK: {"S": txid}, PENDING_VERSION: {"N": "1"}},
                    "ConditionExpression": "attribute_not_exists(pk)"}}
            else:
                head = {"Update": {
                    "TableName": self._name, "Key": head_key(w.key),
                    "UpdateExpression": f"SET {LOCK} = :t, {PENDING_VERSION} = :pv",
                    "ConditionExpression": f"version = :v AND attribute_not_exists({LOCK}) AND attribute_not_exists(deleted)",
                    "ExpressionAttributeValues": {":t": {"S": txid}, ":pv": {"N": str(w.version)},
                                                  ":v": {"N": str(expected)}}}}
            groups.append([head, pending])
        for indexes in pack(groups, self.max_actions - 1, self.max_bytes - action_bytes(intent_pending)):
            try:
                self._transact([intent_pending] + [a for i in indexes for a in groups[i]], "locking the documents")
            except ConditionsFailed as failed:
                if 0 in failed.indexes:
                    raise BatchAborted(txid) from failed
                raise BatchConflict(sorted({indexes[(i - 1) // 2] for i in failed.indexes})) from failed

    def locked_writes(self, txid: str, keys: list[DocumentKey],
                      aliases: dict[DocumentKey, DocumentKey]) -> list[VersionWrite]:
        """The pending versions of the documents ``txid`` still holds (two reads: heads, then records)."""
        held = [h for h in self.get_heads(keys).values() if h.lock == txid]
        records = {item["pk"]["S"]: item["record"]["S"]
                   for item in self._batch_get([pending_key(h.key, txid) for h in held], "reading the batch")}
        return [VersionWrite(h.key, h.pending_version, records[pk], aliases.get(h.key))
                for h in held if (pk := partition_key(h.key)) in records]

    def apply_locked(self, txid: str, writes: list[VersionWrite]) -> list[VersionWrite]:
        """Roll forward: each locked head becomes its pending version, with its history (and alias),
        as many transactions as needed. Returns the writes of the transactions that did not go
        through (their lock conditions failed because a concurrent recovery applied some first, or
        AWS could not run them now): the caller re-reads which of them are still locked."""
        groups = [self._version_actions(w, lock=txid) for w in writes]
        failed: list[VersionWrite] = []
        for indexes in pack(groups, self.max_actions, self.max_bytes):
            try:
                self._transact_groups([groups[i] for i in indexes], indexes, "applying the batch")
            except PayloadTooLarge:
                if len(indexes) == 1:  # cannot happen (sized when locked); left locked, never dropped
                    failed.append(writes[indexes[0]])
                    continue
                # the store counts this pack larger than folio does: one document per transaction
                half = len(indexes) // 2
                failed.extend(self.apply_locked(txid, [writes[i] for i in indexes[:half]]))
                failed.extend(self.apply_locked(txid, [writes[i] for i in indexes[half:]]))
            except (BatchConflict, StorageUnavailable):
                failed.extend(writes[i] for i in indexes)
        return failed

    def release_locks(self, txid: str, keys: list[DocumentKey]) -> None:
        """Roll back the heads ``txid`` holds (a placeholder is deleted), and their pending items."""
        for head in self.get_heads(keys).values():
            if head.lock != txid:
                continue
            if head.record is None:
                release = {"Delete": {"TableName": self._name, "Key": head_key(head.key),
                                      "ConditionExpression": f"{LOCK} = :t",
                                      "ExpressionAttributeValues": {":t": {"S": txid}}}}
            else:
                release = {"Update": {"TableName": self._name, "Key": head_key(head.key),
                                      "UpdateExpression": f"REMOVE {LOCK}, {PENDING_VERSION}",
                                      "ConditionExpression": f"{LOCK} = :t",
                                      "ExpressionAttributeValues": {":t": {"S": txid}}}}
            try:
                self._transact([release, {"Delete": {"TableName": self._name, "Key": pending_key(head.key, txid)}}],
                               "releasing a lock")
            except ConditionsFailed:
                pass  # released by a concurrent recovery

    # ---- intents: the single record whose state is the batch's commit point
    def put_intent(self, txid: str, writes: list[VersionWrite], started: int) -> None:
        plan = {"pks": [partition_key(w.key) for w in writes],
                "aliases": [partition_key(w.alias) if w.alias else None for w in writes]}
        item = {**intent_key(txid), "state": {"S": PENDING},
                "intent": {"S": json.dumps(plan, ensure_ascii=False, separators=(",", ":"))},
                "started": {"N": str(started)}}
        check_item(item, "the batch's intent record")
        try:
            self._call("put_item", "recording the batch", TableName=self._name, Item=item,
                       ConditionExpression="attribute_not_exists(pk)")
        except ConditionsFailed as failed:
            raise StorageUnavailable("recording the batch did not complete; retry later") from failed

    def get_intent(self, txid: str) -> Intent | None:
        item = self._get(intent_key(txid), "reading the batch")
        if item is None and (legacy := legacy_intent_key(txid)) is not None:
            item = self._get(legacy, "reading the batch")  # a batch an earlier deployment began
        return intent_of(item) if item else None

    def list_intents(self) -> list[Intent]:
        """Every intent, from each of its shards (read in parallel)."""
        return [intent_of(item) for item in self._query_partitions("listing batches", intent_partitions())]

    def transition_intent(self, txid: str, from_state: str, to_state: str) -> bool:
        """Move the intent's state if it is still ``from_state``; False when another party moved it.
        An intent an earlier deployment recorded in the unsharded partition is moved there."""
        if self._transition(intent_key(txid), from_state, to_state):
            return True
        legacy = legacy_intent_key(txid)
        if legacy is None or self._get(intent_key(txid), "reading the batch") or not self._get(legacy, "reading the batch"):
            return False
        return self._transition(legacy, from_state, to_state)

    def _transition(self, key: dict[str, Any], from_state: str, to_state: str) -> bool:
        try:
            self._call("update_item", "deciding the batch", TableName=self._name, Key=key,
                       UpdateExpression="SET #s = :to", ConditionExpression="#s = :from",
                       ExpressionAttributeNames={"#s": "state"},
                       ExpressionAttributeValues={":to": {"S": to_state}, ":from": {"S": from_state}})
            return True
        except ConditionsFailed:
            return False

    def delete_intent(self, txid: str) -> None:
        out = self._call("delete_item", "finishing the batch", TableName=self._name, Key=intent_key(txid),
                         ReturnValues="ALL_OLD")
        if not out.get("Attributes") and (legacy := legacy_intent_key(txid)) is not None:
            self._call("delete_item", "finishing the batch", TableName=self._name, Key=legacy)

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


def intent_of(item: dict[str, Any]) -> Intent:
    """An intent record as the core sees it: its plan's pks and aliases as document keys."""
    plan = json.loads(item["intent"]["S"])
    keys = tuple(document_key(pk) for pk in plan["pks"])
    return Intent(txid=item["sk"]["S"], state=item["state"]["S"], started=int(item["started"]["N"]), keys=keys,
                  aliases={key: document_key(alias) for key, alias in zip(keys, plan["aliases"]) if alias})
