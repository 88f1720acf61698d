"""capture in folio local: the data its sample events refer to (loaded by folio local only)."""

from __future__ import annotations

from ...core import Caller, NewFile
from ...core.uploads import UploadTarget
from ...storage.wiring import document_service
from ...web.request import WebRequest
from .constants import BATCH_KIND, CONTENT_SLOT, DEFAULT_TENANT
from .mapping import attachment_key, attachments_of, document_key, new_document_body
from .procedures import DEMO_PROCEDURE, Procedures
from .uploads import scope_of


def seed(documents) -> None:
    """The deployment-wide default configuration gets the Demo procedure (idempotent)."""
    key = Procedures.key(DEFAULT_TENANT)
    if documents.find(key) is None:
        seeder = Caller(tenant="folio", sub="folio-local", name="folio local")
        documents.create(key, {"procedures": [DEMO_PROCEDURE]}, seeder)


#: The attachment the document and list samples find (the other events name it in their path).
SAMPLE_ATTACHMENT_ID = "b22046ce-2c30-49b3-b734-25f62dea5403"


def prepare(request: WebRequest) -> None:
    """The document (in Demo's first step) and attachment the event names, at version 1."""
    params = request.path
    if "docId" in params:
        _prepare(request.caller, params["docId"], params.get("attId"))


def prepare_with_attachment(request: WebRequest) -> None:
    """The document the event names and the sample attachment, for the routes that show its attachments."""
    _prepare(request.caller, request.path["docId"], SAMPLE_ATTACHMENT_ID)


def _prepare(caller, doc_id: str, att_id: str | None) -> None:
    documents = document_service()
    procedure = Procedures(documents).find(caller.tenant, {"name": DEMO_PROCEDURE["name"]})
    doc_key = document_key(caller.tenant, doc_id)
    if documents.find(doc_key) is None:
        batch_id = documents.next_id(caller.tenant, BATCH_KIND)
        documents.create(doc_key, new_document_body(procedure, batch_id, None), caller)
    if att_id is not None:
        att_key = attachment_key(caller.tenant, att_id)
        if documents.find(att_key) is None:
            body = {"documentId": doc_key.id, "title": "notes5.txt", "comment": None,
                    "type": procedure.attachment_type({"name": "Invoice Notes"})}
            documents.create(att_key, body, caller, new_files={
                CONTENT_SLOT: NewFile(b"Invoice notes\n" * 8, "text/plain", "notes5.txt")},
                collection=attachments_of(doc_key.id))


PREPARERS = {name: prepare for name in ("CaptureAddAttachmentFunction", "CaptureGetAttachmentFunction",
                                        "CaptureGetAttachmentContentFunction", "CaptureUpdateAttachmentFunction",
                                        "CaptureStartUploadFunction", "CaptureDeleteAttachmentFunction")}
PREPARERS.update({name: prepare_with_attachment for name in ("CaptureGetDocumentFunction",
                                                             "CaptureListAttachmentsFunction")})

#: The content an upload session's sample event sends (``.../attachments/{attId}/content/uploads/{uploadId}``).
SESSION_SAMPLE = NewFile(b"Scanned invoice notes\n" * 64, "text/plain", "notes-scan.txt")


def upload_session(request: WebRequest) -> tuple[UploadTarget, NewFile]:
    """The session of a sample event, its document and attachment prepared; the completion's body
    carries the stateToken (none given at the start)."""
    prepare(request)
    key = attachment_key(request.caller.tenant, request.path["attId"])
    target = UploadTarget(key, CONTENT_SLOT, scope_of(request, request.path["docId"], request.path["attId"]),
                          metadata={"fields": {}, "stateToken": None})
    return target, SESSION_SAMPLE


UPLOAD_SESSIONS = {name: upload_session for name in ("CaptureGetUploadFunction", "CaptureAbortUploadFunction",
                                                     "CaptureCompleteUploadFunction")}


def describe(base_url: str, token: str) -> list[str]:
    demo = DEMO_PROCEDURE
    return [f"capture: procedure {demo['name']} ({demo['id']}), attachment types "
            f"{', '.join(t['name'] for t in demo['attachmentTypes'])}; new documents start in step "
            f"{demo['steps'][0]['name']} ({demo['steps'][0]['id']})"]
