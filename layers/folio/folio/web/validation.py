"""pydantic's validation errors as folio's 400s, one way for every dialect."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..core.errors import InvalidRequest


def field_errors(error, *, prefix: str = "", separator: str = ".",
                 message: Callable[[dict[str, Any]], str] | None = None) -> list[dict[str, str]]:
    """``[{"field", "message"}]`` for every error of a pydantic ``ValidationError``; ``field`` is the
    location joined by ``separator`` after ``prefix`` ("document." for kyc's part, "" for a body)."""
    return [{"field": prefix + separator.join(str(p) for p in err["loc"]),
             "message": message(err) if message else err["msg"]}
            for err in error.errors(include_url=False, include_input=False)]


def invalid(error, summary: Callable[[list[dict[str, str]]], str], **options: Any) -> InvalidRequest:
    """An InvalidRequest whose ``errors`` name each field; ``summary`` words its detail the dialect's way."""
    problems = field_errors(error, **options)
    return InvalidRequest(summary(problems), errors=problems)
