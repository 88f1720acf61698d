"""RFC 9457 problem+json answers, and the domain-error-to-HTTP map the problem dialects share.

kyc, crm, capture and artu answer errors as ``application/problem+json``; each installs this
map on its resolver with :func:`install_problem_handlers`, adding its own headers (for
example crm's ``Accept-Patch`` on 415).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import Response

from ..core import errors as e
from .responses import json_response

logger = Logger(service="folio")

#: status, short title and a problem-type slug for every domain error.
PROBLEM_STATUS: dict[type[Exception], tuple[int, str, str]] = {
    e.InvalidRequest: (400, "Bad Request", "invalid-request"),
    e.Unauthenticated: (401, "Unauthorized", "unauthenticated"),
    e.Forbidden: (403, "Forbidden", "forbidden"),
    e.DocumentNotFound: (404, "Not Found", "not-found"),
    e.EditConflict: (409, "Conflict", "edit-conflict"),
    e.IdempotencyInFlight: (409, "Conflict", "idempotency-in-flight"),
    e.UploadClosed: (409, "Conflict", "upload-closed"),
    e.IdempotencyKeyReused: (422, "Unprocessable Content", "idempotency-key-reused"),
    e.PatchTestFailed: (409, "Conflict", "test-failed"),
    e.PreconditionFailed: (412, "Precondition Failed", "precondition-failed"),
    e.PayloadTooLarge: (413, "Payload Too Large", "payload-too-large"),
    e.UnsupportedMediaType: (415, "Unsupported Media Type", "unsupported-media-type"),
    e.RangeNotSatisfiable: (416, "Range Not Satisfiable", "range-not-satisfiable"),
    e.Contention: (503, "Service Unavailable", "contention"),
    e.StorageUnavailable: (503, "Service Unavailable", "storage-unavailable"),
}


def problem(status: int, title: str, detail: str, *, slug: str = "about:blank",
            errors: list[dict[str, Any]] | None = None, headers: dict[str, str] | None = None) -> Response:
    body: dict[str, Any] = {
        "type": slug if slug == "about:blank" else f"urn:folio:problem:{slug}",
        "title": title,
        "status": status,
        "detail": detail,
    }
    if errors:
        body["errors"] = errors
    return json_response(body, status, headers, content_type="application/problem+json")


#: What an error no map names becomes.
INTERNAL = (500, "Internal Server Error", "internal")


def classify(error: Exception, table: dict[type[Exception], tuple], default: tuple = INTERNAL) -> tuple:
    """The entry of an error map for the error's class or its nearest base (every dialect's map)."""
    return next((table[cls] for cls in type(error).__mro__ if cls in table), default)


def error_headers(error: Exception, status: int) -> dict[str, str]:
    """What lets a client act on an error, whatever the dialect: when to retry a 503, and the
    current ETag with a 412."""
    headers: dict[str, str] = {}
    if status == 503:
        headers["Retry-After"] = "1"
    if isinstance(error, e.PreconditionFailed) and getattr(error.current, "etag", None):
        headers["ETag"] = error.current.etag
    if isinstance(error, e.RangeNotSatisfiable):
        headers["Content-Range"] = f"bytes */{error.size}"  # RFC 9110 §15.5.17
    return headers


#: An error body: (status, title, slug, detail, the domain error or None, headers) -> Response.
ErrorBody = Callable[[int, str, str, str, "e.FolioError | None", dict[str, str]], Response]


def problem_body(status: int, title: str, slug: str, detail: str, error: e.FolioError | None,
                 headers: dict[str, str]) -> Response:
    """RFC 9457 problem+json, the error body of kyc, crm, capture and artu."""
    return problem(status, title, detail, slug=slug, errors=error.errors if error else None, headers=headers)


def install_error_map(app, body: ErrorBody = problem_body,
                      extra_headers: Callable[[e.FolioError], dict[str, str]] | None = None) -> None:
    """The one exception-to-HTTP map, on a resolver: statuses from :data:`PROBLEM_STATUS`, the
    body in the dialect's own format; no error, however unexpected, leaves as a stack trace."""

    @app.exception_handler(e.FolioError)
    def _domain_error(error: e.FolioError):
        status, title, slug = classify(error, PROBLEM_STATUS)
        headers = error_headers(error, status)
        if extra_headers:
            headers.update(extra_headers(error))
        return body(status, title, slug, error.message, error, headers)

    @app.not_found
    def _not_found(_error):
        return body(404, "Not Found", "not-found", "no such route", None, {})

    @app.exception_handler(Exception)
    def _unexpected(error: Exception):
        logger.exception("unexpected error")
        return body(500, "Internal Server Error", "internal", "an unexpected error occurred; it has been logged",
                    None, {})


def install_problem_handlers(app, extra_headers: Callable[[e.FolioError], dict[str, str]] | None = None) -> None:
    """The error map with problem+json bodies."""
    install_error_map(app, problem_body, extra_headers)
