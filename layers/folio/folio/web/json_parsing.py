"""JSON from bytes, as every body and multipart part is read: 400s that name what was wrong."""

from __future__ import annotations

import json
from typing import Any

from ..core.errors import InvalidRequest

#: JSON nested deeper than this is refused: nothing legitimate needs it, and deep values would
#: exhaust the recursion of copying, validating and storing them.
MAX_JSON_DEPTH = 64


def _depth_exceeds(value: Any, limit: int) -> bool:
    """Whether ``value`` nests deeper than ``limit``; InvalidRequest for a string (or name) holding a
    lone UTF-16 surrogate (``"\\ud800"``), which no store can encode as UTF-8."""
    stack = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, str):
            _check_encodable(node)
        elif isinstance(node, dict | list):
            if depth > limit:
                return True
            if isinstance(node, dict):
                for name in node:
                    _check_encodable(name)
            stack.extend((child, depth + 1) for child in (node.values() if isinstance(node, dict) else node))
    return False


def _check_encodable(text: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as e:
        raise InvalidRequest(f"the JSON holds a lone UTF-16 surrogate (\\u{ord(text[e.start]):04x}), which is not "
                             f"a character") from None


def parse_json(raw: bytes, what: str = "the request body") -> Any:
    """JSON from bytes (a body or a multipart part); 400 naming ``what`` when it is not usable."""
    if not raw.strip():
        raise InvalidRequest(f"{what} is empty; a JSON document is required")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise InvalidRequest(f"{what} is not valid UTF-8 (byte {e.start})") from e
    try:
        value = json.loads(text, parse_constant=_reject_constant)
    except RecursionError as e:
        raise InvalidRequest(f"{what} is JSON nested too deeply") from e
    except json.JSONDecodeError as e:
        raise InvalidRequest(f"{what} is not valid JSON: {e.msg} at line {e.lineno} column {e.colno}") from e
    except ValueError as e:  # an integer of more digits than Python converts (4300)
        raise InvalidRequest(f"{what} holds a number of more digits than any field accepts") from e
    if _depth_exceeds(value, MAX_JSON_DEPTH):
        raise InvalidRequest(f"{what} is JSON nested more than {MAX_JSON_DEPTH} levels deep")
    return value


def _reject_constant(name: str):
    raise json.JSONDecodeError(f"{name} is not JSON", name, 0)
