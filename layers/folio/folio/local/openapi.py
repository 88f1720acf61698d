"""An OpenAPI 3.1 document of every route in template.yaml.

Routes, methods, path parameters and scopes come from the template; request and response
schemas come from the dialects' pydantic models where a dialect provides them.
"""

from __future__ import annotations

import re
from typing import Any

from .template import Template

PROBLEM = {
    "type": "object",
    "properties": {
        "type": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "integer"},
        "detail": {"type": "string"},
        "errors": {"type": "array", "items": {"type": "object", "additionalProperties": True}},
    },
    "required": ["type", "title", "status", "detail"],
}


def _crm_operations() -> dict[str, dict[str, Any]]:
    from ..dialects import crm

    writable = crm.WritableDocument.model_json_schema()
    entity = {"type": "object", "properties": {name: {} for name in crm.PROPERTIES},
              "description": "DocumentEntityWithLinks (PascalCase), read-only properties included"}
    patch = {
        "oneOf": [
            {"type": "array", "description": "JSON Patch (RFC 6902): add, replace, remove, test",
             "items": {"type": "object", "required": ["op", "path"],
                       "properties": {"op": {"enum": ["add", "replace", "remove", "test"]},
                                      "path": {"type": "string"}, "value": {}}}},
            {"type": "object", "description": "JSON Merge Patch (RFC 7396)"},
        ]
    }
    select = {"name": "$select", "in": "query", "required": False, "schema": {"type": "string"},
              "description": "Comma separated properties to include; the others are null"}
    ok = {"description": "DocumentEntity", "content": {"application/json": {"schema": entity}},
          "headers": {"ETag": {"schema": {"type": "string"}}}}
    return {
        "CrmCreateDocumentFunction": {
            "requestBody": {"required": True, "content": {"application/json": {"schema": writable}}},
            "responses": {"201": {**ok, "description": "DocumentEntity created"}},
        },
        "CrmGetDocumentFunction": {"parameters": [select], "responses": {"200": ok}},
        "CrmPatchDocumentFunction": {
            "parameters": [select,
                           {"name": "If-Unmodified-Since", "in": "header", "required": False,
                            "schema": {"type": "string"}}],
            "requestBody": {"required": True, "content": {t: {"schema": patch} for t in crm.PATCH_MEDIA_TYPES}},
            "responses": {"200": {**ok, "description": "DocumentEntity updated."}},
        },
    }


def _binary(description: str) -> dict[str, Any]:
    return {"description": description, "headers": {"ETag": {"schema": {"type": "string"}}},
            "content": {"*/*": {"schema": {"type": "string", "format": "binary"}}}}


def _kyc_operations() -> dict[str, dict[str, Any]]:
    from ..dialects import kyc

    fields = kyc.DocumentFields.model_json_schema()
    timestamp = {"type": "object", "properties": {k: {"type": "integer"} for k in (
        "date", "day", "hours", "minutes", "month", "nanos", "seconds", "time", "timezoneOffset", "year")}}
    user = {"type": "object", "properties": {"email": {"type": ["string", "null"]}, "firstName": {"type": ["string", "null"]},
                                             "fullName": {"type": ["string", "null"]}, "id": {"type": ["integer", "null"]},
                                             "lastName": {"type": ["string", "null"]}}}
    text = {"type": ["string", "null"]}
    document = {"type": "object", "properties": {
        "assignees": {"type": "array", "items": user}, "authenticity": text, "back": text, "backName": text,
        "createdAt": timestamp, "createdBy": user, "customerId": {"type": "integer"},
        "expiryDate": {"type": ["string", "null"], "format": "date"}, "front": text, "frontName": text,
        "id": {"type": "integer"}, "issueDate": {"type": ["string", "null"], "format": "date"}, "number": text,
        "parentCustomerId": {"type": ["integer", "null"]}, "parentParticular": {"type": "object"},
        "particular": {"type": "object"}, "showExpiryNotification": {"type": "boolean"}, "type": text,
        "updatedAt": timestamp, "updatedBy": user}}
    upload = {"required": True, "content": {"multipart/form-data": {
        "schema": {"type": "object", "required": ["front", "document"], "properties": {
            "front": {"type": "string", "format": "binary", "description": "JPEG, PNG, HEIC, WebP or PDF, at most 4 MiB"},
            "back": {"type": "string", "format": "binary", "description": "optional; kept when omitted on update"},
            "document": fields}},
        "encoding": {"document": {"contentType": "application/json, text/plain"},
                     "front": {"contentType": "image/jpeg, image/png, image/heic, image/webp, application/pdf"},
                     "back": {"contentType": "image/jpeg, image/png, image/heic, image/webp, application/pdf"}}}}}
    domain = {"name": "X-Domain-ID", "in": "header", "required": True, "schema": {"type": "integer", "format": "int64"}}
    ok = {"description": "The document", "headers": {"ETag": {"schema": {"type": "string"}}},
          "content": {"application/json": {"schema": document}}}
    return {
        "KycCreateDocumentFunction": {"parameters": [domain], "requestBody": upload,
                                      "responses": {"201": {**ok, "description": "Created"}}},
        "KycUpdateDocumentFunction": {"parameters": [domain], "requestBody": upload, "responses": {"200": ok}},
        "KycGetDocumentFunction": {"parameters": [domain], "responses": {"200": ok}},
        "KycGetDocumentImageFunction": {"parameters": [domain], "responses": {"200": _binary("The image bytes")}},
    }


def _capture_operations() -> dict[str, dict[str, Any]]:
    ref = {"type": ["object", "null"], "properties": {"id": {"type": "string"}, "name": {"type": "string"}}}
    link = {"type": "object", "properties": {k: {"type": "string"} for k in ("rel", "href", "method", "mediaType")}}
    attachment = {"type": "object", "properties": {
        "id": {"type": "string"}, "documentId": {"type": "string"}, "title": {"type": ["string", "null"]},
        "comment": {"type": ["string", "null"]}, "batch": ref, "step": ref, "type": ref,
        "stateToken": {"type": "string"}, "mediaType": {"type": ["string", "null"]},
        "sourceName": {"type": ["string", "null"]}, "size": {"type": ["integer", "null"]},
        "createdBy": {"type": "object", "properties": {"name": {"type": ["string", "null"]}}},
        "createdDate": {"type": "string", "format": "date-time"},
        "updatedBy": {"type": "object", "properties": {"name": {"type": ["string", "null"]}}},
        "updatedDate": {"type": "string", "format": "date-time"},
        "links": {"type": "array", "items": link}}}
    def form(update: bool) -> dict[str, Any]:
        props = {"title": {"type": "string"}, "comment": {"type": ["string", "null"]}, "type": ref}
        if update:
            props["stateToken"] = {"type": "string"}
        return {"required": True, "content": {"multipart/form-data": {
            "schema": {"type": "object", "required": ["attachment"] if update else ["attachment", "content"],
                       "properties": {"attachment": {"type": "object", "properties": props,
                                                     "required": ["stateToken"] if update else []},
                                      "content": {"type": "string", "format": "binary"}}},
            "encoding": {"attachment": {"contentType": "application/json"}}}}}
    ok = {"description": "The attachment", "headers": {"ETag": {"schema": {"type": "string"}}},
          "content": {"application/json": {"schema": attachment}}}
    xhr = {"name": "X-Requested-With", "in": "header", "required": True, "schema": {"const": "XMLHttpRequest"}}
    new_document = {"type": "object", "required": ["procedure"], "properties": {
        "procedure": {"type": "object", "properties": {"id": {"type": "string"}, "name": {"type": "string"}}},
        "batch": {"type": "object", "properties": {"name": {"type": "string"}}}}}
    return {
        "CaptureCreateDocumentFunction": {
            "requestBody": {"required": True, "content": {"application/json": {"schema": new_document}}},
            "responses": {"201": {"description": "The document, in its procedure's first step",
                                  "content": {"application/json": {"schema": {
                                      "type": "object", "required": ["id", "procedure", "batch", "step", "links"],
                                      "properties": {"id": {"type": "string"}, "procedure": ref, "batch": ref,
                                                     "step": {"type": "object", "properties": {
                                                         k: {"type": "string"} for k in ("id", "name", "type")}},
                                                     "createdBy": attachment["properties"]["createdBy"],
                                                     "createdDate": {"type": "string", "format": "date-time"},
                                                     "links": {"type": "array", "items": link}}}}}}}},
        "CaptureAddAttachmentFunction": {"requestBody": form(False), "responses": {"201": {**ok, "description": "Created"}}},
        "CaptureGetAttachmentFunction": {"responses": {"200": ok}},
        "CaptureGetAttachmentContentFunction": {"responses": {"200": _binary("The content bytes")}},
        "CaptureUpdateAttachmentFunction": {
            "parameters": [xhr], "requestBody": form(True),
            "responses": {"200": ok, "412": {"description": "stale stateToken (the answer names the current one)",
                                             "content": {"application/problem+json": {"schema": PROBLEM}}},
                          "409": {"description": "a simultaneous edit won"}}},
    }


DMS_ERROR = {"type": "object", "required": ["status", "code", "message", "details"], "properties": {
    "status": {"const": "error"}, "code": {"type": "integer"}, "message": {"type": "string"}, "details": {"type": "string"}}}


def _dms_operations() -> dict[str, dict[str, Any]]:
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
        "DmsGetDocumentVersionFileFunction": {"responses": {"200": _binary("That version's exact bytes")}},
    }


def _artu_operations() -> dict[str, dict[str, Any]]:
    from ..dialects import artu

    item = artu.Item.model_json_schema()
    text = {"type": ["string", "null"]}
    when = {"type": ["string", "null"], "format": "date-time"}
    document = {"type": "object", "properties": {
        "clientId": {"type": "string", "format": "uuid"}, "type": text, "id": {"type": "string", "format": "uuid"},
        "createdAt": {"type": "string", "format": "date-time"}, "updatedAt": {"type": "string", "format": "date-time"},
        "status": {"enum": ["pending_upload", "uploaded", "verified", "rejected"]}, "filename": text,
        "contentType": text, "size": {"type": ["integer", "null"]}, "expiresAt": {"type": ["string", "null"], "format": "date"},
        "verifiedAt": when, "verifiedBy": text, "rejectionReason": text, "reviewedAt": when, "reviewedBy": text,
        "externalId": {"type": "string"}, "fields": {"type": "object"}, "metadata": {"type": "object"}}}
    env = {"name": "X-Environment", "in": "header", "required": True, "schema": {"enum": ["test", "live"]}}
    entry = {"oneOf": [{"type": "object", "properties": {"data": document}},
                       {"type": "object", "properties": {"error": {"type": "object", "properties": {
                           "status": {"type": "integer"}, "title": {"type": "string"}, "detail": {"type": "string"}}}}}]}
    return {
        "ArtuBatchUpsertExternalFunction": {
            "parameters": [env],
            "requestBody": {"required": True, "content": {"application/json": {"schema": {
                "type": "object", "required": ["items"], "properties": {
                    "items": {"type": "array", "minItems": 1, "maxItems": artu.MAX_ITEMS, "items": item},
                    "atomic": {"type": "boolean", "default": True}}}}}},
            "responses": {"200": {"description": "Every item, in order", "content": {"application/json": {"schema": {
                "type": "object", "properties": {"atomic": {"type": "boolean"}, "data": {"type": "array", "items": entry}}}}}},
                          "409": {"description": "atomic: items kept changing concurrently; nothing was written"}}},
        "ArtuGetDocumentFunction": {
            "parameters": [env,
                           {"name": "clientId", "in": "query", "required": False, "schema": {"type": "string", "format": "uuid"}},
                           {"name": "externalId", "in": "query", "required": False, "schema": {"type": "string"}}],
            "responses": {"200": {"description": "The document ({data}) or the lookup's matches ({data: [...]})",
                                  "content": {"application/json": {"schema": {"type": "object", "required": ["data"],
                                      "properties": {"data": {"oneOf": [document,
                                                                        {"type": "array", "items": document}]}}}}}}}},
        "ArtuCreateUploadUrlFunction": {
            "parameters": [env],
            "requestBody": {"required": False, "content": {"application/json": {"schema": {
                "type": "object", "properties": {"contentType": {"type": "string"}}}}}},
            "responses": {"200": {"description": "A presigned S3 PUT, valid 5 minutes", "content": {"application/json": {
                "schema": {"type": "object", "properties": {"url": {"type": "string"}, "method": {"const": "PUT"},
                                                            "headers": {"type": "object"},
                                                            "expiresAt": {"type": "string", "format": "date-time"}}}}}}}},
    }


def build_openapi(template: Template, server_url: str | None = None) -> dict[str, Any]:
    dialect_ops = {**_crm_operations(), **_kyc_operations(), **_capture_operations(), **_dms_operations(),
                   **_artu_operations()}
    paths: dict[str, Any] = {}
    named: set[str] = set()
    for route in sorted(template.routes, key=lambda r: (r.path, r.method)):
        fn = template.functions[route.function_id]
        extra = dialect_ops.get(route.function_id, {})
        # one function may serve several routes; operationIds stay unique
        operation_id = route.function_id
        if operation_id in named:
            operation_id += "_" + re.sub(r"\W+", "_", route.path).strip("_")
        named.add(operation_id)
        params = [{"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
                  for name in re.findall(r"\{([^}+]+)\+?\}", route.path)]
        params += extra.get("parameters", [])
        error_schema = DMS_ERROR if route.function_id.startswith("Dms") else PROBLEM
        error_type = "application/json" if route.function_id.startswith("Dms") else "application/problem+json"
        responses = {
            **extra.get("responses", {"200": {"description": "OK"}}),
            "409": {"description": "Conflict: a concurrent change won, or an Idempotency-Key is in flight",
                    "content": {error_type: {"schema": error_schema}}},
            "412": {"description": "A precondition (If-Match, If-Unmodified-Since, stateToken) is stale",
                    "content": {error_type: {"schema": error_schema}}},
            "413": {"description": "Too large (files at most 4 MiB, requests 6 MB)"},
            "422": {"description": "The Idempotency-Key was used for another request",
                    "content": {error_type: {"schema": error_schema}}},
            "503": {"description": "Storage busy or unavailable; retry after Retry-After",
                    "content": {error_type: {"schema": error_schema}}},
            "415": {"description": "Unsupported media type", "content": {error_type: {"schema": error_schema}}},
            "400": {"description": "Bad request", "content": {error_type: {"schema": error_schema}}},
            "401": {"description": "No valid token"},
            "403": {"description": "A scope is missing"},
            "404": {"description": "Not found", "content": {error_type: {"schema": error_schema}}},
        }
        op: dict[str, Any] = {
            "operationId": operation_id,
            "summary": fn.description or route.route_key,
            "parameters": params,
            "responses": responses,
        }
        if "requestBody" in extra:
            op["requestBody"] = extra["requestBody"]
        if route.authorized:
            op["security"] = [{"jwt": list(route.scopes)}]
        paths.setdefault(route.path, {})[route.method.lower()] = op
    doc: dict[str, Any] = {
        "openapi": "3.1.0",
        "info": {"title": "folio", "version": "0.1.0",
                 "description": "Five vendor document-update APIs on one storage core."},
        "paths": paths,
        "components": {"securitySchemes": {"jwt": {
            "type": "oauth2",
            "description": "JWT bearer tokens; scopes documents:read and documents:write",
            "flows": {"clientCredentials": {"tokenUrl": "https://example.invalid/oauth2/token",
                                            "scopes": {"documents:read": "read documents",
                                                       "documents:write": "create and change documents"}}},
        }}},
    }
    if server_url:
        doc["servers"] = [{"url": server_url}]
    return doc
