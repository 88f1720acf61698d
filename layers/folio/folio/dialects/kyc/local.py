"""kyc in folio local: the data its sample events refer to (loaded by folio local only)."""

from __future__ import annotations

from ...core import NewFile
from ...core.uploads import UploadTarget
from ...storage.wiring import document_service
from ...web.request import WebRequest
from .mapping import KIND, Upload, customer_documents, document_number, domain_number, new_body
from .operations import addressed
from .samples import png
from .uploads import scope_of

#: The document a sample event names, when it does not exist yet.
SAMPLE = Upload({"type": "PASSPORT", "number": "E1234567", "authenticity": "ORIGINAL",
                 "issueDate": "2019-05-01", "expiryDate": "2029-04-30"},
                {"front": NewFile(png(), "image/png", "passport-front.png"),
                 "back": NewFile(png(rgb=(0, 0, 200)), "image/png", "passport-back.png")})


#: The document a list event's customer has (the id the other sample events name).
LISTED_SAMPLE_ID = 88


def prepare(request: WebRequest) -> None:
    """The customer's document the event names, at version 1."""
    if "documentId" in request.path:
        _sample_document(request, request.path["documentId"])


def prepare_list(request: WebRequest) -> None:
    """A document in the list the event names (the customer's in the domain)."""
    _sample_document(request, str(LISTED_SAMPLE_ID))


def _sample_document(request: WebRequest, document_id: str) -> None:
    """The sample document of the event's customer and domain; its id is reserved so creates skip it."""
    key, customer = addressed(request, request.path["customerId"], document_id)
    documents = document_service()
    documents.reserve_id(key.tenant, KIND, document_number(key))
    if documents.find(key) is None:
        documents.create(key, new_body(customer, SAMPLE), request.caller, new_files=SAMPLE.files,
                         collection=customer_documents(domain_number(key), customer))


PREPARERS = {name: prepare for name in ("KycUpdateDocumentFunction", "KycGetDocumentFunction",
                                        "KycGetDocumentImageFunction", "KycDeleteDocumentFunction")}
PREPARERS["KycListDocumentsFunction"] = prepare_list


#: The upload session a sample event names: it replaces the document's front with this image.
SESSION_SAMPLE = NewFile(png(), "image/png", "passport-front-rescan.png")


def upload_session(request: WebRequest) -> tuple[UploadTarget, NewFile]:
    """The session of a sample event (``.../{documentId}/front/uploads/{uploadId}``), its document prepared."""
    prepare(request)
    key, customer = addressed(request, request.path["customerId"], request.path["documentId"])
    scope = scope_of(request, request.path["customerId"], request.path["documentId"], "front")
    return UploadTarget(key, "front", scope, metadata={"customer": customer, "fields": {}}), SESSION_SAMPLE


UPLOAD_SESSIONS = {name: upload_session for name in ("KycGetUploadFunction", "KycAbortUploadFunction",
                                                     "KycCompleteUploadFunction")}
PREPARERS["KycStartUploadFunction"] = prepare
