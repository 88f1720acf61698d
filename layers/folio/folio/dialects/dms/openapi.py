"""dms's routes in the OpenAPI document (loaded by folio local and the docs, never by a handler)."""

from __future__ import annotations

from typing import Any

from ...web.openapi import binary_response

DMS_ERROR = {"type": "object", "required": ["status", "code", "message", "details"], "properties": {
    "status": {"const": "error"}, "code": {"type": "integer"}, "message": {"type": "string"}, "details": {"type": "string"}}}


def operations() -> dict[str, dict[str, Any]]:
    user = {"type": "object", "properties": {k: {"type": ["string", "null"]} for k in ("id", "name", "email")}}
    document = {"type": "object", "properties": {
        "id": {"type": "integer"}, "clientId": {"type": "integer"}, "projectId": {"type": "integer"},
        "name": {"type": "string"}, "description": {"type": ["string", "null"]}, "folderId": {"type": ["integer", "null"]},
        "parentUuid": {"type": ["string", "null"], "format": "uuid"}, "version": {"type": "integer"},
        "fileName": {"type": ["string", "null"]}, "contentType": {"type": "string"}, "size": {"type": "integer"},
        "sha256": {"type": "string"}, "createdAt": {"type": "string", "format": "date-time"},
        "updatedAt": {"type": "string", "format": "date-time"}, "createdBy": user, "updatedBy": user}}
    version = {"type": "object", "properties": {k: document["properties"][k] for k in (
        "fileName", "contentType", "size", "sha256", "createdAt", "createdBy")} | {"version": {"type": "integer"}}}
    def form(file_required: bool) -> dict[str, Any]:
        return {"required": file_required, "content": {"multipart/form-data": {"schema": {
            "type": "object", "required": ["file"] if file_required else [],
            "properties": {"file": {"type": "string", "format": "binary",
                                    "description": "image/*, application/*, text/* or video/*; at most 4 MiB"},
                           "folderId": {"type": "integer"}, "parentUuid": {"type": "string", "format": "uuid"},
                           "name": {"type": "string"}, "description": {"type": "string"}}}}}}
    ok = {"content": {"application/json": {"schema": document}}, "headers": {"ETag": {"schema": {"type": "string"}}}}
    return {
        "DmsCreateDocumentFunction": {"requestBody": form(True), "responses": {"201": {**ok, "description": "Created, version 1"}}},
        "DmsUploadDocumentVersionFunction": {
            "parameters": [{"name": "X-HTTP-Method-Override", "in": "header", "required": False, "schema": {"const": "PUT"}}],
            "requestBody": form(False), "responses": {"201": {**ok, "description": "Document updated (new version created)"}}},
        "DmsGetDocumentFunction": {"responses": {"200": {**ok, "description": "The document"}}},
        "DmsListDocumentVersionsFunction": {"responses": {"200": {"description": "Every file version, newest first",
            "content": {"application/json": {"schema": {"type": "object", "properties": {
                "data": {"type": "array", "items": version}}}}}}}},
        "DmsGetDocumentVersionFileFunction": {"responses": {"200": binary_response("That version's exact bytes")}},
    }


ERROR_BODY = ("application/json", DMS_ERROR)
