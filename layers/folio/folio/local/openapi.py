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


def build_openapi(template: Template, server_url: str | None = None) -> dict[str, Any]:
    dialect_ops = _crm_operations()
    paths: dict[str, Any] = {}
    for route in sorted(template.routes, key=lambda r: (r.path, r.method)):
        fn = template.functions[route.function_id]
        extra = dialect_ops.get(route.function_id, {})
        params = [{"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
                  for name in re.findall(r"\{([^}+]+)\+?\}", route.path)]
        params += extra.get("parameters", [])
        responses = {
            **extra.get("responses", {"200": {"description": "OK"}}),
            "400": {"description": "Bad request", "content": {"application/problem+json": {"schema": PROBLEM}}},
            "401": {"description": "No valid token"},
            "403": {"description": "A scope is missing"},
            "404": {"description": "Not found", "content": {"application/problem+json": {"schema": PROBLEM}}},
        }
        op: dict[str, Any] = {
            "operationId": route.function_id,
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
