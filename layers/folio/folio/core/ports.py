"""What the core needs from storage, written down as Protocols; :mod:`folio.storage` implements them.

The core speaks of documents by :class:`DocumentKey` and of versions by number; how storage names
its items (partition and sort keys, lock attributes, counters, the serialized intent of a batch)
is storage's own business. The values and exceptions that cross the boundary are defined here, so
that the core never imports storage. A conditional write that found another version raises
:class:`~folio.core.errors.ConditionFailed`; a record that can never be stored raises
:class:`~folio.core.errors.PayloadTooLarge`; anything else AWS fails at raises
:class:`~folio.core.errors.StorageUnavailable`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from .documents import DocumentKey

#: The states of a batch's intent, its commit point: PENDING until one conditional write moves it
#: to COMMITTED (the writer) or ABORTED (a recoverer that judged the writer dead).
PENDING, COMMITTED, ABORTED = "PENDING", "COMMITTED", "ABORTED"


@dataclass(frozen=True)
class Head:
    """A document's head as stored: ``record`` (the version's JSON text) is None for a placeholder
    that a pending atomic create locked; ``lock`` names the batch holding the head and
    ``pending_version`` the version that batch writes."""

    key: DocumentKey
    version: int
    record: str | None
    lock: str | None = None
    pending_version: int | None = None


@dataclass(frozen=True)
class VersionWrite:
    """The next version of one document; ``alias`` (only on create) is another key that names it."""

    key: DocumentKey
    version: int
    record: str
    alias: DocumentKey | None = None


@dataclass(frozen=True)
class CommitMarks:
    """What a commit records beside its head and history, in the same transaction (so it is as
    conditional as they are, and never outlives a commit that failed). Storage knows nothing of
    dialects: the dialect's numbered versions arrive here as plain integers.

    ``number``: the dialect's numbered version this commit holds (dms: its file version; crm: the
    version that checked content in, its own number), or None. Its *mark* item keeps the first and
    the latest committed version that held it. ``counted``: the commit is of a document whose
    dialect marks every commit (``Edit.mark``); the document's count of marked commits goes up by
    one, so a reader knows its marks are complete when that count equals the head's version
    (documents written before marks existed, or by a commit that marked nothing, are read from
    their history instead). ``attached``: ``(slot, S3 version id)`` of each already-stored file this
    commit attaches (an upload session's object): one read finds the version that attached it
    again (:meth:`DocumentTable.holder`)."""

    number: int | None = None
    counted: bool = False
    attached: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Mark:
    """One numbered version of a dialect as its mark item holds it: the first committed version
    that held ``number`` (None when only a commit that continued it wrote the mark: see
    :class:`CommitMarks`) and the latest."""

    number: int
    first: int | None
    last: int


@dataclass(frozen=True)
class MarkState:
    """What one read of a document's marks gives: its committed ``head``; whether its marks are
    ``complete`` (every committed version marked: a missing mark is then a number that never
    existed); the marks asked for that exist, and the history records asked for that exist."""

    head: Head
    complete: bool
    marks: dict[int, Mark] = field(default_factory=dict)
    records: dict[int, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Intent:
    """A multi-transaction batch as recorded before it locks anything: its state, when it started
    (seconds since the epoch), the documents it locks in lock order, and the alias each create
    records."""

    txid: str
    state: str
    started: int
    keys: tuple[DocumentKey, ...] = ()
    aliases: dict[DocumentKey, DocumentKey] = field(default_factory=dict)


@dataclass(frozen=True)
class StoredObject:
    """One stored object version and what it holds."""

    key: str
    version_id: str
    size: int
    sha256: str
    content_type: str
    file_name: str | None = None  # the name an uploader gave, where it travelled with the object


class BatchConflict(Exception):
    """A batch write was refused by its conditions; ``indexes`` are the documents (positions in
    the writes given) whose condition failed."""

    def __init__(self, indexes: list[int]):
        super().__init__(f"conditions failed for {indexes}")
        self.indexes = indexes


class BatchAborted(Exception):
    """The batch's intent is no longer PENDING (a recoverer judged its writer dead): lock nothing more."""


class DocumentTable(Protocol):
    """Heads, immutable history and id counters of documents."""

    def get_head(self, key: DocumentKey) -> Head | None:
        """The head, read strongly consistent; None when absent or a placeholder a pending create locked."""

    def get_heads(self, keys: list[DocumentKey]) -> dict[DocumentKey, Head]:
        """Several heads in one read, placeholders included (strongly consistent)."""

    def get_version(self, key: DocumentKey, version: int) -> str | None:
        """The record of one committed version."""

    def history(self, key: DocumentKey, *, deleted_too: bool = False) -> list[tuple[int, str]]:
        """Every committed version's ``(version, record)``, oldest first; none for a document marked
        deleted, unless ``deleted_too`` (its purge)."""

    def commit(self, key: DocumentKey, version: int, record: str, marks: CommitMarks | None = None) -> None:
        """Head and history of ``version`` at once, conditional on the head being at ``version - 1``
        and unlocked (absent for version 1); ConditionFailed when it is not. ``marks`` are written in
        the same transaction."""

    # ---- numbered versions: one read per version, pages of marks (DESIGN §12) ----
    def mark_state(self, key: DocumentKey, numbers: list[int] = (), versions: list[int] = ()) -> MarkState | None:
        """One atomic read of the head, whether the marks are complete, the marks of ``numbers``
        and the history records of ``versions`` (at most 97 of them in all); None when there is no
        committed document (absent, a placeholder, or marked deleted)."""

    def records(self, key: DocumentKey, versions: list[int]) -> dict[int, str]:
        """The history records of ``versions`` that exist (one BatchGetItem per 100), nothing else
        read: the caller read the head in this request."""

    def mark_page(self, key: DocumentKey, after: int | None, limit: int, newest_first: bool,
                  ) -> tuple[list[Mark], bool]:
        """Up to ``limit`` marks beyond number ``after`` (None: from the start), in number order,
        newest first or oldest first; and whether more follow. One Query."""

    def backfill_marks(self, key: DocumentKey, version: int, marks: list[Mark]) -> bool:
        """Write ``marks`` (computed from the history up to ``version``) and make the document's
        marks complete, each transaction conditional on the head still being at ``version`` and not
        deleted; False when the head moved on (what was written is still right)."""

    def holder(self, key: DocumentKey, slot: str, version_id: str) -> int | None:
        """The committed version that attached stored file ``version_id`` to ``slot`` (a commit's
        ``CommitMarks.attached``); None when none did, or the document is gone or marked deleted.
        One read."""

    def abandon(self, key: DocumentKey, slot: str, version_id: str, expires: int) -> bool:
        """Make every later commit attaching stored file ``version_id`` to ``slot`` fail with
        FileAbandoned, unless one already attached it: False then. One conditional write."""

    def next_id(self, tenant: str, kind: str) -> int:
        """A new integer for this tenant and kind, never handed out before."""

    def raise_counter(self, tenant: str, kind: str, at_least: int) -> None:
        """Make next_id hand out only integers above ``at_least`` (never moves down)."""

    def list_heads(self, tenant: str, collection: str, shards: int, limit: int, before: str | None,
                   ) -> tuple[list[Head], str | None]:
        """Up to ``limit`` heads of a collection's list, newest first, older than ``before`` (a
        position this call returned), merged exactly from the list's ``shards``; the position of the
        last, None at the end."""

    def mark_deleted(self, key: DocumentKey, version: int, aliases: tuple[DocumentKey, ...], marked: datetime,
                     deleted_by: dict) -> None:
        """Take the head's record away (reads see no document) and record a purge naming ``aliases``,
        at once, conditional on the head being at ``version`` and unlocked; ConditionFailed otherwise.
        The head keeps when (``marked``) and by whom it was deleted, for its change event."""

    def claim_purge(self, key: DocumentKey, now: int, seconds: int) -> bool:
        """Claim a recorded purge exclusively for ``seconds``; False when another run holds it, it has
        ended, or the key's head is a document not marked deleted."""

    def linked_objects(self, key: DocumentKey) -> list[str]:
        """The S3 objects of the items elsewhere that hold the document's data (its upload sessions,
        open or ended; Idempotency-Key answers kept in the bucket)."""

    def purge(self, key: DocumentKey) -> None:
        """Delete every item of a document marked deleted (its upload sessions' records with it;
        the answers Idempotency-Key records kept of it erased), its aliases, and then its purge record."""

    def list_purges(self) -> list[tuple[DocumentKey, int]]:
        """Every recorded purge: the document and when it was marked (seconds since the epoch)."""


class FileStore(Protocol):
    """Files in a versioned store, always addressed by (key, version id)."""

    def put(self, key: str, data: bytes, content_type: str) -> StoredObject: ...

    def get(self, key: str, version_id: str) -> bytes: ...

    def describe(self, key: str, version_id: str, max_bytes: int | None = None) -> StoredObject:
        """Size, content type and SHA-256 of one object version (one stored without folio's help);
        PayloadTooLarge, having read none of it, when it holds more than ``max_bytes``."""

    def delete_version(self, key: str, version_id: str) -> None: ...

    def abort_uploads(self, prefix: str) -> int:
        """Abort every multipart upload still open under ``prefix`` (S3 drops its parts); how many."""

    def delete_every_version(self, prefix: str) -> int:
        """Delete every object version and delete marker whose key starts with ``prefix``; how many."""

    def presign_put(self, key: str, content_type: str, expires_in: int) -> str:
        """A URL that lets its holder store this one key, with this content type, until it expires."""

    def presign_get(self, key: str, version_id: str, content_type: str, content_disposition: str,
                    expires_in: int, method: str = "GET") -> str:
        """A URL that lets its holder read this one object version, answered with these headers, until it expires."""


class BatchTable(DocumentTable, Protocol):
    """The storage half of the atomic batch protocol (see :mod:`folio.core.batches`): many heads in
    one transaction when they fit, else an intent, locks, the intent's commit, a roll forward."""

    def get_alias(self, alias: DocumentKey) -> DocumentKey | None:
        """The document a create recorded ``alias`` for."""

    def check_record(self, key: DocumentKey, record: str) -> None:
        """PayloadTooLarge, naming the limit, when a version of ``record`` can never be stored."""

    def fits_one_transaction(self, writes: list[VersionWrite]) -> bool: ...

    def write_versions(self, writes: list[VersionWrite]) -> None:
        """Every write at once, each conditional on the version before; BatchConflict names those that failed."""

    def put_intent(self, txid: str, writes: list[VersionWrite], started: int) -> None:
        """Record a PENDING intent naming ``writes``' documents (in this order) and aliases."""

    def get_intent(self, txid: str) -> Intent | None: ...

    def list_intents(self) -> list[Intent]: ...

    def transition_intent(self, txid: str, from_state: str, to_state: str) -> bool:
        """Move the intent's state if it is still ``from_state``; False when another party moved it."""

    def delete_intent(self, txid: str) -> None: ...

    def lock(self, txid: str, writes: list[VersionWrite]) -> None:
        """Lock each write's head at the version before it, with its pending record beside it, each
        step conditional on the intent being PENDING (BatchAborted); BatchConflict names the writes
        whose head moved. Locks taken before a failure stay (the caller aborts)."""

    def locked_writes(self, txid: str, keys: list[DocumentKey],
                      aliases: dict[DocumentKey, DocumentKey]) -> list[VersionWrite]:
        """The pending versions of the documents among ``keys`` that ``txid`` still holds."""

    def apply_locked(self, txid: str, writes: list[VersionWrite]) -> list[VersionWrite]:
        """Roll forward: each head ``txid`` holds becomes its pending version; the writes not applied."""

    def release_locks(self, txid: str, keys: list[DocumentKey]) -> None:
        """Roll back the heads among ``keys`` that ``txid`` holds (a placeholder goes)."""


class EventBus(Protocol):
    """Where change events go (DESIGN §11): the stack's EventBridge bus."""

    def publish(self, events: list[dict]) -> int:
        """Put CloudEvents on the bus, in order; how many of them, from the first, it accepted (the
        rest are to be sent again later)."""
