"""Answers every dialect writes the same way: JSON, 201 with Location, a stored file (its exact
bytes when small, else a redirect that lets S3 serve them)."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from ..core import FileRef
from ..core.errors import InvalidRequest, RangeNotSatisfiable
from ..core.limits import MAX_FILE_BYTES
from .media import served_as

if TYPE_CHECKING:
    from ..core.ports import FileStore
    from .request import WebRequest

#: The largest file a function answers itself (the inline upload limit: base64 makes it about
#: 5.6 MB, under Lambda's 6 MB answer); a larger one is a 302 to a presigned S3 GET, never read.
INLINE_FILE_BYTES = MAX_FILE_BYTES
#: The query parameter by which a client asks for the redirect whatever the size (``?redirect=true``).
REDIRECT_PARAMETER = "redirect"
_REDIRECT_VALUES = {"true": True, "1": True, "false": False, "0": False}
#: How long a download URL is valid: enough to start reading (S3 serves a read begun in time to
#: its end); the URL is a credential, so not long.
DOWNLOAD_URL_SECONDS = 300


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


def served_headers(content_type: str, file_name: str | None) -> tuple[str, str, str]:
    """The Content-Type, Content-Disposition and Content-Security-Policy a stored file is served
    with, inline or through S3 alike: a type a browser would run is an ``attachment`` (web.media)."""
    media_type, disposition_type, policy = served_as(content_type)
    return media_type, content_disposition(disposition_type, file_name), policy


def file_response(data: bytes, content_type: str, etag: str, file_name: str | None = None,
                  request: WebRequest | None = None, content_length: int | None = None):
    """The exact bytes of one stored file version, with its type, a strong ETag and its name; a type
    a browser would run is an ``attachment``, and nothing served runs in folio's origin (web.media).
    A ``Range`` of the request is served as 206 (:func:`byte_range`)."""
    from aws_lambda_powertools.event_handler import Response

    media_type, disposition, policy = served_headers(content_type, file_name)
    headers = {"ETag": etag, "Content-Disposition": disposition, "Accept-Ranges": "bytes",
               "X-Content-Type-Options": "nosniff", "Content-Security-Policy": policy}
    if content_length is not None:  # a HEAD's: the length of the bytes a GET answers
        headers["Content-Length"] = str(content_length)
    status = 200
    if (request is not None and request.method == "GET"  # Range applies to GET only (RFC 9110 §14.2)
            and not _held(request, etag)
            and (span := byte_range(request.header("range"), request.header("if-range"), etag, len(data))) is not None):
        first, last = span
        headers["Content-Range"] = f"bytes {first}-{last}/{len(data)}"
        data, status = data[first:last + 1], 206
    return Response(status_code=status, content_type=media_type,
                    body=data,  # bytes: the resolver answers base64 with isBase64Encoded
                    headers=headers)


_RANGE = re.compile(r"bytes=([0-9]*)-([0-9]*)", re.IGNORECASE)
#: Digits of a byte position folio reads: past any file (S3 holds 5 TB), and int() stays cheap.
_POSITION_DIGITS = 18


def _held(request: WebRequest, etag: str) -> bool:
    """Whether the client holds this very file (If-None-Match matches): the 304 comes before any
    Range is looked at (RFC 9110 §13.2.2)."""
    from .caching import none_match

    tags = request.header("if-none-match")
    return tags is not None and none_match(tags, etag, strong=True)


def byte_range(range_header: str | None, if_range: str | None, etag: str, size: int) -> tuple[int, int] | None:
    """The one byte range (first, last) to serve of a file of ``size`` bytes, or None for the whole
    file: no Range; a Range folio does not serve (several ranges, another unit, bad syntax: RFC 9110
    §14.2 lets a server ignore it); an If-Range that is not this file's strong ETag (a date cannot
    match: files have no Last-Modified). RangeNotSatisfiable (416) when it lies wholly outside."""
    if range_header is None or size == 0 or len(range_header) > 200:
        return None  # an empty file has no byte to range over
    if if_range is not None and (if_range.strip() != etag or etag.startswith("W/")):
        return None
    found = _RANGE.fullmatch("".join(range_header.split()))
    if not found or (not found.group(1) and not found.group(2)):
        return None
    first_text, last_text = (text.lstrip("0") or ("0" if text else "") for text in found.groups())
    if len(first_text) > _POSITION_DIGITS:
        raise RangeNotSatisfiable(f"the range starts past the end of the file ({size} bytes)", size=size)
    if len(last_text) > _POSITION_DIGITS:
        last_text = str(size)  # past the end: up to the end
    if not first_text:  # a suffix: the last N bytes
        length = int(last_text)
        if length == 0:
            raise RangeNotSatisfiable(f"the range {range_header.strip()} asks for no byte", size=size)
        return max(0, size - length), size - 1
    first = int(first_text)
    if last_text and int(last_text) < first:
        return None  # invalid: ignored
    if first >= size:
        raise RangeNotSatisfiable(f"the range {range_header.strip()} starts past the end of the file "
                                  f"({size} bytes)", size=size)
    return first, min(int(last_text) if last_text else size - 1, size - 1)


def redirect_asked(request: WebRequest) -> bool:
    """Whether ``?redirect=true`` (or ``1``) asks for the redirect whatever the size; 400 for a value
    that is neither true/1 nor false/0."""
    raw = request.query.get(REDIRECT_PARAMETER)
    if raw is None:
        return False
    asked = _REDIRECT_VALUES.get(raw.strip().lower())
    if asked is None:
        raise InvalidRequest(f"{REDIRECT_PARAMETER} must be true or false, got {raw[:40]!r}",
                             errors=[{"field": REDIRECT_PARAMETER, "message": "true or false"}])
    return asked


def answers_inline(ref: FileRef, redirected: bool = False) -> bool:
    """Whether a function answers this file itself: it is small and no redirect was asked for."""
    return not redirected and ref.size <= INLINE_FILE_BYTES


def file_redirect(url: str, etag: str | None = None):
    """302 to a presigned GET: S3 serves the bytes and ranges. ``no-store``: the URL is a credential.
    It carries the file's ETag, so a conditional GET of a file the client holds is a 304 (web.caching)."""
    from aws_lambda_powertools.event_handler import Response

    headers = {"Location": url, "Cache-Control": "no-store"}
    if etag:
        headers["ETag"] = etag
    return Response(status_code=302, body="", headers=headers)


def file_download(ref: FileRef, request: WebRequest, files: FileStore | None = None):
    """One stored file version: its bytes when :func:`answers_inline`, else a 302 to a presigned S3
    GET of that exact VersionId, answered with the same type and disposition. A file above the
    threshold is never read by the function."""
    if files is None:
        from ..storage.wiring import file_store

        files = file_store()
    head = request.method == "HEAD"
    if answers_inline(ref, redirect_asked(request)):
        if head:  # the GET's headers from the record: the bytes are not read to be dropped
            return file_response(b"", ref.content_type, ref.etag, ref.file_name, content_length=ref.size)
        return stored_file(files.get(ref.key, ref.version_id), ref, request)
    media_type, disposition, _ = served_headers(ref.content_type, ref.file_name)
    # HEAD is redirected to a URL signed for HEAD (a signature names its method)
    return file_redirect(files.presign_get(ref.key, ref.version_id, media_type, disposition, DOWNLOAD_URL_SECONDS,
                                           "HEAD" if head else "GET"), ref.etag)


def created(view: Any, *, location: str | None, etag: str, content_type: str = "application/json"):
    """201 Created with the new resource, its ETag and (when it can be read back) its Location."""
    headers = {"ETag": etag}
    if location:
        headers["Location"] = location
    return json_response(view, 201, headers, content_type)


def stored_file(data: bytes, ref: FileRef, request: WebRequest | None = None):
    """One stored file version's exact bytes: its type, its SHA-256 as a strong ETag, its name (a
    range of them when the request asks for one)."""
    return file_response(data, ref.content_type, ref.etag, ref.file_name, request)


def download_openapi(description: str) -> dict[str, Any]:
    """The OpenAPI operation of a file route: ``?redirect=true``, 200 with the bytes, 302 to S3."""
    from .openapi import binary_response

    return {
        "parameters": [{"name": REDIRECT_PARAMETER, "in": "query", "required": False,
                        "schema": {"type": "boolean", "default": False},
                        "description": f"true: answer 302 to a presigned S3 GET whatever the size (files above "
                                       f"{INLINE_FILE_BYTES // 2**20} MiB always are); S3 then serves Range requests"},
                       {"name": "Range", "in": "header", "required": False, "schema": {"type": "string"},
                        "description": "one byte range (bytes=first-last, first- or -suffix) of a file served inline"},
                       {"name": "If-Range", "in": "header", "required": False, "schema": {"type": "string"},
                        "description": "the file's ETag: the range only while the file is still that one"}],
        "responses": {
            "200": binary_response(f"{description}, inline (at most {INLINE_FILE_BYTES // 2**20} MiB)"),
            "206": {**binary_response(f"{description}: the byte range asked for"),
                    "headers": {"Content-Range": {"schema": {"type": "string"}}, "ETag": {"schema": {"type": "string"}}}},
            "416": {"description": "The range lies wholly outside the file (Content-Range: bytes */size)",
                    "headers": {"Content-Range": {"schema": {"type": "string"}}}},
            "302": {"description": f"{description}, from S3: Location is a presigned GET of that exact version, "
                                   f"valid {DOWNLOAD_URL_SECONDS} seconds, answered with the file's media type and "
                                   "Content-Disposition (a credential: not cached)",
                    "headers": {"Location": {"schema": {"type": "string", "format": "uri"}},
                                "Cache-Control": {"schema": {"type": "string", "enum": ["no-store"]}}}},
        },
    }
