"""kyc in folio local: the data its sample events refer to (loaded by folio local only)."""

from __future__ import annotations

from ...core import Caller, Edit, NewFile
from ...storage.wiring import document_service
from ...web.request import WebRequest
from .. import kyc
from .samples import png


def prepare(request: WebRequest) -> None:
    params = event.get("pathParameters") or {}
    if "documentId" not in params:
        return
    domain = kyc.domain_of(request._event, caller)
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


PREPARERS = {name: prepare for name in ("KycUpdateDocumentFunction", "KycGetDocumentFunction",
                                        "KycGetDocumentImageFunction")}
