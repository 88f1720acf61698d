"""The HTTP side of upload sessions (DESIGN §9), the same in every dialect: the start and
completion bodies, the session's answer, and the four operations over the core's UploadService.

A session's answer is folio's own resource (no vendor documents one), so it has one shape in
every dialect, camelCase as four of the five dialects write:
``{"uploadId", "state", "fileName", "contentType", "size", "partSize", "partCount", "expiresAt",
"checksumAlgorithm": "CRC64NVME", "parts": [{"partNumber", "url", "method": "PUT", "headers":
{"x-amz-checksum-crc64nvme": <the part's, as given at the start>}}], "partsReceived": [...]}``.
A dialect gives each route an :class:`~folio.core.uploads.UploadTarget` (or its scope) and, for
completion, the function that commits the stored file as its inline upload would.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from typing import Any, NamedTuple

from ..core import Document, FileRef
from ..core import service as core
from ..core.errors import InvalidRequest
from ..core.limits import INT64_MAX
from ..core.uploads import (
    CHECKSUM_ALGORITHM, MAX_PARTS, PART_CHECKSUM_HEADER, Part, PartUrl, UploadSession, UploadTarget, crc64nvme_value,
)
from ..storage.config import settings
from ..storage.wiring import upload_service
from .media import parse_media_type
from .request import WebRequest
from .responses import json_response

#: The longest file name a session keeps (S3 keys never hold it; answers and downloads do).
MAX_FILE_NAME = 255
#: Unicode categories a file name may not hold: controls, invisible format characters (the
#: right-to-left override that makes ``gpj.exe`` read ``exe.jpg``), surrogates, line/paragraph separators.
_INVISIBLE = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})


def _field_error(name: str, message: str) -> InvalidRequest:
    return InvalidRequest(f"{name}: {message}", errors=[{"field": name, "message": message}])


class StartFields(NamedTuple):
    file_name: str | None
    content_type: str
    size: int
    part_checksums: list[str]
    part_size: int | None = None


def start_fields(body: Any) -> StartFields:
    """``fileName`` (optional), ``contentType`` (a media type; default application/octet-stream),
    ``size`` (required, bytes), ``partSize`` (optional) and ``partChecksums`` (required: each part's
    base64 CRC64NVME, in order; S3 takes a checksum on a presigned URL only when signed into it)
    of a start request's JSON object."""
    if not isinstance(body, dict):
        raise InvalidRequest("the body must be a JSON object with fileName, contentType and size")
    file_name = body.get("fileName")
    if file_name is not None and (not isinstance(file_name, str) or not file_name.strip()
                                  or len(file_name) > MAX_FILE_NAME
                                  or any(unicodedata.category(c) in _INVISIBLE for c in file_name)):
        raise _field_error("fileName", f"a name of 1 to {MAX_FILE_NAME} printable characters (no control, "
                                       f"format or separator characters such as U+202E)")
    raw_type = body.get("contentType", "application/octet-stream")
    content_type = parse_media_type(raw_type) if isinstance(raw_type, str) else None
    if content_type is None:
        raise _field_error("contentType", "a media type such as application/pdf")
    size = body.get("size")
    if isinstance(size, bool) or not isinstance(size, int) or not 1 <= size <= INT64_MAX:
        raise _field_error("size", "required: the file's size in bytes, at least 1")
    part_size = body.get("partSize")
    if part_size is not None and (isinstance(part_size, bool) or not isinstance(part_size, int) or part_size < 1):
        raise _field_error("partSize", "a number of bytes (5 MiB to 5 GiB)")
    checksums = body.get("partChecksums")
    if not isinstance(checksums, list) or not checksums or len(checksums) > MAX_PARTS:
        raise _field_error("partChecksums", f"required: each part's base64 CRC64NVME, in order (1 to {MAX_PARTS})")
    return StartFields(file_name, content_type, size, checksums, part_size)


def completion_fields(body: Any) -> tuple[list[Part], str]:
    """``parts`` (``[{"partNumber", "etag"}]``, in order) and ``checksum`` (the whole file's base64
    CRC64NVME) of a completion's JSON object."""
    if not isinstance(body, dict):
        raise InvalidRequest("the body must be a JSON object with parts and checksum")
    listed = body.get("parts")
    if not isinstance(listed, list) or not listed:
        raise _field_error("parts", "required: every part's partNumber and etag, in order")
    parts = []
    for index, item in enumerate(listed):
        number = item.get("partNumber") if isinstance(item, dict) else None
        etag = item.get("etag") if isinstance(item, dict) else None
        if isinstance(number, bool) or not isinstance(number, int) or not 1 <= number <= 10000 \
                or not isinstance(etag, str) or not 1 <= len(etag) <= 100:
            raise _field_error(f"parts[{index}]", "an object with partNumber (1-10000) and etag (as S3 answered it)")
        parts.append(Part(number, etag))
    return parts, crc64nvme_value(body.get("checksum"))


def session_view(session: UploadSession, urls: list[PartUrl], received: list[Part] | None = None) -> dict[str, Any]:
    view: dict[str, Any] = {
        "uploadId": session.upload_id, "state": session.state, "fileName": session.file_name,
        "contentType": session.content_type, "size": session.size, "partSize": session.part_size,
        "partCount": session.part_count, "expiresAt": session.expires.isoformat().replace("+00:00", "Z"),
        "checksumAlgorithm": CHECKSUM_ALGORITHM,
        "parts": [{"partNumber": u.number, "url": u.url, "method": "PUT", "size": u.size,
                   "headers": {PART_CHECKSUM_HEADER: u.checksum}} for u in urls],
    }
    if received is not None:
        view["partsReceived"] = [{"partNumber": p.number, "etag": p.etag, "size": p.size} for p in received]
    if session.committed_version is not None:
        view["version"] = session.committed_version
    return view


# ---- the four operations, for every dialect ----

def start_upload(request: WebRequest, target: UploadTarget, fields: StartFields, *, dialect: str):
    """201 with the new session, every part's URL, and its Location (resume, abort, complete);
    ``dialect`` names the configured maximum (``<DIALECT>_MAX_UPLOAD_BYTES``)."""
    session, urls = upload_service().start(
        target, request.caller, file_name=fields.file_name, content_type=fields.content_type, size=fields.size,
        max_bytes=settings().max_upload_bytes[dialect], part_checksums=fields.part_checksums,
        part_size=fields.part_size)
    core.committed_documents.append(target.document)  # the answer shows its file name: a kept answer is linked
    location = f"{request.raw_path.rstrip('/')}/{session.upload_id}"
    return json_response(session_view(session, urls), 201, {"Location": location, "Cache-Control": "no-store"})


def find_upload(request: WebRequest, upload_id: str, scope: str) -> UploadSession:
    return upload_service().find(request.caller.tenant, upload_id, scope)


def resume_upload(request: WebRequest, upload_id: str, scope: str):
    """The parts S3 holds, and fresh URLs for the rest."""
    uploads = upload_service()
    session = uploads.find(request.caller.tenant, upload_id, scope)
    received, urls = uploads.resume(session)
    return json_response(session_view(session, urls, received), 200, {"Cache-Control": "no-store"})


def abort_upload(request: WebRequest, upload_id: str, scope: str,
                 adopt: Callable[[UploadSession], UploadSession] = lambda session: session):
    """``adopt``: the dialect completes a session recorded by an earlier release (artu: its owner)."""
    uploads = upload_service()
    uploads.abort(adopt(uploads.find(request.caller.tenant, upload_id, scope)))
    from aws_lambda_powertools.event_handler import Response

    return Response(status_code=204, body="", headers={"Cache-Control": "no-store"})


def complete_upload(request: WebRequest, upload_id: str, scope: str, body: Any,
                    commit: Callable[[UploadSession, FileRef], Document],
                    committed: Callable[[UploadSession, int], Document],
                    adopt: Callable[[UploadSession], UploadSession] = lambda session: session,
                    ) -> tuple[UploadSession, Document]:
    """S3 completes the object, then ``commit`` writes the version as the dialect's inline upload
    does; a retry answers ``committed`` (the version already written). ``adopt``: as for an abort."""
    uploads = upload_service()
    session = adopt(uploads.find(request.caller.tenant, upload_id, scope))
    parts, checksum = completion_fields(body)
    document = uploads.complete(session, parts, checksum, lambda ref: commit(session, ref),
                                lambda version: committed(session, version))
    return session, document
