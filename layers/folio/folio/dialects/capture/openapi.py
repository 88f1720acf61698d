"""capture's routes in the OpenAPI document, from its models (loaded by folio local and the docs,
never by a handler)."""

from __future__ import annotations

from typing import Any

from ...web.openapi import PROBLEM, binary_response, model_schema
from .constants import ATTACHMENT_PARTS


def operations() -> dict[str, dict[str, Any]]:
    from .answers import AttachmentAnswer, DocumentAnswer
    from .models import AttachmentFields, AttachmentUpdate, NewDocument

    def form(attachment: dict[str, Any], *, content_required: bool) -> dict[str, Any]:
        part, content = ATTACHMENT_PARTS
        return {"required": True, "content": {"multipart/form-data": {
            "schema": {"type": "object", "required": [part, content] if content_required else [part],
                       "properties": {part: attachment, content: {"type": "string", "format": "binary"}}},
            "encoding": {part: {"contentType": "application/json"}}}}}

    etag = {"ETag": {"schema": {"type": "string"}}}
    attachment = {"application/json": {"schema": model_schema(AttachmentAnswer, mode="serialization")}}
    ok = {"description": "The attachment", "headers": etag, "content": attachment}
    xhr = {"name": "X-Requested-With", "in": "header", "required": True, "schema": {"const": "XMLHttpRequest"}}
    return {
        "CaptureCreateDocumentFunction": {
            "requestBody": {"required": True, "content": {"application/json": {"schema": model_schema(NewDocument)}}},
            "responses": {"201": {"description": "The document, in its procedure's first step", "headers": etag,
                                  "content": {"application/json": {
                                      "schema": model_schema(DocumentAnswer, mode="serialization")}}}}},
        "CaptureAddAttachmentFunction": {
            "requestBody": form(model_schema(AttachmentFields), content_required=True),
            "responses": {"201": {"description": "Created", "content": attachment,
                                  "headers": {**etag, "Location": {"schema": {"type": "string"}}}}}},
        "CaptureGetAttachmentFunction": {"responses": {"200": ok}},
        "CaptureGetAttachmentContentFunction": {"responses": {"200": binary_response("The content bytes")}},
        "CaptureUpdateAttachmentFunction": {
            "parameters": [xhr], "requestBody": form(model_schema(AttachmentUpdate), content_required=False),
            "responses": {"200": ok, "412": {"description": "stale stateToken (the answer names the current one)",
                                             "content": {"application/problem+json": {"schema": {"allOf": [
                                                 PROBLEM, {"properties": {"stateToken": {"type": "string"}}}]}}}},
                          "409": {"description": "a simultaneous edit won"}}},
    }


ERROR_BODY = ("application/problem+json", PROBLEM)
