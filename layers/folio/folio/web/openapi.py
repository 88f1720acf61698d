"""Schemas every dialect's OpenAPI operations share: problem+json and a file answer."""

from __future__ import annotations

from typing import Any

PROBLEM = {
    "type": "object",
    "properties": {
        "type": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "integer"},
        "detail": {"type": "string"},
        "errors": {"type": "array", "items": {"type": "object", "additionalProperties": True}},
    },
    "required": ["type", "title", "status", "detail"],
}


def binary_response(description: str) -> dict[str, Any]:
    return {"description": description, "headers": {"ETag": {"schema": {"type": "string"}}},
            "content": {"*/*": {"schema": {"type": "string", "format": "binary"}}}}


def model_schema(model, mode: str = "validation") -> dict[str, Any]:
    """A pydantic model's JSON Schema with its ``$defs`` written in place: embedded in the OpenAPI
    document, ``#/$defs/...`` would point at the document's root. (Not for recursive models.)"""
    schema = model.model_json_schema(mode=mode)
    definitions = schema.pop("$defs", {})

    def inline(node: Any) -> Any:
        if isinstance(node, list):
            return [inline(item) for item in node]
        if not isinstance(node, dict):
            return node
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/$defs/"):
            siblings = {k: v for k, v in node.items() if k != "$ref"}
            return {**inline(definitions[ref.removeprefix("#/$defs/")]), **inline(siblings)}
        return {k: inline(v) for k, v in node.items()}

    return inline(schema)


_CHECKSUM = {"type": "string", "description": "base64 CRC64NVME (8 bytes)"}
UPLOAD_SESSION = {
    "type": "object",
    "description": "An upload session (DESIGN §9): PUT each part's bytes to its url with its headers, then complete.",
    "properties": {
        "uploadId": {"type": "string"}, "state": {"enum": ["OPEN", "COMPLETING", "STORED", "COMMITTED", "ABORTED"]},
        "fileName": {"type": ["string", "null"]}, "contentType": {"type": "string"}, "size": {"type": "integer"},
        "partSize": {"type": "integer"}, "partCount": {"type": "integer"},
        "expiresAt": {"type": "string", "format": "date-time"}, "checksumAlgorithm": {"const": "CRC64NVME"},
        "parts": {"type": "array", "items": {"type": "object", "properties": {
            "partNumber": {"type": "integer"}, "url": {"type": "string", "format": "uri"}, "method": {"const": "PUT"},
            "size": {"type": "integer", "description": "the part's bytes: its Content-Length, signed into the url"},
            "headers": {"type": "object", "additionalProperties": {"type": "string"}}}}},
        "partsReceived": {"type": "array", "items": {"type": "object", "properties": {
            "partNumber": {"type": "integer"}, "etag": {"type": "string"}, "size": {"type": "integer"}}}},
        "version": {"type": "integer"},
    },
    "required": ["uploadId", "state", "size", "partSize", "partCount", "expiresAt", "parts"],
}


def upload_session_operations(prefix: str, completed: dict[str, Any], *, start_properties: dict[str, Any] | None = None,
                              complete_properties: dict[str, Any] | None = None,
                              parameters: list[dict[str, Any]] = ()) -> dict[str, dict[str, Any]]:
    """The four operations of a dialect's upload sessions (``<prefix>StartUploadFunction`` ...):
    ``completed`` is the responses of the completion (the dialect's inline answer)."""
    start = {"type": "object", "required": ["size", "partChecksums"], "properties": {
        "fileName": {"type": "string", "maxLength": 255}, "contentType": {"type": "string"},
        "size": {"type": "integer", "minimum": 1},
        "partSize": {"type": "integer", "description": "bytes per part (5 MiB to 5 GiB, at most 1000 parts); "
                                                       "default max(8 MiB, ceil(size / 1000) rounded up to MiB)"},
        "partChecksums": {"type": "array", "items": _CHECKSUM, "description": "each part's, in order"},
        **(start_properties or {})}}
    complete = {"type": "object", "required": ["parts", "checksum"], "properties": {
        "parts": {"type": "array", "items": {"type": "object", "required": ["partNumber", "etag"], "properties": {
            "partNumber": {"type": "integer"}, "etag": {"type": "string"}}}},
        "checksum": {**_CHECKSUM, "description": "the whole file's base64 CRC64NVME (S3 verifies it)"},
        **(complete_properties or {})}}
    session = {"application/json": {"schema": UPLOAD_SESSION}}
    params = list(parameters)
    return {
        f"{prefix}StartUploadFunction": {"parameters": params, "requestBody": {
            "required": True, "content": {"application/json": {"schema": start}}},
            "responses": {"201": {"description": "The session, every part's URL", "content": session,
                                  "headers": {"Location": {"schema": {"type": "string"}}}}}},
        f"{prefix}GetUploadFunction": {"parameters": params, "responses": {
            "200": {"description": "The parts S3 holds, fresh URLs for the rest", "content": session}}},
        f"{prefix}AbortUploadFunction": {"parameters": params, "responses": {"204": {"description": "Aborted"}}},
        f"{prefix}CompleteUploadFunction": {"parameters": params, "requestBody": {
            "required": True, "content": {"application/json": {"schema": complete}}}, "responses": completed},
    }
