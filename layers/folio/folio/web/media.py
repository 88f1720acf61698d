"""Media types, as every part of a request names them."""

from __future__ import annotations


def bare_media_type(content_type: str | None) -> str:
    """A Content-Type without its parameters, lower-cased ('' when absent)."""
    return (content_type or "").split(";", 1)[0].strip().lower()
