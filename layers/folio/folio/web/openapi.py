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
