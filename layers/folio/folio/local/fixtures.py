"""The data a sample event refers to, created before `folio invoke` runs it, and the local seed.

What that data is belongs to each dialect (its ``local`` module, see :mod:`folio.dialects`).
"""

from __future__ import annotations

from typing import Any

from ..dialects import providers
from ..storage.wiring import document_service, file_store
from ..web.request import WebRequest


def seed() -> None:
    """What `folio local` and `folio invoke` start with (the dialects' seeds)."""
    for provider in providers("local"):
        if hasattr(provider, "seed"):
            provider.seed(document_service())


def prepare(function_id: str, event: dict[str, Any]) -> None:
    """Create what ``event`` refers to. An S3 event is pointed at the object version stored for
    it (S3 chooses version ids) and at the local bucket."""
    if "Records" in event:
        _prepare_objects(event)
        return
    for provider in providers("local"):
        preparer = getattr(provider, "PREPARERS", {}).get(function_id)
        if preparer is not None:
            preparer(WebRequest.from_event(event))


def _prepare_objects(event: dict[str, Any]) -> None:
    files = file_store()
    for record in event["Records"]:
        obj = record["s3"]["object"]
        for provider in providers("local"):
            made = getattr(provider, "prepare_object", lambda _key: None)(obj["key"])
            if made is not None:
                stored = files.put(obj["key"], *made)
                obj.update(versionId=stored.version_id, size=stored.size)
                record["s3"]["bucket"]["name"] = files._bucket
                break
