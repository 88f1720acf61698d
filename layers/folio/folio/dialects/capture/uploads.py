"""capture's upload sessions (DESIGN §9): attachment content of any size, under ``/capture/api/v1.1``
and ``/capture/api/v1`` alike.

- ``POST .../documents/{docId}/attachments/uploads`` adds an attachment at completion, as the
  inline add does: the start's JSON holds ``fileName`` (required, it becomes ``sourceName``),
  ``contentType`` (required, it becomes ``mediaType``), ``size`` and an optional ``attachment``
  object (``title``, ``type``, ``comment``, as the add's part; ``title`` defaults to the file
  name). The attachment's id is taken when the session starts; completion answers 201.
- ``POST .../attachments/{attId}/content/uploads`` replaces the content of an attachment, as the
  spec's update does: ``X-Requested-With: XMLHttpRequest`` on start and completion, ``attachment``
  (``title``, ``type``, ``comment``) applied at completion, and the ``stateToken`` given in the
  start's ``attachment`` or in the completion's body. **The completion's wins**: a client that
  lost a race (412, whose answer names the current token) completes again with the fresh one,
  without sending the bytes again. A token given at the start is checked at once (412 when
  already stale); a completion with neither is 400. ``If-Match`` works too. Completion answers
  200 with the attachment and its new ``stateToken``.
- Every route needs the token's ``folio:steps`` to grant the document's current step (403), at
  start, resume, abort and completion, as the inline routes do; the type is resolved against the
  procedure when the session starts (400 when unknown), so nothing a completion could refuse for
  it is found only after the upload.
"""

from __future__ import annotations

import uuid
from typing import Any

from ...core import Document, FileRef, Precondition
from ...core.errors import InvalidRequest
from ...core.uploads import UploadSession, UploadTarget
from ...storage.wiring import document_service
from ...web import uploads
from ...web.request import WebRequest
from . import views
from .constants import CONTENT_SLOT
from .mapping import (AttachmentRequest, attachment_fields, attachment_key, attachments_of, new_attachment_body,
                      require_xhr, resolved_change, resolved_fields, resource_id)
from .operations import commit_update, get_attachment, granted_document
from .procedures import Procedures


def _scope(doc_id: str, att_id: str | None) -> str:
    return f"capture:{doc_id}:{att_id if att_id is not None else 'new'}:{CONTENT_SLOT}"


def _start_body(request: WebRequest) -> tuple[uploads.StartFields, dict[str, Any], Any]:
    """The file's fields (a file name and a media type required, as the inline ``content`` part
    needs them), the ``attachment`` object's fields, and its ``stateToken`` (None when absent)."""
    body = request.json_as("an upload session's start")
    fields = uploads.start_fields(body)
    if fields.file_name is None:
        raise InvalidRequest("fileName is required: it becomes the attachment's sourceName",
                             errors=[{"field": "fileName", "message": "required"}])
    if "contentType" not in body:
        raise InvalidRequest("contentType is required: it becomes the attachment's mediaType",
                             errors=[{"field": "contentType", "message": "required, one type/subtype"}])
    attachment = body.get("attachment", {})
    if not isinstance(attachment, dict):
        raise InvalidRequest("attachment must be a JSON object (title, type, comment, stateToken)",
                             errors=[{"field": "attachment", "message": "a JSON object"}])
    return fields, attachment_fields(attachment), attachment.get("stateToken")


def _state_token(value: Any, field: str) -> str:
    if not isinstance(value, str) or not value:
        raise InvalidRequest(f"{field} must be the stateToken last read",
                             errors=[{"field": field, "message": "a non-empty string"}])
    return value


def start_add(request: WebRequest, doc_id: str):
    """A session whose completion adds an attachment to the document."""
    resource_id(doc_id, "docId")
    fields, changes, _ = _start_body(request)
    document = granted_document(request, doc_id)
    asked = AttachmentRequest({"title": fields.file_name, **changes}, None, None)  # title: the file name, as the add's
    body = new_attachment_body(document.key.id, asked, Procedures(document_service()).of_document(document))
    key = attachment_key(request.caller.tenant, str(uuid.uuid4()))
    target = UploadTarget(key, CONTENT_SLOT, _scope(doc_id, None), creates=True, metadata={"body": body})
    return uploads.start_upload(request, target, fields, dialect="capture")


def start_content(request: WebRequest, doc_id: str, att_id: str):
    """A session whose completion replaces the attachment's content (the spec's update)."""
    require_xhr(request.header("x-requested-with"))
    resource_id(doc_id, "docId")
    resource_id(att_id, "attId")
    fields, changes, token = _start_body(request)
    if token is not None:
        token = _state_token(token, "attachment.stateToken")
    attachment, document = get_attachment(request, doc_id, att_id)
    if token is not None:
        Precondition(state_token=token).check(attachment)  # stale already: 412 now, not after the upload
    procedure = Procedures(document_service()).of_document(document) if "type" in changes else None
    target = UploadTarget(attachment.key, CONTENT_SLOT, _scope(doc_id, att_id),
                          metadata={"fields": resolved_fields(changes, procedure), "stateToken": token})
    return uploads.start_upload(request, target, fields, dialect="capture")


def _addressed(request: WebRequest, doc_id: str, att_id: str | None) -> tuple[str, Document]:
    resource_id(doc_id, "docId")
    if att_id is not None:
        resource_id(att_id, "attId")
    return _scope(doc_id, att_id), granted_document(request, doc_id)


def scope_of(request: WebRequest, doc_id: str, att_id: str | None = None) -> str:
    """The scope of the route a session is addressed through (resume, abort), once the token is
    found to grant the document's step."""
    return _addressed(request, doc_id, att_id)[0]


def complete(request: WebRequest, upload_id: str, doc_id: str, att_id: str | None = None):
    """The inline route's answer: 201 and the new attachment, or 200 and the updated one."""
    if att_id is not None:
        require_xhr(request.header("x-requested-with"))
    scope, document = _addressed(request, doc_id, att_id)
    body = request.json_as("an upload session's completion")
    token = _state_token(body["stateToken"], "stateToken") \
        if isinstance(body, dict) and "stateToken" in body else None

    def commit(session: UploadSession, ref: FileRef) -> Document:
        target = session.target
        if target.creates:
            return document_service().create(target.key, target.metadata["body"], request.caller,
                                             new_files={CONTENT_SLOT: ref}, collection=attachments_of(document.key.id))
        state_token = token or target.metadata["stateToken"]
        if state_token is None:
            raise InvalidRequest("stateToken is required: give it in the completion's body (or at the start)",
                                 errors=[{"field": "stateToken", "message": "required"}])
        return commit_update(request, document, target.key, resolved_change(target.metadata["fields"]), ref,
                             state_token)

    def committed(session: UploadSession, version: int) -> Document:
        return document_service().get_version(session.target.key, version)

    session, attachment = uploads.complete_upload(request, upload_id, scope, body, commit, committed)
    if session.target.creates:
        return views.attachment_created(attachment, document, request)
    return views.attachment_answer(attachment, document, request)

