"""The table's change stream, read as the core reads heads: which document a stream record's
keys name, and what each of its two images (DynamoDB's wire format) holds. Every other item of
the table (history, aliases, locks' pending records, intents, counters, purges, upload sessions,
Idempotency-Key records) is no head, and announces nothing."""

from __future__ import annotations

import json
from typing import Any

from ..core.changes import HeadImage
from ..core.documents import DocumentKey
from .keys import DELETED, DELETED_BY, HEAD, document_key


def head_of_stream(keys: dict[str, Any]) -> DocumentKey | None:
    """The document whose head a stream record's keys name; None for any other item."""
    sk, pk = (keys.get("sk") or {}).get("S"), (keys.get("pk") or {}).get("S")
    if sk != HEAD or not isinstance(pk, str) or pk.count("#") < 2:
        return None
    return document_key(pk)


def head_image(image: dict[str, Any] | None) -> HeadImage | None:
    """A head's image as the core reads it (None: no image, the item did not exist)."""
    if not image:
        return None
    deleted = image.get(DELETED, {}).get("N")
    by = image.get(DELETED_BY, {}).get("S")
    return HeadImage(version=int(image["version"]["N"]), record=image.get("record", {}).get("S"),
                     deleted=int(deleted) if deleted is not None else None,
                     deleted_by=json.loads(by) if by else {})
