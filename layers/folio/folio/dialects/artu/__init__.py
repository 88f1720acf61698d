"""artu: documents created or updated in batches by external id (specs/artu-batch-upsert-external.txt).

Decisions the spec leaves open, written down here:

* ``X-Environment`` (``test`` or ``live``) is required everywhere and partitions the data: the
  two environments share nothing, ids included.
* A document is identified by (``clientId``, ``externalId``) in its environment; its ``id`` is
  a UUID chosen on creation. On update, the properties an item gives replace the stored
  ones (``fields`` and ``metadata`` as whole objects); absent ones are kept.
* Item properties are checked strictly (unknown ones are 400): ``clientId`` UUID,
  ``externalId`` 1-255 characters, ``scope``/``type`` strings, ``expiresAt`` a date,
  ``metadata`` an object, ``fields`` the spec's identity fields, ``filename`` a string,
  ``size`` a non-negative integer, ``storagePath`` a string (kept, not answered).
* Two items with the same ``externalId`` in one batch are refused (400), whatever their
  ``clientId``.
* Statuses: ``pending_upload`` (created, no file yet) -> ``uploaded`` (a file arrived through
  the presigned URL: ``filename``, ``contentType``, ``size`` and its SHA-256 recorded).
  ``verified``/``rejected`` belong to a review this API does not offer; the fields exist
  (``verifiedAt`` ...) and stay null.
* ``atomic: true``: all items or none (see :mod:`folio.batches`); a failing batch is 400
  (validation) or 409 (conflict) with every failing item's ``index``, ``externalId`` and
  ``reason`` in ``errors``. ``atomic: false``: each item on its own, answered in order as
  ``{"data": ...}`` or ``{"error": {"status", "title", "detail"}}``.
* Upload URLs: ``POST /documents/{id}/upload-url`` with an optional JSON body
  ``{"contentType"}`` answers a presigned S3 PUT valid for 5 minutes, bound to
  that content type and the document's own key.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote_plus

from aws_lambda_powertools.event_handler import Response

from ...core.batches import BatchItem
from ...core import Caller, Document, DocumentKey, FileRef
from ...core.errors import DocumentNotFound, FolioError, InvalidRequest, UnsupportedMediaType
from ...web.request import headers_of, json_body, media_type, query_param
from ...web.responses import iso_utc, json_response
from ...web.problems import PROBLEM_STATUS, classify, install_problem_handlers

if TYPE_CHECKING:  # the models load with pydantic, only where a batch is parsed
    from .models import Item

ENVIRONMENTS = ("test", "live")
MAX_ITEMS = 250
UPLOAD_SLOT = "artu-upload"  # the S3 key suffix the ObjectCreated function listens for
UPLOAD_URL_SECONDS = 300
ANSWER_FIELDS = ("clientId", "type", "id", "createdAt", "updatedAt", "status", "filename", "contentType", "size",
                 "expiresAt", "verifiedAt", "verifiedBy", "rejectionReason", "reviewedAt", "reviewedBy",
                 "externalId", "fields", "metadata")


# ---------------------------------------------------------------- requests

def environment(event: dict[str, Any]) -> str:
    value = (headers_of(event).get("x-environment") or "").strip()
    if value not in ENVIRONMENTS:
        raise InvalidRequest(f"X-Environment must be test or live, got {value or 'nothing'}",
                             errors=[{"field": "X-Environment", "message": "required: test or live"}])
    return value


def kind(env: str) -> str:
    return f"artu-{env}"


def document_key(tenant: str, env: str, client_id: str, external_id: str) -> DocumentKey:
    return DocumentKey(tenant, kind(env), f"{client_id}/{external_id}")


def alias(tenant: str, env: str, document_id: str) -> DocumentKey:
    """The second name of a document: its ``id``, recorded when the document is created."""
    return DocumentKey(tenant, f"{kind(env)}-id", document_id)


def find_by_id(batches, tenant: str, env: str, raw_id: str) -> Document | None:
    """A document by its ``id`` (through the alias written when it was created), with a lock a
    dead batch left resolved; None when there is none (an id that is no UUID names none)."""
    try:
        document_id = str(uuid.UUID(raw_id))
    except (ValueError, TypeError, AttributeError):
        return None
    return batches.find_by_alias(alias(tenant, env, document_id))


def get_by_id(batches, tenant: str, env: str, raw_id: str) -> Document:
    """:func:`find_by_id`, or 404."""
    doc = find_by_id(batches, tenant, env, raw_id)
    if doc is None:
        raise DocumentNotFound(f"no document {raw_id} in {env}")
    return doc


def _reason(error) -> str:
    return "; ".join(f"{'.'.join(str(p) for p in err['loc']) or 'item'}: {err['msg']}"
                     for err in error.errors(include_url=False, include_input=False))


def parse_batch(event: dict[str, Any]) -> tuple[bool, list[Item | InvalidRequest]]:
    """``atomic`` and each item, validated (an InvalidRequest in place of an invalid one)."""
    from pydantic import ValidationError

    from .models import Batch, Item

    if media_type(event) != "application/json":
        raise UnsupportedMediaType("the batch is sent as application/json", accepted=("application/json",))
    body = json_body(event)
    try:
        batch = Batch.model_validate(body)
    except ValidationError as e:
        raise InvalidRequest(f"invalid batch: {_reason(e)} (1 to {MAX_ITEMS} items)") from None
    parsed: list[Item | InvalidRequest] = []
    for index, raw in enumerate(batch.items):
        try:
            parsed.append(Item.model_validate(raw))
        except ValidationError as e:
            external = raw.get("externalId") if isinstance(raw, dict) else None
            parsed.append(InvalidRequest(_reason(e), errors=[{"index": index, "externalId": external,
                                                               "reason": _reason(e)}]))
    seen: dict[str, int] = {}
    duplicates = []
    for index, item in enumerate(parsed):
        if not isinstance(item, InvalidRequest):
            if item.externalId in seen:
                duplicates.append({"index": index, "externalId": item.externalId,
                                   "reason": f"externalId repeats item {seen[item.externalId]}"})
            seen.setdefault(item.externalId, index)
    if duplicates:
        raise InvalidRequest(f"{len(duplicates)} item(s) repeat an externalId of the batch", errors=duplicates)
    return batch.atomic, parsed


def upsert(batches, caller: Caller, env: str, atomic: bool, parsed: list[Item | InvalidRequest]) -> Response:
    """The spec's operation: all-or-nothing, or item by item, answered in the items' order."""
    invalid = [p for p in parsed if isinstance(p, InvalidRequest)]
    if atomic:
        if invalid:
            raise InvalidRequest(f"{len(invalid)} item(s) are invalid; nothing was written",
                                 errors=[e for p in invalid for e in p.errors])
        return batch_response(True, batches.commit_atomic(batch_items(caller, env, parsed), caller))
    valid = [p for p in parsed if not isinstance(p, InvalidRequest)]
    done = iter(batches.commit_each(batch_items(caller, env, valid), caller))
    return batch_response(False, [p if isinstance(p, InvalidRequest) else next(done) for p in parsed])


def item_change(item: Item, new_id: str | None = None):
    """A change for the batch engine: create (with a new id) or update the document."""
    given = item.model_dump(mode="json", exclude_unset=True)
    given.pop("clientId"), given.pop("externalId")
    new_id = new_id or str(uuid.uuid4())

    def change(current: Document | None) -> dict[str, Any]:
        if current is None:
            body = {name: None for name in ANSWER_FIELDS if name not in ("createdAt", "updatedAt")}
            body.update({"id": new_id, "clientId": str(item.clientId), "externalId": item.externalId,
                         "status": "pending_upload", "fields": {}, "metadata": {}, "scope": None,
                         "storagePath": None})
        else:
            body = dict(current.body)
        body.update({k: ({} if v is None and k in ("fields", "metadata") else v) for k, v in given.items()})
        return body

    return change, new_id


def batch_items(caller: Caller, env: str, items: list[Item]) -> list[BatchItem]:
    out = []
    for item in items:
        change, new_id = item_change(item)
        out.append(BatchItem(document_key(caller.tenant, env, str(item.clientId), item.externalId), change,
                             alias=alias(caller.tenant, env, new_id), label={"externalId": item.externalId}))
    return out


def upload_request(event: dict[str, Any]) -> str:
    """The content type the upload will have: ``{"contentType": ...}``, optional (octet-stream)."""
    if not event.get("body"):
        return "application/octet-stream"
    body = json_body(event)
    if not isinstance(body, dict) or set(body) - {"contentType"}:
        raise InvalidRequest('the body is {"contentType": "<media type>"} or empty')
    content_type = body.get("contentType") or "application/octet-stream"
    if not isinstance(content_type, str) or "/" not in content_type or len(content_type) > 255 \
            or any(c in content_type for c in "\r\n"):
        raise InvalidRequest("contentType must be a media type such as application/pdf")
    return content_type


def upload_key(doc: Document, env: str) -> str:
    """The S3 key a document's uploads go to: chosen by folio, never by the client."""
    return f"{doc.key.tenant}/{kind(env)}/{doc.body['id']}/{UPLOAD_SLOT}"


def parse_upload_key(key: str) -> tuple[str, str, str] | None:
    """(tenant, env, document id) of an upload key, or None for any other object."""
    parts = unquote_plus(key).split("/")
    if len(parts) != 4 or parts[3] != UPLOAD_SLOT or not parts[1].startswith("artu-"):
        return None
    env = parts[1].removeprefix("artu-")
    return (parts[0], env, parts[2]) if env in ENVIRONMENTS else None


def s3_arrivals(event: dict[str, Any]) -> list[dict[str, str]]:
    """The ObjectCreated records of an S3 event that are artu uploads: tenant, env, id, key, version, sequencer."""
    out = []
    for record in event.get("Records") or []:
        if not str(record.get("eventName", "")).startswith("ObjectCreated:"):
            continue
        obj = (record.get("s3") or {}).get("object") or {}
        parsed = parse_upload_key(obj.get("key", ""))
        if parsed is None or not obj.get("versionId"):
            continue
        tenant, env, doc_id = parsed
        out.append({"tenant": tenant, "env": env, "id": doc_id, "key": unquote_plus(obj["key"]),
                    "version_id": obj["versionId"], "sequencer": obj.get("sequencer", "")})
    return out


def record_arrival(ref: FileRef, sequencer: str):
    """A core Change for the ObjectCreated event: the file's facts, status ``uploaded``.

    S3 events may arrive out of order: an event older than the recorded one changes nothing.
    """

    def change(current: Document) -> dict[str, Any]:
        recorded = current.body.get("uploadSequencer")
        if recorded and _sequencer_key(recorded) >= _sequencer_key(sequencer):
            return current.body
        return {**current.body, "status": "uploaded", "contentType": ref.content_type, "size": ref.size,
                "filename": ref.file_name or current.body.get("filename"), "sha256": ref.sha256,
                "uploadSequencer": sequencer}

    return change


def _sequencer_key(value: str) -> tuple[int, str]:
    return (len(value.lstrip("0")), value.lstrip("0"))


# ---------------------------------------------------------------- answers

def document_view(doc: Document) -> dict[str, Any]:
    body = doc.body
    view = {name: body.get(name) for name in ANSWER_FIELDS}
    view["createdAt"], view["updatedAt"] = iso_utc(doc.created_at, "seconds"), iso_utc(doc.updated_at, "seconds")
    view["fields"] = body.get("fields") or {}
    view["metadata"] = body.get("metadata") or {}
    return view


def batch_response(atomic: bool, results: list[Document | FolioError]) -> Response:
    data = []
    for result in results:
        if isinstance(result, Document):
            data.append({"data": document_view(result)})
        else:
            status, title, _ = classify(result, PROBLEM_STATUS)
            data.append({"error": {"status": status, "title": title, "detail": result.message}})
    return json_response({"atomic": atomic, "data": data})


def document_response(doc: Document) -> Response:
    return json_response({"data": document_view(doc)}, headers={"ETag": doc.etag})


def lookup_response(docs: list[Document]) -> Response:
    return json_response({"data": [document_view(d) for d in docs]})


def lookup_key(event: dict[str, Any], caller: Caller, env: str) -> DocumentKey:
    client, external = query_param(event, "clientId"), query_param(event, "externalId")
    if not client or not external:
        raise InvalidRequest("look documents up with ?clientId=<uuid>&externalId=<id>")
    try:
        client = str(uuid.UUID(client))
    except ValueError:
        raise InvalidRequest(f"clientId must be a UUID, got {client!r}") from None
    return document_key(caller.tenant, env, client, external)


def upload_url_response(url: str, content_type: str) -> Response:
    """The presigned PUT, valid UPLOAD_URL_SECONDS from now, and the headers it was signed with."""
    from datetime import timedelta

    from ...core import utcnow

    return json_response({"url": url, "method": "PUT", "headers": {"Content-Type": content_type},
                  "expiresAt": iso_utc(utcnow() + timedelta(seconds=UPLOAD_URL_SECONDS), "seconds")})


def install(app) -> None:
    """artu's exception-to-HTTP map: problem+json (with each failing item in ``errors``)."""
    install_problem_handlers(app)


def __getattr__(name: str):
    """The pydantic models, imported on first use: reads never pay for pydantic (cold start)."""
    if name in ("Item", "Batch", "IdentityFields"):
        from . import models as artu_models

        return getattr(artu_models, name)
    raise AttributeError(name)
