"""dms's routes in the OpenAPI document, from its models (loaded by folio local and the docs, never by a handler)."""

from __future__ import annotations

from typing import Any

from ...web.openapi import model_schema
from ...web.responses import download_openapi
from .answers import Document, DocumentPage, ErrorResponse, VersionList
from .models import UploadFields, UploadForm


def _form(file_required: bool) -> dict[str, Any]:
    schema = model_schema(UploadForm)
    schema["required"] = ["file"] if file_required else []
    return {"required": file_required, "content": {"multipart/form-data": {"schema": schema}}}


def operations() -> dict[str, dict[str, Any]]:
    etag = {"ETag": {"schema": {"type": "string"}}}
    document = {"application/json": {"schema": model_schema(Document, mode="serialization")}}
    created = {"content": document, "headers": {**etag, "Location": {"schema": {"type": "string"}}}}
    return {
        "DmsCreateDocumentFunction": {"requestBody": _form(True),
                                      "responses": {"201": {**created, "description": "Created, version 1"}}},
        "DmsUploadDocumentVersionFunction": {
            "parameters": [{"name": "X-HTTP-Method-Override", "in": "header", "required": False,
                            "schema": {"const": "PUT"}}],
            "requestBody": _form(False),
            "responses": {"201": {**created, "description": "Document updated (new version created)"}}},
        "DmsGetDocumentFunction": {"responses": {"200": {"content": document, "headers": etag,
                                                         "description": "The document"}}},
        "DmsListDocumentVersionsFunction": {
            "parameters": _page_parameters(_versions_page()),
            "responses": {"200": {
                "description": "A page of file versions, newest first; nextCursor asks for the next one",
                "content": {"application/json": {"schema": model_schema(VersionList, mode="serialization")}}}}},
        "DmsGetDocumentVersionFileFunction": download_openapi("That version's exact bytes"),
        **_upload_sessions(created),
        **_life_cycle(created),
    }


def _versions_page() -> int:
    from .mapping import DEFAULT_VERSIONS_PAGE

    return DEFAULT_VERSIONS_PAGE


def _page_parameters(default: int) -> list[dict[str, Any]]:
    """``limit`` and ``cursor``, as every dms list takes them."""
    from ...core.listing import MAX_PAGE

    return [{"name": "limit", "in": "query", "required": False,
             "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": default}},
            {"name": "cursor", "in": "query", "required": False, "schema": {"type": "string"},
             "description": "the previous page's nextCursor, unchanged"}]


def _life_cycle(created: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The project's documents (pages, newest first), erasure, and restoring a version (DESIGN §10)."""
    from .mapping import DEFAULT_PAGE

    preconditions = [{"name": name, "in": "header", "required": False, "schema": {"type": "string"}}
                     for name in ("If-Match", "If-Unmodified-Since")]
    return {
        "DmsListDocumentsFunction": {
            "parameters": _page_parameters(DEFAULT_PAGE),
            "responses": {"200": {"description": "The project's documents, newest first",
                                  "content": _json(model_schema(DocumentPage, mode="serialization"))}}},
        "DmsDeleteDocumentFunction": {
            "parameters": preconditions,
            "responses": {"204": {"description": "Erased: the document, its history and every file version"}}},
        "DmsRestoreDocumentVersionFunction": {
            "parameters": preconditions,
            "responses": {"201": {**created, "description": "That version's metadata and file as a new version"}}},
    }


def _json(schema: dict[str, Any]) -> dict[str, Any]:
    return {"application/json": {"schema": schema}}


def _upload_sessions(created: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Upload sessions (DESIGN §9): the start's JSON (the file, and the form's fields), the session,
    the completion; completing answers as the inline routes do."""
    from ...core.uploads import CHECKSUM_ALGORITHM, MAX_PARTS, PART_CHECKSUM_HEADER
    from .constants import ALLOWED_FILE_TYPES

    start = model_schema(UploadFields)
    start["properties"] = {
        "fileName": {"type": "string", "minLength": 1, "maxLength": 255},
        "contentType": {"type": "string", "default": "application/octet-stream",
                        "description": f"one media type of {', '.join(ALLOWED_FILE_TYPES)}"},
        "size": {"type": "integer", "minimum": 1, "description": "bytes; at most the stack's DmsMaxUploadBytes"},
        "partSize": {"type": "integer", "description": "bytes per part (5 MiB to 5 GiB); folio's when absent"},
        "partChecksums": {"type": "array", "minItems": 1, "maxItems": MAX_PARTS, "items": {"type": "string"},
                          "description": "each part's base64 CRC64NVME, in order (signed into its URL)"},
        **start["properties"]}
    start["required"] = ["size", "partChecksums"]
    start["description"] = "The file to send, and the fields the inline upload takes as form parts"
    part = {"type": "object", "properties": {
        "partNumber": {"type": "integer", "minimum": 1}, "url": {"type": "string", "format": "uri"},
        "method": {"const": "PUT"},
        "headers": {"type": "object", "description": f"to send with the part: its {PART_CHECKSUM_HEADER}"}}}
    received = {"type": "object", "properties": {"partNumber": {"type": "integer"}, "etag": {"type": "string"},
                                                 "size": {"type": "integer"}}}
    session = {"type": "object", "properties": {
        "uploadId": {"type": "string"}, "state": {"type": "string"}, "fileName": {"type": ["string", "null"]},
        "contentType": {"type": "string"}, "size": {"type": "integer"}, "partSize": {"type": "integer"},
        "partCount": {"type": "integer"}, "expiresAt": {"type": "string", "format": "date-time"},
        "checksumAlgorithm": {"const": CHECKSUM_ALGORITHM},
        "parts": {"type": "array", "items": part, "description": "a presigned S3 UploadPart URL per part to send"},
        "partsReceived": {"type": "array", "items": received, "description": "the parts S3 holds (resume)"},
        "version": {"type": "integer", "description": "the document version a completion committed"}}}
    completion = {"type": "object", "required": ["parts", "checksum"], "properties": {
        "parts": {"type": "array", "items": {"type": "object", "required": ["partNumber", "etag"], "properties": {
            "partNumber": {"type": "integer", "minimum": 1}, "etag": {"type": "string"}}}},
        "checksum": {"type": "string", "description": "the whole file's base64 CRC64NVME"}}}
    no_store = {"Cache-Control": {"schema": {"const": "no-store"}}}
    return {
        "DmsStartUploadFunction": {
            "requestBody": {"required": True, "content": _json(start)},
            "responses": {"201": {"description": "The session: upload each part to its URL", "content": _json(session),
                                  "headers": {**no_store, "Location": {"schema": {"type": "string"}}}}}},
        "DmsGetUploadFunction": {"responses": {"200": {
            "description": "The parts S3 holds, and fresh URLs for the others", "content": _json(session),
            "headers": no_store}}},
        "DmsAbortUploadFunction": {"responses": {"204": {"description": "Aborted: S3 drops its parts"}}},
        "DmsCompleteUploadFunction": {
            "parameters": [{"name": name, "in": "header", "required": False, "schema": {"type": "string"}}
                           for name in ("If-Match", "If-Unmodified-Since")],
            "requestBody": {"required": True, "content": _json(completion)},
            "responses": {"201": {**created, "description": "The document created, or at its new version"}}},
    }


ERROR_BODY = ("application/json", model_schema(ErrorResponse, mode="serialization"))
