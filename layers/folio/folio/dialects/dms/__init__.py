"""dms: a project DMS whose uploads create file versions (specs/dms-upload-document-version.txt).

The spec's operation is ``POST /api/v2/clients/{client_id}/dms/projects/{project_id}/documents/{document_id}``
(also ``PUT``, and ``POST`` with ``X-HTTP-Method-Override: PUT``). Decisions the spec leaves open:

* The form fields are ``file``, ``folderId`` (integer), ``parentUuid`` (a UUID), ``name`` and
  ``description``, as text parts. An update without any part (the spec's own curl and
  Python samples send no body at all) changes nothing and answers 201 with the document; an
  ``application/json`` body with the metadata fields is accepted for metadata-only updates.
* ``file`` must declare ``image/*``, ``application/*``, ``text/*`` or ``video/*`` (a part
  without a Content-Type is ``application/octet-stream``, RFC 7578), else 415; at most 4 MiB
  (413). Every upload with a file is a new version, even with the same bytes.
* Version numbers count file versions: 1 for the create, +1 per upload; metadata-only
  updates keep the number. ``GET .../versions`` lists them newest first, derived from the
  document's immutable history, and ``.../versions/{n}/file`` returns that version's exact
  bytes from its S3 VersionId.
* Documents live under (tenant, client, project): another client's or project's document is
  404. ``createdBy``/``updatedBy`` are ``{"id", "name", "email"}`` from the token.
* Errors use the spec's body ``{"status": "error", "code", "message", "details"}``.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import Response

from ...core import errors as e
from ...core import Document, DocumentKey, FileRef, NewFile
from ...web.request import base_url, body_bytes, headers_of, media_type, parse_json, positive_id
from ...web.responses import iso_utc, json_response
from ...web.multipart import FormData, parse_form_data
from ...web.problems import classify, error_headers

KIND = "dms-document"
INT64_MAX = 2**63 - 1
MAX_FILE_BYTES = 4 * 1024 * 1024
FILE_SLOT = "file"
ALLOWED_FILE_TYPES = ("image/", "application/", "text/", "video/")
FIELDS = ("folderId", "parentUuid", "name", "description")
MAX_NAME = 255
MAX_DESCRIPTION = 4096

logger = Logger(service="folio")


# ---------------------------------------------------------------- requests

path_id = positive_id  # the spec types client_id, project_id and document_id integer


def document_key(tenant: str, client_id: str, project_id: str, document_id: int | str) -> DocumentKey:
    client, project = path_id(client_id, "client_id"), path_id(project_id, "project_id")
    doc = document_id if isinstance(document_id, int) else path_id(document_id, "document_id")
    return DocumentKey(tenant, KIND, f"{client}/{project}/{doc}")


def require_put_override(event: dict[str, Any]) -> None:
    """``POST`` may carry ``X-HTTP-Method-Override: PUT``; any other override is refused."""
    override = headers_of(event).get("x-http-method-override")
    if override is not None and override.strip().upper() != "PUT":
        raise e.InvalidRequest(f"X-HTTP-Method-Override may only be PUT on this route, not {override!r}")


@dataclass(frozen=True)
class Upload:
    metadata: dict[str, Any]  # the fields present, validated
    file: NewFile | None


def _field_text(form: FormData, name: str) -> str | None:
    part = form.get(name)
    if part is None:
        return None
    if part.filename is not None:
        raise e.InvalidRequest(f"{name} must be a form field, not a file")
    try:
        return part.data.decode("utf-8")
    except UnicodeDecodeError:
        raise e.InvalidRequest(f"{name} is not valid UTF-8") from None


def validate_metadata(raw: dict[str, Any]) -> dict[str, Any]:
    """``folderId`` integer, ``parentUuid`` UUID, ``name`` 1-255 and ``description`` up to 4096 characters."""
    out: dict[str, Any] = {}
    if raw.get("folderId") is not None:
        value = raw["folderId"]
        text = str(value).strip() if isinstance(value, int | str) and not isinstance(value, bool) else ""
        if not (text.isascii() and text.isdigit()) or int(text) > INT64_MAX:
            raise e.InvalidRequest(f"folderId must be a non-negative 64-bit integer, got {value!r}")
        out["folderId"] = int(text)
    if raw.get("parentUuid") is not None:
        try:
            out["parentUuid"] = str(uuid.UUID(str(raw["parentUuid"]).strip()))
        except ValueError:
            raise e.InvalidRequest(f"parentUuid must be a UUID, got {raw['parentUuid']!r}") from None
    if raw.get("name") is not None:
        name = raw["name"]
        if not isinstance(name, str) or not 0 < len(name.strip()) <= MAX_NAME:
            raise e.InvalidRequest(f"name must have 1 to {MAX_NAME} characters")
        out["name"] = name.strip()
    if raw.get("description") is not None:
        description = raw["description"]
        if not isinstance(description, str) or len(description) > MAX_DESCRIPTION:
            raise e.InvalidRequest(f"description must be a string of at most {MAX_DESCRIPTION} characters")
        out["description"] = description
    return out


def _file(form: FormData) -> NewFile | None:
    part = form.get(FILE_SLOT)
    if part is None:
        return None
    declared = part.media_type or "application/octet-stream"
    if not declared.startswith(ALLOWED_FILE_TYPES):
        raise e.UnsupportedMediaType(f"file has type {declared}; allowed are image/*, application/*, text/*, video/*",
                                     accepted=("image/*", "application/*", "text/*", "video/*"))
    if len(part.data) > MAX_FILE_BYTES:
        raise e.PayloadTooLarge(f"file has {len(part.data)} bytes; at most {MAX_FILE_BYTES} (4 MiB) through the API")
    return NewFile(part.data, part.content_type or "application/octet-stream", part.filename)


def parse_upload(event: dict[str, Any], *, require_file: bool) -> Upload:
    raw = body_bytes(event)
    content_type = headers_of(event).get("content-type")
    if not raw.strip() and not require_file:
        return Upload({}, None)  # the spec's samples: no body, nothing to change
    if media_type(event) == "application/json" and not require_file:
        value = parse_json(raw)
        if not isinstance(value, dict):
            raise e.InvalidRequest("the JSON body must be an object with folderId, parentUuid, name or description")
        unknown = sorted(set(value) - set(FIELDS))
        if unknown:
            raise e.InvalidRequest(f"unknown field(s) {', '.join(unknown)}; a file is sent as multipart/form-data")
        return Upload(validate_metadata(value), None)
    form = parse_form_data(content_type, raw)
    unknown = [p.name for p in form.parts if p.name not in (FILE_SLOT, *FIELDS)]
    if unknown:
        raise e.InvalidRequest(f"unknown form field(s) {', '.join(unknown)}; expected file, {', '.join(FIELDS)}")
    metadata = validate_metadata({name: _field_text(form, name) for name in FIELDS})
    file = _file(form)
    if require_file and file is None:
        raise e.InvalidRequest("file is required to create a document")
    return Upload(metadata, file)


def new_body(client_id: str, project_id: str, upload: Upload) -> dict[str, Any]:
    return {
        "clientId": int(client_id), "projectId": int(project_id),
        "name": upload.metadata.get("name") or upload.file.file_name or "document",
        "description": upload.metadata.get("description", ""),
        "folderId": upload.metadata.get("folderId"),
        "parentUuid": upload.metadata.get("parentUuid"),
        "fileVersion": 1,
    }


def version_change(upload: Upload):
    """A core Change: the metadata given, and one more file version when a file came."""

    def change(current: Document) -> dict[str, Any]:
        body = {**current.body, **upload.metadata}
        if upload.file is not None:
            body["fileVersion"] = current.body["fileVersion"] + 1
        return body

    return change


@dataclass(frozen=True)
class FileVersion:
    number: int
    ref: FileRef
    created_at: datetime
    created_by: dict[str, Any]


def file_versions(history: list[Document]) -> list[FileVersion]:
    """Each file version, newest first, from the document's history (the first commit that holds it)."""
    seen: dict[int, FileVersion] = {}
    for doc in history:
        number = doc.body["fileVersion"]
        if number not in seen:
            seen[number] = FileVersion(number, doc.files[FILE_SLOT], doc.updated_at, doc.updated_by)
    return sorted(seen.values(), key=lambda v: v.number, reverse=True)


def find_version(history: list[Document], raw: str) -> FileVersion:
    number = path_id(raw, "version")
    for version in file_versions(history):
        if version.number == number:
            return version
    raise e.DocumentNotFound(f"the document has no version {number}")


# ---------------------------------------------------------------- answers

def _user(actor: dict[str, Any]) -> dict[str, Any]:
    return {"id": actor.get("sub"), "name": actor.get("name"), "email": actor.get("email")}


def document_view(doc: Document) -> dict[str, Any]:
    body, ref = doc.body, doc.files[FILE_SLOT]
    return {
        "id": int(doc.key.id.rsplit("/", 1)[1]),
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
        "createdAt": iso_utc(doc.created_at),
        "updatedAt": iso_utc(doc.updated_at),
        "createdBy": _user(doc.created_by),
        "updatedBy": _user(doc.updated_by),
    }


def version_view(version: FileVersion) -> dict[str, Any]:
    ref = version.ref
    return {"version": version.number, "fileName": ref.file_name, "contentType": ref.content_type,
            "size": ref.size, "sha256": ref.sha256, "createdAt": iso_utc(version.created_at),
            "createdBy": _user(version.created_by)}


def document_path(doc: Document) -> str:
    client, project, document = doc.key.id.split("/")
    return f"/api/v2/clients/{client}/dms/projects/{project}/documents/{document}"


def document_response(doc: Document, event: dict[str, Any], status: int = 200) -> Response:
    headers = {"ETag": doc.etag}
    if status == 201:
        headers["Location"] = base_url(event) + document_path(doc)
    return json_response(document_view(doc), status, headers)


def versions_response(history: list[Document]) -> Response:
    return json_response({"data": [version_view(v) for v in file_versions(history)]})


#: status and message of the spec's ErrorResponse for every domain error.
ERROR_STATUS: dict[type[Exception], tuple[int, str]] = {
    e.InvalidRequest: (400, "Bad request"),
    e.Unauthenticated: (401, "Authentication failed"),
    e.Forbidden: (403, "Access denied"),
    e.DocumentNotFound: (404, "Not found"),
    e.EditConflict: (409, "Conflict"),
    e.IdempotencyInFlight: (409, "Conflict"),
    e.IdempotencyKeyReused: (422, "Unprocessable content"),
    e.PatchTestFailed: (409, "Conflict"),
    e.PreconditionFailed: (412, "Precondition failed"),
    e.PayloadTooLarge: (413, "Payload too large"),
    e.UnsupportedMediaType: (415, "Unsupported media type"),
    e.Contention: (503, "Service unavailable"),
    e.StorageUnavailable: (503, "Service unavailable"),
}


def error(status: int, message: str, details: str, headers: dict[str, str] | None = None) -> Response:
    return json_response({"status": "error", "code": status, "message": message, "details": details}, status, headers)


def install(app) -> None:
    """dms's exception-to-HTTP map: the spec's ErrorResponse body."""

    @app.exception_handler(e.FolioError)
    def _domain_error(error_: e.FolioError):
        status, message = classify(error_, ERROR_STATUS, (500, "Internal server error"))
        details = "JWT token not found" if isinstance(error_, e.Unauthenticated) else error_.message
        return error(status, message, details, error_headers(error_, status))

    @app.not_found
    def _not_found(_error):
        return error(404, "Not found", "The requested resource was not found")

    @app.exception_handler(Exception)
    def _unexpected(_error: Exception):
        logger.exception("unexpected error")
        return error(500, "Internal server error", "An internal server error occurred")
