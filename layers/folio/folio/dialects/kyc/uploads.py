"""kyc's upload sessions (DESIGN §9): front and back images of any size.

- ``POST /api/customer/{customerId}/document/uploads`` creates a document at completion: the
  start's JSON holds ``fileName``, ``contentType``, ``size`` and ``document`` (the same object as the
  inline create's ``document`` part, ``type`` required); the file becomes its ``front``. Its id is
  taken when the session starts (an abandoned session leaves a gap in the ids, never a document).
- ``POST .../document/{documentId}/front/uploads`` and ``.../back/uploads`` replace one image of an
  existing document; ``document`` is optional there (fields applied at completion, as the inline
  update applies them).
- Completion carries the inline update's preconditions (If-Match, If-Unmodified-Since) and answers
  what the inline route answers (201 and the document on create, 200 on update).
The declared ``contentType`` must be one of the image types kyc accepts: folio never sees the
bytes of a session, so it cannot judge them from their content as the inline route does (the
file is always served with ``X-Content-Type-Options: nosniff``).
"""

from __future__ import annotations

from typing import Any

from ...core import Document, Edit, FileRef
from ...core.errors import InvalidRequest, UnsupportedMediaType
from ...core.limits import INT64_MAX
from ...core.uploads import UploadSession, UploadTarget
from ...storage.wiring import document_service
from ...web import uploads
from ...web.request import WebRequest, positive_id
from . import views
from .mapping import (
    IMAGE_TYPES, KIND, Upload, customer_documents, customer_guard, document_fields_of, document_key, document_number,
    domain_number, new_body, updated_body,
)
from .operations import addressed, domain_of

SIDES = ("front", "back")


def _scope(domain: int, customer: int, document: int | None, side: str) -> str:
    return f"kyc:{domain}:{customer}:{document if document is not None else 'new'}:{side}"


def _side(side: str) -> str:
    if side not in SIDES:
        raise InvalidRequest(f"no image {side[:20]!r}: front or back")
    return side


def _start_body(request: WebRequest, *, document_required: bool) -> tuple[tuple, dict[str, Any]]:
    body = request.json_as("an upload session's start")
    fields = uploads.start_fields(body)
    if fields[1] not in IMAGE_TYPES:
        raise UnsupportedMediaType(f"contentType {fields[1]} is not one kyc accepts", accepted=IMAGE_TYPES)
    document = body.get("document")
    if document is None and not document_required:
        return fields, {}
    if not isinstance(document, dict):
        raise InvalidRequest("document must be a JSON object (the inline create's document part)",
                             errors=[{"field": "document", "message": "required, a JSON object"}])
    return fields, document_fields_of(document)


def start_create(request: WebRequest, customer_id: str):
    domain = domain_of(request)
    customer = positive_id(customer_id, "customerId")
    fields, document = _start_body(request, document_required=True)
    new_body(customer, Upload(document, {}))  # a create that could never succeed fails now, not at completion
    documents = document_service()
    key = document_key(request.caller.tenant, domain,
                       documents.next_id(request.caller.tenant, KIND, maximum=INT64_MAX))
    target = UploadTarget(key, "front", _scope(domain, customer, None, "front"), creates=True,
                          metadata={"customer": customer, "fields": document})
    return uploads.start_upload(request, target, fields, dialect="kyc")


def start_side(request: WebRequest, customer_id: str, document_id: str, side: str):
    key, customer = addressed(request, customer_id, document_id)
    side = _side(side)
    fields, document = _start_body(request, document_required=False)
    customer_guard(customer)(document_service().get(key))  # another customer's document: 404
    target = UploadTarget(key, side, _scope(domain_number(key), customer, document_number(key), side),
                          metadata={"customer": customer, "fields": document})
    return uploads.start_upload(request, target, fields, dialect="kyc")


def scope_of(request: WebRequest, customer_id: str, document_id: str | None = None, side: str = "front") -> str:
    """The scope of the route a session is addressed through (resume, abort, complete)."""
    domain = domain_of(request)
    customer = positive_id(customer_id, "customerId")
    document = positive_id(document_id, "documentId") if document_id is not None else None
    return _scope(domain, customer, document, _side(side))


def complete(request: WebRequest, upload_id: str, scope: str):
    """The inline route's answer: 201 and the new document, or 200 and the updated one."""
    body = request.json_as("an upload session's completion")
    session, doc = uploads.complete_upload(request, upload_id, scope, body, _commit(request), _committed)
    if session.target.creates:
        return views.created_answer(doc, request)
    return views.document_answer(doc, request)


def _commit(request: WebRequest):
    def commit(session: UploadSession, ref: FileRef) -> Document:
        target = session.target
        customer, fields = target.metadata["customer"], target.metadata["fields"]
        documents = document_service()
        if target.creates:
            return documents.create(target.key, new_body(customer, Upload(fields, {})), request.caller,
                                    request.precondition, new_files={target.slot: ref},
                                    collection=customer_documents(domain_number(target.key), customer))
        edit = Edit(updated_body(Upload(fields, {})), new_files={target.slot: ref}, guard=customer_guard(customer),
                    already_applied=lambda doc: doc.files.get(target.slot) == ref)
        return documents.update(target.key, edit, request.caller, request.precondition)

    return commit


def _committed(session: UploadSession, version: int) -> Document:
    return document_service().get_version(session.target.key, version)
