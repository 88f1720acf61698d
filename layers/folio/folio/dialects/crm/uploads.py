"""crm's upload sessions (DESIGN §9): a document's content of any size.

``POST /api/v1/Document/{id}/Content/uploads`` starts one for an existing document (404 otherwise);
completion commits the content exactly as ``PUT /api/v1/Document/{id}/Content`` does (If-Match and
If-Unmodified-Since, the file named after the entity's ``Name`` when the start gives no ``fileName``)
and answers the DocumentEntity. The session's own answers use folio's one session shape (camelCase,
:mod:`folio.web.uploads`), not SuperOffice's PascalCase: SuperOffice documents no such resource.
"""

from __future__ import annotations

from ...core import Document, FileRef
from ...core.uploads import UploadSession, UploadTarget
from ...storage.wiring import document_service
from ...web import uploads
from ...web.request import WebRequest
from . import views
from .constants import CONTENT_SLOT
from .mapping import document_key
from .operations import put_content


def scope_of(request: WebRequest, document_id: str) -> str:
    """Validates the id as the inline routes do (a malformed one is a 400, never a lookup)."""
    return f"crm:{document_key(request.caller.tenant, document_id).id}:{CONTENT_SLOT}"


def start(request: WebRequest, document_id: str):
    fields = uploads.start_fields(request.json_as("an upload session's start"))
    key = document_key(request.caller.tenant, document_id)
    document_service().get(key)  # a session for a document that is not there: 404 now, not at completion
    target = UploadTarget(key, CONTENT_SLOT, scope_of(request, document_id))
    return uploads.start_upload(request, target, fields, dialect="crm")


def complete(request: WebRequest, document_id: str, upload_id: str):
    body = request.json_as("an upload session's completion")

    def commit(session: UploadSession, ref: FileRef) -> Document:
        return put_content(request, document_id, ref)

    def committed(session: UploadSession, version: int) -> Document:
        return document_service().get_version(session.target.key, version)

    _, doc = uploads.complete_upload(request, upload_id, scope_of(request, document_id), body, commit, committed)
    return views.entity_answer(doc, request)
