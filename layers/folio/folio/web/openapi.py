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
