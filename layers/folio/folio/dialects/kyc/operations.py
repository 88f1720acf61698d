"""kyc's operations over the core: the request object and the route's parameters in, documents out."""

from __future__ import annotations

from ...core import Document, DocumentKey, Edit, FileRef
from ...core.errors import Forbidden, InvalidRequest
from ...core.limits import INT64_MAX
from ...core.listing import MAX_PAGE, Page
from ...storage.wiring import document_service
from ...web.request import WebRequest, bounded_int, positive_id
from .mapping import (
    KIND, customer_documents, customer_guard, document_key, image_ref, new_body, updated_body, upload_of,
)

#: A page's size when the request names none (Spring Data's default ``size``).
DEFAULT_PAGE_SIZE = 20


def domain_of(request: WebRequest) -> int:
    """``X-Domain-ID``: required, an integer, and one of the token's ``folio:domains`` (else 403)."""
    granted = request.caller.domains  # no token is a 401 before any 400
    raw = request.header("X-Domain-ID")
    if raw is None or not raw.strip():
        raise InvalidRequest("the X-Domain-ID header is required",
                             errors=[{"field": "X-Domain-ID", "message": "required header"}])
    domain = bounded_int(raw.strip(), INT64_MAX)
    if domain is None:
        shown = raw if len(raw) <= 40 else raw[:40] + "..."
        raise InvalidRequest(f"X-Domain-ID must be a non-negative 64-bit integer, got {shown!r}",
                             errors=[{"field": "X-Domain-ID", "message": "must be an integer"}])
    if granted is not None and not any(_same_domain(d, domain) for d in granted):
        raise Forbidden(f"the token does not grant access to domain {domain}",
                        errors=[{"field": "X-Domain-ID", "message": "domain not granted by folio:domains"}])
    return domain


def _same_domain(granted: str, domain: int) -> bool:
    return granted == "*" or bounded_int(granted, INT64_MAX) == domain


def addressed(request: WebRequest, customer_id: str, document_id: str) -> tuple[DocumentKey, int]:
    """The document a request names (domain and ids checked first) and the customer it must belong to."""
    domain = domain_of(request)
    customer = positive_id(customer_id, "customerId")  # the spec types both ids int64
    return document_key(request.caller.tenant, domain, positive_id(document_id, "documentId")), customer


def create_document(request: WebRequest, customer_id: str) -> Document:
    """A new document of the customer, with the next id of the tenant."""
    caller = request.caller
    domain = domain_of(request)
    customer = positive_id(customer_id, "customerId")
    upload = upload_of(request.form())
    body = new_body(customer, upload)
    documents = document_service()
    key = document_key(caller.tenant, domain, documents.next_id(caller.tenant, KIND, maximum=INT64_MAX))
    return documents.create(key, body, caller, request.precondition, upload.files,
                            collection=customer_documents(domain, customer))


def update_document(request: WebRequest, customer_id: str, document_id: str) -> Document:
    """New images (the back kept when not sent) and the fields the ``document`` part names."""
    key, customer = addressed(request, customer_id, document_id)
    upload = upload_of(request.form())
    edit = Edit(updated_body(upload), new_files=upload.files, guard=customer_guard(customer))
    return document_service().update(key, edit, request.caller, request.precondition)


def get_document(request: WebRequest, customer_id: str, document_id: str) -> Document:
    """The document, if it belongs to the customer in the path (else 404)."""
    key, customer = addressed(request, customer_id, document_id)
    doc = document_service().get(key)
    customer_guard(customer)(doc)
    return doc


def get_image(request: WebRequest, customer_id: str, document_id: str, side: str) -> FileRef:
    """The ``front`` or ``back`` file version the document points at (the view reads or redirects)."""
    return image_ref(get_document(request, customer_id, document_id), side)


def page_size(request: WebRequest) -> int:
    """``size``: 1 to :data:`MAX_PAGE` (else 400), :data:`DEFAULT_PAGE_SIZE` when absent."""
    raw = request.query.get("size")
    if raw is None:
        return DEFAULT_PAGE_SIZE
    size = bounded_int(raw.strip(), MAX_PAGE)
    if not size:
        shown = raw if len(raw) <= 40 else raw[:40] + "..."
        raise InvalidRequest(f"size must be an integer from 1 to {MAX_PAGE}, got {shown!r}",
                             errors=[{"field": "size", "message": f"must be between 1 and {MAX_PAGE}"}])
    return size


def list_documents(request: WebRequest, customer_id: str) -> tuple[Page, int]:
    """A page of the customer's documents in the domain, newest first, and the size asked for.
    ``page`` (Spring's page number) is only accepted as 0: later pages are reached by ``cursor``."""
    domain = domain_of(request)
    customer = positive_id(customer_id, "customerId")
    if request.query.get("page", "0").strip() != "0":
        raise InvalidRequest("page numbers are not supported: pass the previous page's nextCursor as cursor",
                             errors=[{"field": "page", "message": "only 0; use cursor"}])
    size = page_size(request)
    page = document_service().list_page(request.caller.tenant, customer_documents(domain, customer), size,
                                        request.query.get("cursor"))
    return page, size


def delete_document(request: WebRequest, customer_id: str, document_id: str) -> Document:
    """Erase the customer's document (If-Match / If-Unmodified-Since apply); another customer's is 404."""
    key, customer = addressed(request, customer_id, document_id)
    return document_service().delete(key, request.caller, request.precondition, guard=customer_guard(customer))
