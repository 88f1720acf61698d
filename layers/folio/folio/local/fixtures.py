"""The data a sample event refers to, created before `folio invoke` runs it, and the local seed.

What that data is belongs to each dialect (its ``local`` module, see :mod:`folio.dialects`).
"""

from __future__ import annotations

from typing import Any

from ..dialects import providers
from ..core import NewFile
from ..core.uploads import UploadTarget, part_size_for
from ..storage.wiring import document_service, file_store, upload_service
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
        session = getattr(provider, "UPLOAD_SESSIONS", {}).get(function_id)
        if session is not None:
            _prepare_session(WebRequest.from_event(event), *session(WebRequest.from_event(event)))


def _prepare_session(request: WebRequest, target: UploadTarget, sample: NewFile) -> None:
    """The upload session an event names (its ``uploadId``), its parts holding ``sample``'s bytes
    sent to the part URLs as a client sends them, so that the event's completion matches them."""
    import base64

    import requests
    from awscrt import checksums

    upload_id = request.path["uploadId"]
    uploads = upload_service()
    if uploads.table.get_session(request.caller.tenant, upload_id) is not None:
        return
    part_size = part_size_for(len(sample.data))
    chunks = [sample.data[i:i + part_size] for i in range(0, len(sample.data), part_size)]
    session, urls = uploads.start(target, request.caller, file_name=sample.file_name,
                                  content_type=sample.content_type, size=len(sample.data), max_bytes=len(sample.data),
                                  part_checksums=[base64.b64encode(checksums.crc64nvme(c).to_bytes(8, "big")).decode()
                                                  for c in chunks], upload_id=upload_id)
    for url in urls:  # requests: in tests, moto in process answers it as S3 would
        answer = requests.put(url.url, data=chunks[url.number - 1], timeout=60,
                              headers={"x-amz-checksum-crc64nvme": url.checksum})
        answer.raise_for_status()


def _prepare_objects(event: dict[str, Any]) -> None:
    files = file_store()
    for record in event["Records"]:
        if record.get("eventSource") != "aws:s3":
            continue  # a stream record carries what it names (its images)
        obj = record["s3"]["object"]
        for provider in providers("local"):
            made = getattr(provider, "prepare_object", lambda _key: None)(obj["key"])
            if made is not None:
                stored = files.put(obj["key"], *made)
                obj.update(versionId=stored.version_id, size=stored.size)
                record["s3"]["bucket"]["name"] = files._bucket
                break
