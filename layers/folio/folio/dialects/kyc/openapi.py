"""kyc's routes in the OpenAPI document (loaded by folio local and the docs, never by a handler)."""

from __future__ import annotations

from typing import Any

from ...web.openapi import PROBLEM, binary_response


def operations() -> dict[str, dict[str, Any]]:
    from .. import kyc

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
        "KycGetDocumentImageFunction": {"parameters": [domain], "responses": {"200": binary_response("The image bytes")}},
    }


ERROR_BODY = ("application/problem+json", PROBLEM)
