"""capture's routes in the OpenAPI document (loaded by folio local and the docs, never by a handler)."""

from __future__ import annotations

from typing import Any

from ...web.openapi import PROBLEM, binary_response


def operations() -> dict[str, dict[str, Any]]:
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
        "CaptureGetAttachmentContentFunction": {"responses": {"200": binary_response("The content bytes")}},
        "CaptureUpdateAttachmentFunction": {
            "parameters": [xhr], "requestBody": form(True),
            "responses": {"200": ok, "412": {"description": "stale stateToken (the answer names the current one)",
                                             "content": {"application/problem+json": {"schema": PROBLEM}}},
                          "409": {"description": "a simultaneous edit won"}}},
    }


ERROR_BODY = ("application/problem+json", PROBLEM)
