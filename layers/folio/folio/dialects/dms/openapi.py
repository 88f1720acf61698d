"""dms's routes in the OpenAPI document, from its models (loaded by folio local and the docs, never by a handler)."""

from __future__ import annotations

from typing import Any

from ...web.openapi import binary_response, model_schema
from .answers import Document, ErrorResponse, VersionList
from .models import UploadForm


def _form(file_required: bool) -> dict[str, Any]:
    schema = model_schema(UploadForm)
    schema["required"] = ["file"] if file_required else []
    return {"required": file_required, "content": {"multipart/form-data": {"schema": schema}}}


def operations() -> dict[str, dict[str, Any]]:
    etag = {"ETag": {"schema": {"type": "string"}}}
    document = {"application/json": {"schema": model_schema(Document, mode="serialization")}}
    created = {"content": document, "headers": {**etag, "Location": {"schema": {"type": "string"}}}}
    return {
        "DmsCreateDocumentFunction": {"requestBody": _form(True),
                                      "responses": {"201": {**created, "description": "Created, version 1"}}},
        "DmsUploadDocumentVersionFunction": {
            "parameters": [{"name": "X-HTTP-Method-Override", "in": "header", "required": False,
                            "schema": {"const": "PUT"}}],
            "requestBody": _form(False),
            "responses": {"201": {**created, "description": "Document updated (new version created)"}}},
        "DmsGetDocumentFunction": {"responses": {"200": {"content": document, "headers": etag,
                                                         "description": "The document"}}},
        "DmsListDocumentVersionsFunction": {"responses": {"200": {
            "description": "Every file version, newest first",
            "content": {"application/json": {"schema": model_schema(VersionList, mode="serialization")}}}}},
        "DmsGetDocumentVersionFileFunction": {"responses": {"200": binary_response("That version's exact bytes")}},
    }


ERROR_BODY = ("application/json", model_schema(ErrorResponse, mode="serialization"))
