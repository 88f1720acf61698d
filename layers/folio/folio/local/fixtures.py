"""The data a sample event refers to, created before `folio invoke` runs it, and the local seed."""

from __future__ import annotations

from typing import Any

from ..core import Caller, Edit, NewFile
from ..web.request import caller_from_event
from ..storage.wiring import document_service
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
        documents.update(key, Edit(dms.version_change(second), new_files={dms.FILE_SLOT: second.file}), caller)


def _artu_document(env: str, document_id: str, caller: Caller):
    """The artu document ``document_id`` (created with that id if absent)."""
    from ..core.batches import BatchItem
    from ..dialects import artu
    from ..storage.wiring import batch_service

    batches = batch_service()
    if (existing := artu.find_by_id(batches, caller.tenant, env, document_id)) is not None:
        return existing
    item = artu.Item.model_validate({"clientId": "3c90c3cc-0d44-4b50-8888-8dd25736052a", "externalId": f"sample-{document_id}",
                                     "type": "ine", "filename": "ine-front.jpg"})
    change, _ = artu.item_change(item, new_id=document_id)
    key = artu.document_key(caller.tenant, env, str(item.clientId), item.externalId)
    return batches.commit_atomic([BatchItem(key, change, alias=artu.alias(caller.tenant, env, document_id))], caller)[0]


def _prepare_artu(event: dict[str, Any], caller: Caller) -> None:
    from ..dialects import artu

    document_id = (event.get("pathParameters") or {}).get("id")
    if document_id:
        _artu_document(artu.environment(event), document_id, caller)


def _prepare_artu_upload(event: dict[str, Any], _caller: Caller | None) -> None:
    """The document and the uploaded object the S3 event names. S3 chooses version ids, so the
    event is pointed at the version this stored (and at the local bucket)."""
    from ..dialects import artu
    from ..storage.wiring import file_store

    for record in event.get("Records", []):
        obj = record["s3"]["object"]
        tenant, env, document_id = artu.parse_upload_key(obj["key"])
        _artu_document(env, document_id, Caller(tenant=tenant, sub="folio-invoke", name="folio invoke"))
        stored = file_store().put(obj["key"], b"\xff\xd8\xff\xe0" + b"sample ine front" * 62, "image/jpeg")
        obj.update(versionId=stored.version_id, size=stored.size)
        record["s3"]["bucket"]["name"] = file_store()._bucket


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
    "ArtuGetDocumentFunction": _prepare_artu,
    "ArtuCreateUploadUrlFunction": _prepare_artu,
}
#: Preparers of events that carry no caller (S3, schedules).
_SYSTEM_PREPARERS = {"ArtuRecordUploadFunction": _prepare_artu_upload}


def prepare(function_id: str, event: dict[str, Any]) -> None:
    """Create what ``event`` refers to (it may point the event at what was stored, such as an S3 version)."""
    if function_id in _SYSTEM_PREPARERS:
        _SYSTEM_PREPARERS[function_id](event, None)
    elif (preparer := _PREPARERS.get(function_id)) is not None:
        preparer(event, caller_from_event(event))
