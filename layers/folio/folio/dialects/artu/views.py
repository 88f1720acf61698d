"""artu's answers (answers.DocumentAnswer, BatchAnswer and UploadTicket document them) and its
error map: problem+json, with each failing item of a batch in ``errors``."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import Response

from ...core import Document
from ...core.errors import FolioError
from ...core.listing import Page
from ...web.caching import CachePolicy, use_policy
from ...web.problems import PROBLEM_STATUS, classify, install_problem_handlers
from ...web.responses import iso_utc, json_response
from .constants import ANSWER_FIELDS
from .operations import UploadUrl


def document_view(doc: Document) -> dict[str, Any]:
    """The spec's document: every answer field, null when unknown; ``fields``/``metadata`` at least ``{}``."""
    body = doc.body
    view = {name: body.get(name) for name in ANSWER_FIELDS}
    view["createdAt"], view["updatedAt"] = iso_utc(doc.created_at, "seconds"), iso_utc(doc.updated_at, "seconds")
    view["fields"] = body.get("fields") or {}
    view["metadata"] = body.get("metadata") or {}
    return view


def item_view(result: Document | FolioError) -> dict[str, Any]:
    """One entry of a batch's answer: the document, or why the item was not applied."""
    if isinstance(result, Document):
        return {"data": document_view(result)}
    status, title, _ = classify(result, PROBLEM_STATUS)
    return {"error": {"status": status, "title": title, "detail": result.message}}


def batch_answer(atomic: bool, results: list[Document | FolioError]) -> Response:
    return json_response({"atomic": atomic, "data": [item_view(result) for result in results]})


def document_answer(doc: Document) -> Response:
    return json_response({"data": document_view(doc)}, headers={"ETag": doc.etag})


def lookup_answer(docs: list[Document]) -> Response:
    return json_response({"data": [document_view(d) for d in docs]})


def page_answer(page: Page) -> Response:
    """A page of the client's documents, newest first, in the lookup's ``data`` envelope;
    ``nextCursor`` (null on the last page) asks for the next one."""
    return json_response({"data": [document_view(d) for d in page.documents], "nextCursor": page.cursor})


def deleted_answer(_doc: Document) -> Response:
    """204: the document, its history and every file version it had are erased."""
    return Response(status_code=204, body="")


def upload_url_view(upload: UploadUrl) -> dict[str, Any]:
    """The presigned POST: send ``fields``, then the file as the form's last part ``file``, to
    ``url`` (``headers`` adds none: the form sets its own Content-Type); ``maxSize`` is its bound."""
    return {"url": upload.url, "method": "POST", "fields": upload.fields, "headers": {},
            "maxSize": upload.max_bytes, "expiresAt": iso_utc(upload.expires_at, "seconds")}


def upload_url_answer(upload: UploadUrl) -> Response:
    """``no-store``: the signed form is a credential, as an upload session's URLs are."""
    return json_response(upload_url_view(upload), headers={"Cache-Control": "no-store"})


def install(app) -> None:
    """artu's exception-to-HTTP map: problem+json (with each failing item in ``errors``); its answers
    depend on the X-Environment (web.caching)."""
    install_problem_handlers(app)
    use_policy(app, CachePolicy(vary=("X-Environment",)))
