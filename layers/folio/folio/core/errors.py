"""Domain errors. Each dialect maps them to HTTP in exactly one place."""

from __future__ import annotations

from typing import Any


class FolioError(Exception):
    """Base of every error folio raises on purpose."""

    def __init__(self, message: str, *, errors: list[dict[str, Any]] | None = None):
        super().__init__(message)
        self.message = message
        self.errors = errors or []


class InvalidRequest(FolioError):
    """The request is malformed or violates a rule; nothing was changed (400)."""


class Unauthenticated(FolioError):
    """No usable identity reached the function (401)."""


class Forbidden(FolioError):
    """The caller may not do this (403)."""


class DocumentNotFound(FolioError):
    """No such document for this tenant (404). Never says whether another tenant has it."""


class UnsupportedMediaType(FolioError):
    """The body's media type is not one the operation accepts (415)."""

    def __init__(self, message: str, *, accepted: tuple[str, ...] = ()):
        super().__init__(message)
        self.accepted = accepted


class PayloadTooLarge(FolioError):
    """The request or the resulting document is too large (413)."""


class PreconditionFailed(FolioError):
    """A precondition (If-Match, If-Unmodified-Since, stateToken, ...) is stale (412)."""

    def __init__(self, message: str, *, current: Any = None):
        super().__init__(message)
        #: The current document, so a client can be told its current ETag.
        self.current = current


class IdempotencyKeyReused(FolioError):
    """An Idempotency-Key already used for a different request (422)."""


class IdempotencyInFlight(FolioError):
    """The first request with this Idempotency-Key has not finished yet (409)."""


class RangeNotSatisfiable(FolioError):
    """A byte range asked of a file lies wholly outside it (416); ``size`` is the file's."""

    def __init__(self, message: str, *, size: int):
        super().__init__(message)
        self.size = size


class PatchTestFailed(FolioError):
    """A JSON Patch `test` operation did not hold; nothing was changed (409)."""


class EditConflict(FolioError):
    """The precondition held when read but a concurrent write won the race (409)."""


class UploadClosed(FolioError):
    """An upload session can no longer take this request: aborted, expired, or being completed (409)."""


class FileAbandoned(UploadClosed):
    """The stored file a commit would attach was abandoned: its upload session was aborted (409)."""


class Contention(FolioError):
    """Too many concurrent writers; the bounded re-apply loop gave up (503, retryable)."""


class StorageUnavailable(FolioError):
    """AWS throttled, failed or timed out; retrying the same request is safe (503)."""


# ---- raised by storage, interpreted by the core ----

class ConditionFailed(Exception):
    """A DynamoDB conditional write found a different version than it expected."""
