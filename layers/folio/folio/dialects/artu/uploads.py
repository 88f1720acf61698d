"""artu's upload sessions (DESIGN §9): a document's file of any size, recorded as a presigned upload's is.

- ``POST /documents/{id}/uploads`` (``X-Environment`` required; the document is found as
  ``GET /documents/{id}`` finds it: the caller's tenant, that environment; 404 otherwise) with
  folio's session start (``fileName``, ``contentType``, ``size``, ``partChecksums``, ``partSize``):
  ``fileName`` and ``contentType`` are checked as ``upload-url`` checks ``filename`` and
  ``contentType``, and unknown properties are 400 as there; ``size`` at most
  ``ARTU_MAX_UPLOAD_BYTES`` (413).
- ``GET``/``DELETE /documents/{id}/uploads/{uploadId}`` resume and abort it.
- ``POST /documents/{id}/uploads/{uploadId}/complete`` records the file as the S3 event of a
  presigned upload does (:func:`~.mapping.file_recorded`): status ``uploaded``, ``filename`` (the
  session's ``fileName``, else the document's), ``contentType``, ``size``, ``rejectionReason`` null,
  and the whole-file checksum S3 verified as ``crc64nvme`` where a presigned upload records
  ``sha256``; the file is what ``GET /documents/{id}/file`` serves. artu's upload has no
  precondition; a completion may carry ``If-Match`` (the ETag of ``GET /documents/{id}``) or
  ``If-Unmodified-Since``: stale, it is 412 and records nothing. The answer is ``GET /documents/{id}``'s.
- The session's object is ``<tenant>/artu-<env>/<id>/file``: named by the document's id like the
  presigned upload's ``.../artu-upload``, never that key, so S3 events (filtered on the suffix
  ``/artu-upload``) never record it and neither upload overwrites the other's object.
"""

from __future__ import annotations

import uuid
from dataclasses import replace

from ...core import Document, Edit, FileRef
from ...core.errors import InvalidRequest
from ...core.uploads import UploadSession, UploadTarget
from ...storage.wiring import document_service
from ...web import uploads
from ...web.request import WebRequest
from . import views
from .constants import FILE_SLOT, MAX_FILENAME_BYTES
from .mapping import file_recorded, id_key
from .operations import environment, get_by_id, valid_file_name

#: What a session's start may hold (artu refuses unknown properties, as upload-url does).
START_PROPERTIES = ("fileName", "contentType", "size", "partSize", "partChecksums")
#: The longest ``contentType`` upload-url takes.
MAX_CONTENT_TYPE = 255


def _scope(env: str, document_id: str) -> str:
    return f"artu:{env}:{document_id}"


def scope_of(request: WebRequest, document_id: str) -> str:
    """The scope of the route a session is addressed through: its environment and document id
    (in the form the document records it; an id that is no UUID names no session)."""
    request.caller  # noqa: B018 - no token is a 401 before any 400, as on every artu route
    env = environment(request)
    try:
        document_id = str(uuid.UUID(document_id))
    except ValueError:
        pass
    return _scope(env, document_id)


def _bad(field: str, message: str) -> InvalidRequest:
    return InvalidRequest(f"{field} {message}", errors=[{"field": field, "message": message}])


def _start_fields(request: WebRequest) -> uploads.StartFields:
    body = request.json_as("an upload session's start")
    if isinstance(body, dict) and (unknown := sorted(set(body) - set(START_PROPERTIES))):
        raise InvalidRequest(f"unknown properties {', '.join(unknown)[:200]}: the start takes "
                             f"{', '.join(START_PROPERTIES)}",
                             errors=[{"field": name[:100], "message": "unknown property"} for name in unknown[:20]])
    fields = uploads.start_fields(body)
    if fields.file_name is not None and not valid_file_name(fields.file_name):
        raise _bad("fileName", f"must be a file name of 1 to {MAX_FILENAME_BYTES} bytes, without control "
                               "characters or path separators")
    if len(body.get("contentType") or "") > MAX_CONTENT_TYPE:
        raise _bad("contentType", "must be a media type such as application/pdf")
    return fields


def start(request: WebRequest, document_id: str):
    """201 and the session (``Location`` its resume, abort and completion); the document must exist."""
    caller = request.caller
    env = environment(request)
    fields = _start_fields(request)
    target = target_of(caller.tenant, env, get_by_id(caller.tenant, env, document_id))
    return uploads.start_upload(request, target, fields, dialect="artu")


def target_of(tenant: str, env: str, document: Document) -> UploadTarget:
    """Where a session for ``document`` stores its file (the module says why there); its erasure
    finds the session under the document's own key (``owner``). A retry needs ``env`` and ``id``."""
    document_id = document.body["id"]
    return UploadTarget(id_key(tenant, env, document_id), FILE_SLOT, _scope(env, document_id),
                        metadata={"env": env, "id": document_id}, kept=("env", "id"), owner=document.key)


def complete(request: WebRequest, document_id: str, upload_id: str):
    """The document with its file recorded, as ``GET /documents/{id}`` answers it."""
    scope = scope_of(request, document_id)
    body = request.json_as("an upload session's completion")
    _, doc = uploads.complete_upload(request, upload_id, scope, body, _commit(request), _committed, adopt=owned)
    return views.document_answer(doc)


def owned(session: UploadSession) -> UploadSession:
    """A session an earlier release recorded names no owner: its document's key, where the commit
    writes the file's holder (so an abort and a completion meet on it) and its erasure finds it."""
    if session.target.owner is not None:
        return session
    return replace(session, target=replace(session.target, owner=_document(session).key))


def _document(session: UploadSession) -> Document:
    return get_by_id(session.tenant, session.target.metadata["env"], session.target.metadata["id"])


def _commit(request: WebRequest):
    def commit(session: UploadSession, ref: FileRef) -> Document:
        doc = _document(session)
        recorded = replace(ref, file_name=ref.file_name or doc.body.get("filename"))  # as record_arrival names it

        def holds(current: Document) -> bool:  # a retried completion: this very S3 version is the file
            file = current.files.get(FILE_SLOT)
            return file is not None and (file.key, file.version_id) == (ref.key, ref.version_id)

        edit = Edit(lambda current: file_recorded(current.body, recorded), new_files={FILE_SLOT: recorded},
                    already_applied=holds)
        return document_service().update(doc.key, edit, request.caller, request.precondition)

    return commit


def _committed(session: UploadSession, version: int) -> Document:
    return document_service().get_version(_document(session).key, version)
