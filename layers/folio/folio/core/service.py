"""The document service: versions, preconditions, bounded re-apply on lost races, ids, files.

No HTTP and no boto3 here. Storage is reached through the Protocols of :mod:`folio.core.ports`.
"""

from __future__ import annotations

import random
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from .documents import Caller, Collection, Document, DocumentKey, FileRef, NewFile, Precondition, collection_of
from .listing import MAX_PAGE, Cursors, Page
from .errors import (ConditionFailed, Contention, DocumentNotFound, EditConflict, FolioError, InvalidRequest,
                     PayloadTooLarge)

if TYPE_CHECKING:  # the storage half loads them when it is first used
    from .ports import DocumentTable, FileStore, Head

#: A change computes the next body from the current document (None: the body stays).
#: It is called again on every re-read, so it must be a pure function of its input.
Change = Callable[[Document], dict[str, Any] | None]


def shown_id(key: DocumentKey) -> str:
    """A document's id as answers name it: the one the client gave (the last part of a composite
    id), never the internal key with the domain, client or project it lives under."""
    return key.parts[-1]


def not_found(key: DocumentKey) -> DocumentNotFound:
    """The one 404 of a document: it reads the same whether the id exists elsewhere (under another
    customer, domain, project or document) or nowhere."""
    return DocumentNotFound(f"no document {shown_id(key)}")


def body_guard(field: str, expected: Any) -> Callable[[Document], None]:
    """A guard for :class:`Edit`: the document's body must hold ``expected`` in ``field`` (the
    customer, the document in the path), else it is not found for this request (404)."""

    def guard(current: Document) -> None:
        if current.body.get(field) != expected:
            raise not_found(current.key)

    return guard


@dataclass(frozen=True)
class Edit:
    """What one update does: the body ``change``, and what else the next version needs.

    ``guard`` raises when this request may not touch the document at all (another customer's,
    no access to its step): it runs on every read, before any file is stored.
    ``new_files`` are stored before the version that points at them (a :class:`FileRef` is
    already stored: an upload session's object, kept as is and never discarded here);
    ``attach_files`` are already stored (a presigned upload), attached only when the change
    alters the body. ``already_applied`` recognizes a document this edit has already produced
    (a retried completion): that document is the answer and nothing is committed again.
    ``always_new_version``: commit even when nothing changed (capture promises a new stateToken
    on every successful update). ``restored_from``: the version this edit restores (its change
    event is a restore, DESIGN §11).
    """

    change: Change
    new_files: dict[str, NewFile | FileRef] = field(default_factory=dict)
    attach_files: dict[str, FileRef] = field(default_factory=dict)
    guard: Callable[[Document], None] | None = None
    always_new_version: bool = False
    already_applied: Callable[[Document], bool] | None = None
    restored_from: int | None = None


def backoff_seconds(attempt: int, base: float = 0.01, cap: float = 1.0) -> float:
    """Exponential backoff with full jitter: concurrent losers spread out instead of colliding."""
    return random.uniform(0, min(cap, base * 2**attempt))


def pause(attempt: int) -> None:
    """Wait before retry ``attempt``: the one place every retry loop sleeps (a simulation replaces it)."""
    time.sleep(backoff_seconds(attempt))


#: How long a purge is claimed by the run that erases it (the sweeper runs at most 15 minutes).
PURGE_CLAIM_SECONDS = 900

#: What the current request cost, for the handler's metrics: lost races re-applied, bytes stored.
#: Reset at the start of every invocation (one invocation at a time per Lambda environment).
request_stats = {"retries": 0, "bytes_stored": 0}


def utcnow() -> datetime:
    return datetime.now(UTC)


class DocumentService:
    """Create, read and update documents with optimistic concurrency, over the storage that
    :mod:`folio.storage.wiring` passes in (the Protocols of :mod:`folio.core.ports`)."""

    def __init__(self, table: DocumentTable, files: FileStore | None = None, *, max_attempts: int = 30,
                 clock: Callable[[], datetime] = utcnow,
                 resolve_lock: Callable[[str, DocumentKey], bool] | None = None,
                 cursors: Cursors | None = None):
        self.table = table
        self.files = files
        #: seals the cursors of lists (the deployment's key)
        self.cursors = cursors or Cursors(b"folio-local")
        self.max_attempts = max_attempts
        self.clock = clock
        #: ``resolve_lock(batch id, key)`` finishes the atomic batch holding a head (artu documents
        #: are written by batches and by this service); True when the lock is gone
        self.resolve_lock = resolve_lock

    # ---- ids ----
    def next_id(self, tenant: str, kind: str, *, maximum: int | None = None) -> int:
        value = self.table.next_id(tenant, kind)
        if maximum is not None and value > maximum:
            raise PayloadTooLarge(f"the id space of {kind} is exhausted")
        return value

    def reserve_id(self, tenant: str, kind: str, value: int) -> None:
        """Make sure next_id never hands out ``value`` (it was chosen elsewhere)."""
        self.table.raise_counter(tenant, kind, value)

    # ---- reads ----
    def find(self, key: DocumentKey) -> Document | None:
        return committed(self.table.get_head(key))

    def find_many(self, keys: list[DocumentKey]) -> dict[DocumentKey, Document]:
        """Several documents in one read (heads a pending batch created but did not commit are absent)."""
        heads = self.table.get_heads(keys)
        return {k: doc for k in keys if (doc := committed(heads.get(k))) is not None}

    def get(self, key: DocumentKey) -> Document:
        doc = self.find(key)
        if doc is None:
            raise not_found(key)
        return doc

    def get_version(self, key: DocumentKey, version: int) -> Document:
        record = self.table.get_version(key, version)
        if record is None:
            raise DocumentNotFound(f"document {shown_id(key)} has no version {version}")
        return Document.from_record(key, version, record)

    def history(self, key: DocumentKey) -> list[Document]:
        """Every committed version of a document, oldest first."""
        return [Document.from_record(key, version, record) for version, record in self.table.history(key)]

    def read_file(self, ref: FileRef) -> bytes:
        return self.files.get(ref.key, ref.version_id)

    # ---- writes ----
    def create(
        self,
        key: DocumentKey,
        body: dict[str, Any],
        caller: Caller,
        precondition: Precondition = Precondition(),
        new_files: dict[str, NewFile | FileRef] | None = None,
        collection: str | Collection | None = None,
    ) -> Document:
        """Version 1 of a new document (in ``collection``'s list); fails with 412 if a precondition says so."""
        precondition.check(self.find(key) if precondition.is_set else None)
        new_files = new_files or {}
        uploaded = self._upload(key, new_files)
        now = self.clock()
        doc = Document(key, 1, body, {**new_files, **uploaded}, now, now, caller.actor(), caller.actor(),
                       collection_of(collection))
        try:
            self._commit(doc)
        except ConditionFailed:
            self._discard(uploaded)
            existing = self.find(key)
            if existing is not None and _holds_stored(existing, new_files):
                return existing  # a retried completion of an upload session that created it
            raise EditConflict(f"document {shown_id(key)} was created concurrently") from None
        except BaseException:
            self._discard(uploaded)
            raise
        return doc

    def update(self, key: DocumentKey, edit: Edit | Change, caller: Caller,
               precondition: Precondition = Precondition()) -> Document:
        """Apply ``edit`` (or a bare change) to the current version and commit the next one.

        With a precondition, a lost race is an EditConflict (409): the client's view is
        stale. Without one, re-read and re-apply, a bounded number of times (Contention).
        A change that alters nothing commits nothing and returns the current document, unless
        ``edit.always_new_version``.
        """
        if not isinstance(edit, Edit):
            edit = Edit(edit)
        guard = edit.guard
        def read() -> Document:
            current = self._current(key)
            if guard:
                guard(current)
            if edit.already_applied is None or not edit.already_applied(current):
                precondition.check(current)
            return current

        uploaded: dict[str, FileRef] = {}
        try:
            current = read()
            uploaded = self._upload(key, edit.new_files)
            for attempt in range(self.max_attempts):
                if attempt:
                    current = read()
                if edit.already_applied is not None and edit.already_applied(current):
                    return current
                body = edit.change(current)
                files = {**current.files, **edit.new_files, **uploaded}
                if edit.attach_files and body != current.body:  # a change that declines attaches nothing
                    files.update(edit.attach_files)
                if body is None:
                    body = current.body
                if body == current.body and files == current.files and not edit.always_new_version:
                    return current
                now = max(self.clock(), current.updated_at + timedelta(microseconds=1))
                doc = replace(
                    current,
                    version=current.version + 1,
                    body=body,
                    files=files,
                    updated_at=now,
                    updated_by=caller.actor(),
                    restored_from=edit.restored_from,
                )
                try:
                    self._commit(doc)
                    return doc
                except ConditionFailed:
                    # a lost race only if a re-read shows another version; a head a batch holds
                    # (its version unchanged) is waited for and resolved on the next read
                    if edit.already_applied is not None:  # a concurrent retry of this edit may have won
                        latest = committed(self.table.get_head(key))
                        if latest is not None and edit.already_applied(latest):
                            return latest
                    if precondition.is_set and self._moved_past(current):
                        raise EditConflict(
                            f"document {shown_id(key)} was changed by a concurrent request; re-read and retry"
                        ) from None
                    request_stats["retries"] += 1
                    pause(attempt)
            raise Contention(f"document {shown_id(key)} is being changed by many writers; retry later")
        except BaseException:
            self._discard(uploaded)
            raise

    # ---- lists ----
    def list_page(self, tenant: str, collection: str | Collection, limit: int, cursor: str | None) -> Page:
        """One page of a list, newest first, merged from its shards of the table's index (never a
        scan); ``cursor`` is the previous page's (InvalidRequest for one of another list or tenant,
        or tampered with). The cursor holds the position of the page's last document: the next
        page is every shard's documents older than it, so no document is repeated or skipped while
        others are created or deleted between pages. (A cursor of the unsharded layout, whose
        position was the index key of that last document, is read the same way.)"""
        collection = collection_of(collection)
        scope = f"{tenant}#{collection}"
        position = self.cursors.open(cursor, scope)
        before = None
        if position is not None:
            before = position.get("before", position.get("lsk")) if isinstance(position, dict) else None
            if not isinstance(before, str) or not before:
                raise InvalidRequest("the cursor is not one this list gave")
        heads, last = self.table.list_heads(tenant, collection, collection.shards, max(1, min(limit, MAX_PAGE)),
                                            before)
        documents = [doc for head in heads if (doc := committed(head)) is not None]
        return Page(documents, self.cursors.seal({"before": last}, scope) if last else None)

    # ---- deletes that erase (DESIGN §10) ----
    def delete(self, key: DocumentKey, caller: Caller, precondition: Precondition = Precondition(),
               guard: Callable[[Document], None] | None = None, aliases: tuple[DocumentKey, ...] = ()) -> Document:
        """Mark the document deleted (every read is 404 from this moment; conditional on its version
        and on no atomic batch holding it), then erase it: :meth:`purge`. ``aliases`` are other keys
        naming it (artu's external id), erased with it. Returns the document as it was."""
        for attempt in range(self.max_attempts):
            current = self._current(key)
            if guard:
                guard(current)
            precondition.check(current)
            try:
                self.table.mark_deleted(key, current.version, aliases, int(self.clock().timestamp()),
                                        caller.actor())
                break
            except ConditionFailed:
                if precondition.is_set and self._moved_past(current):
                    raise EditConflict(f"document {shown_id(key)} was changed by a concurrent request; "
                                       "re-read and retry") from None
                request_stats["retries"] += 1
                pause(attempt)
        else:  # a batch still undecided holds it: never torn, the client hears so (DESIGN §10)
            raise EditConflict(f"document {shown_id(key)} is held by an atomic batch that has not ended; "
                               "retry when it has")
        try:
            self.purge(key)
        except FolioError:  # marked: every read is 404 already, and the purge sweeper finishes the erasure
            request_stats["purge_deferred"] = 1
        return current

    def purge(self, key: DocumentKey) -> None:
        """Erase a document marked deleted: every S3 object version under its files' keys (any
        version it ever had, and any object a failed write left there), then every item of its
        partition and its aliases, the purge's own record last. Idempotent: a purge a crash
        interrupted is run again by the sweeper (:meth:`finish_purges`) and ends the same."""
        if not self.table.claim_purge(key, int(self.clock().timestamp()), PURGE_CLAIM_SECONDS):
            return  # another run holds it, it has ended, or the key names a new document
        prefixes = {key.file_prefix()}
        for _, record in self.table.history(key, deleted_too=True):
            for ref in Document.from_record(key, 0, record).files.values():
                if not ref.key.startswith(key.file_prefix()):
                    prefixes.add(ref.key)
        for prefix in sorted(prefixes):
            self.files.abort_uploads(prefix)
            self.files.delete_every_version(prefix)
        self.table.purge(key)

    def finish_purges(self, older_than_seconds: int) -> list[DocumentKey]:
        """Purge every document marked deleted more than ``older_than_seconds`` ago (a delete that
        died before its purge ended); the documents purged."""
        now = int(self.clock().timestamp())
        done = []
        for key, marked in self.table.list_purges():
            if now - marked >= older_than_seconds:
                try:
                    self.purge(key)
                except FolioError:
                    continue  # one purge failing now must not starve the others: the next run retries it
                done.append(key)
        return done

    # ---- internals ----
    def _current(self, key: DocumentKey) -> Document:
        """The committed document, after finishing an atomic batch that holds its head if that batch's
        writer died (a live batch keeps it: the conditional write that follows meets the lock and waits)."""
        head = self.table.get_head(key)
        if head is not None and head.lock and self.resolve_lock is not None:
            try:
                if self.resolve_lock(head.lock, key):
                    head = self.table.get_head(key)
            except FolioError:
                pass  # still locked
        current = committed(head)
        if current is None:
            raise not_found(key)
        return current

    def _moved_past(self, current: Document) -> bool:
        """Whether the stored head is no longer ``current``'s version (re-read, strongly consistent)."""
        latest = self.table.get_head(current.key)
        return latest is None or latest.version != current.version

    def _commit(self, doc: Document) -> None:
        """Head and history of ``doc`` (the table refuses, naming the limit, a record it cannot hold)."""
        self.table.commit(doc.key, doc.version, doc.to_record())

    def _upload(self, key: DocumentKey, new_files: dict[str, NewFile | FileRef]) -> dict[str, FileRef]:
        """Store every new file before any metadata points at it; several files go concurrently.

        If any upload fails, the ones that succeeded are deleted again and the first error is
        raised: a version never half-references its files.
        """
        new_files = {slot: new for slot, new in new_files.items() if isinstance(new, NewFile)}
        if not new_files:
            return {}

        def store(slot: str, new: NewFile) -> FileRef:
            stored = self.files.put(key.file_key(slot), new.data, new.content_type)
            return FileRef(stored.key, stored.version_id, stored.size, stored.sha256,
                           stored.content_type, new.file_name)

        request_stats["bytes_stored"] += sum(len(new.data) for new in new_files.values())
        if len(new_files) == 1:
            (slot, new), = new_files.items()
            return {slot: store(slot, new)}
        from concurrent.futures import ThreadPoolExecutor

        refs: dict[str, FileRef] = {}
        errors: list[BaseException] = []
        with ThreadPoolExecutor(max_workers=len(new_files), thread_name_prefix="folio-upload") as pool:
            futures = {slot: pool.submit(store, slot, new) for slot, new in new_files.items()}
            for slot, future in futures.items():
                try:
                    refs[slot] = future.result()
                except BaseException as error:  # noqa: BLE001 - collected, the first is re-raised
                    errors.append(error)
        if errors:
            self._discard(refs)
            raise errors[0]
        return refs

    def _discard(self, refs: dict[str, FileRef]) -> None:
        """Delete S3 versions that no committed metadata points at (best effort)."""
        for ref in refs.values():
            try:
                self.files.delete_version(ref.key, ref.version_id)
            except Exception:  # noqa: BLE001 - an orphan version is harmless; a sweeper may remove it
                pass


def _holds_stored(doc: Document, files: dict[str, NewFile | FileRef]) -> bool:
    """Whether ``doc`` points at every already-stored file of ``files`` (and there is one)."""
    stored = {slot: ref for slot, ref in files.items() if isinstance(ref, FileRef)}
    return bool(stored) and all(doc.files.get(slot) == ref for slot, ref in stored.items())


def committed(head: Head | None) -> Document | None:
    """The committed document a head holds (None: absent, or a placeholder a pending batch created)."""
    if head is None or head.record is None:
        return None
    return Document.from_record(head.key, head.version, head.record)


def new_request_id() -> str:
    return uuid.uuid4().hex
