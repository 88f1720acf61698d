"""The document service: versions, preconditions, bounded re-apply on lost races, ids, files.

No HTTP and no boto3 here. Storage is reached through the Protocols of :mod:`folio.core.ports`.
"""

from __future__ import annotations

import random
import time
import uuid
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from .documents import Caller, Collection, Document, DocumentKey, FileRef, NewFile, Precondition, collection_of
from .listing import MAX_PAGE, Cursors, Page, VersionPage, versions_scope
from .errors import (ConditionFailed, Contention, DocumentNotFound, EditConflict, FolioError, InvalidRequest,
                     PayloadTooLarge)

if TYPE_CHECKING:  # the storage half loads them when it is first used
    from .ports import CommitMarks, DocumentTable, FileStore, Head, Mark

#: A change computes the next body from the current document (None: the body stays).
#: It is called again on every re-read, so it must be a pure function of its input.
Change = Callable[[Document], dict[str, Any] | None]

#: A dialect's numbering of versions (DESIGN §12): which of its numbered versions a committed
#: version holds, given the version it replaced (None for a create); None: it holds none. dms
#: numbers file versions (every commit holds its ``fileVersion``); crm numbers the versions that
#: checked content in (such a commit holds its own version number, any other none). Pure, like a
#: Change. A document's numbered versions are then read one item each and listed a page at a time
#: (:meth:`DocumentService.marked_version`, :meth:`DocumentService.version_page`): every commit of
#: such a document must carry the same marker (``Edit.mark``, ``create(mark=)``).
Marker = Callable[[Document | None, Document], int | None]


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
    event is a restore, DESIGN §11). ``mark``: the dialect's :data:`Marker`, whose number the
    commit records in its own transaction.
    """

    change: Change
    new_files: dict[str, NewFile | FileRef] = field(default_factory=dict)
    attach_files: dict[str, FileRef] = field(default_factory=dict)
    guard: Callable[[Document], None] | None = None
    always_new_version: bool = False
    already_applied: Callable[[Document], bool] | None = None
    restored_from: int | None = None
    mark: Marker | None = None


BACKOFF_BASE_SECONDS, BACKOFF_CAP_SECONDS = 0.01, 1.0


def backoff_seconds(attempt: int, base: float = BACKOFF_BASE_SECONDS, cap: float = BACKOFF_CAP_SECONDS) -> float:
    """Exponential backoff with full jitter: concurrent losers spread out instead of colliding."""
    return random.uniform(0, min(cap, base * 2**attempt))


def pause(attempt: int) -> None:
    """Wait before retry ``attempt``: the one place every retry loop sleeps (a simulation replaces it)."""
    time.sleep(backoff_seconds(attempt))


#: Seconds of an invocation's time kept for answering after the last retry (the final read, the
#: answer, its log line and metrics): a retry never starts unless its longest backoff ends before.
ANSWER_RESERVE_SECONDS = 2.0


class RetryBudget:
    """How long the current invocation may keep re-trying a write AWS cancelled (a transaction
    conflict, a throttle) or that lost a race without a precondition: until its function's
    timeout, less :data:`ANSWER_RESERVE_SECONDS`. A hot document's writer that said "apply this
    whatever comes first" waits its turn instead of giving up after a count (503). Outside an
    invocation (no deadline: a sweeper, a script, the simulation) each loop's count bounds it."""

    def __init__(self) -> None:
        self.deadline: float | None = None  # time.monotonic() by which the last retry must have ended

    @contextmanager
    def until(self, remaining_seconds: float):
        """The budget of one invocation that has ``remaining_seconds`` left (Lambda's context)."""
        self.deadline = time.monotonic() + remaining_seconds - ANSWER_RESERVE_SECONDS
        try:
            yield self
        finally:
            self.deadline = None

    def allows(self, attempt: int, attempts: int) -> bool:
        """Whether retry ``attempt`` (1 for the first) may run: within the deadline when there is
        one (the count is then a floor the time may cut short, never a ceiling), else ``attempt < attempts``."""
        if self.deadline is None:
            return attempt < attempts
        return time.monotonic() + min(BACKOFF_CAP_SECONDS, BACKOFF_BASE_SECONDS * 2 ** attempt) < self.deadline


#: The budget of the invocation running now (Lambda runs one at a time per environment).
retry_budget = RetryBudget()


#: How long a purge is claimed by the run that erases it (the sweeper runs at most 15 minutes).
PURGE_CLAIM_SECONDS = 900

#: What the current request cost, for the handler's metrics: lost races re-applied, bytes stored.
#: Reset at the start of every invocation (one invocation at a time per Lambda environment).
request_stats = {"retries": 0, "bytes_stored": 0}
#: The documents the request running now committed a version of, answered unchanged, or started an
#: upload session for (the entry point clears it): an Idempotency-Key record keeping the answer
#: links itself to each of them, so their erasure erases the answer (it shows their data).
committed_documents: list[DocumentKey] = []


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
        """Every committed version of a document, oldest first (one Query of its whole partition:
        for erasure and sweeps, and for documents whose marks are incomplete, never per request)."""
        return [Document.from_record(key, version, record) for version, record in self.table.history(key)]

    # ---- numbered versions (DESIGN §12: one version, one item; history lists paginated) ----
    def marked_version(self, key: DocumentKey, number: int, marker: Marker, *, latest: bool = False,
                       ) -> Document | None:
        """The first committed version that held the dialect's number ``number`` (``latest``: the
        last one); None when the document never held it; DocumentNotFound when there is no document.

        One atomic read of the head, the marks' count and mark ``number``, then one read of the
        version it names, whatever the history's length. A document whose marks are incomplete
        (written before marks existed) is read from its history once, and its marks written then
        (:meth:`_backfill`)."""
        state = self.table.mark_state(key, [number])
        if state is None:
            raise not_found(key)
        mark = state.marks.get(number)
        if state.complete and (mark is None or mark.first is not None):
            if mark is None:
                return None
            version = mark.last if latest else mark.first
            record = self.table.records(key, [version]).get(version)
            if record is None:  # erased since the read above
                raise not_found(key)
            return Document.from_record(key, version, record)
        marks, history = self._backfill(key, marker)
        mark = marks.get(number)
        if mark is None:
            return None
        return history[mark.last if latest else mark.first]

    def version_page(self, key: DocumentKey, marker: Marker, limit: int, cursor: str | None, *,
                     newest_first: bool) -> VersionPage:
        """One page of the document's numbered versions in number order, each with the first version
        that held it: one atomic read (head, the marks' count), one Query of the marks and one read
        of the versions they name. ``cursor`` is the previous page's, bound to this tenant, document
        and order (InvalidRequest otherwise, reading nothing). Incomplete marks: as marked_version."""
        scope = versions_scope(key, newest_first)
        position = self.cursors.open(cursor, scope)
        after = None
        if position is not None:
            after = position.get("after") if isinstance(position, dict) else None
            if isinstance(after, bool) or not isinstance(after, int) or after < 0:
                raise InvalidRequest("the cursor is not one this list gave")
        limit = max(1, min(limit, MAX_PAGE))
        state = self.table.mark_state(key)
        if state is None:
            raise not_found(key)
        versions: list[tuple[int, Document]] | None = None
        if state.complete:  # complete now, so complete for the Query that follows (marks only grow)
            marks, more = self.table.mark_page(key, after, limit, newest_first)
            if all(m.first is not None for m in marks):
                records = self.table.records(key, [m.first for m in marks])
                if all(m.first in records for m in marks):
                    versions = [(m.number, Document.from_record(key, m.first, records[m.first])) for m in marks]
                else:  # erased since the read above
                    raise not_found(key)
        if versions is None:
            every, history = self._backfill(key, marker)
            ordered = sorted(every.values(), key=lambda m: m.number, reverse=newest_first)
            beyond = [m for m in ordered if after is None or (m.number < after if newest_first else m.number > after)]
            more = len(beyond) > limit
            versions = [(m.number, history[m.first]) for m in beyond[:limit]]
        next_cursor = self.cursors.seal({"after": versions[-1][0]}, scope) if more and versions else None
        return VersionPage(versions, next_cursor)

    def holding(self, key: DocumentKey, slot: str, version_id: str) -> int | None:
        """The committed version that attached stored file ``version_id`` (an upload session's
        object) to ``slot``: one read of the holder its commit wrote; for a commit made before
        holders were written, the head, if it still holds the file. None: not attached, or the
        document is gone."""
        version = self.table.holder(key, slot, version_id)
        if version is not None:
            return version
        head = self.find(key)
        ref = head.files.get(slot) if head is not None else None
        return head.version if ref is not None and ref.version_id == version_id else None

    def abandon(self, key: DocumentKey, slot: str, version_id: str, until: datetime) -> int | None:
        """Make sure no commit ever attaches stored file ``version_id`` to ``slot`` (an upload
        session being aborted): None when so, else the committed version that already attached it."""
        if self.table.abandon(key, slot, version_id, int(until.timestamp())):
            return None
        return self.holding(key, slot, version_id)

    def _backfill(self, key: DocumentKey, marker: Marker) -> tuple[dict[int, Mark], dict[int, Document]]:
        """The marks of a document whose marks are incomplete (written before marks existed, or by
        a commit without its marker), computed from its whole history (one Query), and written
        (best effort: a failure leaves the next read to do the same), each transaction conditional
        on the head still being the version the history ended at; and the history by version."""
        history = self.history(key)
        if not history:
            raise not_found(key)
        marks = marks_of(history, marker)
        try:
            self.table.backfill_marks(key, history[-1].version, list(marks.values()))
        except FolioError:
            pass  # the answer stands: it was read from the history itself
        return marks, {doc.version: doc for doc in history}

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
        mark: Marker | None = None,
    ) -> Document:
        """Version 1 of a new document (in ``collection``'s list, numbered by ``mark``); fails with
        412 if a precondition says so."""
        self._check(precondition, self.find(key) if precondition.is_set else None)
        new_files = new_files or {}
        uploaded = self._upload(key, new_files)
        now = self.clock()
        doc = Document(key, 1, body, {**new_files, **uploaded}, now, now, caller.actor(), caller.actor(),
                       collection_of(collection))
        try:
            self._commit(doc, _marks(mark, None, doc, new_files))
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
        stale. Without one, re-read and re-apply, within the invocation's :class:`RetryBudget`
        (else ``max_attempts`` times), then Contention (503).
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
                self._check(precondition, current)
            return current

        uploaded: dict[str, FileRef] = {}
        try:
            current = read()
            uploaded = self._upload(key, edit.new_files)
            attempt = 0
            while attempt == 0 or retry_budget.allows(attempt, self.max_attempts):
                if attempt:
                    pause(attempt - 1)
                    current = read()
                if edit.already_applied is not None and edit.already_applied(current):
                    committed_documents.append(key)  # what the answer shows is the document's all the same
                    return current
                body = edit.change(current)
                files = {**current.files, **edit.new_files, **uploaded}
                if edit.attach_files and body != current.body:  # a change that declines attaches nothing
                    files.update(edit.attach_files)
                if body is None:
                    body = current.body
                if body == current.body and files == current.files and not edit.always_new_version:
                    committed_documents.append(key)
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
                    self._commit(doc, _marks(edit.mark, current, doc, edit.new_files))
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
                    attempt += 1
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
        naming it (artu's external id), erased with it. Returns the document as it was. Without a
        precondition, a lost race is retried as :meth:`update` retries it (the invocation's
        :class:`RetryBudget`)."""
        attempt, moved = 0, False
        while attempt == 0 or retry_budget.allows(attempt, self.max_attempts):
            if attempt:
                pause(attempt - 1)
            current = self._current(key)
            if guard:
                guard(current)
            self._check(precondition, current)
            try:
                marked = max(self.clock(), current.updated_at + timedelta(microseconds=1))  # as a version's
                self.table.mark_deleted(key, current.version, aliases, marked, caller.actor())
                break
            except ConditionFailed:
                moved = self._moved_past(current)
                if precondition.is_set and moved:
                    raise EditConflict(f"document {shown_id(key)} was changed by a concurrent request; "
                                       "re-read and retry") from None
                request_stats["retries"] += 1
                attempt += 1
        else:
            if moved:  # writers kept getting there first: a hot document, retryable
                raise Contention(f"document {shown_id(key)} is being changed by many writers; retry later")
            # a batch still undecided holds it: never torn, the client hears so (DESIGN §10)
            raise EditConflict(f"document {shown_id(key)} is held by an atomic batch that has not ended; "
                               "retry when it has")
        try:
            self.purge(key)
        except FolioError:  # marked: every read is 404 already, and the purge sweeper finishes the erasure
            request_stats["purge_deferred"] = 1
        return current

    def purge(self, key: DocumentKey) -> None:
        """Erase a document marked deleted: every S3 object version under its files' keys (any
        version it ever had, any object a failed write left there, every upload session's parts
        and object, also where a session names its file otherwise: artu's), then every item of its
        partition, its sessions' records and its aliases, the purge's own record last. Idempotent: a purge a crash
        interrupted is run again by the sweeper (:meth:`finish_purges`) and ends the same."""
        if not self.table.claim_purge(key, int(self.clock().timestamp()), PURGE_CLAIM_SECONDS):
            return  # another run holds it, it has ended, or the key names a new document
        prefixes = {key.file_prefix()}
        elsewhere = [*self.table.linked_objects(key),  # a session's parts and object, a kept answer
                     *(ref.key for _, record in self.table.history(key, deleted_too=True)
                       for ref in Document.from_record(key, 0, record).files.values())]
        prefixes.update(k for k in elsewhere if not k.startswith(key.file_prefix()))
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
    def _check(self, precondition: Precondition, current: Document | None) -> None:
        """``precondition`` against ``current``, reading the version before it only when an
        If-Unmodified-Since names the very second ``current`` was made in."""
        precondition.check(current, lambda: self._version_before(current))

    def _version_before(self, current: Document) -> Document | None:
        record = self.table.get_version(current.key, current.version - 1)
        return Document.from_record(current.key, current.version - 1, record) if record is not None else None

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

    def _commit(self, doc: Document, marks: CommitMarks | None = None) -> None:
        """Head and history of ``doc`` (the table refuses, naming the limit, a record it cannot hold),
        and its marks in the same transaction."""
        if marks is None:
            self.table.commit(doc.key, doc.version, doc.to_record())
        else:
            self.table.commit(doc.key, doc.version, doc.to_record(), marks)
        committed_documents.append(doc.key)

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


def _marks(marker: Marker | None, previous: Document | None, doc: Document,
           new_files: dict[str, NewFile | FileRef]) -> CommitMarks | None:
    """What a commit of ``doc`` (replacing ``previous``) records beside it: its number under
    ``marker``, and the holder of each already-stored file it attaches."""
    from .ports import CommitMarks

    before = previous.files if previous is not None else {}
    attached = tuple((slot, ref.version_id) for slot, ref in new_files.items()
                     if isinstance(ref, FileRef) and doc.files.get(slot) == ref and before.get(slot) != ref)
    if marker is None and not attached:
        return None
    return CommitMarks(marker(previous, doc) if marker is not None else None, marker is not None, attached)


def marks_of(history: list[Document], marker: Marker) -> dict[int, Mark]:
    """The marks a history makes under ``marker`` (oldest first): each number's first and last version."""
    from .ports import Mark

    marks: dict[int, Mark] = {}
    previous = None
    for doc in history:
        number = marker(previous, doc)
        if number is not None:
            held = marks.get(number)
            marks[number] = Mark(number, held.first if held is not None else doc.version, doc.version)
        previous = doc
    return marks


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
