"""dms's operations over the core: the request object and the route's parameters in, documents out."""

from __future__ import annotations

from collections.abc import Callable

from ...core import Document, DocumentKey, Edit, FileRef
from ...core.errors import InvalidRequest
from ...core.service import not_found
from ...storage.wiring import document_service
from ...web.request import WebRequest, positive_id
from .mapping import (KIND, NOTHING, FileVersion, Upload, document_ids, document_key, file_versions, find_version,
                      new_body, upload_of_form, upload_of_json, version_change)


def addressed(request: WebRequest, client_id: str, project_id: str, document_id: str) -> DocumentKey:
    """The document a request names; the spec types the three ids integer (int64)."""
    tenant = request.caller.tenant  # no token is a 401 before any 400
    return document_key(tenant, positive_id(client_id, "client_id"), positive_id(project_id, "project_id"),
                        positive_id(document_id, "document_id"))


def _require_put_override(request: WebRequest) -> None:
    """``POST`` may carry ``X-HTTP-Method-Override: PUT``; any other override is refused."""
    override = request.header("X-HTTP-Method-Override")
    if override is not None and override.strip().upper() != "PUT":
        raise InvalidRequest(f"X-HTTP-Method-Override may only be PUT on this route, not {override!r}")


def _upload(request: WebRequest, *, require_file: bool) -> Upload:
    """A multipart form; an update may also send a JSON object of metadata, or no body at all."""
    if not require_file:
        if not request.body.strip():
            return NOTHING
        if request.media_type == "application/json":
            return upload_of_json(request.json())
    return upload_of_form(request.form(), require_file=require_file)


def create_document(request: WebRequest, client_id: str, project_id: str) -> Document:
    """A new document of the project with the tenant's next id: file version 1."""
    caller = request.caller
    client = positive_id(client_id, "client_id")  # bad ids are a 400 before the body is read
    project = positive_id(project_id, "project_id")
    upload = _upload(request, require_file=True)
    key = document_key(caller.tenant, client, project, document_service().next_id(caller.tenant, KIND))
    return commit_create(request, key, upload)


def commit_create(request: WebRequest, key: DocumentKey, upload: Upload) -> Document:
    """Version 1 of the document ``key`` names: the inline create's write, and an upload session's."""
    client, project, _ = document_ids(key)
    return document_service().create(key, new_body(client, project, upload), request.caller, request.precondition,
                                     upload.new_files)


def upload_version(request: WebRequest, client_id: str, project_id: str, document_id: str) -> Document:
    """The metadata given, and a new file version when a file came."""
    request.caller  # noqa: B018 - no token is a 401 before any 400
    _require_put_override(request)
    key = addressed(request, client_id, project_id, document_id)
    upload = _upload(request, require_file=False)
    return commit_version(request, key, upload)


def commit_version(request: WebRequest, key: DocumentKey, upload: Upload,
                   already_applied: Callable[[Document], bool] | None = None) -> Document:
    """The metadata and file of ``upload`` as the next version, under the request's preconditions:
    the inline upload's write, and an upload session's (which recognizes its own retry)."""
    edit = Edit(version_change(upload), new_files=upload.new_files, already_applied=already_applied)
    return document_service().update(key, edit, request.caller, request.precondition)


def get_document(request: WebRequest, client_id: str, project_id: str, document_id: str) -> Document:
    return document_service().get(addressed(request, client_id, project_id, document_id))


def list_versions(request: WebRequest, client_id: str, project_id: str, document_id: str) -> list[FileVersion]:
    """Every file version, newest first, derived from the document's immutable history."""
    key = addressed(request, client_id, project_id, document_id)
    history = document_service().history(key)
    if not history:
        raise not_found(key)
    return file_versions(history)


def version_file(request: WebRequest, client_id: str, project_id: str, document_id: str,
                 version: str) -> FileRef:
    """One version's file (its exact S3 VersionId); the view reads or redirects."""
    key = addressed(request, client_id, project_id, document_id)
    number = positive_id(version, "version")
    documents = document_service()
    history = documents.history(key)
    if not history:
        raise not_found(key)
    return find_version(history, number).ref
