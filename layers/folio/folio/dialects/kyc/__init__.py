"""kyc: Cynopsis Artemis customer documents (specs/kyc-update-customer-document.txt).

The spec's update is ``PUT /api/customer/{customerId}/document/{documentId}`` with the
multipart parts ``front`` (file, required), ``back`` (file, optional) and ``document`` (JSON).
Decisions the spec leaves open, written down here:

* ``type`` is one of :data:`DOCUMENT_TYPES`, ``authenticity`` one of :data:`AUTHENTICITIES`
  (case-sensitive, as Java enums are). ``type`` is required when a document is created.
* On update, the fields present in ``document`` replace the stored ones; absent fields keep
  their values; ``null`` clears one (``type`` cannot be cleared). Fields that only appear in
  the answer (``id``, ``front``, ``createdAt`` ...) are ignored, so a client may send back
  what it read; any other unknown field is a 400 naming it.
* ``issueDate``/``expiryDate`` take ``YYYY-MM-DD`` or an ISO-8601 date-time; the calendar
  date as written is kept (``2020-01-01T00:00:00.000Z`` is 2020-01-01) and answered as
  ``YYYY-MM-DD``. An expiry before the issue date is a 400, also when only one of them changes.
* ``front``/``back`` are judged by their bytes: JPEG, PNG, HEIC, WebP or PDF, else 415; the
  stored content type is the detected one (curl sends ``application/octet-stream`` for a file
  without extension). An empty file is 400; a file over 4 MiB is 413.
* Updating without ``back`` keeps the previous back image. Documents live per tenant and
  ``X-Domain-ID``; another domain's or another customer's document is 404.
* ``createdAt``/``updatedAt`` are Java ``Timestamp`` objects in UTC (``year`` since 1900,
  ``month`` from 0, ``day`` the weekday with Sunday 0, ``date`` the day of the month,
  ``time`` epoch milliseconds, ``nanos`` the fraction of the second, ``timezoneOffset`` 0).
* ``createdBy``/``updatedBy`` are UserInfo from the token: ``fullName`` from ``name`` (else
  ``sub``), ``firstName``/``lastName`` from ``given_name``/``family_name``, ``id`` the ``sub``
  when it is an integer (else null). folio keeps no assignees or customer particulars:
  ``assignees`` is ``[]``, ``particular``/``parentParticular`` are ``{}``, ``parentCustomerId`` null.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from typing import Any

from aws_lambda_powertools.event_handler import Response

from ...core import Caller, Document, DocumentKey, FileRef, NewFile
from ...core.errors import DocumentNotFound, Forbidden, InvalidRequest, PayloadTooLarge, UnsupportedMediaType
from ...web.request import base_url, body_bytes, headers_of, parse_json, positive_id
from ...web.responses import json_response
from ...web.multipart import FormData, Part, parse_form_data
from ...web.problems import install_problem_handlers

KIND = "kyc-document"
INT64_MAX = 2**63 - 1
MAX_FILE_BYTES = 4 * 1024 * 1024
SLOTS = ("front", "back")
PARTS = frozenset({"front", "back", "document"})
DOCUMENT_PART_TYPES = (None, "text/plain", "application/json")
_MILLISECOND = timedelta(milliseconds=1)


class DocumentType(StrEnum):
    NATIONAL_ID = "NATIONAL_ID"
    PASSPORT = "PASSPORT"
    DRIVING_LICENSE = "DRIVING_LICENSE"
    RESIDENCE_PERMIT = "RESIDENCE_PERMIT"
    WORK_PERMIT = "WORK_PERMIT"
    BIRTH_CERTIFICATE = "BIRTH_CERTIFICATE"
    PROOF_OF_ADDRESS = "PROOF_OF_ADDRESS"
    CERTIFICATE_OF_INCORPORATION = "CERTIFICATE_OF_INCORPORATION"
    OTHER = "OTHER"


class Authenticity(StrEnum):
    ORIGINAL = "ORIGINAL"
    CERTIFIED_TRUE_COPY = "CERTIFIED_TRUE_COPY"
    NOTARIZED_COPY = "NOTARIZED_COPY"
    COPY = "COPY"


DOCUMENT_TYPES = tuple(t.value for t in DocumentType)
AUTHENTICITIES = tuple(a.value for a in Authenticity)

#: Fields of the answer a client may echo back; they are not writable and are ignored.
ANSWER_ONLY = frozenset({
    "id", "customerId", "front", "back", "frontName", "backName", "createdAt", "createdBy",
    "updatedAt", "updatedBy", "assignees", "particular", "parentParticular", "parentCustomerId",
})


def _calendar_date(value: Any) -> Any:
    """``YYYY-MM-DD`` or an ISO-8601 date-time; the date as written."""
    if not isinstance(value, str):
        return value  # pydantic reports the type error
    text = value.strip()
    try:
        if len(text) == 10:
            return date.fromisoformat(text)
        return datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00")).date()
    except ValueError:
        raise ValueError(f"{value!r} is not a date (use YYYY-MM-DD or an ISO-8601 date-time)") from None


#: The ``document`` part's writable fields (kyc_models.DocumentFields has exactly these).
FIELDS = ("type", "number", "authenticity", "issueDate", "expiryDate", "showExpiryNotification")


@dataclass(frozen=True)
class Upload:
    """A parsed create/update request: the fields it sets and the files it brings."""

    fields: dict[str, Any]
    files: dict[str, NewFile]


# ---------------------------------------------------------------- requests

path_id = positive_id  # the spec types customerId and documentId int64


def domain_of(event: dict[str, Any], caller: Caller) -> int:
    """``X-Domain-ID``: required, an integer, and one of the token's ``folio:domains`` (else 403)."""
    raw = headers_of(event).get("x-domain-id")
    if raw is None or not raw.strip():
        raise InvalidRequest("the X-Domain-ID header is required",
                             errors=[{"field": "X-Domain-ID", "message": "required header"}])
    text = raw.strip()
    if not text.isascii() or not text.isdigit() or int(text) > INT64_MAX:
        raise InvalidRequest(f"X-Domain-ID must be a non-negative 64-bit integer, got {raw!r}",
                             errors=[{"field": "X-Domain-ID", "message": "must be an integer"}])
    domain = int(text)
    if caller.domains is not None and not any(_same_domain(d, domain) for d in caller.domains):
        raise Forbidden(f"the token does not grant access to domain {domain}",
                        errors=[{"field": "X-Domain-ID", "message": "domain not granted by folio:domains"}])
    return domain


def _same_domain(granted: str, domain: int) -> bool:
    return granted == "*" or (granted.isascii() and granted.isdigit() and int(granted) == domain)


def document_key(tenant: str, domain: int, document_id: int) -> DocumentKey:
    return DocumentKey(tenant, KIND, f"{domain}/{document_id}")


def addressed(event: dict[str, Any], caller: Caller, customer_id: str, document_id: str) -> tuple[DocumentKey, int]:
    """The document a request names (domain and ids checked first) and the customer it must belong to."""
    domain = domain_of(event, caller)
    customer = path_id(customer_id, "customerId")
    return document_key(caller.tenant, domain, path_id(document_id, "documentId")), customer


def customer_document(documents, event: dict[str, Any], caller: Caller, customer_id: str, document_id: str) -> Document:
    """The document a read names, if it belongs to the customer in the path (else 404)."""
    key, customer = addressed(event, caller, customer_id, document_id)
    doc = documents.get(key)
    customer_guard(customer)(doc)
    return doc


def sniff_media_type(data: bytes) -> str | None:
    """The media type the bytes really are, among those KYC accepts (None for anything else)."""
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data.startswith(b"%PDF-"):
        return "application/pdf"
    if data[4:8] == b"ftyp" and len(data) >= 12:
        size = int.from_bytes(data[:4], "big")
        brands = {data[8:12]} | {data[i:i + 4] for i in range(16, min(size, len(data), 256) - 3, 4)}
        if brands & {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"hevm", b"hevs"}:
            return "image/heic"
    return None


def _image(part: Part) -> NewFile:
    if not part.data:
        raise InvalidRequest(f"the {part.name} file is empty", errors=[{"field": part.name, "message": "empty file"}])
    if len(part.data) > MAX_FILE_BYTES:
        raise PayloadTooLarge(f"the {part.name} file has {len(part.data)} bytes; at most {MAX_FILE_BYTES} (4 MiB)",
                              errors=[{"field": part.name, "message": "larger than 4 MiB"}])
    detected = sniff_media_type(part.data)
    if detected is None:
        raise UnsupportedMediaType(
            f"the {part.name} file is not a JPEG, PNG, HEIC, WebP or PDF (judged from its content, "
            f"declared {part.media_type or 'without a type'})",
            accepted=("image/jpeg", "image/png", "image/heic", "image/webp", "application/pdf"),
        )
    return NewFile(part.data, detected, part.filename)


def _fields(form: FormData) -> dict[str, Any]:
    part = form.require("document")
    if part.media_type not in DOCUMENT_PART_TYPES:
        raise UnsupportedMediaType(
            f"the document part must be JSON (application/json, text/plain or no Content-Type), not {part.media_type}",
            accepted=("application/json", "text/plain"),
        )
    value = parse_json(part.data, "the document part")
    if not isinstance(value, dict):
        raise InvalidRequest("the document part must be a JSON object",
                             errors=[{"field": "document", "message": "must be an object"}])
    writable = {k: v for k, v in value.items() if k not in ANSWER_ONLY}
    from pydantic import ValidationError

    from .models import DocumentFields

    try:
        model = DocumentFields.model_validate(writable)
    except ValidationError as e:
        problems = [
            {"field": "document." + ".".join(str(p) for p in err["loc"]), "message": _message(err)}
            for err in e.errors(include_url=False, include_input=False)
        ]
        raise InvalidRequest("invalid document: " + "; ".join(f"{p['field']}: {p['message']}" for p in problems),
                             errors=problems) from None
    fields = model.model_dump(mode="json", exclude_unset=True)
    if "type" in fields and fields["type"] is None:
        raise InvalidRequest("document.type cannot be null", errors=[{"field": "document.type", "message": "required"}])
    return fields


def _message(err: dict[str, Any]) -> str:
    if err["type"] == "enum":
        return "must be one of " + err["ctx"]["expected"]
    if err["type"] == "extra_forbidden":
        return "unknown field (writable: " + ", ".join(FIELDS) + ")"
    return err["msg"].removeprefix("Value error, ")


def parse_upload(event: dict[str, Any]) -> Upload:
    """The multipart create/update request, fully validated before anything is stored."""
    form = parse_form_data(headers_of(event).get("content-type"), body_bytes(event))
    unknown = [p.name for p in form.parts if p.name not in PARTS]
    if unknown:
        raise InvalidRequest(f"unknown multipart part(s) {', '.join(map(repr, unknown))}; "
                             "expected front, back and document",
                             errors=[{"field": name, "message": "unknown part"} for name in unknown])
    fields = _fields(form)
    files = {"front": _image(form.require("front"))}
    if (back := form.get("back")) is not None:
        files["back"] = _image(back)
    return Upload(fields, files)


def new_body(customer_id: int, upload: Upload) -> dict[str, Any]:
    """The stored body of a new document."""
    if not upload.fields.get("type"):
        raise InvalidRequest("document.type is required when a document is created",
                             errors=[{"field": "document.type", "message": "required, one of " + ", ".join(DOCUMENT_TYPES)}])
    body = {"customerId": customer_id, "type": None, "number": None, "authenticity": None,
            "issueDate": None, "expiryDate": None, "showExpiryNotification": False}
    body.update(upload.fields)
    _check_dates(body)
    return body


def updated_body(upload: Upload):
    """A core Change: the stored body with the request's fields applied."""

    def change(current: Document) -> dict[str, Any]:
        body = dict(current.body)
        body.update(upload.fields)
        if body.get("showExpiryNotification") is None:
            body["showExpiryNotification"] = False
        _check_dates(body)
        return body

    return change


def customer_guard(customer_id: int):
    """A core guard: the document must belong to the customer in the path (else 404)."""

    def guard(current: Document) -> None:
        if current.body.get("customerId") != customer_id:
            raise DocumentNotFound(f"customer {customer_id} has no document {current.key.id.split('/')[-1]}")

    return guard


def _check_dates(body: dict[str, Any]) -> None:
    issue, expiry = body.get("issueDate"), body.get("expiryDate")
    if issue and expiry and expiry < issue:
        raise InvalidRequest(f"expiryDate {expiry} is before issueDate {issue}",
                             errors=[{"field": "document.expiryDate", "message": "must not be before issueDate"}])


# ---------------------------------------------------------------- answers

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
    sub = str(actor.get("sub") or "")
    return {
        "email": actor.get("email"),
        "firstName": actor.get("given_name"),
        "fullName": actor.get("name") or sub or None,
        "id": int(sub) if sub.isascii() and sub.isdigit() and int(sub) <= INT64_MAX else None,
        "lastName": actor.get("family_name"),
    }


def document_path(doc: Document) -> str:
    return f"/api/customer/{doc.body['customerId']}/document/{doc.key.id.split('/')[-1]}"


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
        "id": int(doc.key.id.split("/")[-1]),
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


def image_ref(doc: Document, side: str) -> FileRef:
    ref = doc.files.get(side)
    if ref is None:
        raise DocumentNotFound(f"document {doc.key.id.split('/')[-1]} has no {side} image")
    return ref


def document_response(doc: Document, event: dict[str, Any], status: int = 200) -> Response:
    headers = {"ETag": doc.etag}
    if status == 201:
        headers["Location"] = base_url(event) + document_path(doc)
    return json_response(document_view(doc, base_url(event)), status, headers)


def install(app) -> None:
    """kyc's exception-to-HTTP map: problem+json."""
    install_problem_handlers(app)


def __getattr__(name: str):
    """The pydantic model, imported on first use: reads never pay for pydantic (cold start)."""
    if name == "DocumentFields":
        from .models import DocumentFields

        return DocumentFields
    raise AttributeError(name)
