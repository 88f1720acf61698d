"""dms in folio local: the data its sample events refer to (loaded by folio local only)."""

from __future__ import annotations

from ...core import Caller, Edit, NewFile
from ...storage.wiring import document_service
from ...web.request import WebRequest
from .. import dms


def prepare(request: WebRequest) -> None:
    """The document the event names, with two file versions."""
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


PREPARERS = {name: prepare for name in ("DmsUploadDocumentVersionFunction", "DmsGetDocumentFunction",
                                        "DmsListDocumentVersionsFunction", "DmsGetDocumentVersionFileFunction")}
