"""S3 event notifications, read once here: the objects an event says were created.

A function that S3 invokes sees :class:`ObjectCreated` records, never the event dictionary
(as an HTTP function sees a :class:`~folio.web.request.WebRequest`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote_plus


@dataclass(frozen=True)
class ObjectCreated:
    """One ``ObjectCreated:*`` record: which object version arrived, and its place in S3's order."""

    bucket: str
    #: the object key, URL-decoded (S3 sends it form-encoded: spaces as ``+``)
    key: str
    #: None when the bucket does not version its objects
    version_id: str | None
    #: orders the events of one key (compare with :func:`sequencer_order`); "" when absent
    sequencer: str
    size: int | None = None


def objects_created(event: dict[str, Any]) -> list[ObjectCreated]:
    """The ObjectCreated records of an S3 event, in order; other records and malformed ones are left out."""
    found = []
    records = event.get("Records") if isinstance(event, dict) else None
    for record in records if isinstance(records, list) else []:
        if not isinstance(record, dict) or not str(record.get("eventName", "")).startswith("ObjectCreated:"):
            continue
        s3 = _mapping(record.get("s3"))
        obj = _mapping(s3.get("object"))
        key = obj.get("key")
        if not isinstance(key, str) or not key:
            continue
        size = obj.get("size")
        found.append(ObjectCreated(bucket=str(_mapping(s3.get("bucket")).get("name", "")), key=object_key(key),
                                   version_id=obj.get("versionId") or None, sequencer=str(obj.get("sequencer") or ""),
                                   size=size if isinstance(size, int) else None))
    return found


def object_key(raw: str) -> str:
    """The key of the object an event names: S3 sends keys form-encoded (spaces as ``+``)."""
    return unquote_plus(raw)


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def sequencer_order(sequencer: str) -> tuple[int, str]:
    """A sort key for S3 sequencers of one key: hexadecimal strings of varying length, compared
    as numbers (S3: pad the shorter with leading zeros, then compare as strings)."""
    digits = sequencer.lstrip("0")
    return len(digits), digits
