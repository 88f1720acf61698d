"""Atomic writes of many documents: all or none, at any size, even if the function dies midway.

A batch whose writes fit one DynamoDB transaction (100 actions; a document takes two, three
when it is created) is one transaction. A larger batch follows this protocol, each step one
AWS call:

1. read every head; compute every next version (nothing is written if any item is invalid);
2. write an *intent* record (state ``PENDING``) naming the batch's heads;
3. lock the heads in chunks of one transaction each: a lock is conditional on the version
   read and carries the pending record (a create locks a placeholder head);
4. the commit point: the intent moves ``PENDING -> COMMITTED`` (conditional, one write);
5. roll forward in chunks: each locked head becomes its pending version, with its history
   item (and alias), conditional on still holding the lock;
6. delete the intent.

Recovery (:meth:`BatchService.recover`) finishes what a dead writer left: a ``COMMITTED``
intent is rolled forward, a ``PENDING`` one older than ``stale_after`` seconds (well past a
function's timeout) is moved to ``ABORTED`` - the same conditional write that step 4 needs,
so exactly one of commit and abort wins - and its locks are released. It runs on the next
access of a locked head (:meth:`BatchService.read`) and from the sweeper (:meth:`sweep`).
While a batch is pending, readers see the last committed versions; writers see a conflict.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from .core import Caller, Document, DocumentKey, backoff_seconds, utcnow
from .errors import Contention, EditConflict, FolioError, InvalidRequest

MAX_TRANSACTION_ACTIONS = 100


@dataclass(frozen=True)
class BatchItem:
    """One document of a batch: its key, how its body changes, and the alias a create records."""

    key: DocumentKey
    #: the next body from the current document (None when it does not exist yet); may raise
    #: InvalidRequest. Called again after every re-read, so it must be pure.
    change: Callable[[Document | None], dict[str, Any]]
    alias: str | None = None
    label: dict[str, Any] = field(default_factory=dict)  # what error reports name the item by


@dataclass
class ItemProblem:
    index: int
    label: dict[str, Any]
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return {"index": self.index, **self.label, "reason": self.reason}


class BatchRejected(InvalidRequest):
    """Some items are invalid: nothing was written."""


class BatchConflicted(EditConflict):
    """Some items kept being changed concurrently: nothing was written."""


class BatchService:
    def __init__(self, table, *, clock: Callable[[], datetime] = utcnow, max_attempts: int = 8,
                 stale_after: int = 60, max_actions: int = MAX_TRANSACTION_ACTIONS):
        self.table = table  # a folio.storage.BatchTable
        self.clock = clock
        self.max_attempts = max_attempts
        self.stale_after = stale_after
        self.max_actions = max_actions

    # ---------------------------------------------------------------- reads
    def read(self, key: DocumentKey) -> Document | None:
        """The committed document; a lock left by a dead or committed batch is resolved first."""
        heads = self.table.get_heads([key.pk])
        head = heads.get(key.pk)
        if head is not None and head.lock is not None and self.recover(head.lock):
            head = self.table.get_heads([key.pk]).get(key.pk)
        if head is None or head.record is None:
            return None
        return Document.from_record(key, head.version, head.record)

    # ---------------------------------------------------------------- writes
    def commit_atomic(self, items: list[BatchItem], caller: Caller) -> list[Document]:
        """Every item's next version, or none (BatchRejected 400, BatchConflicted 409)."""
        from .storage import BatchConflict

        conflicts: list[int] = []
        for attempt in range(self.max_attempts):
            if attempt:
                time.sleep(backoff_seconds(attempt))
            heads = self._heads(items)
            docs = self._next_versions(items, heads, caller)
            actions = sum(2 + (1 if d.version == 1 and i.alias else 0) for i, d in zip(items, docs))
            try:
                if actions <= self.max_actions:
                    self.table.write_versions([self._write(i, d) for i, d in zip(items, docs)])
                else:
                    self._commit_with_intent(items, heads, docs)
                return docs
            except (_Conflict, BatchConflict) as conflict:
                conflicts = conflict.indexes
        problems = [ItemProblem(i, items[i].label, "changed by a concurrent request; retry") for i in conflicts]
        raise BatchConflicted(f"{len(problems)} item(s) kept changing concurrently; nothing was written",
                              errors=[p.as_dict() for p in problems])

    def commit_each(self, items: list[BatchItem], caller: Caller) -> list[Document | FolioError]:
        """Each item on its own: one read for all heads, a transaction per item, and a re-read and
        re-apply only for an item that lost a race; an error per failing item."""
        from .storage import BatchConflict

        heads = self._heads(items)
        out: list[Document | FolioError] = []
        for item in items:
            try:
                try:
                    doc = self._apply(item, self._current(item, heads), caller)
                    self.table.write_versions([self._write(item, doc)])
                except BatchConflict:
                    doc = self._commit_one(item, caller)
                out.append(doc)
            except FolioError as error:
                out.append(error)
        return out

    # ---------------------------------------------------------------- recovery
    def recover(self, txid: str) -> bool:
        """Finish a batch a writer left behind; True when its locks are gone now."""
        intent = self.table.get_intent(txid)
        if intent is None:
            return True  # finished; any lock with this id was cleared before the intent went
        plan = json.loads(intent["intent"])
        state = intent["state"]
        if state == "PENDING" and self._now() - intent["started"] > self.stale_after:
            if self.table.transition_intent(txid, "PENDING", "ABORTED"):
                state = "ABORTED"
            else:
                state = self.table.get_intent(txid)["state"]
        if state == "COMMITTED":
            self._roll_forward(txid, plan)
        elif state == "ABORTED":
            for pk in plan["pks"]:
                self.table.release_lock(txid, pk)
        else:
            return False  # a live writer is still at it
        self.table.delete_intent(txid)
        return True

    def sweep(self) -> int:
        """Recover every batch whose writer is gone; the number recovered."""
        return sum(1 for intent in self.table.list_intents() if self.recover(intent["txid"]))

    # ---------------------------------------------------------------- internals
    def _now(self) -> int:
        return int(self.clock().timestamp())

    def _heads(self, items: list[BatchItem]) -> dict[str, Any]:
        heads = self.table.get_heads([i.key.pk for i in items])
        stale = {h.lock for h in heads.values() if h.lock is not None}
        if stale and any(self.recover(txid) for txid in stale):
            heads = self.table.get_heads([i.key.pk for i in items])
        return heads

    @staticmethod
    def _current(item: BatchItem, heads: dict[str, Any]) -> Document | None:
        head = heads.get(item.key.pk)
        if head is None or head.record is None:
            return None
        return Document.from_record(item.key, head.version, head.record)

    def _next_versions(self, items: list[BatchItem], heads: dict[str, Any], caller: Caller) -> list[Document]:
        docs, problems = [], []
        for index, item in enumerate(items):
            current = self._current(item, heads)
            try:
                docs.append(self._apply(item, current, caller))
            except InvalidRequest as error:
                problems.append(ItemProblem(index, item.label, error.message))
        if problems:
            raise BatchRejected(f"{len(problems)} item(s) are invalid; nothing was written",
                                errors=[p.as_dict() for p in problems])
        return docs

    def _apply(self, item: BatchItem, current: Document | None, caller: Caller) -> Document:
        body = item.change(current)
        now = self.clock()
        if current is None:
            return Document(item.key, 1, body, {}, now, now, caller.actor(), caller.actor())
        now = max(now, current.updated_at + timedelta(microseconds=1))
        return Document(item.key, current.version + 1, body, current.files, current.created_at, now,
                        current.created_by, caller.actor())

    @staticmethod
    def _write(item: BatchItem, doc: Document):
        from .storage import VersionWrite  # storage types only; the table is injected

        return VersionWrite(item.key.pk, doc.version, doc.to_record(), item.alias if doc.version == 1 else None)

    def _commit_one(self, item: BatchItem, caller: Caller) -> Document:
        from .storage import BatchConflict

        for attempt in range(self.max_attempts * 3):
            time.sleep(backoff_seconds(attempt))
            doc = self._apply(item, self._current(item, self._heads([item])), caller)
            try:
                self.table.write_versions([self._write(item, doc)])
                return doc
            except BatchConflict:
                continue
        raise Contention(f"{item.key.id} is being changed by many writers; retry later")

    def _commit_with_intent(self, items: list[BatchItem], heads: dict[str, Any], docs: list[Document]) -> None:
        from .storage import BatchConflict

        txid = uuid.uuid4().hex
        order = sorted(range(len(items)), key=lambda i: items[i].key.pk)  # one lock order for every batch
        plan = {"pks": [items[i].key.pk for i in order],
                "aliases": {items[i].key.pk: items[i].alias for i in order if docs[i].version == 1 and items[i].alias}}
        self.table.put_intent(txid, json.dumps(plan), self._now())
        locked: list[int] = []
        try:
            for chunk in _chunks(order, self.max_actions):
                try:
                    self.table.lock(txid, [(items[i].key.pk, docs[i].version - 1, docs[i].to_record()) for i in chunk])
                except BatchConflict as conflict:
                    raise _Conflict([chunk[j] for j in conflict.indexes]) from None
                locked.extend(chunk)
            if not self.table.transition_intent(txid, "PENDING", "COMMITTED"):
                raise _Conflict(order)  # a sweeper judged us dead and aborted: nothing applies
        except BaseException:
            self._abort(txid, [items[i].key.pk for i in locked])
            raise
        try:
            self._roll_forward(txid, plan)
            self.table.delete_intent(txid)
        except FolioError:
            pass  # committed: readers and the sweeper finish the roll forward; the batch succeeded

    def _abort(self, txid: str, pks: list[str]) -> None:
        try:
            self.table.transition_intent(txid, "PENDING", "ABORTED")
            for pk in pks:
                self.table.release_lock(txid, pk)
            self.table.delete_intent(txid)
        except FolioError:
            pass  # left for recovery: the intent is PENDING or ABORTED, never COMMITTED

    def _roll_forward(self, txid: str, plan: dict[str, Any]) -> None:
        from .storage import BatchConflict, VersionWrite

        heads = self.table.get_heads(plan["pks"])
        writes = [VersionWrite(pk, h.pending_version, h.pending, plan["aliases"].get(pk))
                  for pk in plan["pks"] if (h := heads.get(pk)) is not None and h.lock == txid]
        per_write = 3 if plan["aliases"] else 2
        for chunk in _chunks(writes, max(1, self.max_actions // per_write)):
            try:
                self.table.apply_locked(txid, chunk)
            except BatchConflict:
                for write in chunk:  # some were applied by a concurrent recovery: go one by one
                    try:
                        self.table.apply_locked(txid, [write])
                    except BatchConflict:
                        pass


class _Conflict(Exception):
    def __init__(self, indexes: list[int]):
        super().__init__(indexes)
        self.indexes = indexes


def _chunks(values: list, size: int) -> list[list]:
    return [values[i:i + size] for i in range(0, len(values), size)]

