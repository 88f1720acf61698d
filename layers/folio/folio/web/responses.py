"""Answers every dialect writes the same way: JSON, 201 with Location, exact file bytes."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from ..core import FileRef
from .media import served_as


def iso_utc(value: datetime, timespec: str = "milliseconds") -> str:
    """An ISO-8601 date-time in UTC with ``Z``, as the vendors write theirs (precision per dialect)."""
    return value.astimezone(UTC).isoformat(timespec=timespec).replace("+00:00", "Z")


def json_response(value: Any, status: int = 200, headers: dict[str, str] | None = None,
                  content_type: str = "application/json"):
    """A JSON answer (non-ASCII kept as UTF-8)."""
    from aws_lambda_powertools.event_handler import Response

    return Response(status_code=status, content_type=content_type, body=json.dumps(value, ensure_ascii=False),
                    headers=headers or {})


def content_disposition(disposition_type: str, file_name: str | None) -> str:
    """``inline``/``attachment`` with an ASCII ``filename`` and the exact UTF-8 ``filename*`` (RFC 6266)."""
    if not file_name:
        return disposition_type
    from urllib.parse import quote

    ascii_name = "".join(c if 32 <= ord(c) < 127 and c not in '"\\' else "_" for c in file_name)
    return f"{disposition_type}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(file_name, safe='')}"


def file_response(data: bytes, content_type: str, etag: str, file_name: str | None = None):
    """The exact bytes of one stored file version, with its type, a strong ETag and its name; a type
    a browser would run is an ``attachment``, and nothing served runs in folio's origin (web.media)."""
    from aws_lambda_powertools.event_handler import Response

    media_type, disposition_type, policy = served_as(content_type)
    return Response(
        status_code=200,
        content_type=media_type,
        body=data,  # bytes: the resolver answers base64 with isBase64Encoded
        headers={"ETag": etag, "Content-Disposition": content_disposition(disposition_type, file_name),
                 "X-Content-Type-Options": "nosniff", "Content-Security-Policy": policy},
    )


def created(view: Any, *, location: str | None, etag: str, content_type: str = "application/json"):
    """201 Created with the new resource, its ETag and (when it can be read back) its Location."""
    headers = {"ETag": etag}
    if location:
        headers["Location"] = location
    return json_response(view, 201, headers, content_type)


def stored_file(data: bytes, ref: FileRef):
    """One stored file version's exact bytes: its type, its SHA-256 as a strong ETag, its name."""
    return file_response(data, ref.content_type, ref.etag, ref.file_name)
