"""artu's operations over the core: the request object and the route's parameters in, documents out.

Only :func:`upsert_batch` (and folio local) validates with the pydantic models; it imports
them when called, so the read and upload functions never load pydantic.
"""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from aws_lambda_powertools import Logger

from ...core import Caller, Document, Edit, FileRef, utcnow
from ...core.batches import BatchItem
from ...core.errors import DocumentNotFound, FolioError, InvalidRequest, PayloadTooLarge
from ...storage.config import settings
from ...storage.wiring import batch_service, document_service, file_store
from ...web.request import WebRequest
from ...web.media import parse_media_type
from ...web.validation import field_errors
from ...web.s3_events import ObjectCreated
from ...core.listing import MAX_PAGE, Page
from ...core.service import body_guard
from ...web.request import bounded_int
from .constants import (DEFAULT_PAGE, ENVIRONMENTS, FILE_SLOT, MAX_FILENAME_BYTES, MAX_ITEMS, MAX_UPLOAD_BYTES,
                        UPLOAD_URL_SECONDS)
from .mapping import (Arrival, alias, arrival_change, arrival_refused, arrivals, client_documents, document_key,
                      id_key, item_change, upload_key)

if TYPE_CHECKING:
    from .models import Item

logger = Logger()


def environment(request: WebRequest) -> str:
    """``X-Environment``: ``test`` or ``live``, required on every route."""
    value = (request.header("x-environment") or "").strip()
    if value not in ENVIRONMENTS:
        raise InvalidRequest(f"X-Environment must be test or live, got {value or 'nothing'}",
                             errors=[{"field": "X-Environment", "message": "required: test or live"}])
    return value


def find_by_id(tenant: str, env: str, raw_id: str) -> Document | None:
    """A document by its ``id`` (through the alias its create recorded); None when there is
    none (an id that is no UUID names none)."""
    try:
        document_id = str(uuid.UUID(raw_id))
    except (ValueError, TypeError, AttributeError):
        return None
    return batch_service().find_by_alias(alias(tenant, env, document_id))


def get_by_id(tenant: str, env: str, document_id: str) -> Document:
    """:func:`find_by_id`, or 404."""
    doc = find_by_id(tenant, env, document_id)
    if doc is None:
        raise DocumentNotFound(f"no document {document_id} in {env}")
    return doc


# ---------------------------------------------------------------- reads

def get_document(request: WebRequest, document_id: str) -> Document:
    caller = request.caller  # no token is a 401 before any 400
    return get_by_id(caller.tenant, environment(request), document_id)


def get_file(request: WebRequest, document_id: str) -> FileRef:
    """The file recorded on the document (read scoping as GET /documents/{id}: the tenant and
    X-Environment); 404 until a file arrived."""
    doc = get_document(request, document_id)
    ref = doc.files.get(FILE_SLOT)
    if ref is None:
        raise DocumentNotFound(f"document {document_id} has no file yet (status {doc.body.get('status')}); "
                               f"POST /documents/{document_id}/upload-url gives the upload")
    return ref


def client_id(request: WebRequest) -> str:
    """``clientId``: a UUID, in its canonical form."""
    raw = request.query.get("clientId")
    if not raw:
        raise InvalidRequest("list documents with ?clientId=<uuid>, or look one up with "
                             "?clientId=<uuid>&externalId=<id>")
    try:
        return str(uuid.UUID(raw))
    except ValueError:
        raise InvalidRequest(f"clientId must be a UUID, got {raw[:40]!r}") from None


def is_lookup(request: WebRequest) -> bool:
    """``GET /documents`` with ``externalId`` is the lookup; without it, the client's list."""
    return "externalId" in request.query


def lookup_documents(request: WebRequest) -> list[Document]:
    """``?clientId=<uuid>&externalId=<id>``: the one document they name, or none."""
    caller = request.caller
    env = environment(request)
    client, external = request.query.get("clientId"), request.query.get("externalId")
    if not client or not external:
        raise InvalidRequest("look documents up with ?clientId=<uuid>&externalId=<id>")
    try:
        client = str(uuid.UUID(client))
    except ValueError:
        raise InvalidRequest(f"clientId must be a UUID, got {client!r}") from None
    doc = batch_service().read(document_key(caller.tenant, env, client, external))
    return [doc] if doc else []


def page_request(request: WebRequest) -> tuple[int, str | None]:
    """``limit`` (1 to MAX_PAGE, else 400; DEFAULT_PAGE when absent) and ``cursor`` (the previous
    page's ``nextCursor``)."""
    raw = request.query.get("limit")
    limit = DEFAULT_PAGE if raw is None else bounded_int(raw.strip(), MAX_PAGE)
    if not limit:
        raise InvalidRequest(f"limit must be an integer from 1 to {MAX_PAGE}, got {raw[:40]!r}",
                             errors=[{"field": "limit", "message": f"must be an integer from 1 to {MAX_PAGE}"}])
    return limit, request.query.get("cursor") or None


def list_documents(request: WebRequest) -> Page:
    """``?clientId=<uuid>``: one page of the client's documents in the environment, newest first."""
    caller = request.caller
    env = environment(request)
    client = client_id(request)
    limit, cursor = page_request(request)
    return document_service().list_page(caller.tenant, client_documents(env, client), limit, cursor)


def delete_document(request: WebRequest, document_id: str) -> Document:
    """Erase the document (If-Match / If-Unmodified-Since apply), its ``id`` alias with it; a batch
    holding it is waited for (503 if it stays). Then every object version under the id's own file
    prefix (``<tenant>/artu-<env>/<id>/``), which the core's purge does not name: an upload that was
    refused or never recorded leaves its object there. A crash before that last step leaves only
    objects no document references, which the file sweeper removes after its grace."""
    caller = request.caller
    env = environment(request)
    doc = get_by_id(caller.tenant, env, document_id)
    shown = doc.body["id"]
    gone = document_service().delete(doc.key, caller, request.precondition, guard=body_guard("id", shown),
                                     aliases=(alias(caller.tenant, env, shown),))
    file_store().delete_every_version(id_key(caller.tenant, env, shown).file_prefix())
    return gone


# ---------------------------------------------------------------- the batch

def _reason(error) -> str:
    """A pydantic error in artu's words: ``location: message``, joined by ``; ``."""
    return "; ".join(f"{p['field'] or 'item'}: {p['message']}" for p in field_errors(error))


def parse_batch(request: WebRequest) -> tuple[bool, list[Item | InvalidRequest]]:
    """``atomic`` and each item, validated (an InvalidRequest in place of an invalid one)."""
    from pydantic import ValidationError

    from .models import Batch, Item

    try:
        batch = Batch.model_validate(request.json_as("the batch"))
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


def batch_item(tenant: str, env: str, item: Item, new_id: str | None = None) -> BatchItem:
    """An item for the batch engine; a create records the new ``id`` as the document's alias."""
    new_id = new_id or str(uuid.uuid4())
    return BatchItem(document_key(tenant, env, str(item.clientId), item.externalId),
                     item_change(item.model_dump(mode="json", exclude_unset=True), new_id),
                     alias=alias(tenant, env, new_id), label={"externalId": item.externalId},
                     collection=client_documents(env, str(item.clientId)))


def upsert_batch(request: WebRequest) -> tuple[bool, list[Document | FolioError]]:
    """The spec's operation: all or nothing, or item by item; the results in the items' order."""
    caller = request.caller
    env = environment(request)
    atomic, parsed = parse_batch(request)
    batches = batch_service()
    invalid = [p for p in parsed if isinstance(p, InvalidRequest)]
    if atomic:
        if invalid:
            raise InvalidRequest(f"{len(invalid)} item(s) are invalid; nothing was written",
                                 errors=[e for p in invalid for e in p.errors])
        return True, batches.commit_atomic([batch_item(caller.tenant, env, p) for p in parsed], caller)
    valid = [p for p in parsed if not isinstance(p, InvalidRequest)]
    done = iter(batches.commit_each([batch_item(caller.tenant, env, p) for p in valid], caller))
    return False, [p if isinstance(p, InvalidRequest) else next(done) for p in parsed]


# ---------------------------------------------------------------- the upload

@dataclass(frozen=True)
class UploadRequest:
    """What ``upload-url`` was asked for: the file's media type, and optionally its name and size."""

    content_type: str = "application/octet-stream"
    filename: str | None = None
    size: int | None = None


@dataclass(frozen=True)
class UploadUrl:
    """A presigned POST: where to send the form, its fields (the signed policy among them), and
    the bound its policy carries."""

    url: str
    fields: dict[str, str]
    max_bytes: int
    expires_at: datetime


_UPLOAD_BODY = '{"contentType"?: "<media type>", "filename"?: "<name>", "size"?: <bytes>} or empty'


def _bad_upload(field: str, message: str) -> InvalidRequest:
    return InvalidRequest(f"{field} {message}", errors=[{"field": field, "message": message}])


def presigned_max_bytes() -> int:
    """The presigned upload's bound: artu's configured maximum (``ARTU_MAX_UPLOAD_BYTES``, which
    bounds its upload sessions too), and at most MAX_UPLOAD_BYTES, what the S3-event function reads
    back whole (its SHA-256) within its timeout. Larger files go through an upload session."""
    return min(MAX_UPLOAD_BYTES, settings().max_upload_bytes["artu"])


def valid_file_name(name: object) -> bool:
    """1 to MAX_FILENAME_BYTES bytes of UTF-8, no control characters or path separators."""
    return isinstance(name, str) and bool(name) \
        and len(name.encode("utf-8", "surrogatepass")) <= MAX_FILENAME_BYTES \
        and not any(c in "/\\" or not c.isprintable() for c in name)


def upload_request(request: WebRequest) -> UploadRequest:
    """The optional JSON body of ``upload-url``, checked: a media type, a file name
    (:func:`valid_file_name`), a size in bytes (an integer, 0 to :func:`presigned_max_bytes`)."""
    if not request.has_body:
        return UploadRequest()
    body = request.json()
    if not isinstance(body, dict) or set(body) - {"contentType", "filename", "size"}:
        raise InvalidRequest(f"the body is {_UPLOAD_BODY}")
    content_type = body.get("contentType") or "application/octet-stream"
    if not isinstance(content_type, str) or len(content_type) > 255 \
            or (content_type := parse_media_type(content_type)) is None:
        raise _bad_upload("contentType", "must be a media type such as application/pdf")
    filename = body.get("filename")
    if filename is not None and not valid_file_name(filename):
        raise _bad_upload("filename", f"must be a file name of 1 to {MAX_FILENAME_BYTES} bytes, without "
                                      "control characters or path separators")
    size, most = body.get("size"), presigned_max_bytes()
    if size is not None and (type(size) is not int or not 0 <= size <= most):
        raise _bad_upload("size", f"must be the file's size in bytes, an integer from 0 to {most} "
                                  "(POST /documents/{id}/uploads takes larger files)")
    return UploadRequest(content_type, filename, size)


def create_upload_url(request: WebRequest, document_id: str) -> UploadUrl:
    """A presigned S3 POST of the document's upload key, valid UPLOAD_URL_SECONDS, whose policy
    binds the content type, the file name given and the size: at most the declared ``size``, else
    :func:`presigned_max_bytes`."""
    caller = request.caller
    env = environment(request)
    asked = upload_request(request)
    doc = get_by_id(caller.tenant, env, document_id)
    bound = presigned_max_bytes() if asked.size is None else asked.size
    expires_at = utcnow() + timedelta(seconds=UPLOAD_URL_SECONDS)
    url, fields = file_store().presign_post(upload_key(caller.tenant, env, doc.body["id"]), asked.content_type,
                                            bound, UPLOAD_URL_SECONDS, file_name=asked.filename)
    return UploadUrl(url, fields, bound, expires_at)


def record_arrival(arrival: Arrival) -> FileRef | None:
    """Record an uploaded file on its document (size, content type, SHA-256 read back from S3, the
    file name its upload form carried); None when no document has that id (the object is left
    alone) or the file is larger than :func:`presigned_max_bytes` (not read: the document is marked
    ``rejected`` with the reason, and the next upload may replace it)."""
    doc = find_by_id(arrival.tenant, arrival.env, arrival.document_id)
    if doc is None:
        logger.warning("upload for an unknown document", extra=asdict(arrival))
        return None
    uploader = Caller(tenant=arrival.tenant, sub="s3-upload", name="presigned upload")
    try:
        stored = file_store().describe(arrival.key, arrival.version_id, max_bytes=presigned_max_bytes())
    except PayloadTooLarge as e:
        logger.warning("upload refused", extra={**asdict(arrival), "reason": e.message})
        document_service().update(doc.key, Edit(arrival_refused(e.message, arrival.sequencer)), uploader)
        return None
    ref = FileRef(stored.key, stored.version_id, stored.size, stored.sha256, stored.content_type,
                  stored.file_name or doc.body.get("filename"))
    document_service().update(doc.key, Edit(arrival_change(ref, arrival.sequencer), attach_files={FILE_SLOT: ref}),
                              uploader)
    logger.info("upload recorded", extra={**asdict(arrival), "size": stored.size, "sha256": stored.sha256})
    return ref


def record_uploads(objects: list[ObjectCreated]) -> int:
    """Record every artu upload among the objects S3 created; how many uploads there were."""
    found = arrivals(objects)
    for arrival in found:
        record_arrival(arrival)
    return len(found)
