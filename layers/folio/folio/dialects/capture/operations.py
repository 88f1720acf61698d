"""capture's operations over the core: the request object and the route's ids in, documents out.

Each checks in the order the spec's answers need: the caller (401) before the request (400,
415, 413), the request before the documents (404), the step (403) before any change."""

from __future__ import annotations

import uuid
from dataclasses import replace

from ...core import Change, Document, DocumentKey, DocumentService, Edit, FileRef, NewFile
from ...core.listing import Page
from ...storage.wiring import document_service
from ...web.request import WebRequest
from .constants import ATTACHMENT_KIND, BATCH_KIND, CONTENT_SLOT, DOCUMENT_KIND
from .constants import DEFAULT_PAGE
from .mapping import (attachment_change, attachment_key, attachment_request, attachments_of, content_ref,
                      delete_state_token, document_key, new_attachment_body, new_document_body, new_document_request,
                      on_document, page_limit, require_granted, require_step, require_xhr, resource_id)
from .procedures import Procedures


def create_document(request: WebRequest) -> Document:
    """A new document, in a new batch, in its procedure's first step (which the token must grant)."""
    caller = request.caller
    procedure_ref, batch_name = new_document_request(request.json_as("a new document"))
    documents = document_service()
    procedure = Procedures(documents).find(caller.tenant, procedure_ref)
    require_granted(caller, procedure.steps[0], f"where new documents of {procedure.name} start")
    batch_id = documents.next_id(caller.tenant, BATCH_KIND)
    key = DocumentKey(caller.tenant, DOCUMENT_KIND, str(uuid.uuid4()))
    return documents.create(key, new_document_body(procedure, batch_id, batch_name), caller)


def _document(request: WebRequest, doc_id: str, documents: DocumentService) -> Document:
    """The document, if the token is granted the step it resides in."""
    document = documents.get(document_key(request.caller.tenant, doc_id))
    require_step(document, request.caller)
    return document


def add_attachment(request: WebRequest, doc_id: str) -> tuple[Document, Document]:
    """A new attachment of the document (its content required), and the document."""
    caller = request.caller
    resource_id(doc_id, "docId")
    asked = attachment_request(request.form(), update=False)
    documents = document_service()
    document = _document(request, doc_id, documents)
    body = new_attachment_body(document.key.id, asked, Procedures(documents).of_document(document))
    key = DocumentKey(caller.tenant, ATTACHMENT_KIND, str(uuid.uuid4()))
    return documents.create(key, body, caller, new_files={CONTENT_SLOT: asked.content},
                            collection=attachments_of(document.key.id)), document


def granted_document(request: WebRequest, doc_id: str) -> Document:
    """The document (404), if the token is granted its step (403): what every attachment route checks."""
    return _document(request, doc_id, document_service())


def get_document(request: WebRequest, doc_id: str) -> tuple[Document, Page]:
    """The document (step granted) and the first page of its attachments, newest first, for its links."""
    resource_id(doc_id, "docId")
    documents = document_service()
    document = _document(request, doc_id, documents)
    return document, documents.list_page(request.caller.tenant, attachments_of(document.key.id), DEFAULT_PAGE, None)


def list_attachments(request: WebRequest, doc_id: str) -> tuple[Document, Page, int]:
    """A page of the document's attachments, newest first (``limit``, ``cursor``), the document and the limit."""
    resource_id(doc_id, "docId")
    limit = page_limit(request.query.get("limit"))
    documents = document_service()
    document = _document(request, doc_id, documents)
    page = documents.list_page(request.caller.tenant, attachments_of(document.key.id), limit,
                               request.query.get("cursor"))
    return document, page, limit


def delete_attachment(request: WebRequest, doc_id: str, att_id: str) -> Document:
    """Capture's delete: X-Requested-With (400), step granted (403), attached to this document
    (404), stateToken or If-Match when given (412 when stale); the attachment is erased."""
    require_xhr(request.header("x-requested-with"))
    resource_id(doc_id, "docId")
    resource_id(att_id, "attId")
    body = request.json_as("the attachment to delete") if request.has_body else None
    token = delete_state_token(body, request.query.get("stateToken"))
    documents = document_service()
    document = _document(request, doc_id, documents)
    precondition = replace(request.precondition, state_token=token) if token else request.precondition
    return documents.delete(attachment_key(request.caller.tenant, att_id), request.caller, precondition,
                            guard=on_document(document.key.id))


def _attachment(request: WebRequest, doc_id: str, att_id: str, documents: DocumentService) -> tuple[Document, Document]:
    document = _document(request, doc_id, documents)
    attachment = documents.get(attachment_key(request.caller.tenant, att_id))
    on_document(document.key.id)(attachment)
    return attachment, document


def get_attachment(request: WebRequest, doc_id: str, att_id: str) -> tuple[Document, Document]:
    """The attachment, if it is attached to the document in the path, and the document."""
    return _attachment(request, doc_id, att_id, document_service())


def get_attachment_content(request: WebRequest, doc_id: str, att_id: str) -> FileRef:
    """The attachment's current content version (the view reads or redirects)."""
    documents = document_service()
    attachment, _ = _attachment(request, doc_id, att_id, documents)
    return content_ref(attachment)


def update_attachment(request: WebRequest, doc_id: str, att_id: str) -> tuple[Document, Document]:
    """The spec's update: X-Requested-With (400), step granted (403), attached to this document
    (404), stateToken (412 when stale, 409 when it lost the race to a simultaneous edit)."""
    caller = request.caller
    require_xhr(request.header("x-requested-with"))
    resource_id(doc_id, "docId")
    resource_id(att_id, "attId")
    asked = attachment_request(request.form(), update=True)
    documents = document_service()
    document = _document(request, doc_id, documents)
    procedure = Procedures(documents).of_document(document) if "type" in asked.changes else None
    attachment = commit_update(request, document, attachment_key(caller.tenant, att_id),
                               attachment_change(asked, procedure), asked.content, asked.state_token)
    return attachment, document


def commit_update(request: WebRequest, document: Document, key: DocumentKey, change: Change,
                  content: NewFile | FileRef | None, state_token: str) -> Document:
    """The spec's update of attachment ``key`` of ``document``, guarded by the stateToken (and
    If-Match); ``content`` inline, or already stored by an upload session (a retried completion,
    which finds its file committed, answers that version)."""
    stored = content if isinstance(content, FileRef) else None
    return document_service().update(
        key,
        Edit(change,
             new_files={CONTENT_SLOT: content} if content else {},
             guard=on_document(document.key.id),
             always_new_version=True,  # "every successful update returns a new stateToken"
             already_applied=(lambda current: current.files.get(CONTENT_SLOT) == stored) if stored else None),
        request.caller,
        replace(request.precondition, state_token=state_token),
    )
