"""An OpenAPI 3.1 document of every route in template.yaml.

Routes, methods, path parameters and scopes come from the template; each dialect package's
``openapi`` module gives its operations' parameters, bodies and answers (from its models) and
its error body. Nothing here knows a dialect.
"""

from __future__ import annotations

import re
from typing import Any

from ..dialects import providers
from ..web.openapi import PROBLEM
from .template import Template


def build_openapi(template: Template, server_url: str | None = None) -> dict[str, Any]:
    dialect_ops: dict[str, dict[str, Any]] = {}
    error_bodies: dict[str, tuple[str, dict[str, Any]]] = {}
    for provider in providers("openapi"):
        operations = provider.operations()
        dialect_ops.update(operations)
        error_bodies.update(dict.fromkeys(operations, provider.ERROR_BODY))
    paths: dict[str, Any] = {}
    named: set[str] = set()
    for route in sorted(template.routes, key=lambda r: (r.path, r.method)):
        fn = template.functions[route.function_id]
        extra = dialect_ops.get(route.function_id, {})
        # one function may serve several routes; operationIds stay unique
        operation_id = route.function_id + ("_head" if route.method == "HEAD" else "")
        if operation_id in named:
            operation_id += "_" + re.sub(r"\W+", "_", route.path).strip("_")
        named.add(operation_id)
        params = [{"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
                  for name in re.findall(r"\{([^}+]+)\+?\}", route.path)]
        params += extra.get("parameters", [])
        error_type, error_schema = error_bodies.get(route.function_id, ("application/problem+json", PROBLEM))
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
        if route.method in ("GET", "HEAD"):  # conditional GETs (web.caching)
            responses["304"] = {"description": "Not Modified: If-None-Match (or If-Modified-Since) matched the "
                                               "current representation",
                                "headers": {"ETag": {"schema": {"type": "string"}}}}
        if route.method == "HEAD":  # the GET's answers, headers only
            responses = {code: {k: v for k, v in answer.items() if k != "content"} for code, answer in responses.items()}
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
