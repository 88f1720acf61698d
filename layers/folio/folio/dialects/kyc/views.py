"""kyc's answers: the spec's document object (answers.DocumentAnswer documents it), images, errors."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from ...core import Document
from ...core.listing import Page
from ...core.limits import INT64_MAX
from ...web.caching import CachePolicy, use_policy
from ...web.problems import install_problem_handlers
from ...web.request import WebRequest, bounded_int
from ...web.responses import created, json_response
from .mapping import document_number

_MILLISECOND = timedelta(milliseconds=1)


def java_timestamp(value: datetime) -> dict[str, int]:
    """A ``java.sql.Timestamp`` as Jackson writes its bean properties, in UTC."""
    t = value.astimezone(UTC)
    epoch_ms = (t - datetime(1970, 1, 1, tzinfo=UTC)) // _MILLISECOND
    return {
        "date": t.day, "day": (t.weekday() + 1) % 7, "hours": t.hour, "minutes": t.minute,
        "month": t.month - 1, "nanos": t.microsecond * 1000, "seconds": t.second, "time": epoch_ms,
        "timezoneOffset": 0, "year": t.year - 1900,
    }


def user_info(actor: dict[str, Any]) -> dict[str, Any]:
    """UserInfo from the token's claims (``id`` only when ``sub`` is an int64)."""
    sub = str(actor.get("sub") or "")
    return {
        "email": actor.get("email"),
        "firstName": actor.get("given_name"),
        "fullName": actor.get("name") or sub or None,
        "id": bounded_int(sub, INT64_MAX),
        "lastName": actor.get("family_name"),
    }


def document_path(doc: Document) -> str:
    return f"/api/customer/{doc.body['customerId']}/document/{document_number(doc.key)}"


def document_view(doc: Document, base: str) -> dict[str, Any]:
    """The spec's response object, every field, in the spec's order."""
    body, files = doc.body, doc.files
    url = base + document_path(doc)
    front, back = files.get("front"), files.get("back")
    return {
        "assignees": [],
        "authenticity": body.get("authenticity"),
        "back": f"{url}/back" if back else None,
        "backName": back.file_name if back else None,
        "createdAt": java_timestamp(doc.created_at),
        "createdBy": user_info(doc.created_by),
        "customerId": body["customerId"],
        "expiryDate": body.get("expiryDate"),
        "front": f"{url}/front" if front else None,
        "frontName": front.file_name if front else None,
        "id": document_number(doc.key),
        "issueDate": body.get("issueDate"),
        "number": body.get("number"),
        "parentCustomerId": None,
        "parentParticular": {},
        "particular": {},
        "showExpiryNotification": bool(body.get("showExpiryNotification")),
        "type": body.get("type"),
        "updatedAt": java_timestamp(doc.updated_at),
        "updatedBy": user_info(doc.updated_by),
    }


def document_answer(doc: Document, request: WebRequest):
    """200 with the document and its ETag."""
    return json_response(document_view(doc, request.base_url), 200, {"ETag": doc.etag})


def created_answer(doc: Document, request: WebRequest):
    """201 with the new document, its ETag and its Location."""
    return created(document_view(doc, request.base_url), location=request.base_url + document_path(doc), etag=doc.etag)


def list_answer(page: Page, size: int, request: WebRequest):
    """200 with a page in Spring Data's shape (``content`` as ``GET /api/customer`` answers it), its
    counts that need no count query, and ``nextCursor`` (null on the last page)."""
    return json_response({
        "content": [document_view(doc, request.base_url) for doc in page.documents],
        "empty": not page.documents,
        "first": request.query.get("cursor") is None,
        "last": page.cursor is None,
        "nextCursor": page.cursor,
        "numberOfElements": len(page.documents),
        "size": size,
    }, 200)


def deleted_answer():
    """204: the document and everything it ever stored are erased."""
    from aws_lambda_powertools.event_handler import Response

    return Response(status_code=204, body="", headers={"Cache-Control": "no-store"})


def install(app) -> None:
    """kyc's exception-to-HTTP map: problem+json; every answer is personal data (identity documents)
    and depends on the X-Domain-ID: never stored by a cache (web.caching)."""
    install_problem_handlers(app)
    use_policy(app, CachePolicy(personal=True, vary=("X-Domain-ID",)))
