"""dms in folio local: the data its sample events refer to (loaded by folio local only)."""

from __future__ import annotations

from ...core import Edit, NewFile
from ...core.uploads import UploadTarget
from ...storage.wiring import document_service
from ...web.request import WebRequest
from .mapping import FILE_SLOT, KIND, Upload, collection_of, document_ids, file_mark, new_body, version_change
from .operations import addressed
from .uploads import scope_of

#: The two file versions of the document a sample event names, when it does not exist yet.
FIRST = Upload({"name": "Floor plan", "folderId": 17, "description": ""},
               NewFile(b"%PDF-1.4\n% floor plan draft\n%%EOF\n", "application/pdf", "floor-plan.pdf"))
SECOND = Upload({}, NewFile(b"%PDF-1.4\n% floor plan rev A\n%%EOF\n", "application/pdf", "floor-plan.pdf"))


#: The document a list's sample event finds in its project.
LISTED_DOCUMENT = "501"


def prepare(request: WebRequest, document_id: str | None = None) -> None:
    """The document the event names, with two file versions; its id is reserved so creates skip it."""
    params = request.path
    document_id = params.get("document_id", document_id)
    if document_id is None:
        return
    key = addressed(request, params["client_id"], params["project_id"], document_id)
    client, project, document = document_ids(key)
    documents = document_service()
    documents.reserve_id(key.tenant, KIND, document)
    if documents.find(key) is None:
        documents.create(key, new_body(client, project, FIRST), request.caller, new_files=FIRST.new_files,
                         collection=collection_of(client, project), mark=file_mark)
        documents.update(key, Edit(version_change(SECOND), new_files=SECOND.new_files, mark=file_mark), request.caller)


PREPARERS = {name: prepare for name in ("DmsUploadDocumentVersionFunction", "DmsGetDocumentFunction",
                                        "DmsListDocumentVersionsFunction", "DmsGetDocumentVersionFileFunction",
                                        "DmsStartUploadFunction", "DmsDeleteDocumentFunction",
                                        "DmsRestoreDocumentVersionFunction")}
PREPARERS["DmsListDocumentsFunction"] = lambda request: prepare(request, LISTED_DOCUMENT)

#: The upload session a sample event names: it makes the document's third file version.
SESSION_SAMPLE = NewFile(b"%PDF-1.4\n% floor plan rev B, uploaded in parts\n%%EOF\n", "application/pdf",
                         "floor-plan-rev-b.pdf")


def upload_session(request: WebRequest) -> tuple[UploadTarget, NewFile]:
    """The session of a sample event (``.../documents/{document_id}/uploads/{uploadId}``), its document prepared."""
    prepare(request)
    params = request.path
    key = addressed(request, params["client_id"], params["project_id"], params["document_id"])
    scope = scope_of(request, params["client_id"], params["project_id"], params["document_id"])
    return UploadTarget(key, FILE_SLOT, scope, metadata={"fields": {"name": "Floor plan rev B"}}), SESSION_SAMPLE


UPLOAD_SESSIONS = {name: upload_session for name in ("DmsGetUploadFunction", "DmsAbortUploadFunction",
                                                     "DmsCompleteUploadFunction")}
