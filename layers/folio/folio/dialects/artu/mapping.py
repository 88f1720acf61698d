"""Between artu's items and the core Document: the keys, the stored body, the upload (pure functions).

Every artu function imports this module; it needs no pydantic (items arrive as the dict a
validated Item dumps to).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ...core import Document, DocumentKey, FileRef
from ...core.documents import Collection, large_list
from ...web.s3_events import ObjectCreated, sequencer_order
from .constants import ANSWER_FIELDS, ENVIRONMENTS, FILE_FACTS, FILE_SLOT, UPLOAD_SLOT

#: The part of a kind that names artu; the environment follows it (``artu-live``).
_KIND_PREFIX = "artu-"


def kind(env: str) -> str:
    """The kind of an environment's documents: the two environments share no key."""
    return f"{_KIND_PREFIX}{env}"


def environment(kind_: str) -> str:
    """The environment of a :func:`kind`."""
    return kind_.removeprefix(_KIND_PREFIX)


def document_key(tenant: str, env: str, client_id: str, external_id: str) -> DocumentKey:
    """A document is named by (``clientId``, ``externalId``) in its environment."""
    return DocumentKey.of(tenant, kind(env), client_id, external_id)


def client_documents(env: str, client_id: str) -> Collection:
    """The list a client's documents are in (its scope below the tenant): one per environment and
    client, named by the kind so that no other dialect's list shares it; sharded (DESIGN §12), as
    it grows with the client's work."""
    return large_list(f"{kind(env)}#{client_id}")


def alias(tenant: str, env: str, document_id: str) -> DocumentKey:
    """The second name of a document: its ``id``, recorded when the document is created."""
    return DocumentKey(tenant, f"{kind(env)}-id", document_id)


# ---------------------------------------------------------------- the body

def item_change(item: dict[str, Any], new_id: str) -> Callable[[Document | None], dict[str, Any]]:
    """The batch engine's change for one item (an Item dumped as JSON, unset properties left
    out): create the document with ``new_id``, or replace the properties the item gives, except
    FILE_FACTS once a file arrived (:func:`has_file`): those are the file's, and stay."""
    given = dict(item)
    client_id, external_id = given.pop("clientId"), given.pop("externalId")

    def change(current: Document | None) -> dict[str, Any]:
        if current is None:
            body = {name: None for name in ANSWER_FIELDS if name not in ("createdAt", "updatedAt")}
            body.update({"id": new_id, "clientId": client_id, "externalId": external_id,
                         "status": "pending_upload", "fields": {}, "metadata": {}, "scope": None,
                         "storagePath": None})
        else:
            body = dict(current.body)
        kept = FILE_FACTS if has_file(body) else ()
        body.update({k: ({} if v is None and k in ("fields", "metadata") else v) for k, v in given.items()
                     if k not in kept})
        return body

    return change


def has_file(body: dict[str, Any]) -> bool:
    """Whether a file arrived (its checksum is recorded, :func:`file_recorded`): from then on its
    facts are the file's."""
    return bool(body.get("sha256") or body.get("crc64nvme"))


def _newer(current: Document, sequencer: str) -> bool:
    """S3 events may arrive out of order: whether this one is newer than the one recorded."""
    recorded = current.body.get("uploadSequencer")
    return not recorded or sequencer_order(recorded) < sequencer_order(sequencer)


def arrival_refused(reason: str, sequencer: str) -> Callable[[Document], dict[str, Any]]:
    """An upload that was not recorded (too large): status ``rejected`` with the reason; the facts
    of a file recorded before stay. An event older than the one recorded changes nothing."""

    def change(current: Document) -> dict[str, Any]:
        if not _newer(current, sequencer):
            return current.body
        return {**current.body, "status": "rejected", "rejectionReason": reason, "uploadSequencer": sequencer}

    return change


def file_recorded(body: dict[str, Any], ref: FileRef) -> dict[str, Any]:
    """``body`` with ``ref`` as its file: status ``uploaded`` and the file's facts. Its checksum as
    the upload gave it: ``sha256`` (hex) of a presigned upload, whose bytes folio reads back, or
    ``crc64nvme`` (base64, full object) that S3 verified when an upload session completed; the
    other null."""
    return {**body, "status": "uploaded", "contentType": ref.content_type, "size": ref.size,
            "filename": ref.file_name or body.get("filename"), "sha256": ref.sha256, "crc64nvme": ref.crc64nvme,
            "rejectionReason": None}


def arrival_change(ref: FileRef, sequencer: str) -> Callable[[Document], dict[str, Any]]:
    """The file's facts, status ``uploaded``. S3 events may arrive out of order: an event older
    than the one recorded changes nothing."""

    def change(current: Document) -> dict[str, Any]:
        if not _newer(current, sequencer):
            return current.body
        return {**file_recorded(current.body, ref), "uploadSequencer": sequencer}

    return change


# ---------------------------------------------------------------- the upload

def id_key(tenant: str, env: str, document_id: str) -> DocumentKey:
    """A document named by its ``id`` (no document is stored under it: :func:`alias` finds it),
    whose file keys name the document's files by id, never by the client's externalId."""
    return DocumentKey(tenant, kind(env), document_id)


def upload_key(tenant: str, env: str, document_id: str) -> str:
    """The S3 key a document's uploads go to, named by its ``id`` (the core's file key of the
    upload slot): chosen by folio, never by the client. :func:`upload_target` reads it back."""
    return id_key(tenant, env, document_id).file_key(UPLOAD_SLOT)


def upload_target(key: str, slots: tuple[str, ...] = (UPLOAD_SLOT, FILE_SLOT)) -> tuple[str, str, str] | None:
    """(tenant, env, document id) of an :func:`id_key`'s file key of one of ``slots``, or None for
    any other object: the presigned upload's (:func:`upload_key`, the only one S3 events record)
    and an upload session's (``.../file``, uploads.py); the file sweeper finds both documents so."""
    named = DocumentKey.of_file_key(key)
    if named is None or named[1] not in slots or not named[0].kind.startswith(_KIND_PREFIX):
        return None
    document, slot = named
    env = environment(document.kind)
    if env not in ENVIRONMENTS or id_key(document.tenant, env, document.id).file_key(slot) != key:
        return None
    return document.tenant, env, document.id


@dataclass(frozen=True)
class Arrival:
    """A file that arrived through an upload URL: whose it is, and the object version S3 stored."""

    tenant: str
    env: str
    document_id: str
    key: str
    version_id: str
    sequencer: str


def arrivals(objects: list[ObjectCreated]) -> list[Arrival]:
    """The created objects that are artu uploads (a versioned bucket names each version)."""
    found = []
    for obj in objects:
        target = upload_target(obj.key, (UPLOAD_SLOT,))
        if target is not None and obj.version_id:
            found.append(Arrival(*target, key=obj.key, version_id=obj.version_id, sequencer=obj.sequencer))
    return found
