"""crm's routes in the OpenAPI document (loaded by folio local and the docs, never by a handler)."""

from __future__ import annotations

from typing import Any

from ...web.openapi import PROBLEM, binary_response


def operations() -> dict[str, dict[str, Any]]:
    from .. import crm

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


ERROR_BODY = ("application/problem+json", PROBLEM)
