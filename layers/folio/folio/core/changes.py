"""Change events (DESIGN §11): which committed change a head's move is, and the CloudEvent that
announces it.

Every committed version moves its document's head exactly once (head and history are written in
one transaction, conditional on the version before), and a delete moves it once more (its mark).
DynamoDB Streams records each write once, and only once it has committed, so a change is read
off the stream as the head's two images, before and after; never from the request path. A write
that did not commit (a failed condition, a lost race, an aborted batch) never reaches the
stream; an atomic batch's heads move only when its versions are applied, after its commit point.

The event's ``id`` is stable per (tenant, document, creation, version, type): a delivery retried
after a crash, a retried stream batch, or EventBridge's own at-least-once delivery repeat it, and
consumers deduplicate by it. The document's creation instant is part of it, so a document
created again under an erased key (artu's external id) gets events of its own.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from .documents import Document, DocumentKey, FileRef

CREATED = "folio.document.created"
UPDATED = "folio.document.updated"
RESTORED = "folio.document.restored"
DELETED = "folio.document.deleted"
TYPES = (CREATED, UPDATED, RESTORED, DELETED)

SPEC_VERSION = "1.0"


@dataclass(frozen=True)
class HeadImage:
    """What one image of a head holds, as the core reads it: ``record`` is None for a placeholder an
    atomic create locked or a head a delete marked; ``deleted`` is the mark's time (epoch seconds,
    to the microsecond; whole seconds in marks written before folio 2026-12)."""

    version: int
    record: str | None
    deleted: float | None = None
    deleted_by: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class DocumentChange:
    """One committed change: ``document`` is the new version (for a delete, the version deleted),
    ``previous`` the version before it (None for a create and a delete)."""

    type: str
    document: Document
    previous: Document | None
    time: datetime
    actor: dict[str, Any]

    @property
    def changed_files(self) -> dict[str, FileRef | None]:
        """The files this change wrote (every file of a create; every file a delete erased); a slot
        the version no longer has is None."""
        before = self.previous.files if self.previous is not None else {}
        changed: dict[str, FileRef | None] = {slot: ref for slot, ref in self.document.files.items()
                                              if before.get(slot) != ref}
        changed.update({slot: None for slot in before if slot not in self.document.files})
        return changed

    @property
    def id(self) -> str:
        """Stable per (tenant, document, its creation, version, type): see the module's docstring."""
        doc = self.document
        created = doc.created_at.isoformat() if doc.created_at else ""
        name = json.dumps([doc.key.tenant, doc.key.kind, doc.key.id, created, doc.version, self.type])
        return hashlib.sha256(name.encode()).hexdigest()[:32]


def change_between(key: DocumentKey, before: HeadImage | None, after: HeadImage | None) -> DocumentChange | None:
    """The committed change a head's move from ``before`` to ``after`` is (None: absent), or None
    when it is none: a lock taken or released (same version), a placeholder created or removed, a
    purge removing the head."""
    if after is None:
        return None
    committed_before = before is not None and before.record is not None and before.deleted is None
    if after.deleted is not None:
        if not committed_before:
            return None  # already marked (an item rewritten with its mark) or never committed
        document = Document.from_record(key, before.version, before.record)
        # never before the version it erases, whatever the clocks (or a mark in whole seconds) say:
        # a consumer ordering by time must not see the delete first and resurrect the document
        marked = max(datetime.fromtimestamp(after.deleted, UTC), document.updated_at + timedelta(microseconds=1))
        return DocumentChange(DELETED, document, None, marked, after.deleted_by or {})
    if after.record is None:
        return None  # a placeholder an atomic create holds
    if committed_before and before.version == after.version:
        return None  # a batch's lock taken or released: no new version
    document = Document.from_record(key, after.version, after.record)
    previous = Document.from_record(key, before.version, before.record) if committed_before else None
    kind = CREATED if previous is None else RESTORED if document.restored_from is not None else UPDATED
    return DocumentChange(kind, document, previous, document.updated_at, document.updated_by)


@dataclass(frozen=True)
class Subject:
    """How a dialect names a document in its events: ``path`` is the route a consumer reads it
    at, ``document_id`` the id as the dialect's answers show it, ``context`` the scope it lives
    in (a customer and domain, a project, an environment), merged into the event's data."""

    dialect: str
    path: str
    document_id: str
    context: dict[str, Any] = field(default_factory=dict)


def file_facts(ref: FileRef | None) -> dict[str, Any] | None:
    """What an event says of a file: no name (it may be personal data), no bytes."""
    if ref is None:
        return None
    facts: dict[str, Any] = {"size": ref.size, "mediaType": ref.content_type}
    if ref.sha256:
        facts["sha256"] = ref.sha256
    if ref.crc64nvme:
        facts["crc64nvme"] = ref.crc64nvme
    return facts


def event_time(instant: datetime) -> str:
    """RFC 3339 to the microsecond: each version's instant is at least a microsecond after the one
    before (and a delete's after the version it erases), so events of one document never tie."""
    return instant.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def cloud_event(change: DocumentChange, subject: Subject) -> dict[str, Any]:
    """The CloudEvents 1.0 document (structured JSON) announcing ``change``; ``tenant`` is an
    extension attribute too, so a rule can route by it without reading ``data``."""
    doc = change.document
    data: dict[str, Any] = {
        "tenant": doc.key.tenant,
        "dialect": subject.dialect,
        "documentId": subject.document_id,
        **subject.context,
        "version": doc.version,
        "etag": doc.etag,
        "files": {slot: file_facts(ref) for slot, ref in sorted(change.changed_files.items())},
        "actor": change.actor,
    }
    if change.type == RESTORED:
        data["restoredFrom"] = doc.restored_from
    return {
        "specversion": SPEC_VERSION,
        "id": change.id,
        "source": f"folio.{subject.dialect}",
        "type": change.type,
        "subject": subject.path,
        "time": event_time(change.time),
        "datacontenttype": "application/json",
        "tenant": doc.key.tenant,
        "data": data,
    }
