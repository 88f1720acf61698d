"""crm's answers: the DocumentEntity (answers.DocumentEntity documents it) with $select, and its errors."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import Response

from ...core import Document
from ...core.errors import FolioError, UnsupportedMediaType
from ...core.listing import Page, VersionPage
from ...web.problems import install_problem_handlers
from ...web.request import WebRequest
from ...web.responses import created, json_response
from .constants import PATCH_MEDIA_TYPES
from .mapping import ListQuery, document_path, entity_view, list_item, selected_properties, version_row

CONTENT_TYPE = "application/json; charset=utf-8"


def _entity(doc: Document, request: WebRequest) -> dict[str, Any]:
    return entity_view(doc, request.base_url, selected_properties(request.query.get("$select")))


def _last_modified(doc: Document) -> str:
    return doc.updated_at.strftime("%a, %d %b %Y %H:%M:%S GMT")


def entity_answer(doc: Document, request: WebRequest):
    """200 with the entity, its ETag and Last-Modified."""
    return json_response(_entity(doc, request), 200, {"ETag": doc.etag, "Last-Modified": _last_modified(doc)},
                         content_type=CONTENT_TYPE)


def created_answer(doc: Document, request: WebRequest):
    """201 with the new entity, its ETag, Location and Last-Modified."""
    response = created(_entity(doc, request), location=request.base_url + document_path(doc), etag=doc.etag,
                       content_type=CONTENT_TYPE)
    response.headers["Last-Modified"] = _last_modified(doc)
    return response


def version_list_answer(query: ListQuery, page: VersionPage, request: WebRequest):
    """200 with SuperOffice's array of VersionInfo, oldest first. The array stays the body (as
    SuperOffice answers it), so the next page is named where an array leaves room: ``Link:
    <its URL>; rel="next"`` (RFC 8288), the URL built as ``odata.nextLink`` is (the same ``$top``
    and ``$select``, the cursor in ``$skiptoken``); no Link on the last page."""
    headers = {}
    if page.cursor is not None:
        path = f"/api/v1/Document/{page.versions[-1][1].key.id}/Version"
        headers["Link"] = f'<{query.next_link(request.base_url, page.cursor, path)}>; rel="next"'
    return json_response([version_row(doc, query.select) for _number, doc in page.versions], 200, headers,
                         content_type=CONTENT_TYPE)


def page_answer(query: ListQuery, page: Page, request: WebRequest):
    """200 with SuperOffice's OData shape: ``odata.metadata``, ``odata.nextLink`` (the next page's
    URL; absent on the last page, as OData has it) and the page's rows in ``value``, newest first."""
    base = request.base_url
    answer: dict[str, Any] = {"odata.metadata": f"{base}/api/v1/$metadata#Document"}
    if page.cursor is not None:
        answer["odata.nextLink"] = query.next_link(base, page.cursor)
    answer["value"] = [list_item(doc, base, query.select) for doc in page.documents]
    return json_response(answer, content_type=CONTENT_TYPE)


def deleted_answer(_doc: Document):
    """204: the document and everything it ever held are erased."""
    return Response(status_code=204, body="")


def _accept_patch(error: FolioError) -> dict[str, str]:
    """A 415 to a PATCH names what PATCH accepts (RFC 5789)."""
    if isinstance(error, UnsupportedMediaType) and error.accepted == PATCH_MEDIA_TYPES:
        return {"Accept-Patch": ", ".join(PATCH_MEDIA_TYPES)}
    return {}


def install(app) -> None:
    """crm's exception-to-HTTP map: problem+json, with Accept-Patch on 415."""
    install_problem_handlers(app, _accept_patch)
