"""Upload sessions: a file of any size goes from the client to S3 in parts, never through a
function, and its completion commits a version through the core like an inline upload (DESIGN §9).

A session moves OPEN -> COMPLETING -> STORED -> COMMITTED (or -> ABORTED), each step a conditional
write of its record, so that a crash between any two calls is finished by a retry:
- COMPLETING records the parts and the multipart ETag S3 will give the object before S3 is asked
  to complete it; a retry that finds the S3 upload gone looks the object version up by that ETag.
- STORED records the exact S3 VersionId before the document is touched; a completion whose
  precondition fails leaves the session STORED (nothing committed), so the client may retry with
  a fresh precondition without sending the bytes again.
- COMMITTED records the version; a retried completion answers that version and commits nothing.
- ABORTED: an abort of a STORED session first *abandons* its stored file, in the one item its
  commit would write (the holder, ``DocumentService.abandon``): of an abort and a completion
  racing, exactly one wins. An abort that loses answers 409 (the session reads COMMITTED, and a
  retried completion answers the version); a completion that loses answers 409 (aborted). Once
  abandoned, no commit can attach the file, so the abort deletes it at once.
Two completions at once: the conditional claim lets one through; the document's own conditional
write and ``Edit.already_applied`` keep a retry racing a slow first attempt from committing twice.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import math
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any, Protocol

from .documents import Caller, Document, DocumentKey, FileRef
from .errors import DocumentNotFound, FileAbandoned, FolioError, InvalidRequest, PayloadTooLarge, UploadClosed

OPEN, COMPLETING, STORED, COMMITTED, ABORTED = "OPEN", "COMPLETING", "STORED", "COMMITTED", "ABORTED"

MIB = 1024 * 1024
#: S3's bounds on a multipart upload: parts of 5 MiB to 5 GiB (the last may be smaller).
S3_MIN_PART_BYTES = 5 * MIB
S3_MAX_PART_BYTES = 5 * 1024 * MIB
#: folio's part size at least, and its most parts: every part's URL fits one answer (about 600
#: bytes each) and a client keeps a handful of parts in flight.
MIN_PART_BYTES = 8 * MIB
MAX_PARTS = 1000
#: A session can be completed for a day; its part URLs are valid for an hour (resume gives fresh ones).
SESSION_SECONDS = 24 * 3600
PART_URL_SECONDS = 3600
#: A COMPLETING claim older than this belongs to a completion that died (a function runs at most
#: 29 s, the template's Timeout): a retry takes it over.
CLAIM_SECONDS = 35
#: The part checksum S3 verifies on arrival and combines into the whole object's (FULL_OBJECT).
CHECKSUM_ALGORITHM = "CRC64NVME"
PART_CHECKSUM_HEADER = "x-amz-checksum-crc64nvme"


@dataclass(frozen=True)
class UploadTarget:
    """Where a session's file goes, as the dialect resolved it from the route that started it.

    ``scope`` names that route (the customer, domain, slot ...): a session is found only through
    a route of the same scope, so one started for another customer, domain or step is a 404.
    ``metadata`` is what the dialect needs at completion (a create's fields, a stateToken): it may
    be personal data, so a session that ends (COMMITTED, ABORTED) keeps only the entries ``kept``
    names (what answering a retry needs). ``owner`` is the document the session belongs to when
    ``key`` is not its key (artu names its file by the document's id): its erasure finds the
    session there.
    """

    key: DocumentKey
    slot: str
    scope: str
    creates: bool = False
    metadata: dict[str, Any] = field(default_factory=dict)
    kept: tuple[str, ...] = ()
    owner: DocumentKey | None = None

    @property
    def document(self) -> DocumentKey:
        """The document whose erasure erases the session (its record, its parts, its object)."""
        return self.owner or self.key


@dataclass(frozen=True)
class Part:
    number: int
    etag: str
    size: int = 0
    checksum: str | None = None  # base64 CRC64NVME, as S3 holds it


@dataclass(frozen=True)
class UploadSession:
    upload_id: str
    target: UploadTarget
    object_key: str
    multipart_id: str  # S3's UploadId
    size: int
    content_type: str
    file_name: str | None
    part_size: int
    started: datetime
    started_by: dict[str, Any]
    state: str = OPEN
    claimed: datetime | None = None
    parts: tuple[Part, ...] = ()
    checksum: str | None = None
    object_etag: str | None = None
    version_id: str | None = None
    committed_version: int | None = None
    #: each part's base64 CRC64NVME, given at the start: S3 takes a checksum header on a presigned
    #: URL only when it is signed into it (else 403 HeadersNotSigned), so each URL binds its part's
    part_checksums: tuple[str, ...] = ()

    @property
    def tenant(self) -> str:
        return self.target.key.tenant

    @property
    def part_count(self) -> int:
        return max(1, math.ceil(self.size / self.part_size))

    @property
    def expires(self) -> datetime:
        return self.started + timedelta(seconds=SESSION_SECONDS)

    def part_bytes(self, number: int) -> int:
        """How many bytes part ``number`` must hold: the part size, the last one the rest."""
        return self.part_size if number < self.part_count else self.size - self.part_size * (self.part_count - 1)

    def ended(self, state: str, **changes: Any) -> UploadSession:
        """The session moved to ``state`` (COMMITTED, ABORTED) and stripped of what it held of the
        document: no metadata but ``target.kept``, no file name. What is left answers a retry."""
        target = replace(self.target, metadata={k: v for k, v in self.target.metadata.items() if k in self.target.kept})
        return replace(self, state=state, target=target, file_name=None, **changes)

    def file_ref(self) -> FileRef:
        return FileRef(self.object_key, self.version_id, self.size, None, self.content_type, self.file_name,
                       self.checksum)


@dataclass(frozen=True)
class PartUrl:
    number: int
    url: str
    checksum: str  # sent as the x-amz-checksum-crc64nvme header, exactly
    size: int  # the part's bytes (its Content-Length, signed into the URL)


class UploadTable(Protocol):
    """Session records, each found by tenant and upload id."""

    def put_session(self, session: UploadSession) -> None:
        """Store a new session (its upload id is new)."""

    def get_session(self, tenant: str, upload_id: str) -> UploadSession | None: ...

    def replace_session(self, session: UploadSession, expected_state: str) -> bool:
        """Store ``session`` if the stored one is still in ``expected_state``; False when it is not."""


class MultipartStore(Protocol):
    """S3's multipart upload, each call bound to one key and upload."""

    def create_multipart(self, key: str, content_type: str, file_name: str | None) -> str:
        """Start a multipart upload whose parts carry CRC64NVME checksums; its UploadId."""

    def presign_part(self, key: str, multipart_id: str, number: int, checksum: str, size: int,
                     expires_in: int) -> str:
        """A URL that stores part ``number`` of this upload of this key, only with the headers
        ``x-amz-checksum-crc64nvme: <checksum>`` and ``Content-Length: <size>`` (both signed into
        it) and bytes matching them: no part can hold more than the session declared."""

    def list_parts(self, key: str, multipart_id: str) -> list[Part] | None:
        """The parts S3 holds, by number; None when the upload is gone (completed or aborted)."""

    def complete_multipart(self, key: str, multipart_id: str, parts: list[Part], checksum: str,
                           ) -> tuple[str, str] | None:
        """Complete it, S3 checking the whole object's CRC64NVME: (VersionId, checksum); None when
        the upload is gone. InvalidRequest when S3 refuses the parts or the checksum."""

    def abort_multipart(self, key: str, multipart_id: str) -> bool:
        """Abort the upload (S3 drops its parts): True; False when S3 has it no more (completed, or
        aborted before)."""

    def find_version(self, key: str, etag: str) -> str | None:
        """The VersionId of the version of ``key`` whose ETag is ``etag`` (a completion that crashed)."""

    def delete_version(self, key: str, version_id: str) -> None: ...


def part_size_for(size: int, asked: int | None = None) -> int:
    """The part size of a file of ``size`` bytes: the client's (``asked``) when S3 and folio's part
    count allow it, else at least 8 MiB, whole MiB, at most MAX_PARTS parts."""
    if asked is None:
        asked = max(MIN_PART_BYTES, math.ceil(size / MAX_PARTS / MIB) * MIB)
        if asked > S3_MAX_PART_BYTES:
            raise PayloadTooLarge(f"a file of {size:,} bytes needs parts above S3's 5 GiB at {MAX_PARTS} parts")
        return asked
    count = math.ceil(size / asked)
    if asked > S3_MAX_PART_BYTES or (count > 1 and asked < S3_MIN_PART_BYTES) or count > MAX_PARTS:
        raise InvalidRequest(f"partSize {asked} does not fit: parts of {S3_MIN_PART_BYTES} to {S3_MAX_PART_BYTES} "
                             f"bytes (one part may be smaller when it is the only one), at most {MAX_PARTS} parts",
                             errors=[{"field": "partSize", "message": "out of range"}])
    return asked


def multipart_etag(parts: list[Part]) -> str:
    """The ETag S3 gives a completed multipart object: the MD5 of the parts' MD5s, dash, the count."""
    try:
        digests = b"".join(bytes.fromhex(p.etag.strip('"')) for p in parts)
    except ValueError:
        raise InvalidRequest("a part's etag is not the one S3 answered for it") from None
    return f'"{hashlib.md5(digests).hexdigest()}-{len(parts)}"'  # noqa: S324 - S3's own definition


def crc64nvme_value(checksum: Any, field_name: str = "checksum") -> str:
    """A base64 CRC64NVME (8 bytes), as S3 writes it; InvalidRequest otherwise."""
    if not isinstance(checksum, str):
        raise InvalidRequest(f"{field_name} is required: the base64 CRC64NVME of the whole file",
                             errors=[{"field": field_name, "message": "required, a base64 CRC64NVME"}])
    try:
        raw = base64.b64decode(checksum, validate=True)
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) != 8:
        raise InvalidRequest(f"{field_name} must be the base64 of the file's 8-byte CRC64NVME",
                             errors=[{"field": field_name, "message": "not a base64 CRC64NVME"}])
    return checksum


class UploadService:
    """Start, resume, abort and complete upload sessions over the ports above."""

    def __init__(self, table: UploadTable, store: MultipartStore, clock: Callable[[], datetime],
                 holding: Callable[[DocumentKey, str, str], int | None],
                 abandon: Callable[[DocumentKey, str, str, datetime], int | None]):
        self.table = table
        self.store = store
        self.clock = clock
        #: ``holding(key, slot, version id)``: the committed version that attached that stored file
        #: to the slot, or None (DocumentService.holding: one read, whatever the history's length)
        self.holding = holding
        #: ``abandon(key, slot, version id, until)``: no commit attaches that file from now on
        #: (None), or the version that already attached it (DocumentService.abandon)
        self.abandon = abandon

    def start(self, target: UploadTarget, caller: Caller, *, file_name: str | None, content_type: str,
              size: int, max_bytes: int, part_checksums: list[str], part_size: int | None = None,
              upload_id: str | None = None) -> tuple[UploadSession, list[PartUrl]]:
        """A new session for a file of ``size`` bytes (at most ``max_bytes``) in parts of
        ``part_size`` (folio's when None) whose CRC64NVMEs are ``part_checksums``, and every part's
        URL (``upload_id``: only folio local's sample events choose theirs)."""
        if size > max_bytes:
            raise PayloadTooLarge(f"the file would hold {size:,} bytes; this route takes files of at most "
                                  f"{max_bytes:,} bytes")
        part_size = part_size_for(size, part_size)
        count = max(1, math.ceil(size / part_size))
        if len(part_checksums) != count:
            raise InvalidRequest(f"partChecksums must hold {count} checksums, one per part of {part_size} bytes "
                                 f"(got {len(part_checksums)})",
                                 errors=[{"field": "partChecksums", "message": f"{count} expected"}])
        checksums = tuple(crc64nvme_value(c, f"partChecksums[{i}]") for i, c in enumerate(part_checksums))
        object_key = target.key.file_key(target.slot)
        multipart_id = self.store.create_multipart(object_key, content_type, file_name)
        session = UploadSession(upload_id or uuid.uuid4().hex, target, object_key, multipart_id, size, content_type,
                                file_name, part_size, self.clock(), caller.actor(), part_checksums=checksums)
        self.table.put_session(session)
        return session, self.part_urls(session, range(1, session.part_count + 1))

    def find(self, tenant: str, upload_id: str, scope: str) -> UploadSession:
        """The session, if it was started through a route of this ``scope`` by this tenant (else 404)."""
        session = self.table.get_session(tenant, upload_id) if _is_upload_id(upload_id) else None
        if session is None or session.target.scope != scope:
            raise DocumentNotFound(f"no upload {upload_id[:64]}")
        return session

    def part_urls(self, session: UploadSession, numbers) -> list[PartUrl]:
        return [PartUrl(n, self.store.presign_part(session.object_key, session.multipart_id, n,
                                                   session.part_checksums[n - 1], session.part_bytes(n),
                                                   PART_URL_SECONDS),
                        session.part_checksums[n - 1], session.part_bytes(n))
                for n in numbers]

    def resume(self, session: UploadSession) -> tuple[list[Part], list[PartUrl]]:
        """The parts S3 holds, and fresh URLs for the others (none once completion began)."""
        if session.state != OPEN or self._expired(session):
            return list(session.parts), []
        held = self.store.list_parts(session.object_key, session.multipart_id)
        if held is None:
            return [], []
        have = {p.number for p in held}
        return held, self.part_urls(session, [n for n in range(1, session.part_count + 1) if n not in have])

    def abort(self, session: UploadSession) -> None:
        """Abort a session: S3 drops an open one's parts; a stored file that no commit attached is
        abandoned (no commit can attach it from now on) and deleted. A completion that committed
        first wins: 409, and the session reads COMMITTED (see the module's docstring)."""
        if session.state == COMMITTED:
            raise UploadClosed(f"upload {session.upload_id} was completed; its file is a committed version")
        if session.state == ABORTED:  # again: finish what a crash after ABORTED may have left
            self._discard_aborted(session)
            raise DocumentNotFound(f"no upload {session.upload_id}")
        if session.state == COMPLETING and not self._claim_lapsed(session):
            raise UploadClosed(f"upload {session.upload_id} is being completed")
        if session.state == STORED:
            version = self.abandon(session.target.document, session.target.slot, session.version_id,
                                   session.expires + timedelta(seconds=SESSION_SECONDS))
            if version is not None:  # a completion committed it (and died, or is marking it now)
                self._mark_committed(session, version)
                raise UploadClosed(f"upload {session.upload_id} was completed; its file is a committed version")
        if not self.table.replace_session(session.ended(ABORTED), session.state):
            raise UploadClosed(f"upload {session.upload_id} changed meanwhile; read it again")
        if session.state == STORED:  # abandoned: nothing can commit it any more
            self.store.delete_version(session.object_key, session.version_id)
        else:
            self._discard_aborted(session)

    def _discard_aborted(self, session: UploadSession) -> None:
        """What an aborted session may leave in S3, removed (idempotent): its parts, and the object
        a completion stored or S3 completed, once abandoned (no commit holds it: never a committed
        file, not even another session's of the same bytes, whose multipart ETag is the same)."""
        stored = session.version_id
        if stored is None and not self.store.abort_multipart(session.object_key, session.multipart_id) \
                and session.object_etag:  # a completion died COMPLETING after S3 completed the object
            stored = self.store.find_version(session.object_key, session.object_etag)
        if stored and self.abandon(session.target.document, session.target.slot, stored,
                                   session.expires + timedelta(seconds=SESSION_SECONDS)) is None:
            self.store.delete_version(session.object_key, stored)

    def complete(self, session: UploadSession, parts: list[Part], checksum: str,
                 commit: Callable[[FileRef], Document], committed: Callable[[int], Document]) -> Document:
        """Complete the S3 upload (S3 checks the parts and the whole object's CRC64NVME) and commit
        the file through ``commit`` (the dialect's write, with its precondition). A retry answers
        the committed version through ``committed`` and commits nothing. A session another request
        moved on meanwhile is read again and completed from its new state."""
        for _ in range(3):
            try:
                return self._complete(session, parts, checksum, commit, committed)
            except _Moved:
                session = self.table.get_session(session.tenant, session.upload_id) or session
        raise UploadClosed(f"upload {session.upload_id} is being completed by another request; retry shortly")

    def _complete(self, session: UploadSession, parts: list[Part], checksum: str,
                  commit: Callable[[FileRef], Document], committed: Callable[[int], Document]) -> Document:
        if session.state == COMMITTED:
            return committed(session.committed_version)
        if session.state == ABORTED:
            raise UploadClosed(f"upload {session.upload_id} was aborted; start a new one")
        if self._expired(session):  # the sweeper may remove a stored file nobody committed after that
            raise UploadClosed(f"upload {session.upload_id} expired at {session.expires.isoformat()}; "
                               "start a new one")
        retried = session.state == STORED
        if session.state == OPEN:
            session = self._store(self._claim(session, parts, checksum))
        elif session.state == COMPLETING:
            if not self._claim_lapsed(session):
                raise UploadClosed(f"upload {session.upload_id} is being completed by another request; "
                                   "retry shortly")
            session = self._store(session)  # the completion that claimed it died: finish its work
        if retried:  # a completion that committed may have died (or lost its write) before COMMITTED
            version = self._version_holding(session)
            if version is not None:
                self._mark_committed(session, version)
                return committed(version)
        try:
            document = commit(session.file_ref())
        except FileAbandoned:  # an abort won the race: it deletes the file; make sure of it
            self.table.replace_session(session.ended(ABORTED), STORED)
            self.store.delete_version(session.object_key, session.version_id)
            raise UploadClosed(f"upload {session.upload_id} was aborted; start a new one") from None
        except DocumentNotFound:  # erased (or never created) meanwhile: keep none of its bytes
            if not retried or self._version_holding(session) is None:
                self.store.delete_version(session.object_key, session.version_id)
                self.table.replace_session(session.ended(ABORTED), STORED)
            raise
        self._mark_committed(session, document.version)
        return document

    def _version_holding(self, session: UploadSession) -> int | None:
        """The committed version that attached this session's object version to its slot, if one
        did: the commit recorded it in its own transaction (``CommitMarks.attached``), so one read
        finds it however many versions followed. (A commit made before those records existed is
        found while the head still holds the file.)"""
        return self.holding(session.target.document, session.target.slot, session.version_id)

    def _mark_committed(self, session: UploadSession, version: int) -> None:
        try:  # the version is committed: a retry finds it (its holder) even if this write fails
            self.table.replace_session(session.ended(COMMITTED, committed_version=version), STORED)
        except FolioError:
            pass

    # ---- internals ----
    def _expired(self, session: UploadSession) -> bool:
        return self.clock() >= session.expires

    def _claim_lapsed(self, session: UploadSession) -> bool:
        return session.claimed is None or self.clock() - session.claimed > timedelta(seconds=CLAIM_SECONDS)

    def _claim(self, session: UploadSession, parts: list[Part], checksum: str) -> UploadSession:
        """Check the client's part list against what S3 holds, then claim the completion."""
        held = self.store.list_parts(session.object_key, session.multipart_id)
        if held is None:  # completed by a concurrent request, or aborted
            latest = self.table.get_session(session.tenant, session.upload_id)
            if latest is not None and latest.state != OPEN:
                raise _Moved()
            raise UploadClosed(f"upload {session.upload_id} no longer exists in S3; start a new one")
        listed = _checked_parts(session, parts, {p.number: p for p in held})
        claimed = replace(session, state=COMPLETING, claimed=self.clock(), parts=tuple(listed),
                          checksum=crc64nvme_value(checksum), object_etag=multipart_etag(listed))
        if not self.table.replace_session(claimed, OPEN):
            raise _Moved()
        return claimed

    def _store(self, session: UploadSession) -> UploadSession:
        """COMPLETING -> STORED: S3 completes the object (or already did, before a crash)."""
        try:
            done = self.store.complete_multipart(session.object_key, session.multipart_id, list(session.parts),
                                                 session.checksum)
        except InvalidRequest:
            self.table.replace_session(replace(session, state=OPEN, claimed=None, parts=(), checksum=None,
                                               object_etag=None), COMPLETING)
            raise
        if done is None:  # completed before a crash, or aborted by the bucket's lifecycle rule
            version_id = self.store.find_version(session.object_key, session.object_etag)
            if version_id is None:
                self.table.replace_session(session.ended(ABORTED), COMPLETING)
                raise UploadClosed(f"upload {session.upload_id} no longer exists in S3; start a new one")
            done = (version_id, session.checksum)
        stored = replace(session, state=STORED, version_id=done[0], checksum=done[1] or session.checksum)
        if not self.table.replace_session(stored, COMPLETING):
            raise _Moved()  # another request took the claim over and stored it: continue from its state
        return stored


class _Moved(Exception):
    """Another request moved the session on since it was read: read it again."""


def _is_upload_id(value: str) -> bool:
    return len(value) == 32 and all(c in "0123456789abcdef" for c in value)


def _checked_parts(session: UploadSession, parts: list[Part], held: dict[int, Part]) -> list[Part]:
    """The client's part list, as S3 holds each part; InvalidRequest naming what is wrong."""
    if not parts:
        raise InvalidRequest("parts is required: every part's partNumber and etag, in order",
                             errors=[{"field": "parts", "message": "required"}])
    numbers = [p.number for p in parts]
    if numbers != sorted(set(numbers)):
        raise InvalidRequest("parts must be in ascending partNumber order, each once",
                             errors=[{"field": "parts", "message": "not in ascending order"}])
    expected = list(range(1, session.part_count + 1))
    if numbers != expected:
        missing = sorted(set(expected) - set(numbers))
        raise InvalidRequest(f"the file has {session.part_count} parts; the list must name parts 1 to "
                             f"{session.part_count}" + (f" (missing: {missing[:20]})" if missing else ""),
                             errors=[{"field": "parts", "message": "not every part of the file"}])
    listed: list[Part] = []
    for part in parts:
        stored = held.get(part.number)
        if stored is None:
            raise InvalidRequest(f"part {part.number} has not been uploaded",
                                 errors=[{"field": "parts", "message": f"part {part.number} not uploaded"}])
        if stored.etag.strip('"') != part.etag.strip('"'):
            raise InvalidRequest(f"part {part.number}'s etag is not the one S3 answered for it",
                                 errors=[{"field": "parts", "message": f"part {part.number}: wrong etag"}])
        if stored.checksum and session.part_checksums and stored.checksum != session.part_checksums[part.number - 1]:
            raise InvalidRequest(f"part {part.number}'s CRC64NVME is not the one given when the upload started",
                                 errors=[{"field": "parts", "message": f"part {part.number}: wrong checksum"}])
        if stored.size != session.part_bytes(part.number):
            raise InvalidRequest(f"part {part.number} holds {stored.size} bytes; the session's part size makes "
                                 f"it {session.part_bytes(part.number)}",
                                 errors=[{"field": "parts", "message": f"part {part.number}: wrong size"}])
        listed.append(stored)
    return listed
