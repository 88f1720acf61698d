"""capture's answers: the attachment and the document (answers.AttachmentAnswer and
answers.DocumentAnswer describe them), the content's bytes, and the error body (problem+json; a
stale stateToken's 412 also names the current one, so the client can retry without reading first)."""

from __future__ import annotations

import json
from typing import Any

from ...core import Document
from ...core.errors import FolioError, PreconditionFailed
from ...web.problems import install_error_map, problem_body
from ...web.request import WebRequest
from ...web.responses import created, iso_utc, json_response
from .constants import API, CONTENT_SLOT


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


def document_view(document: Document, base: str) -> dict[str, Any]:
    """A document answers one link: where its attachments are added."""
    url = f"{base}{API}/documents/{document.key.id}"
    return {
        "id": document.key.id,
        "procedure": document.body["procedure"],
        "batch": document.body["batch"],
        "step": document.body["step"],
        "createdBy": _user(document.created_by),
        "createdDate": iso_utc(document.created_at),
        "links": [{"rel": "urn:oce:capture:attachments", "href": f"{url}/attachments", "method": "POST",
                   "mediaType": "multipart/form-data"}],
    }


def attachment_answer(attachment: Document, document: Document, request: WebRequest):
    """200 with the attachment and its ETag."""
    return json_response(attachment_view(attachment, document, request.base_url), 200, {"ETag": attachment.etag})


def attachment_created(attachment: Document, document: Document, request: WebRequest):
    """201 with the new attachment, its ETag and its Location (the canonical link)."""
    view = attachment_view(attachment, document, request.base_url)
    return created(view, location=view["links"][0]["href"], etag=attachment.etag)


def document_created(document: Document, request: WebRequest):
    """201 with the new document (no Location: folio serves no GET for a Capture document)."""
    return created(document_view(document, request.base_url), location=None, etag=document.etag)



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
