"""crm's operations over the core: the request object and the route's parameters in, documents out."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from ...core import Document, DocumentKey, Edit, FileRef, NewFile
from ...core.errors import DocumentNotFound, InvalidRequest, PayloadTooLarge
from ...core.limits import INT32_MAX, MAX_FILE_BYTES
from ...core.listing import Page, VersionPage
from ...storage.wiring import document_service
from ...web.media import parse_media_type
from ...web.request import WebRequest, bounded_int
from .constants import (COLLECTION, CONTENT_SLOT, CONTENT_UPLOADS_ROUTE, DEFAULT_CONTENT_TYPE, JSON_MEDIA_TYPES,
                        KIND, PATCH_MEDIA_TYPES, VERSIONS_TOP)
from .mapping import DocumentPatch, ListQuery, content_mark, content_of, document_key, stored_body


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
    return documents.create(key, body, caller, precondition, collection=COLLECTION, mark=content_mark)


def get_document(request: WebRequest, document_id: str) -> Document:
    return document_service().get(document_key(request.caller.tenant, document_id))


def patch_document(request: WebRequest, document_id: str) -> Document:
    """PATCH: a JSON Patch or JSON Merge Patch, re-applied to the current version on lost races."""
    caller = request.caller
    key = document_key(caller.tenant, document_id)
    patch = patch_of(request)
    return document_service().update(key, Edit(patch.apply, mark=content_mark), caller, request.precondition)


# ---------------------------------------------------------------- the life cycle (DESIGN §10)

def list_documents(request: WebRequest) -> tuple[ListQuery, Page]:
    """GET /api/v1/Document: one page of the tenant's documents, newest first (``$top``,
    ``$skiptoken``); the query too, for the answer's ``$select`` and ``odata.nextLink``."""
    tenant = request.caller.tenant  # no token is a 401 before any 400
    query = ListQuery.of(request.query)
    try:
        page = document_service().list_page(tenant, COLLECTION, query.top, query.skiptoken)
    except InvalidRequest as refused:  # the core names it "cursor"; OData calls it $skiptoken
        raise _skiptoken_refused(refused, "odata.nextLink") from None
    return query, page


def _skiptoken_refused(refused: InvalidRequest, link: str) -> InvalidRequest:
    return InvalidRequest(f"$skiptoken: {refused.message}; follow {link} as it is given",
                          errors=[{"field": "$skiptoken", "message": "not a $skiptoken of this list"}])


def delete_document(request: WebRequest, document_id: str) -> Document:
    """DELETE /api/v1/Document/{id}: erase the document, every version and every content file it
    ever had (If-Match and If-Unmodified-Since apply)."""
    key = document_key(request.caller.tenant, document_id)
    return document_service().delete(key, request.caller, request.precondition)


# ---------------------------------------------------------------- content

def content_sent(request: WebRequest, document_id: str) -> NewFile:
    """PUT .../Content: the raw body is the file and its Content-Type the media type (none:
    application/octet-stream); more than MAX_FILE_BYTES is 413 naming the upload session route."""
    key = document_key(request.caller.tenant, document_id)  # a bad id is 400 before the body is read
    data = request.body
    if len(data) > MAX_FILE_BYTES:
        raise PayloadTooLarge(f"the content holds {len(data)} bytes; a request carries at most {MAX_FILE_BYTES}. "
                              f"Send larger content through an upload session: "
                              f"{CONTENT_UPLOADS_ROUTE.replace('{id}', key.id)}")
    raw_type = request.content_type
    media_type = parse_media_type(raw_type) if raw_type and raw_type.strip() else DEFAULT_CONTENT_TYPE
    if media_type is None:
        raise InvalidRequest(f"Content-Type {raw_type[:100]!r} is not one media type such as application/pdf",
                             errors=[{"field": "Content-Type", "message": "one media type"}])
    return NewFile(data, media_type)


def put_content(request: WebRequest, document_id: str, file: NewFile | FileRef) -> Document:
    """Commit ``file`` as the document's content: the bytes of an inline PUT, or a FileRef already
    stored (an upload session's object, recognised when a retried completion finds it committed),
    through the same conditional write, If-Match and If-Unmodified-Since included. A file without a
    name takes the entity's ``Name`` (its file name)."""
    caller = request.caller
    key = document_key(caller.tenant, document_id)
    documents = document_service()
    if file.file_name is None:
        file = replace(file, file_name=documents.get(key).body.get("Name"))
    stored = file.version_id if isinstance(file, FileRef) else None
    edit = Edit(lambda current: None, new_files={CONTENT_SLOT: file}, mark=content_mark,
                already_applied=None if stored is None else (
                    lambda current: getattr(current.files.get(CONTENT_SLOT), "version_id", None) == stored))
    return documents.update(key, edit, caller, request.precondition)


def upload_content(request: WebRequest, document_id: str) -> Document:
    """PUT /api/v1/Document/{id}/Content."""
    return put_content(request, document_id, content_sent(request, document_id))


def get_content(request: WebRequest, document_id: str) -> FileRef:
    """GET .../Content: the current content, or with ``?versionId=`` (a VersionInfo's VersionId)
    the content as that version had it."""
    documents = document_service()
    key = document_key(request.caller.tenant, document_id)
    doc = documents.get(key)  # 404 for a document that is not (or no longer) there
    version_id = (request.query.get("versionId") or "").strip()
    if version_id:
        number = bounded_int(version_id, doc.version)
        if number is None or number < 1:
            raise DocumentNotFound(f"document {doc.key.id} has no version {version_id[:40]!r}; "
                                   f"GET /api/v1/Document/{doc.key.id}/Version lists them")
        doc = documents.get_version(key, number)
    return content_of(doc)


def content_version_list(request: WebRequest, document_id: str) -> tuple[ListQuery, VersionPage]:
    """GET .../Version: a page of the committed versions that checked content in, oldest first
    (``$top``, default 100; ``$skiptoken`` from the answer's ``Link: <...>; rel="next"``; ``$select``):
    one Query of their marks and one read of those versions, whatever the history's length."""
    key = document_key(request.caller.tenant, document_id)
    query = ListQuery.of(request.query, default_top=VERSIONS_TOP)
    try:
        page = document_service().version_page(key, content_mark, query.top, query.skiptoken, newest_first=False)
    except InvalidRequest as refused:
        raise _skiptoken_refused(refused, 'the Link header\'s rel="next"') from None
    return query, page
