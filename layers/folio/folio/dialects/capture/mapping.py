"""Between capture's requests and the core's documents: ids and keys, the step and CSRF guards,
the attachment part and the new-document body read into what the core stores. Pure functions:
no storage, no HTTP. (models.py describes the same requests for the OpenAPI document; its test
keeps the two in step.)"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ...core import Caller, Change, Document, DocumentKey, FileRef, NewFile
from ...core.listing import MAX_PAGE
from ...core.service import body_guard
from ...core.errors import DocumentNotFound, Forbidden, InvalidRequest
from ...web.media import parse_media_type
from ...web.multipart import FormData, Part
from ...web.request import bounded_int
from .constants import (ATTACHMENT_KIND, ATTACHMENT_PARTS, CONTENT_SLOT, DEFAULT_PAGE, DOCUMENT_KIND, ID_PATTERN,
                        MAX_BATCH_NAME, MAX_TEXT)
from .procedures import Procedure

_ID = re.compile(ID_PATTERN)


# ---------------------------------------------------------------- ids and guards

def resource_id(raw: str | None, name: str) -> str:
    if raw is None or not _ID.match(raw):
        raise InvalidRequest(f"{name} is not a Capture id: {raw!r}",
                             errors=[{"field": name, "message": "letters, digits, '.', '_' or '-', at most 128"}])
    return raw


def document_key(tenant: str, doc_id: str) -> DocumentKey:
    return DocumentKey(tenant, DOCUMENT_KIND, resource_id(doc_id, "docId"))


def attachment_key(tenant: str, att_id: str) -> DocumentKey:
    return DocumentKey(tenant, ATTACHMENT_KIND, resource_id(att_id, "attId"))


def attachments_of(doc_id: str) -> str:
    """The list (core collection) a document's attachments are in, below the tenant."""
    return f"capture#doc#{doc_id}"


def page_limit(raw: str | None) -> int:
    """The ``limit`` query parameter: 1 to MAX_PAGE, DEFAULT_PAGE when absent, else 400."""
    if raw is None:
        return DEFAULT_PAGE
    value = bounded_int(raw, MAX_PAGE)
    if not value:
        raise InvalidRequest(f"limit must be an integer from 1 to {MAX_PAGE}, got {raw[:40]!r}",
                             errors=[{"field": "limit", "message": f"1 to {MAX_PAGE}"}])
    return value


def delete_state_token(body: Any, query: str | None) -> str | None:
    """The stateToken of a delete: the body's attachment object (as Capture's delete takes it) or
    the ``stateToken`` query parameter (for clients that send no body on DELETE); both must agree."""
    token = None
    if body is not None:
        if not isinstance(body, dict):
            raise InvalidRequest("the body must be the attachment object: {\"stateToken\": ...}",
                                 errors=[{"field": "stateToken", "message": "a JSON object holding it"}])
        token = body.get("stateToken")
        if token is not None and not (isinstance(token, str) and token):
            raise InvalidRequest("stateToken must be the stateToken last read",
                                 errors=[{"field": "stateToken", "message": "a non-empty string"}])
    if query is not None:
        if not query or (token is not None and token != query):
            raise InvalidRequest("the stateToken query parameter must be non-empty and agree with the body's",
                                 errors=[{"field": "stateToken", "message": "one stateToken"}])
        token = query
    return token


def require_step(document: Document, caller: Caller) -> None:
    """The token must grant the step the document is in (``folio:steps``), else 403."""
    require_granted(caller, document.body["step"], f"where document {document.key.id} resides")


def require_granted(caller: Caller, step: dict[str, str], where: str) -> None:
    if "*" not in caller.steps and step["id"] not in caller.steps:
        raise Forbidden(f"the token is not granted step {step['name']!r} ({step['id']}) {where}",
                        errors=[{"field": "folio:steps", "message": "step not granted"}])


def require_xhr(value: str | None) -> None:
    """The CSRF guard the spec names: ``X-Requested-With: XMLHttpRequest`` (any case)."""
    if value is None or value.strip().lower() != "xmlhttprequest":
        raise InvalidRequest("the X-Requested-With header must be XMLHttpRequest",
                             errors=[{"field": "X-Requested-With", "message": "required: XMLHttpRequest"}])


def on_document(doc_id: str):
    """A core guard: the attachment must be attached to the document in the path (else 404)."""
    return body_guard("documentId", doc_id)


def content_ref(attachment: Document) -> FileRef:
    ref = attachment.files.get(CONTENT_SLOT)
    if ref is None:
        raise DocumentNotFound(f"attachment {attachment.key.id} has no content")
    return ref


# ---------------------------------------------------------------- a new document

def new_document_request(body: Any) -> tuple[Any, str | None]:
    """``{"procedure": {"id"|"name"}, "batch": {"name"}}``: the procedure reference (resolved by
    :class:`~.procedures.Procedures`) and the batch name."""
    if not isinstance(body, dict) or "procedure" not in body:
        raise InvalidRequest('the body must be {"procedure": {"id" or "name"}, "batch": {"name"}}',
                             errors=[{"field": "procedure", "message": "required"}])
    batch = body.get("batch")
    if batch is not None and not (isinstance(batch, dict) and isinstance(batch.get("name", ""), str)):
        raise InvalidRequest("batch must be an object with a name", errors=[{"field": "batch", "message": "object"}])
    name = (batch or {}).get("name")
    if name is not None and not 0 < len(name) <= MAX_BATCH_NAME:
        raise InvalidRequest(f"batch.name must have 1 to {MAX_BATCH_NAME} characters",
                             errors=[{"field": "batch.name", "message": "length"}])
    return body["procedure"], name


def new_document_body(procedure: Procedure, batch_id: int, batch_name: str | None) -> dict[str, Any]:
    """A new document starts a new batch (named, else ``<prefix>_<number>``) in the first step."""
    return {
        "procedure": {"id": procedure.id, "name": procedure.name},
        "batch": {"id": str(batch_id), "name": batch_name or f"{procedure.batch_prefix}_{batch_id}"},
        "step": dict(procedure.steps[0]),
    }


# ---------------------------------------------------------------- attachments

@dataclass(frozen=True)
class AttachmentRequest:
    """The ``attachment`` part (only what may be set) and the optional ``content`` file."""

    changes: dict[str, Any]  # title / comment / type (a reference, resolved against the procedure)
    state_token: str | None
    content: NewFile | None


def attachment_request(form: FormData, *, update: bool) -> AttachmentRequest:
    """What an add (``content`` required, ``title`` defaults to its file name) or an update
    (``stateToken`` required) asks for; other attributes of the part are ignored."""
    form.only(*ATTACHMENT_PARTS)
    values = form.require("attachment").json_object()
    changes = attachment_fields(values)
    token = values.get("stateToken")
    if update and not (isinstance(token, str) and token):
        raise InvalidRequest("the attachment object must contain its stateToken",
                             errors=[{"field": "attachment.stateToken", "message": "required"}])
    content = _content(form.get("content") if update else form.require("content"))
    if not update and "title" not in changes:
        changes["title"] = content.file_name
    return AttachmentRequest(changes, token if update else None, content)


def attachment_fields(values: dict[str, Any]) -> dict[str, Any]:
    """``title``, ``comment`` and ``type`` (a reference, resolved against the procedure) of an
    ``attachment`` object (a part, or an upload session's start); other attributes are ignored."""
    changes: dict[str, Any] = {}
    if "title" in values:
        changes["title"] = _text(values["title"], "title", nullable=False)
    if "comment" in values:
        changes["comment"] = _text(values["comment"], "comment", nullable=True)
    if "type" in values:
        changes["type"] = values["type"]
    return changes


def _text(value: Any, name: str, *, nullable: bool) -> str | None:
    if value is None and nullable:
        return None
    if not isinstance(value, str) or len(value) > MAX_TEXT:
        raise InvalidRequest(f"attachment.{name} must be a string of at most {MAX_TEXT} characters"
                             + (" or null" if nullable else ""),
                             errors=[{"field": f"attachment.{name}", "message": "string" + (" or null" if nullable else "")}])
    return value


def _content(part: Part | None) -> NewFile | None:
    """The file: its Content-Type, parsed (the raw header is never stored), becomes ``mediaType``; its
    file name ``sourceName``."""
    if part is None:
        return None
    media_type = parse_media_type(part.content_type or "")
    if media_type is None:
        raise InvalidRequest("the content part must declare the Content-Type of the file: one media type",
                             errors=[{"field": "content", "message": "Content-Type required: one type/subtype"}])
    if not part.filename:
        raise InvalidRequest("the content part's Content-Disposition must contain the filename",
                             errors=[{"field": "content", "message": "filename required"}])
    return NewFile(part.within(what="the content"), media_type, part.filename)


def new_attachment_body(doc_id: str, request: AttachmentRequest, procedure: Procedure) -> dict[str, Any]:
    return {"documentId": doc_id, "title": request.changes.get("title"), "comment": request.changes.get("comment"),
            "type": procedure.attachment_type(request.changes.get("type"))}


def attachment_change(request: AttachmentRequest, procedure: Procedure | None) -> Change:
    """A core Change: only title, comment and type; the type resolved against the procedure."""
    return resolved_change(resolved_fields(request.changes, procedure))


def resolved_fields(changes: dict[str, Any], procedure: Procedure | None) -> dict[str, Any]:
    """``changes`` with its type (if it names one) resolved against the procedure (400 when unknown)."""
    resolved = dict(changes)
    if "type" in resolved:
        resolved["type"] = procedure.attachment_type(resolved["type"])
    return resolved


def resolved_change(resolved: dict[str, Any]) -> Change:
    """A core Change setting title, comment and type, already resolved (an upload session resolves
    them when it starts)."""

    def change(current: Document) -> dict[str, Any]:
        return {**current.body, **resolved}

    return change
