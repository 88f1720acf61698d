"""crm's operations over the core: the request object and the route's parameters in, documents out."""

from __future__ import annotations

from typing import Any

from ...core import Document, DocumentKey
from ...core.limits import INT32_MAX
from ...storage.wiring import document_service
from ...web.request import WebRequest
from .constants import JSON_MEDIA_TYPES, KIND, PATCH_MEDIA_TYPES
from .mapping import DocumentPatch, stored_body, document_key


def create_body(request: WebRequest) -> dict[str, Any]:
    """The stored body a POST asks for: a JSON DocumentEntity (else 415), type-checked."""
    return stored_body(request.json_as("a DocumentEntity", JSON_MEDIA_TYPES))


def patch_of(request: WebRequest) -> DocumentPatch:
    """The patch a PATCH sends, in any of the three media types (else 415 with Accept-Patch)."""
    return DocumentPatch(request.json_as("a patch", PATCH_MEDIA_TYPES))


def create_document(request: WebRequest) -> Document:
    """POST: a DocumentEntity with the next id of the caller's tenant."""
    caller = request.caller
    body = create_body(request)
    precondition = request.precondition
    documents = document_service()
    key = DocumentKey(caller.tenant, KIND, str(documents.next_id(caller.tenant, KIND, maximum=INT32_MAX)))
    return documents.create(key, body, caller, precondition)


def get_document(request: WebRequest, document_id: str) -> Document:
    return document_service().get(document_key(request.caller.tenant, document_id))


def patch_document(request: WebRequest, document_id: str) -> Document:
    """PATCH: a JSON Patch or JSON Merge Patch, re-applied to the current version on lost races."""
    caller = request.caller
    key = document_key(caller.tenant, document_id)
    patch = patch_of(request)
    return document_service().update(key, patch.apply, caller, request.precondition)
