"""capture's routes in the OpenAPI document, from its models (loaded by folio local and the docs,
never by a handler)."""

from __future__ import annotations

from typing import Any

from ...web.openapi import PROBLEM, model_schema
from ...web.responses import download_openapi
from ...core.listing import MAX_PAGE
from .constants import ATTACHMENT_PARTS, DEFAULT_PAGE


def operations() -> dict[str, dict[str, Any]]:
    from .answers import AttachmentAnswer, AttachmentsPage, DocumentAnswer
    from .models import AttachmentFields, AttachmentUpdate, NewDocument

    def form(attachment: dict[str, Any], *, content_required: bool) -> dict[str, Any]:
        part, content = ATTACHMENT_PARTS
        return {"required": True, "content": {"multipart/form-data": {
            "schema": {"type": "object", "required": [part, content] if content_required else [part],
                       "properties": {part: attachment, content: {"type": "string", "format": "binary"}}},
            "encoding": {part: {"contentType": "application/json"}}}}}

    etag = {"ETag": {"schema": {"type": "string"}}}
    sessions = _upload_sessions(model_schema(AttachmentFields))
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
        "CaptureGetAttachmentContentFunction": download_openapi("The content bytes"),
        "CaptureUpdateAttachmentFunction": {
            "parameters": [xhr], "requestBody": form(model_schema(AttachmentUpdate), content_required=False),
            "responses": {"200": ok, "412": {"description": "stale stateToken (the answer names the current one)",
                                             "content": {"application/problem+json": {"schema": {"allOf": [
                                                 PROBLEM, {"properties": {"stateToken": {"type": "string"}}}]}}}},
                          "409": {"description": "a simultaneous edit won"}}},
        "CaptureGetDocumentFunction": {"responses": {"200": {
            "description": "The document, with links to its attachments (the list's first page)", "headers": etag,
            "content": {"application/json": {"schema": model_schema(DocumentAnswer, mode="serialization")}}}}},
        "CaptureListAttachmentsFunction": {
            "parameters": [
                {"name": "limit", "in": "query", "required": False,
                 "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": DEFAULT_PAGE}},
                {"name": "cursor", "in": "query", "required": False, "schema": {"type": "string"},
                 "description": "opaque: the one in the previous page's next link"}],
            "responses": {"200": {"description": "A page of attachments, newest first", "content": {
                "application/json": {"schema": model_schema(AttachmentsPage, mode="serialization")}}}}},
        "CaptureDeleteAttachmentFunction": {
            "parameters": [xhr, {"name": "stateToken", "in": "query", "required": False, "schema": {"type": "string"},
                                 "description": "the attachment's stateToken, when the body does not carry it"}],
            "requestBody": {"required": False, "content": {"application/json": {"schema": {
                "type": "object", "properties": {"stateToken": {"type": "string"}},
                "description": "the attachment to delete: only its stateToken is read"}}}},
            "responses": {"204": {"description": "Deleted: every version of its content erased"},
                          "412": {"description": "stale stateToken (the answer names the current one)"}}},
        "CaptureStartUploadFunction": sessions["start"],
        "CaptureGetUploadFunction": {"responses": {"200": sessions["session"]}},
        "CaptureAbortUploadFunction": {"responses": {"204": {"description": "Aborted: S3 dropped its parts"}}},
        "CaptureCompleteUploadFunction": {
            "parameters": [{**xhr, "required": False, "description": "required on the content route"}],
            "requestBody": sessions["complete"],
            "responses": {"200": {**ok, "description": "The updated attachment (content route)"},
                          "201": {"description": "The added attachment (collection route)", "content": attachment,
                                  "headers": {**etag, "Location": {"schema": {"type": "string"}}}}}},
    }


def _upload_sessions(fields: dict[str, Any]) -> dict[str, Any]:
    """The start and completion bodies and the session answer of the upload routes (DESIGN §9)."""
    start = {"type": "object", "required": ["fileName", "contentType", "size", "partChecksums"], "properties": {
        "fileName": {"type": "string", "minLength": 1, "maxLength": 255, "description": "becomes sourceName"},
        "contentType": {"type": "string", "description": "becomes mediaType"},
        "size": {"type": "integer", "minimum": 1, "description": "bytes, at most CaptureMaxUploadBytes"},
        "partSize": {"type": "integer", "description": "bytes (5 MiB to 5 GiB); folio chooses when absent"},
        "partChecksums": {"type": "array", "minItems": 1, "maxItems": 1000, "items": {"type": "string"},
                          "description": "each part's base64 CRC64NVME, in order"},
        "attachment": {**fields, "properties": {**fields.get("properties", {}), "stateToken": {
            "type": "string", "description": "content route: the stateToken last read (the completion's wins)"}}}}}
    part = {"type": "object", "required": ["partNumber", "url", "method", "headers"],
            "properties": {"partNumber": {"type": "integer"}, "url": {"type": "string", "format": "uri"},
                           "method": {"const": "PUT"}, "headers": {"type": "object", "description":
                                                                  "send exactly these (the part's checksum)"}}}
    session = {"description": "The session: PUT each part to its URL with its headers",
               "content": {"application/json": {"schema": {"type": "object", "properties": {
                   "uploadId": {"type": "string"}, "state": {"type": "string"},
                   "fileName": {"type": ["string", "null"]},
                   "contentType": {"type": "string"}, "size": {"type": "integer"}, "partSize": {"type": "integer"},
                   "partCount": {"type": "integer"}, "expiresAt": {"type": "string", "format": "date-time"},
                   "checksumAlgorithm": {"const": "CRC64NVME"},
                   "parts": {"type": "array", "items": part},
                   "partsReceived": {"type": "array", "items": {"type": "object"}}}}}}}
    complete = {"type": "object", "required": ["parts", "checksum"], "properties": {
        "parts": {"type": "array", "items": {"type": "object", "required": ["partNumber", "etag"], "properties": {
            "partNumber": {"type": "integer"}, "etag": {"type": "string"}}}},
        "checksum": {"type": "string", "description": "the whole file's base64 CRC64NVME"},
        "stateToken": {"type": "string", "description": "content route: required unless given at the start"}}}
    return {"start": {"requestBody": {"required": True, "content": {"application/json": {"schema": start}}},
                      "parameters": [{"name": "X-Requested-With", "in": "header", "required": False,
                                      "schema": {"const": "XMLHttpRequest"},
                                      "description": "required on the content route"}],
                      "responses": {"201": {**session, "headers": {"Location": {"schema": {"type": "string"}}}}}},
            "session": session,
            "complete": {"required": True, "content": {"application/json": {"schema": complete}}}}


ERROR_BODY = ("application/problem+json", PROBLEM)
