"""artu's routes in the OpenAPI document (loaded by folio local and the docs, never by a handler)."""

from __future__ import annotations

from typing import Any

from ...web.openapi import PROBLEM, binary_response


def operations() -> dict[str, dict[str, Any]]:
    from .. import artu

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


ERROR_BODY = ("application/problem+json", PROBLEM)
