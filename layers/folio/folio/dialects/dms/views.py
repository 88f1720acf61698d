"""dms's answers (answers.Document, FileVersion and ErrorResponse document them) and its error body."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import Response

from ...core import Document
from ...core.listing import Page
from ...core.errors import FolioError
from ...web.problems import install_error_map
from ...web.request import WebRequest
from ...web.responses import created, iso_utc, json_response
from .mapping import FILE_SLOT, FileVersion, document_ids


def user_view(actor: dict[str, Any]) -> dict[str, Any]:
    return {"id": actor.get("sub"), "name": actor.get("name"), "email": actor.get("email")}


def document_path(doc: Document) -> str:
    client, project, document = document_ids(doc.key)
    return f"/api/v2/clients/{client}/dms/projects/{project}/documents/{document}"


def document_view(doc: Document) -> dict[str, Any]:
    body, ref = doc.body, doc.files[FILE_SLOT]
    return {
        "id": document_ids(doc.key)[2],
        "clientId": body["clientId"],
        "projectId": body["projectId"],
        "name": body["name"],
        "description": body.get("description"),
        "folderId": body.get("folderId"),
        "parentUuid": body.get("parentUuid"),
        "version": body["fileVersion"],
        "fileName": ref.file_name,
        "contentType": ref.content_type,
        "size": ref.size,
        "sha256": ref.sha256,
        "crc64nvme": ref.crc64nvme,
        "createdAt": iso_utc(doc.created_at),
        "updatedAt": iso_utc(doc.updated_at),
        "createdBy": user_view(doc.created_by),
        "updatedBy": user_view(doc.updated_by),
    }


def version_view(version: FileVersion) -> dict[str, Any]:
    ref = version.ref
    return {"version": version.number, "fileName": ref.file_name, "contentType": ref.content_type,
            "size": ref.size, "sha256": ref.sha256, "crc64nvme": ref.crc64nvme,
            "createdAt": iso_utc(version.created_at),
            "createdBy": user_view(version.created_by)}


def document_answer(doc: Document):
    """200 with the document and its ETag."""
    return json_response(document_view(doc), 200, {"ETag": doc.etag})


def created_answer(doc: Document, request: WebRequest):
    """201 with the document, its ETag and its Location (a create, and every upload)."""
    return created(document_view(doc), location=request.base_url + document_path(doc), etag=doc.etag)


def versions_answer(versions: list[FileVersion], cursor: str | None = None):
    """A page of file versions, newest first, in the documents list's shape: ``nextCursor`` (null on
    the last page) asks for the next one."""
    return json_response({"data": [version_view(v) for v in versions], "nextCursor": cursor})


def page_answer(page: Page):
    """A page of the project's documents, newest first, in the versions list's ``data`` envelope;
    ``nextCursor`` (null on the last page) asks for the next one."""
    return json_response({"data": [document_view(doc) for doc in page.documents], "nextCursor": page.cursor})


def deleted_answer(_doc: Document):
    """204: the document and everything it ever held are erased."""
    return Response(status_code=204, body="")


# ---------------------------------------------------------------- errors

#: The spec's ErrorResponse ``message`` for each status the shared error map answers.
MESSAGES = {
    400: "Bad request",
    401: "Authentication failed",
    403: "Access denied",
    404: "Not found",
    409: "Conflict",
    412: "Precondition failed",
    413: "Payload too large",
    415: "Unsupported media type",
    416: "Range not satisfiable",
    422: "Unprocessable content",
    500: "Internal server error",
    503: "Service unavailable",
}
#: ``details`` where the spec words them itself: a missing token, a route that does not exist,
#: an unexpected error (whose own text stays in the log).
_UNAUTHENTICATED = "JWT token not found"
_GENERIC_DETAILS = {404: "The requested resource was not found", 500: "An internal server error occurred"}


def error_body(status: int, _title: str, _slug: str, detail: str, error: FolioError | None,
               headers: dict[str, str]):
    """The spec's ErrorResponse ``{"status": "error", "code", "message", "details"}``."""
    if status == 401:
        details = _UNAUTHENTICATED
    elif error is None:
        details = _GENERIC_DETAILS.get(status, detail)
    else:
        details = detail
    return json_response({"status": "error", "code": status, "message": MESSAGES.get(status, MESSAGES[500]),
                          "details": details}, status, headers)


def install(app) -> None:
    """dms's exception-to-HTTP map: the shared statuses, the spec's ErrorResponse body."""
    install_error_map(app, body=error_body)
