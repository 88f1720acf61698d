"""artu's routes in the OpenAPI document, from its models (loaded by folio local and the docs, never by a handler)."""

from __future__ import annotations

from typing import Any

from ...web.openapi import PROBLEM, model_schema, upload_session_operations
from ...web.responses import download_openapi
from ...core.listing import MAX_PAGE
from .constants import DEFAULT_PAGE, ENVIRONMENTS, MAX_FILENAME_BYTES, MAX_UPLOAD_BYTES, UPLOAD_URL_SECONDS


def operations() -> dict[str, dict[str, Any]]:
    from .answers import BatchAnswer, DocumentData, DocumentPage, LookupAnswer, UploadTicket
    from .models import Batch

    env = {"name": "X-Environment", "in": "header", "required": True, "schema": {"enum": list(ENVIRONMENTS)}}

    def answer(description: str, schema: dict[str, Any]) -> dict[str, Any]:
        return {"description": description, "content": {"application/json": {"schema": schema}}}

    data = answer("The document, its file recorded (status uploaded), as GET /documents/{id} answers it",
                  model_schema(DocumentData, mode="serialization"))
    sessions = upload_session_operations("Artu", {"200": {**data, "headers": {"ETag": {"schema": {"type": "string"}}}}},
                                         parameters=[env])
    sessions["ArtuCompleteUploadFunction"]["parameters"] = [env, *(
        {"name": name, "in": "header", "required": False, "schema": {"type": "string"},
         "description": "optional: record the file only if the document is still this version (else 412)"}
        for name in ("If-Match", "If-Unmodified-Since"))]
    delete_preconditions = [{"name": name, "in": "header", "required": False, "schema": {"type": "string"},
                             "description": "optional: erase only if the document is still this version (else 412)"}
                            for name in ("If-Match", "If-Unmodified-Since")]
    # artu refuses unknown properties (uploads.START_PROPERTIES), as upload-url does
    sessions["ArtuStartUploadFunction"]["requestBody"]["content"]["application/json"]["schema"][
        "additionalProperties"] = False
    return {
        **sessions,
        "ArtuBatchUpsertExternalFunction": {
            "parameters": [env],
            "requestBody": {"required": True, "content": {"application/json": {"schema": model_schema(Batch)}}},
            "responses": {"200": answer("Every item, in order", model_schema(BatchAnswer, mode="serialization")),
                          "409": {"description": "atomic: items kept changing concurrently; nothing was written"}}},
        "ArtuGetDocumentFunction": {
            "parameters": [env,
                           {"name": "clientId", "in": "query", "required": False, "schema": {"type": "string", "format": "uuid"}},
                           {"name": "externalId", "in": "query", "required": False, "schema": {"type": "string"},
                            "description": "with clientId: the lookup; without it, clientId lists the client's "
                                           "documents"},
                           {"name": "limit", "in": "query", "required": False,
                            "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": DEFAULT_PAGE},
                            "description": "the list's page size"},
                           {"name": "cursor", "in": "query", "required": False, "schema": {"type": "string"},
                            "description": "the list's previous page's nextCursor, unchanged"}],
            "responses": {"200": {**answer("The document ({data}), the lookup's matches ({data: [...]}), or a page "
                                           "of the client's documents, newest first ({data: [...], nextCursor})", {
                "oneOf": [model_schema(DocumentData, mode="serialization"),
                          model_schema(LookupAnswer, mode="serialization"),
                          model_schema(DocumentPage, mode="serialization")]}),
                "headers": {"ETag": {"description": "GET /documents/{id} only", "schema": {"type": "string"}}}}}},
        "ArtuDeleteDocumentFunction": {
            "parameters": [env, *delete_preconditions],
            "responses": {"204": {"description": "Erased: the document, its history, its id and every file version"},
                          "503": {"description": "an atomic batch kept holding the document; retry"}}},
        "ArtuGetDocumentFileFunction": (download := download_openapi("The document's file")) | {
            "parameters": [env, *download["parameters"]]},
        "ArtuCreateUploadUrlFunction": {
            "parameters": [env],
            # parsed without pydantic (the function stays light): operations.upload_request
            "requestBody": {"required": False, "content": {"application/json": {"schema": {
                "type": "object", "additionalProperties": False,
                "properties": {
                    "contentType": {"type": "string", "maxLength": 255, "default": "application/octet-stream"},
                    "filename": {"type": "string", "minLength": 1,
                                 "description": f"at most {MAX_FILENAME_BYTES} bytes of UTF-8, no path separators; "
                                                "recorded when the file arrives"},
                    "size": {"type": "integer", "minimum": 0, "maximum": MAX_UPLOAD_BYTES,
                             "description": f"bytes: the upload's bound (default {MAX_UPLOAD_BYTES}, or "
                                            "ARTU_MAX_UPLOAD_BYTES when lower); larger files: POST /documents/{id}/uploads"}}}}}},
            "responses": {"200": answer(f"A presigned S3 POST (form upload), valid {UPLOAD_URL_SECONDS // 60} "
                                        "minutes, bound to the key, type, name and size",
                                        model_schema(UploadTicket, mode="serialization"))}},
    }


ERROR_BODY = ("application/problem+json", PROBLEM)
