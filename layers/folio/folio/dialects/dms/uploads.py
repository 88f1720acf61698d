"""dms's upload sessions (DESIGN §9): files of any size, as versions of a document.

- ``POST /api/v2/clients/{client_id}/dms/projects/{project_id}/documents/uploads`` creates a
  document at completion: the start's JSON holds the file's ``fileName``, ``contentType``, ``size``,
  ``partChecksums`` (and optionally ``partSize``) and, beside them, the inline create's form fields
  (``folderId``, ``parentUuid``, ``name``, ``description``); the file becomes file version 1. Its
  id is taken when the session starts (an abandoned session leaves a gap in the ids, never a document).
- ``POST .../documents/{document_id}/uploads`` makes a new file version of that document at
  completion, with the fields given at the start applied as the inline upload applies them.
- Completion carries the inline upload's preconditions (If-Match, If-Unmodified-Since) and answers
  what the inline routes answer: 201 and the document.
The declared ``contentType`` must be one dms accepts (image/*, application/*, text/*, video/*) and
the fields valid, as the inline upload's form parts must be: a session that could never be committed
is refused at its start.
"""

from __future__ import annotations

from typing import Any

from ...core import Document, FileRef
from ...core.uploads import UploadSession, UploadTarget
from ...storage.wiring import document_service
from ...web import uploads
from ...web.request import WebRequest, positive_id
from . import views
from .mapping import FILE_SLOT, KIND, Upload, allowed_file_type, document_ids, document_key, upload_fields
from .operations import addressed, commit_create, commit_version

#: The members of a start's JSON that describe the file; every other member is a form field of dms.
FILE_MEMBERS = ("fileName", "contentType", "size", "partSize", "partChecksums")


def _scope(client: int, project: int, document: int | None) -> str:
    return f"dms:{client}:{project}:{document if document is not None else 'new'}"


def _start_body(request: WebRequest) -> tuple[uploads.StartFields, dict[str, Any]]:
    """The file (name, type, size, part checksums), and the form fields (validated as the inline upload's)."""
    body = request.json_as("an upload session's start")
    fields = uploads.start_fields(body)
    allowed_file_type(fields.content_type)
    return fields, upload_fields({name: value for name, value in body.items() if name not in FILE_MEMBERS})


def start_create(request: WebRequest, client_id: str, project_id: str):
    caller = request.caller  # no token is a 401 before any 400
    client = positive_id(client_id, "client_id")
    project = positive_id(project_id, "project_id")
    fields, metadata = _start_body(request)
    key = document_key(caller.tenant, client, project, document_service().next_id(caller.tenant, KIND))
    target = UploadTarget(key, FILE_SLOT, _scope(client, project, None), creates=True, metadata={"fields": metadata})
    return uploads.start_upload(request, target, fields, dialect="dms")


def start_version(request: WebRequest, client_id: str, project_id: str, document_id: str):
    key = addressed(request, client_id, project_id, document_id)
    fields, metadata = _start_body(request)
    document_service().get(key)  # a missing document (or another client's or project's) is a 404 now
    target = UploadTarget(key, FILE_SLOT, _scope(*document_ids(key)), metadata={"fields": metadata})
    return uploads.start_upload(request, target, fields, dialect="dms")


def scope_of(request: WebRequest, client_id: str, project_id: str, document_id: str | None = None) -> str:
    """The scope of the route a session is addressed through (resume, abort, complete)."""
    request.caller  # noqa: B018 - no token is a 401 before any 400
    document = positive_id(document_id, "document_id") if document_id is not None else None
    return _scope(positive_id(client_id, "client_id"), positive_id(project_id, "project_id"), document)


def complete(request: WebRequest, upload_id: str, scope: str):
    """The inline routes' answer: 201 and the document (created, or at its new version)."""
    body = request.json_as("an upload session's completion")
    _session, doc = uploads.complete_upload(request, upload_id, scope, body, _commit(request), _committed)
    return views.created_answer(doc, request)


def _commit(request: WebRequest):
    def commit(session: UploadSession, ref: FileRef) -> Document:
        target = session.target
        upload = Upload(target.metadata["fields"], ref)
        if target.creates:
            return commit_create(request, target.key, upload)
        return commit_version(request, target.key, upload,
                              already_applied=lambda doc: doc.files.get(FILE_SLOT) == ref)

    return commit


def _committed(session: UploadSession, version: int) -> Document:
    return document_service().get_version(session.target.key, version)
