"""capture's answers: the attachment and the document (answers.AttachmentAnswer and
answers.DocumentAnswer describe them), the content's bytes, and the error body (problem+json; a
stale stateToken's 412 also names the current one, so the client can retry without reading first)."""

from __future__ import annotations

import hashlib
import json
from typing import Any
from urllib.parse import urlencode

from ...core import Document
from ...core.errors import FolioError, PreconditionFailed
from ...core.listing import Page
from ...web.problems import install_error_map, problem_body
from ...web.request import WebRequest
from ...web.responses import created, iso_utc, json_response
from .constants import API, CONTENT_SLOT

#: The link relations Capture lacks a registered one for: a document's attachments (the list,
#: and where they are added) and one attachment of it.
ATTACHMENTS_REL = "urn:oce:capture:attachments"
ATTACHMENT_REL = "urn:oce:capture:attachment"


def _user(actor: dict[str, Any]) -> dict[str, Any]:
    return {"name": actor.get("name") or actor.get("sub")}


def attachment_view(attachment: Document, document: Document, base: str) -> dict[str, Any]:
    body = attachment.body
    ref = attachment.files.get(CONTENT_SLOT)
    url = f"{base}{API}/documents/{document.key.id}/attachments/{attachment.key.id}"
    media = ref.content_type if ref else None
    return {
        "id": attachment.key.id,
        "documentId": document.key.id,
        "title": body.get("title"),
        "comment": body.get("comment"),
        "batch": document.body["batch"],
        "step": document.body["step"],
        "type": body.get("type"),
        "stateToken": attachment.state_token,
        "mediaType": media,
        "sourceName": ref.file_name if ref else None,
        "size": ref.size if ref else None,
        "createdBy": _user(attachment.created_by),
        "createdDate": iso_utc(attachment.created_at),
        "updatedBy": _user(attachment.updated_by),
        "updatedDate": iso_utc(attachment.updated_at),
        "links": [
            {"rel": "canonical", "href": url, "method": "GET", "mediaType": "application/json"},
            {"rel": "urn:oce:capture:attachment-content", "href": f"{url}/content", "method": "GET",
             "mediaType": media or "application/octet-stream"},
        ],
    }


def document_view(document: Document, base: str, attachments: list[Document] = ()) -> dict[str, Any]:
    """The document's links: where its attachments are added (POST, first as it always was),
    itself, its attachments' list (GET), and each attachment of the list's first page
    (``attachments``) by its canonical URL."""
    url = f"{base}{API}/documents/{document.key.id}"
    return {
        "id": document.key.id,
        "procedure": document.body["procedure"],
        "batch": document.body["batch"],
        "step": document.body["step"],
        "createdBy": _user(document.created_by),
        "createdDate": iso_utc(document.created_at),
        "links": [
            {"rel": ATTACHMENTS_REL, "href": f"{url}/attachments", "method": "POST",
             "mediaType": "multipart/form-data"},
            {"rel": "canonical", "href": url, "method": "GET", "mediaType": "application/json"},
            {"rel": ATTACHMENTS_REL, "href": f"{url}/attachments", "method": "GET", "mediaType": "application/json"},
            *({"rel": ATTACHMENT_REL, "href": f"{url}/attachments/{a.key.id}", "method": "GET",
               "mediaType": "application/json"} for a in attachments),
        ],
    }


def document_etag(document: Document, attachments: list[Document] = ()) -> str:
    """The document answer's strong ETag: its version and the attachments its links name (the
    list's first page, in order), so a conditional GET never keeps the links of an attachment
    erased since, nor misses one added."""
    named = json.dumps([a.key.id for a in attachments])
    return f'"{document.version}.{hashlib.sha256(named.encode()).hexdigest()[:12]}"'


def document_answer(document: Document, page: Page, request: WebRequest):
    """200 with the document, its links to the first page of its attachments, and its ETag."""
    return json_response(document_view(document, request.base_url, page.documents), 200,
                         {"ETag": document_etag(document, page.documents)})


def attachments_answer(document: Document, page: Page, limit: int, request: WebRequest):
    """A page of attachments as Oracle's REST collections are written (``items``, ``count``,
    ``hasMore``, ``limit``), the next page behind the ``next`` link (its opaque cursor)."""
    base = request.base_url
    url = f"{base}{API}/documents/{document.key.id}/attachments"
    links = [{"rel": "canonical", "href": url, "method": "GET", "mediaType": "application/json"}]
    if page.cursor:
        query = urlencode({"limit": limit, "cursor": page.cursor})
        links.append({"rel": "next", "href": f"{url}?{query}", "method": "GET", "mediaType": "application/json"})
    items = [attachment_view(a, document, base) for a in page.documents]
    return json_response({"items": items, "count": len(items), "hasMore": page.cursor is not None, "limit": limit,
                          "links": links})


def attachment_deleted():
    """204: the attachment is gone, its content's every version erased."""
    from aws_lambda_powertools.event_handler import Response

    return Response(status_code=204, body="", headers={"Cache-Control": "no-store"})


def attachment_answer(attachment: Document, document: Document, request: WebRequest):
    """200 with the attachment and its ETag."""
    return json_response(attachment_view(attachment, document, request.base_url), 200, {"ETag": attachment.etag})


def attachment_created(attachment: Document, document: Document, request: WebRequest):
    """201 with the new attachment, its ETag and its Location (the canonical link)."""
    view = attachment_view(attachment, document, request.base_url)
    return created(view, location=view["links"][0]["href"], etag=attachment.etag)


def document_created(document: Document, request: WebRequest):
    """201 with the new document, its Location the canonical link."""
    view = document_view(document, request.base_url)
    return created(view, location=view["links"][1]["href"], etag=document_etag(document))



def error_body(status: int, title: str, slug: str, detail: str, error: FolioError | None, headers: dict[str, str]):
    """problem+json; a 412 from a stale precondition also carries the current ``stateToken``."""
    answer = problem_body(status, title, slug, detail, error, headers)
    if isinstance(error, PreconditionFailed) and isinstance(error.current, Document):
        answer.body = json.dumps({**json.loads(answer.body), "stateToken": error.current.state_token},
                                 ensure_ascii=False)
    return answer


def install(app) -> None:
    """capture's errors: the shared map from domain errors to statuses, with capture's body."""
    install_error_map(app, body=error_body)
