"""The data a sample event refers to, created before `folio invoke` runs it, and the local seed."""

from __future__ import annotations

from typing import Any

from ..core import Caller, NewFile
from ..http import caller_from_event
from ..services import document_service
from .samples import png


def seed() -> None:
    """What `folio local` and `folio invoke` start with: the capture Demo procedure."""
    from ..dialects import capture

    capture.seed_demo(document_service())


def _prepare_crm(event: dict[str, Any], caller: Caller) -> None:
    from ..dialects import crm

    raw_id = (event.get("pathParameters") or {}).get("id")
    if raw_id is None:
        return
    key = crm.document_key(caller.tenant, raw_id)
    documents = document_service()
    documents.reserve_id(caller.tenant, crm.KIND, int(key.id))
    if documents.find(key) is None:
        body = crm.validate_writable({"Header": "Quarterly Sales Report Q4 2024", "Name": "q4-report.docx",
                                      "OurRef": "SO-2024-001", "CustomFields": {"CustomFields1": "suscipit"}})
        documents.create(key, body, caller)


def _prepare_kyc(event: dict[str, Any], caller: Caller) -> None:
    from ..dialects import kyc

    params = event.get("pathParameters") or {}
    if "documentId" not in params:
        return
    domain = kyc.domain_of(event, caller)
    document_id = kyc.path_id(params["documentId"], "documentId")
    key = kyc.document_key(caller.tenant, domain, document_id)
    documents = document_service()
    documents.reserve_id(caller.tenant, kyc.KIND, document_id)
    if documents.find(key) is None:
        upload = kyc.Upload({"type": "PASSPORT", "number": "E1234567", "authenticity": "ORIGINAL",
                             "issueDate": "2019-05-01", "expiryDate": "2029-04-30"},
                            {"front": NewFile(png(), "image/png", "passport-front.png"),
                             "back": NewFile(png(rgb=(0, 0, 200)), "image/png", "passport-back.png")})
        documents.create(key, kyc.new_body(kyc.path_id(params["customerId"], "customerId"), upload), caller,
                         new_files=upload.files)


def _prepare_capture(event: dict[str, Any], caller: Caller) -> None:
    """The document (in Demo's first step) and attachment the event names, at version 1."""
    from ..dialects import capture

    params = event.get("pathParameters") or {}
    if "docId" not in params:
        return
    documents = document_service()
    procedure = capture.Procedures(documents).find(caller.tenant, {"name": "Demo"})
    doc_key = capture.document_key(caller.tenant, params["docId"])
    if documents.find(doc_key) is None:
        documents.create(doc_key, capture.new_document_body(procedure, documents.next_id(caller.tenant, capture.BATCH_KIND), None),
                         caller)
    if "attId" in params:
        att_key = capture.attachment_key(caller.tenant, params["attId"])
        if documents.find(att_key) is None:
            body = {"documentId": doc_key.id, "title": "notes5.txt", "comment": None,
                    "type": procedure.attachment_type({"name": "Invoice Notes"})}
            documents.create(att_key, body, caller, new_files={
                capture.CONTENT_SLOT: NewFile(b"Invoice notes\n" * 8, "text/plain", "notes5.txt")})


def _prepare_dms(event: dict[str, Any], caller: Caller) -> None:
    """The document the event names, with two file versions."""
    from ..dialects import dms

    params = event.get("pathParameters") or {}
    if "document_id" not in params:
        return
    key = dms.document_key(caller.tenant, params["client_id"], params["project_id"], params["document_id"])
    documents = document_service()
    documents.reserve_id(caller.tenant, dms.KIND, int(params["document_id"]))
    if documents.find(key) is None:
        first = dms.Upload({"name": "Floor plan", "folderId": 17, "description": ""},
                           NewFile(b"%PDF-1.4\n% floor plan draft\n%%EOF\n", "application/pdf", "floor-plan.pdf"))
        documents.create(key, dms.new_body(params["client_id"], params["project_id"], first), caller,
                         new_files={dms.FILE_SLOT: first.file})
        second = dms.Upload({}, NewFile(b"%PDF-1.4\n% floor plan rev A\n%%EOF\n", "application/pdf", "floor-plan.pdf"))
        documents.update(key, dms.version_change(second), caller, new_files={dms.FILE_SLOT: second.file})


_PREPARERS = {
    "CrmGetDocumentFunction": _prepare_crm,
    "CrmPatchDocumentFunction": _prepare_crm,
    "KycUpdateDocumentFunction": _prepare_kyc,
    "KycGetDocumentFunction": _prepare_kyc,
    "KycGetDocumentImageFunction": _prepare_kyc,
    "CaptureAddAttachmentFunction": _prepare_capture,
    "CaptureGetAttachmentFunction": _prepare_capture,
    "CaptureGetAttachmentContentFunction": _prepare_capture,
    "CaptureUpdateAttachmentFunction": _prepare_capture,
    "DmsUploadDocumentVersionFunction": _prepare_dms,
    "DmsGetDocumentFunction": _prepare_dms,
    "DmsListDocumentVersionsFunction": _prepare_dms,
    "DmsGetDocumentVersionFileFunction": _prepare_dms,
}


def prepare(function_id: str, event: dict[str, Any]) -> None:
    preparer = _PREPARERS.get(function_id)
    if preparer is not None:
        preparer(event, caller_from_event(event))
