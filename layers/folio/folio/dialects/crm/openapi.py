"""crm's routes in the OpenAPI document, from its models (loaded by folio local and the docs, never by a handler)."""

from __future__ import annotations

from typing import Any

from ...web.openapi import PROBLEM, model_schema
from .constants import JSON_MEDIA_TYPES, PATCH_MEDIA_TYPES


def operations() -> dict[str, dict[str, Any]]:
    from .answers import DocumentEntity
    from .models import DocumentPatchBody, WritableDocument

    entity = model_schema(DocumentEntity, mode="serialization")
    patch = model_schema(DocumentPatchBody)
    select = {"name": "$select", "in": "query", "required": False, "schema": {"type": "string"},
              "description": "Comma separated properties to include; the others are null"}
    ok = {"description": "DocumentEntity", "content": {"application/json": {"schema": entity}},
          "headers": {"ETag": {"schema": {"type": "string"}}, "Last-Modified": {"schema": {"type": "string"}}}}
    return {
        "CrmCreateDocumentFunction": {
            "requestBody": {"required": True, "content": {t: {"schema": model_schema(WritableDocument)}
                                                          for t in JSON_MEDIA_TYPES}},
            "responses": {"201": {**ok, "description": "DocumentEntity created", "headers": {
                **ok["headers"], "Location": {"schema": {"type": "string"}}}}},
        },
        "CrmGetDocumentFunction": {"parameters": [select], "responses": {"200": ok}},
        "CrmPatchDocumentFunction": {
            "parameters": [select,
                           {"name": "If-Unmodified-Since", "in": "header", "required": False,
                            "schema": {"type": "string"}}],
            "requestBody": {"required": True, "content": {t: {"schema": patch} for t in PATCH_MEDIA_TYPES}},
            "responses": {"200": {**ok, "description": "DocumentEntity updated."}},
        },
    }


ERROR_BODY = ("application/problem+json", PROBLEM)
