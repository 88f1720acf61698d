"""crm's routes in the OpenAPI document, from its models (loaded by folio local and the docs, never by a handler)."""

from __future__ import annotations

from typing import Any

from ...core.limits import MAX_FILE_BYTES
from ...web.openapi import PROBLEM, model_schema, upload_session_operations
from ...web.responses import download_openapi
from ...core.listing import MAX_PAGE
from .constants import (CONTENT_UPLOADS_ROUTE, DEFAULT_CONTENT_TYPE, DEFAULT_TOP, JSON_MEDIA_TYPES, PATCH_MEDIA_TYPES,
                        VERSIONS_TOP)


def operations() -> dict[str, dict[str, Any]]:
    from .answers import DocumentEntity, VersionInfo
    from .models import DocumentPatchBody, WritableDocument

    entity = model_schema(DocumentEntity, mode="serialization")
    patch = model_schema(DocumentPatchBody)
    select = {"name": "$select", "in": "query", "required": False, "schema": {"type": "string"},
              "description": "Comma separated properties to include; the others are null"}
    ok = {"description": "DocumentEntity", "content": {"application/json": {"schema": entity}},
          "headers": {"ETag": {"schema": {"type": "string"}}, "Last-Modified": {"schema": {"type": "string"}}}}
    preconditions = [{"name": name, "in": "header", "required": False, "schema": {"type": "string"}}
                     for name in ("If-Match", "If-Unmodified-Since")]
    content = download_openapi("The document's content")
    page = {"type": "object", "required": ["odata.metadata", "value"], "properties": {
        "odata.metadata": {"type": "string", "format": "uri"},
        "odata.nextLink": {"type": "string", "format": "uri",
                           "description": "the next page (same $top and $select); absent on the last page"},
        "value": {"type": "array", "items": entity,
                  "description": "newest first; with $select each row holds only the properties it names"}}}
    return {
        "CrmListDocumentsFunction": {
            "parameters": [
                {"name": "$top", "in": "query", "required": False,
                 "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": DEFAULT_TOP},
                 "description": "the page size"},
                {**select, "description": "Comma separated properties each row holds (the others are left out)"},
                {"name": "$skiptoken", "in": "query", "required": False, "schema": {"type": "string"},
                 "description": "opaque: the one in odata.nextLink; follow that URL as given"}],
            "responses": {"200": {"description": "A page of the tenant's documents, newest first",
                                  "content": {"application/json": {"schema": page}}}},
        },
        "CrmDeleteDocumentFunction": {
            "parameters": preconditions,
            "responses": {"204": {"description": "Erased: the document, its history and every content version"}},
        },
        **upload_session_operations("Crm", {"200": {**ok, "description": "DocumentEntity, its content checked in"}},
                                    parameters=preconditions),
        "CrmGetDocumentContentFunction": {**content, "parameters": [
            *content["parameters"],
            {"name": "versionId", "in": "query", "required": False, "schema": {"type": "string"},
             "description": "a VersionId of GET .../Version: the content as that version had it"}]},
        "CrmPutDocumentContentFunction": {
            "parameters": [select, *preconditions],
            "requestBody": {"required": True, "description": (
                f"the file itself; its Content-Type is the media type ({DEFAULT_CONTENT_TYPE} when absent). "
                f"At most {MAX_FILE_BYTES // 2**20} MiB: larger content is 413, use {CONTENT_UPLOADS_ROUTE}"),
                "content": {"*/*": {"schema": {"type": "string", "format": "binary"}}}},
            "responses": {"200": {**ok, "description": "DocumentEntity, its content checked in"}},
        },
        "CrmListDocumentVersionsFunction": {
            "parameters": [
                {"name": "$top", "in": "query", "required": False,
                 "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": VERSIONS_TOP},
                 "description": "the page size"},
                {**select, "description": "Comma separated VersionInfo properties each item holds (the others "
                                          "are left out)"},
                {"name": "$skiptoken", "in": "query", "required": False, "schema": {"type": "string"},
                 "description": 'opaque: the one in the Link header\'s rel="next" URL; follow that URL as given'}],
            "responses": {"200": {
                "description": "VersionInfo of the committed versions that checked content in, oldest first, a "
                               "page at a time",
                "headers": {"Link": {"schema": {"type": "string"}, "description": (
                    '<the next page\'s URL>; rel="next" (RFC 8288), the same $top and $select; absent on the '
                    "last page")}},
                "content": {"application/json": {"schema": {"type": "array", "items": model_schema(
                    VersionInfo, mode="serialization")}}}}}},
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
