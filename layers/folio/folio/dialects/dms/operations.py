"""dms's operations over the core: the request object and the route's parameters in, documents out."""

from __future__ import annotations

from collections.abc import Callable

from ...core import Document, DocumentKey, Edit, FileRef
from ...core.listing import Page
from ...core.errors import DocumentNotFound, InvalidRequest
from ...storage.wiring import document_service
from ...web.request import WebRequest, positive_id
from .mapping import (DEFAULT_VERSIONS_PAGE, FILE_SLOT, KIND, NOTHING, FileVersion, Upload, collection_of,
                      document_ids, document_key, file_mark, file_version, new_body, page_request, restore_change,
                      upload_of_form, upload_of_json, version_change)


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
                                     upload.new_files, collection=collection_of(client, project), mark=file_mark)


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
    edit = Edit(version_change(upload), new_files=upload.new_files, already_applied=already_applied, mark=file_mark)
    return document_service().update(key, edit, request.caller, request.precondition)


def get_document(request: WebRequest, client_id: str, project_id: str, document_id: str) -> Document:
    return document_service().get(addressed(request, client_id, project_id, document_id))


def list_versions(request: WebRequest, client_id: str, project_id: str, document_id: str,
                  ) -> tuple[list[FileVersion], str | None]:
    """One page of file versions, newest first (``limit``: 1 to 100, default 100; ``cursor``), and the
    next page's cursor: a Query of the file versions' marks and one read of the versions they name."""
    key = addressed(request, client_id, project_id, document_id)
    limit, cursor = page_request(request.query, DEFAULT_VERSIONS_PAGE)
    page = document_service().version_page(key, file_mark, limit, cursor, newest_first=True)
    return [file_version(number, first) for number, first in page.versions], page.cursor


def _file_version(key: DocumentKey, number: int, *, latest: bool) -> Document:
    """The first (``latest``: the last) commit that held file version ``number``: two reads, whatever
    the history's length; 404 for a document or file version that is not there."""
    held = document_service().marked_version(key, number, file_mark, latest=latest)
    if held is None:
        raise DocumentNotFound(f"the document has no version {number}")
    return held


def version_file(request: WebRequest, client_id: str, project_id: str, document_id: str,
                 version: str) -> FileRef:
    """One version's file (its exact S3 VersionId); the view reads or redirects."""
    key = addressed(request, client_id, project_id, document_id)
    number = positive_id(version, "version")
    return _file_version(key, number, latest=False).files[FILE_SLOT]


# ---------------------------------------------------------------- the life cycle (DESIGN §10)

def list_documents(request: WebRequest, client_id: str, project_id: str) -> Page:
    """One page of the project's documents, newest first (``limit``, ``cursor``)."""
    tenant = request.caller.tenant  # no token is a 401 before any 400
    client, project = positive_id(client_id, "client_id"), positive_id(project_id, "project_id")
    limit, cursor = page_request(request.query)
    return document_service().list_page(tenant, collection_of(client, project), limit, cursor)


def delete_document(request: WebRequest, client_id: str, project_id: str, document_id: str) -> Document:
    """Erase the document, every version and file it ever had (If-Match / If-Unmodified-Since apply)."""
    key = addressed(request, client_id, project_id, document_id)
    return document_service().delete(key, request.caller, request.precondition)


def restore_version(request: WebRequest, client_id: str, project_id: str, document_id: str,
                    version: str) -> Document:
    """File version ``version``'s metadata and file (the same S3 object version, no copy) as the next
    version, under the request's preconditions."""
    key = addressed(request, client_id, project_id, document_id)
    number = positive_id(version, "version")
    source = _file_version(key, number, latest=True)
    edit = Edit(restore_change(source), new_files={FILE_SLOT: source.files[FILE_SLOT]}, restored_from=source.version,
                mark=file_mark)
    return document_service().update(key, edit, request.caller, request.precondition)
