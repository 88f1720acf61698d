"""kyc's routes in the OpenAPI document, from its models (loaded by folio local and the docs, never by a handler)."""

from __future__ import annotations

from typing import Any

from ...web.openapi import PROBLEM, model_schema, upload_session_operations
from ...web.responses import download_openapi
from .mapping import IMAGE_TYPES


def operations() -> dict[str, dict[str, Any]]:
    from ...core.listing import MAX_PAGE
    from .answers import DocumentAnswer, DocumentPage
    from .models import DocumentFields
    from .operations import DEFAULT_PAGE_SIZE

    image = {"contentType": ", ".join(IMAGE_TYPES)}
    upload = {"required": True, "content": {"multipart/form-data": {
        "schema": {"type": "object", "required": ["front", "document"], "properties": {
            "front": {"type": "string", "format": "binary", "description": "JPEG, PNG, HEIC, WebP or PDF, at most 4 MiB"},
            "back": {"type": "string", "format": "binary", "description": "optional; kept when omitted on update"},
            "document": model_schema(DocumentFields)}},
        "encoding": {"document": {"contentType": "application/json, text/plain"}, "front": image, "back": image}}}}
    domain = {"name": "X-Domain-ID", "in": "header", "required": True, "schema": {"type": "integer", "format": "int64"}}
    ok = {"description": "The document", "headers": {"ETag": {"schema": {"type": "string"}}},
          "content": {"application/json": {"schema": model_schema(DocumentAnswer, mode="serialization")}}}
    created = {**ok, "description": "Created", "headers": {**ok["headers"], "Location": {"schema": {"type": "string"}}}}
    document = {"document": {**model_schema(DocumentFields), "description": "required when the session creates "
                                                                            "the document (its file is the front)"}}
    return {
        **upload_session_operations("Kyc", {"201": created, "200": ok}, start_properties=document,
                                    parameters=[domain]),
        "KycCreateDocumentFunction": {"parameters": [domain], "requestBody": upload, "responses": {"201": created}},
        "KycUpdateDocumentFunction": {"parameters": [domain], "requestBody": upload, "responses": {"200": ok}},
        "KycGetDocumentFunction": {"parameters": [domain], "responses": {"200": ok}},
        "KycListDocumentsFunction": {
            "parameters": [
                domain,
                {"name": "size", "in": "query", "required": False,
                 "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": DEFAULT_PAGE_SIZE}},
                {"name": "cursor", "in": "query", "required": False, "schema": {"type": "string"},
                 "description": "the previous page's nextCursor, unchanged"},
                {"name": "page", "in": "query", "required": False, "schema": {"type": "integer", "enum": [0]},
                 "description": "only 0 (Spring's first page); later pages by cursor"}],
            "responses": {"200": {"description": "The customer's documents in the domain, newest first",
                                  "content": {"application/json": {
                                      "schema": model_schema(DocumentPage, mode="serialization")}}}}},
        "KycDeleteDocumentFunction": {
            "parameters": [domain, *({"name": name, "in": "header", "required": False, "schema": {"type": "string"}}
                                     for name in ("If-Match", "If-Unmodified-Since"))],
            "responses": {"204": {"description": "Erased: the document, its history and every image version"}}},
        "KycGetDocumentImageFunction": (download := download_openapi("The image bytes")) | {
            "parameters": [domain, *download["parameters"]]},
    }


ERROR_BODY = ("application/problem+json", PROBLEM)
