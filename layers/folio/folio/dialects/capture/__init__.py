"""capture: Oracle Content Capture attachments (specs/capture-update-attachment.txt).

The spec's operation is ``PUT /capture/api/v1.1/documents/{docId}/attachments/{attId}`` with
the multipart parts ``attachment`` (application/json) and ``content`` (optional file).
Decisions the spec leaves open, written down here:

* Procedures (their steps and attachment types) are tenant configuration, stored as one
  record per tenant (:class:`Procedures`). A tenant without its own falls back to the
  deployment-wide record under the reserved tenant ``*``, where ``folio local`` seeds the
  ``Demo`` procedure (attachment types ``Invoice Notes`` and ``Receipt``, first step
  ``Review``; its ids are fixed, see :data:`DEMO_PROCEDURE`).
* A new document starts a new batch (``{"batch": {"name"}}`` names it, else
  ``<prefix>_<number>`` as Capture does) in the procedure's first step.
* Every route that reads or changes a document's attachments needs the token's
  ``folio:steps`` to grant the document's current step (``*`` grants all; no claim, none):
  403 otherwise. ``X-Requested-With: XMLHttpRequest`` (any case) is required on the spec's
  update, the CSRF guard the spec names; the companions do not require it.
* The ``attachment`` part must be ``application/json`` (415 otherwise), on update and on add.
  Only ``title``, ``type`` and ``comment`` are taken from it (and ``stateToken`` on update);
  other attributes are ignored, as the spec says. ``comment: null`` clears the comment,
  ``title`` must stay a string, ``type: null`` clears the type.
* ``content`` needs a Content-Type (it becomes ``mediaType``) and a file name in its
  Content-Disposition (it becomes ``sourceName``), else 400; over 4 MiB is 413. On add,
  ``content`` is required and ``title`` defaults to the file name.
* ``stateToken`` is 32 hex digits derived from the attachment's version: stale gives 412
  (the answer carries the current ``stateToken`` and ``ETag``), a token that was current but
  lost the race to a simultaneous edit gives 409. ``If-Match`` works as well.
* Links are absolute URLs on this API (the spec's sample omits the ``/capture/api/v1.1``
  prefix, which would not resolve here). A document answers one link, to add attachments.
"""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass, replace
from typing import Any

from aws_lambda_powertools.event_handler import Response

from ...core import Caller, Document, DocumentKey, DocumentService, Edit, FileRef, NewFile, Precondition
from ...core.errors import DocumentNotFound, Forbidden, InvalidRequest, PayloadTooLarge, PreconditionFailed, UnsupportedMediaType
from ...web.request import base_url, body_bytes, headers_of, json_body, media_type, parse_json
from ...web.responses import iso_utc, json_response
from ...web.multipart import FormData, Part, parse_form_data
from ...web.problems import install_problem_handlers, problem_for

DOCUMENT_KIND = "capture-document"
ATTACHMENT_KIND = "capture-attachment"
CONFIG_KIND = "capture-config"
BATCH_KIND = "capture-batch"
#: The reserved tenant whose procedures every tenant without its own sees (no real tenant
#: can be called "*": tenant claims are [A-Za-z0-9._:@-]).
DEFAULT_TENANT = "*"
API = "/capture/api/v1.1"
MAX_FILE_BYTES = 4 * 1024 * 1024
MAX_TEXT = 4096
CONTENT_SLOT = "content"
_ID = re.compile(r"^[A-Za-z0-9._-]{1,128}$")
_DEMO_NS = uuid.UUID("5c1f6a2e-6f7b-4d3e-9a55-0f01f0110000")


def _demo_id(name: str) -> str:
    return str(uuid.uuid5(_DEMO_NS, name))


#: The procedure ``folio local`` seeds (deployment-wide default; fixed ids).
DEMO_PROCEDURE = {
    "id": _demo_id("procedure/Demo"),
    "name": "Demo",
    "batchPrefix": "demo",
    "steps": [
        {"id": _demo_id("step/Review"), "name": "Review", "type": "Review"},
        {"id": _demo_id("step/Find Invoice Date"), "name": "Find Invoice Date", "type": "External Processor"},
        {"id": _demo_id("step/Commit"), "name": "Commit", "type": "Commit Processor"},
    ],
    "attachmentTypes": [
        {"id": _demo_id("type/Invoice Notes"), "name": "Invoice Notes"},
        {"id": _demo_id("type/Receipt"), "name": "Receipt"},
    ],
}


# ---------------------------------------------------------------- configuration

@dataclass(frozen=True)
class Procedure:
    id: str
    name: str
    batch_prefix: str
    steps: tuple[dict[str, str], ...]
    attachment_types: tuple[dict[str, str], ...]

    @classmethod
    def from_config(cls, value: dict[str, Any]) -> Procedure:
        return cls(value["id"], value["name"], value.get("batchPrefix") or value["name"].lower()[:8],
                   tuple(value["steps"]), tuple(value.get("attachmentTypes", ())))

    def to_config(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "batchPrefix": self.batch_prefix,
                "steps": list(self.steps), "attachmentTypes": list(self.attachment_types)}

    def attachment_type(self, ref: Any) -> dict[str, str] | None:
        """An attachment type by ``id`` or ``name`` (both must agree when both are given); None clears."""
        if ref is None:
            return None
        if not isinstance(ref, dict) or not ({"id", "name"} & set(ref)):
            raise InvalidRequest("type must be an object with its id or name, or null",
                                 errors=[{"field": "attachment.type", "message": "object with id or name, or null"}])
        matches = [t for t in self.attachment_types
                   if ("id" not in ref or t["id"] == ref["id"]) and ("name" not in ref or t["name"] == ref["name"])]
        if len(matches) != 1:
            known = ", ".join(t["name"] for t in self.attachment_types) or "none"
            raise InvalidRequest(
                f"type {json.dumps(ref)} is not an attachment type of procedure {self.name} (known: {known})",
                errors=[{"field": "attachment.type", "message": "unknown attachment type"}])
        return {"id": matches[0]["id"], "name": matches[0]["name"]}


class Procedures:
    """Each tenant's procedures, one record per tenant, kept with the same versioned writes as documents."""

    def __init__(self, documents: DocumentService):
        self.documents = documents

    @staticmethod
    def key(tenant: str) -> DocumentKey:
        return DocumentKey(tenant, CONFIG_KIND, "procedures")

    def of_tenant(self, tenant: str) -> list[Procedure]:
        """The tenant's own procedures, else the deployment's default ones (both read at once)."""
        found = self.documents.find_many([self.key(tenant), self.key(DEFAULT_TENANT)])
        record = found.get(self.key(tenant)) or found.get(self.key(DEFAULT_TENANT))
        return [Procedure.from_config(p) for p in (record.body["procedures"] if record else [])]

    def find(self, tenant: str, ref: Any) -> Procedure:
        if not isinstance(ref, dict) or not isinstance(ref.get("id", ref.get("name")), str):
            raise InvalidRequest("procedure must be an object with its id or name",
                                 errors=[{"field": "procedure", "message": "object with id or name"}])
        procedures = self.of_tenant(tenant)
        for p in procedures:
            if ("id" not in ref or p.id == ref["id"]) and ("name" not in ref or p.name == ref["name"]):
                return p
        known = ", ".join(p.name for p in procedures) or "none"
        raise InvalidRequest(f"no procedure {json.dumps(ref)} (known: {known})",
                             errors=[{"field": "procedure", "message": "unknown procedure"}])

    def by_id(self, tenant: str, procedure_id: str) -> Procedure:
        return self.find(tenant, {"id": procedure_id})

    def define(self, tenant: str, procedure: dict[str, Any], caller: Caller) -> Procedure:
        """Add a procedure to a tenant's configuration, or replace the one with its name."""
        try:
            defined = Procedure.from_config({"id": str(uuid.uuid4()), **procedure})
            steps = [{"id": str(s.get("id") or uuid.uuid4()), "name": str(s["name"]), "type": str(s.get("type", ""))}
                     for s in defined.steps]
            types = [{"id": str(t.get("id") or uuid.uuid4()), "name": str(t["name"])} for t in defined.attachment_types]
        except (KeyError, TypeError, AttributeError) as e:
            raise InvalidRequest(f"a procedure needs a name, steps with names and attachment types with names ({e})") from None
        if not steps:
            raise InvalidRequest("a procedure needs at least one step")
        if len({t["name"] for t in types}) != len(types):
            raise InvalidRequest("attachment type names must be unique within a procedure")
        defined = Procedure(defined.id, defined.name, defined.batch_prefix, tuple(steps), tuple(types))
        key = self.key(tenant)

        def change(current: Document) -> dict[str, Any]:
            kept = [p for p in current.body["procedures"] if p["name"] != defined.name]
            return {"procedures": [*kept, defined.to_config()]}

        if self.documents.find(key) is None:
            self.documents.create(key, {"procedures": [defined.to_config()]}, caller)
        else:
            self.documents.update(key, change, caller)
        return defined


def seed_demo(documents: DocumentService) -> None:
    """Give the deployment-wide default configuration the Demo procedure (idempotent)."""
    key = Procedures.key(DEFAULT_TENANT)
    if documents.find(key) is None:
        seeder = Caller(tenant="folio", sub="folio-local", name="folio local")
        documents.create(key, {"procedures": [DEMO_PROCEDURE]}, seeder)


# ---------------------------------------------------------------- requests

def resource_id(raw: str | None, name: str) -> str:
    if raw is None or not _ID.match(raw):
        raise InvalidRequest(f"{name} is not a Capture id: {raw!r}",
                             errors=[{"field": name, "message": "letters, digits, '.', '_' or '-', at most 128"}])
    return raw


def document_key(tenant: str, doc_id: str) -> DocumentKey:
    return DocumentKey(tenant, DOCUMENT_KIND, resource_id(doc_id, "docId"))


def attachment_key(tenant: str, att_id: str) -> DocumentKey:
    return DocumentKey(tenant, ATTACHMENT_KIND, resource_id(att_id, "attId"))


def require_step(document: Document, caller: Caller) -> None:
    """The token must grant the step the document is in (``folio:steps``), else 403."""
    _require_granted(caller, document.body["step"], f"where document {document.key.id} resides")


def _require_granted(caller: Caller, step: dict[str, str], where: str) -> None:
    if "*" not in caller.steps and step["id"] not in caller.steps:
        raise Forbidden(f"the token is not granted step {step['name']!r} ({step['id']}) {where}",
                        errors=[{"field": "folio:steps", "message": "step not granted"}])


def require_xhr(event: dict[str, Any]) -> None:
    value = headers_of(event).get("x-requested-with")
    if value is None or value.strip().lower() != "xmlhttprequest":
        raise InvalidRequest("the X-Requested-With header must be XMLHttpRequest",
                             errors=[{"field": "X-Requested-With", "message": "required: XMLHttpRequest"}])


def parse_new_document(event: dict[str, Any]) -> tuple[Any, str | None]:
    """``{"procedure": {"id"|"name"}, "batch": {"name"}}``: the procedure reference and batch name."""
    if media_type(event) != "application/json":
        raise UnsupportedMediaType("a document is created from application/json", accepted=("application/json",))
    body = json_body(event)
    if not isinstance(body, dict) or "procedure" not in body:
        raise InvalidRequest('the body must be {"procedure": {"id" or "name"}, "batch": {"name"}}',
                             errors=[{"field": "procedure", "message": "required"}])
    batch = body.get("batch")
    if batch is not None and not (isinstance(batch, dict) and isinstance(batch.get("name", ""), str)):
        raise InvalidRequest("batch must be an object with a name", errors=[{"field": "batch", "message": "object"}])
    name = (batch or {}).get("name")
    if name is not None and not 0 < len(name) <= 256:
        raise InvalidRequest("batch.name must have 1 to 256 characters", errors=[{"field": "batch.name", "message": "length"}])
    return body["procedure"], name


def new_document_body(procedure: Procedure, batch_id: int, batch_name: str | None) -> dict[str, Any]:
    return {
        "procedure": {"id": procedure.id, "name": procedure.name},
        "batch": {"id": str(batch_id), "name": batch_name or f"{procedure.batch_prefix}_{batch_id}"},
        "step": dict(procedure.steps[0]),
    }


@dataclass(frozen=True)
class AttachmentRequest:
    """The ``attachment`` part (only what may be set) and the optional ``content`` file."""

    changes: dict[str, Any]  # title / comment / type (a reference, resolved against the procedure)
    state_token: str | None
    content: NewFile | None


def parse_attachment(event: dict[str, Any], *, update: bool) -> AttachmentRequest:
    form = parse_form_data(headers_of(event).get("content-type"), body_bytes(event))
    unknown = [p.name for p in form.parts if p.name not in ("attachment", "content")]
    if unknown:
        raise InvalidRequest(f"unknown multipart part(s) {', '.join(map(repr, unknown))}; expected attachment "
                             "and content", errors=[{"field": n, "message": "unknown part"} for n in unknown])
    values = _attachmentjson_response(form.require("attachment"))
    changes: dict[str, Any] = {}
    if "title" in values:
        changes["title"] = _text(values["title"], "title", nullable=False)
    if "comment" in values:
        changes["comment"] = _text(values["comment"], "comment", nullable=True)
    if "type" in values:
        changes["type"] = values["type"]
    token = values.get("stateToken")
    if update and not (isinstance(token, str) and token):
        raise InvalidRequest("the attachment object must contain its stateToken",
                             errors=[{"field": "attachment.stateToken", "message": "required"}])
    content = _content(form) if update else _content(form, required=True)
    if not update and "title" not in changes:
        changes["title"] = content.file_name
    return AttachmentRequest(changes, token if update else None, content)


def _attachmentjson_response(part: Part) -> dict[str, Any]:
    if part.media_type != "application/json":
        raise UnsupportedMediaType(
            f"the attachment part must declare Content-Type: application/json, not {part.media_type or 'none'}",
            accepted=("application/json",))
    value = parse_json(part.data, "the attachment part")
    if not isinstance(value, dict):
        raise InvalidRequest("the attachment part must be a JSON object",
                             errors=[{"field": "attachment", "message": "must be an object"}])
    return value


def _text(value: Any, name: str, *, nullable: bool) -> str | None:
    if value is None and nullable:
        return None
    if not isinstance(value, str) or len(value) > MAX_TEXT:
        raise InvalidRequest(f"attachment.{name} must be a string of at most {MAX_TEXT} characters"
                             + (" or null" if nullable else ""),
                             errors=[{"field": f"attachment.{name}", "message": "string" + (" or null" if nullable else "")}])
    return value


def _content(form: FormData, *, required: bool = False) -> NewFile | None:
    part = form.require("content") if required else form.get("content")
    if part is None:
        return None
    if not part.media_type or "/" not in part.media_type:
        raise InvalidRequest("the content part must declare the Content-Type of the file",
                             errors=[{"field": "content", "message": "Content-Type required"}])
    if not part.filename:
        raise InvalidRequest("the content part's Content-Disposition must contain the filename",
                             errors=[{"field": "content", "message": "filename required"}])
    if len(part.data) > MAX_FILE_BYTES:
        raise PayloadTooLarge(f"the content has {len(part.data)} bytes; at most {MAX_FILE_BYTES} (4 MiB)",
                              errors=[{"field": "content", "message": "larger than 4 MiB"}])
    return NewFile(part.data, part.media_type, part.filename)


def new_attachment_body(doc_id: str, request: AttachmentRequest, procedure: Procedure) -> dict[str, Any]:
    return {"documentId": doc_id, "title": request.changes.get("title"), "comment": request.changes.get("comment"),
            "type": procedure.attachment_type(request.changes.get("type"))}


def attachment_change(request: AttachmentRequest, procedure: Procedure | None):
    """A core Change: only title, comment and type; the type resolved against the procedure."""
    resolved = dict(request.changes)
    if "type" in resolved:
        resolved["type"] = procedure.attachment_type(resolved["type"])

    def change(current: Document) -> dict[str, Any]:
        return {**current.body, **resolved}

    return change


def on_document(doc_id: str):
    """A core guard: the attachment must be attached to the document in the path (else 404)."""

    def guard(current: Document) -> None:
        if current.body.get("documentId") != doc_id:
            raise DocumentNotFound(f"attachment {current.key.id} is not attached to document {doc_id}")

    return guard


def content_ref(attachment: Document) -> FileRef:
    ref = attachment.files.get(CONTENT_SLOT)
    if ref is None:
        raise DocumentNotFound(f"attachment {attachment.key.id} has no content")
    return ref


class CaptureService:
    """The Capture rules around the core: procedures, steps, which document an attachment is on."""

    def __init__(self, documents: DocumentService):
        self.documents = documents
        self.procedures = Procedures(documents)

    def create_document(self, caller: Caller, procedure_ref: Any, batch_name: str | None) -> Document:
        procedure = self.procedures.find(caller.tenant, procedure_ref)
        _require_granted(caller, procedure.steps[0], f"where new documents of {procedure.name} start")
        batch_id = self.documents.next_id(caller.tenant, BATCH_KIND)
        key = DocumentKey(caller.tenant, DOCUMENT_KIND, str(uuid.uuid4()))
        return self.documents.create(key, new_document_body(procedure, batch_id, batch_name), caller)

    def document(self, caller: Caller, doc_id: str) -> Document:
        """The document, if the token is granted the step it resides in."""
        document = self.documents.get(document_key(caller.tenant, doc_id))
        require_step(document, caller)
        return document

    def add_attachment(self, caller: Caller, doc_id: str, request: AttachmentRequest) -> tuple[Document, Document]:
        document = self.document(caller, doc_id)
        procedure = self.procedures.by_id(caller.tenant, document.body["procedure"]["id"])
        body = new_attachment_body(document.key.id, request, procedure)
        key = DocumentKey(caller.tenant, ATTACHMENT_KIND, str(uuid.uuid4()))
        attachment = self.documents.create(key, body, caller, new_files={CONTENT_SLOT: request.content})
        return attachment, document

    def attachment(self, caller: Caller, doc_id: str, att_id: str) -> tuple[Document, Document]:
        document = self.document(caller, doc_id)
        attachment = self.documents.get(attachment_key(caller.tenant, att_id))
        on_document(document.key.id)(attachment)
        return attachment, document

    def update_attachment(self, caller: Caller, doc_id: str, att_id: str, request: AttachmentRequest,
                          precondition: Precondition) -> tuple[Document, Document]:
        """The spec's update: step granted (403), attached to this document (404), stateToken (412/409)."""
        document = self.document(caller, doc_id)
        procedure = (self.procedures.by_id(caller.tenant, document.body["procedure"]["id"])
                     if "type" in request.changes else None)
        attachment = self.documents.update(
            attachment_key(caller.tenant, att_id),
            Edit(attachment_change(request, procedure),
                 new_files={CONTENT_SLOT: request.content} if request.content else {},
                 guard=on_document(document.key.id),
                 always_new_version=True),  # "every successful update returns a new stateToken"
            caller,
            replace(precondition, state_token=request.state_token),
        )
        return attachment, document


# ---------------------------------------------------------------- answers

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


def attachment_response(attachment: Document, document: Document, event: dict[str, Any], status: int = 200) -> Response:
    view = attachment_view(attachment, document, base_url(event))
    headers = {"ETag": attachment.etag}
    if status == 201:
        headers["Location"] = view["links"][0]["href"]
    return json_response(view, status, headers)


def document_response(document: Document, event: dict[str, Any]) -> Response:
    """201 with the new document (no Location: folio serves no GET for a Capture document)."""
    return json_response(document_view(document, base_url(event)), 201, {"ETag": document.etag})


def install(app) -> None:
    """capture's exception-to-HTTP map: problem+json; a 412 also names the current stateToken."""
    install_problem_handlers(app)

    @app.exception_handler(PreconditionFailed)
    def _stale(error: PreconditionFailed):
        answer = problem_for(error)
        if isinstance(error.current, Document):
            body = json.loads(answer.body)
            body["stateToken"] = error.current.state_token
            answer.body = json.dumps(body)
        return answer
