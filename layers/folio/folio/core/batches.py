"""Atomic writes of many documents: all or none, at any size, even if the function dies midway.

A batch whose writes fit one DynamoDB transaction (100 actions and 4 MB; a document takes
two actions, three when it is created) is one transaction. A larger batch follows this
protocol, each step one or more AWS calls (storage packs them by actions and bytes):

1. read every head; compute every next version (nothing is written if any item is invalid,
   413 if any can never be stored);
2. write an *intent* record (state ``PENDING``) naming the batch's documents;
3. lock the heads: a lock is conditional on the version read; the pending record goes to an
   item of its own beside the head, so a lock never doubles a head's size (a create locks a
   placeholder head);
4. the commit point: the intent moves ``PENDING -> COMMITTED`` (conditional, one write);
5. roll forward: each locked head becomes its pending version, with its history item (and
   alias), conditional on still holding the lock; repeated, re-reading what is still locked,
   until nothing is (a transaction conflict is retried, never taken as done);
6. delete the intent.

Recovery (:meth:`BatchService.recover`) finishes what a dead writer left: a ``COMMITTED``
intent is rolled forward, a ``PENDING`` one older than ``stale_after`` seconds (well past a
function's timeout) is moved to ``ABORTED`` - the same conditional write that step 4 needs,
so exactly one of commit and abort wins - and its locks are released. It runs on the next
access of a locked head (:meth:`BatchService.read`) and from the sweeper (:meth:`sweep`).
While a batch is pending, readers see the last committed versions; writers see a conflict.

This module is the protocol's logic; how storage keeps intents, locks and aliases is behind the
:class:`~folio.core.ports.BatchTable` Protocol.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from .documents import Caller, Document, DocumentKey, collection_of
from .errors import Contention, EditConflict, FolioError, InvalidRequest, PayloadTooLarge, StorageUnavailable
from .ports import ABORTED, COMMITTED, PENDING, BatchAborted, BatchConflict, BatchTable, Head, VersionWrite
from . import service as _service
from .service import committed, pause, utcnow

#: How many times a roll forward re-reads what is still locked and applies it, before the caller
#: is told to retry later (the batch stays committed: readers and the sweeper finish it).
ROLL_FORWARD_PASSES = 6


@dataclass(frozen=True)
class BatchItem:
    """One document of a batch: its key, how its body changes, and the alias a create records."""

    key: DocumentKey
    #: the next body from the current document (None when it does not exist yet); may raise
    #: InvalidRequest. Called again after every re-read, so it must be pure.
    change: Callable[[Document | None], dict[str, Any]]
    #: another key that names the document (artu's id); a create records it, atomically
    alias: DocumentKey | None = None
    label: dict[str, Any] = field(default_factory=dict)  # what error reports name the item by
    #: the list a create puts the document in (every later version keeps the one it has)
    collection: str | None = None


@dataclass
class ItemProblem:
    index: int
    label: dict[str, Any]
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return {"index": self.index, **self.label, "reason": self.reason}


class BatchRejected(InvalidRequest):
    """Some items are invalid: nothing was written."""


class BatchTooLarge(PayloadTooLarge):
    """Some items can never be stored (DynamoDB's 400 KB per item): nothing was written."""


class BatchConflicted(EditConflict):
    """Some items kept being changed concurrently: nothing was written."""


class BatchService:
    def __init__(self, table: BatchTable, *, clock: Callable[[], datetime] = utcnow, max_attempts: int = 8,
                 stale_after: int = 60):
        self.table = table
        self.clock = clock
        self.max_attempts = max_attempts
        self.stale_after = stale_after

    # ---------------------------------------------------------------- reads
    def read(self, key: DocumentKey) -> Document | None:
        """The committed document; a lock left by a dead or committed batch is resolved first."""
        head = self.table.get_heads([key]).get(key)
        if head is not None and head.lock is not None and self.recover(head.lock, [key]):
            head = self.table.get_heads([key]).get(key)
        return committed(head)

    # ---------------------------------------------------------------- writes
    def find_by_alias(self, alias: DocumentKey) -> Document | None:
        """The document a create recorded ``alias`` for (a lock a dead batch left resolved), or None."""
        target = self.table.get_alias(alias)
        return None if target is None else self.read(target)

    def commit_atomic(self, items: list[BatchItem], caller: Caller) -> list[Document]:
        """Every item's next version, or none (BatchRejected 400, BatchTooLarge 413, BatchConflicted 409)."""
        conflicts: list[int] = []
        for attempt in range(self.max_attempts):
            if attempt:
                pause(attempt)
            heads = self.table.get_heads([i.key for i in items])
            docs, writes = self._next_versions(items, heads, caller)  # 400 and 413 before any recovery
            if any(h.lock for h in heads.values()):
                heads = self._resolve(heads, items)
                docs, writes = self._next_versions(items, heads, caller)
            try:
                if self.table.fits_one_transaction(writes):
                    self.table.write_versions(writes)
                else:
                    self._commit_with_intent(items, writes)
                _service.committed_documents.extend(d.key for d in docs)
                return docs
            except (_Conflict, BatchConflict) as conflict:
                conflicts = conflict.indexes
        problems = [ItemProblem(i, items[i].label, "changed by a concurrent request; retry") for i in conflicts]
        raise BatchConflicted(f"{len(problems)} item(s) kept changing concurrently; nothing was written",
                              errors=[p.as_dict() for p in problems])

    def commit_each(self, items: list[BatchItem], caller: Caller) -> list[Document | FolioError]:
        """Each item on its own: one read for all heads, a transaction per item, and a re-read and
        re-apply only for an item that lost a race; an error per failing item."""
        heads = self._heads(items)
        out: list[Document | FolioError] = []
        for item in items:
            try:
                try:
                    doc = self._apply(item, self._current(item, heads), caller)
                    self.table.write_versions([self._write(item, doc)])
                except BatchConflict:
                    doc = self._commit_one(item, caller)
                _service.committed_documents.append(doc.key)
                out.append(doc)
            except FolioError as error:
                out.append(error)
        return out

    # ---------------------------------------------------------------- recovery
    def recover(self, txid: str, keys: list[DocumentKey] = ()) -> bool:
        """Finish a batch a writer left behind; True when its locks are gone now. ``keys``: heads
        seen locked by it, released if the batch has no intent any more (no lock can outlive its
        intent: locks are conditional on a PENDING intent, which goes only after they are gone;
        this clears what an older writer may have left)."""
        intent = self.table.get_intent(txid)
        if intent is None:
            if keys:
                self.table.release_locks(txid, list(keys))
            return True
        state = intent.state
        if state == PENDING and self._now() - intent.started > self.stale_after:
            state = ABORTED if self.table.transition_intent(txid, PENDING, ABORTED) else self._state(txid)
        if state == COMMITTED:
            self._roll_forward(txid, self.table.locked_writes(txid, list(intent.keys), intent.aliases))
        elif state == ABORTED:
            self.table.release_locks(txid, list(intent.keys))
        elif state is None:
            return True
        else:
            return False  # a live writer is still at it
        self.table.delete_intent(txid)
        return True

    def sweep(self) -> int:
        """Recover every batch whose writer is gone, each on its own (one that cannot finish now
        does not stop the others); the number recovered."""
        recovered = 0
        for intent in self.table.list_intents():
            try:
                recovered += self.recover(intent.txid)
            except FolioError:
                continue  # left for the next sweep, or the next reader
        return recovered

    def oldest_unfinished_seconds(self) -> int:
        """How long ago the oldest batch still recorded started (0: none): a batch the sweeper keeps
        failing to finish grows old (the UnfinishedBatchesAlarm watches it)."""
        now = self._now()
        return max((now - intent.started for intent in self.table.list_intents()), default=0)

    # ---------------------------------------------------------------- internals
    def _now(self) -> int:
        return int(self.clock().timestamp())

    def _state(self, txid: str) -> str | None:
        intent = self.table.get_intent(txid)
        return intent.state if intent else None

    def _heads(self, items: list[BatchItem]) -> dict[DocumentKey, Head]:
        heads = self.table.get_heads([i.key for i in items])
        return self._resolve(heads, items) if any(h.lock for h in heads.values()) else heads

    def _resolve(self, heads: dict[DocumentKey, Head], items: list[BatchItem]) -> dict[DocumentKey, Head]:
        """Recover the batches holding these heads, best effort (a lock that stays is a conflict
        for the write, never an error of this request); the heads re-read if any went."""
        held: dict[str, list[DocumentKey]] = {}
        for head in heads.values():
            if head.lock is not None:
                held.setdefault(head.lock, []).append(head.key)
        recovered = False
        for txid in sorted(held):  # every one, in one order (replays are exact)
            try:
                recovered = self.recover(txid, held[txid]) or recovered
            except FolioError:
                continue
        return self.table.get_heads([i.key for i in items]) if recovered else heads

    @staticmethod
    def _current(item: BatchItem, heads: dict[DocumentKey, Head]) -> Document | None:
        return committed(heads.get(item.key))

    def _next_versions(self, items: list[BatchItem], heads: dict[DocumentKey, Head],
                       caller: Caller) -> tuple[list[Document], list[VersionWrite]]:
        """Every item's next version and its storage write; 400 if any is invalid, else 413 if any
        can never be stored."""
        docs, writes, invalid, too_large = [], [], [], []
        for index, item in enumerate(items):
            try:
                doc = self._apply(item, self._current(item, heads), caller)
                writes.append(self._write(item, doc))
                docs.append(doc)
            except InvalidRequest as error:
                invalid.append(ItemProblem(index, item.label, error.message))
            except PayloadTooLarge as error:
                too_large.append(ItemProblem(index, item.label, error.message))
        if invalid:
            raise BatchRejected(f"{len(invalid)} item(s) are invalid; nothing was written",
                                errors=[p.as_dict() for p in invalid + too_large])
        if too_large:
            raise BatchTooLarge(f"{len(too_large)} item(s) exceed DynamoDB's 400 KB per item; nothing was written",
                                errors=[p.as_dict() for p in too_large])
        return docs, writes

    def _apply(self, item: BatchItem, current: Document | None, caller: Caller) -> Document:
        body = item.change(current)
        now = self.clock()
        if current is None:
            return Document(item.key, 1, body, {}, now, now, caller.actor(), caller.actor(), collection_of(item.collection))
        now = max(now, current.updated_at + timedelta(microseconds=1))
        return Document(item.key, current.version + 1, body, current.files, current.created_at, now,
                        current.created_by, caller.actor(), current.collection)

    def _write(self, item: BatchItem, doc: Document) -> VersionWrite:
        """The storage write of one next version; PayloadTooLarge when it can never be stored."""
        record = doc.to_record()
        self.table.check_record(item.key, record)
        return VersionWrite(item.key, doc.version, record, item.alias if doc.version == 1 else None)

    def _commit_one(self, item: BatchItem, caller: Caller) -> Document:
        for attempt in range(self.max_attempts * 3):
            pause(attempt)
            doc = self._apply(item, self._current(item, self._heads([item])), caller)
            try:
                self.table.write_versions([self._write(item, doc)])
                return doc
            except BatchConflict:
                continue
        raise Contention(f"{item.key.id} is being changed by many writers; retry later")

    def _commit_with_intent(self, items: list[BatchItem], writes: list[VersionWrite]) -> None:
        """Steps 2 to 6 of the protocol. Returns only when every item is applied."""
        txid = uuid.uuid4().hex
        order = sorted(range(len(items)), key=lambda i: _lock_order(items[i].key))  # one lock order for every batch
        ordered = [writes[i] for i in order]
        keys = [w.key for w in ordered]
        self.table.put_intent(txid, ordered, self._now())
        try:
            self.table.lock(txid, ordered)
        except BatchAborted:  # a recoverer judged us dead: nothing applies
            self._abort(txid, keys)
            raise _Conflict(order) from None
        except BatchConflict as conflict:
            self._abort(txid, keys)
            raise _Conflict([order[j] for j in conflict.indexes]) from None
        except FolioError:
            self._abort(txid, keys)
            raise
        state = COMMITTED if self.table.transition_intent(txid, PENDING, COMMITTED) else self._state(txid)
        if state != COMMITTED:  # a sweeper judged us dead and aborted: nothing applies
            self._abort(txid, keys)
            raise _Conflict(order)
        self._roll_forward(txid, ordered)
        try:
            self.table.delete_intent(txid)
        except FolioError:
            pass  # every item is applied; the sweeper removes the finished intent

    def _abort(self, txid: str, keys: list[DocumentKey]) -> None:
        """Release the locks, unless the batch committed after all (then recovery rolls it forward)."""
        try:
            if self.table.transition_intent(txid, PENDING, ABORTED) or self._state(txid) == ABORTED:
                self.table.release_locks(txid, keys)
                self.table.delete_intent(txid)
        except FolioError:
            pass  # left for recovery: the intent is PENDING, ABORTED or COMMITTED, and says what to do

    def _roll_forward(self, txid: str, writes: list[VersionWrite]) -> None:
        """Apply ``writes``, the pending versions of heads ``txid`` holds (its own writer knows them,
        so the happy path reads nothing); re-read and repeat what failed until nothing is left.
        Raises StorageUnavailable when that does not happen in time: the batch is committed, so
        readers and the sweeper finish it, but the caller is never told it is done before it is."""
        aliases = {w.key: w.alias for w in writes if w.alias is not None}
        for attempt in range(ROLL_FORWARD_PASSES):
            if not writes:
                return
            if attempt:
                pause(attempt)
            failed = self.table.apply_locked(txid, writes)
            writes = self.table.locked_writes(txid, [w.key for w in failed], aliases) if failed else []
        if writes:
            raise StorageUnavailable("the batch is committed but not yet applied to every document; "
                                     "it will be, retry to see it")


def _lock_order(key: DocumentKey) -> tuple[str, str, str]:
    """The one order in which every batch locks its documents: two batches meet at the first
    document they share, instead of each holding some of the other's."""
    return key.tenant, key.kind, key.id


class _Conflict(Exception):
    def __init__(self, indexes: list[int]):
        super().__init__(indexes)
        self.indexes = indexes
