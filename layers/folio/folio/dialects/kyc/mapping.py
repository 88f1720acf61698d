"""Between kyc's body and the core Document: the key, the stored body, the images (pure functions).

Reads import this module too, so the pydantic models are imported only where a request's
``document`` part is validated.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ...core import Document, DocumentKey, FileRef, NewFile
from ...core.service import body_guard
from ...core.errors import DocumentNotFound, InvalidRequest, UnsupportedMediaType
from ...web.multipart import FormData, Part

KIND = "kyc-document"
#: The media types kyc accepts for ``front`` and ``back``, judged from the bytes.
IMAGE_TYPES = ("image/jpeg", "image/png", "image/heic", "image/webp", "application/pdf")


@dataclass(frozen=True)
class Upload:
    """A parsed create/update request: the fields it sets and the files it brings."""

    fields: dict[str, Any]
    files: dict[str, NewFile]


def document_key(tenant: str, domain: int, document_id: int) -> DocumentKey:
    """Documents live per tenant and X-Domain-ID; the id is unique per tenant."""
    return DocumentKey.of(tenant, KIND, domain, document_id)


def document_number(key: DocumentKey) -> int:
    """The spec's ``documentId`` of a key made by :func:`document_key`."""
    return int(key.parts[-1])


def customer_documents(domain: int, customer_id: int) -> str:
    """The list a customer's documents are in (its scope below the tenant): one per domain and customer."""
    return f"{KIND}#{domain}#{customer_id}"  # a kind of its own: no other dialect's list shares the name


def domain_number(key: DocumentKey) -> int:
    """The ``X-Domain-ID`` of a key made by :func:`document_key`."""
    return int(key.parts[-2])


# ---------------------------------------------------------------- the request

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


def image(part: Part) -> NewFile:
    """A ``front``/``back`` part as a file to store: not empty, at most 4 MiB, an accepted type."""
    if not part.data:
        raise InvalidRequest(f"the {part.name} file is empty", errors=[{"field": part.name, "message": "empty file"}])
    data = part.within(what=f"the {part.name} file")
    detected = sniff_media_type(data)
    if detected is None:
        raise UnsupportedMediaType(
            f"the {part.name} file is not a JPEG, PNG, HEIC, WebP or PDF (judged from its content, "
            f"declared {part.media_type or 'without a type'})",
            accepted=IMAGE_TYPES,
        )
    return NewFile(data, detected, part.filename)


def document_fields(part: Part) -> dict[str, Any]:
    """The ``document`` part's writable fields, validated (answer-only fields dropped)."""
    from .models import DOCUMENT_PART_TYPES

    return document_fields_of(part.json_object(DOCUMENT_PART_TYPES))


def document_fields_of(value: dict[str, Any]) -> dict[str, Any]:
    """The writable fields of a ``document`` JSON object (a part, or an upload session's start)."""
    from pydantic import ValidationError

    from ...web.validation import invalid
    from .models import ANSWER_ONLY, FIELDS, DocumentFields

    def message(err: dict[str, Any]) -> str:
        if err["type"] == "enum":
            return "must be one of " + err["ctx"]["expected"]
        if err["type"] == "extra_forbidden":
            return "unknown field (writable: " + ", ".join(FIELDS) + ")"
        return err["msg"].removeprefix("Value error, ")

    try:
        model = DocumentFields.model_validate({k: v for k, v in value.items() if k not in ANSWER_ONLY})
    except ValidationError as error:
        raise invalid(error, lambda problems: "invalid document: " + "; ".join(
            f"{p['field']}: {p['message']}" for p in problems), prefix="document.", message=message) from None
    fields = model.model_dump(mode="json", exclude_unset=True)
    if "type" in fields and fields["type"] is None:
        raise InvalidRequest("document.type cannot be null", errors=[{"field": "document.type", "message": "required"}])
    return fields


def upload_of(form: FormData) -> Upload:
    """The multipart create/update request, fully validated before anything is stored."""
    form.only("front", "back", "document")
    fields = document_fields(form.require("document"))
    files = {"front": image(form.require("front"))}
    if (back := form.get("back")) is not None:
        files["back"] = image(back)
    return Upload(fields, files)


# ---------------------------------------------------------------- the stored body

def new_body(customer_id: int, upload: Upload) -> dict[str, Any]:
    """The stored body of a new document."""
    if not upload.fields.get("type"):
        from .models import DOCUMENT_TYPES

        raise InvalidRequest("document.type is required when a document is created",
                             errors=[{"field": "document.type", "message": "required, one of " + ", ".join(DOCUMENT_TYPES)}])
    body = {"customerId": customer_id, "type": None, "number": None, "authenticity": None,
            "issueDate": None, "expiryDate": None, "showExpiryNotification": False}
    body.update(upload.fields)
    check_dates(body)
    return body


def updated_body(upload: Upload):
    """A core Change: the stored body with the request's fields applied."""

    def change(current: Document) -> dict[str, Any]:
        body = dict(current.body)
        body.update(upload.fields)
        if body.get("showExpiryNotification") is None:
            body["showExpiryNotification"] = False
        check_dates(body)
        return body

    return change


def check_dates(body: dict[str, Any]) -> None:
    """An expiry before the issue date is a 400, also when only one of them changes."""
    issue, expiry = body.get("issueDate"), body.get("expiryDate")
    if issue and expiry and expiry < issue:
        raise InvalidRequest(f"expiryDate {expiry} is before issueDate {issue}",
                             errors=[{"field": "document.expiryDate", "message": "must not be before issueDate"}])


def customer_guard(customer_id: int):
    """A core guard: the document must belong to the customer in the path (else 404)."""
    return body_guard("customerId", customer_id)  # another customer's document reads as no document


def image_ref(doc: Document, side: str) -> FileRef:
    """The ``front`` or ``back`` file the document points at (404 when it has none)."""
    ref = doc.files.get(side)
    if ref is None:
        raise DocumentNotFound(f"document {document_number(doc.key)} has no {side} image")
    return ref
