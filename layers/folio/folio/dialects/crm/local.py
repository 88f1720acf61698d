"""crm in folio local: the data its sample events refer to (loaded by folio local only)."""

from __future__ import annotations

from ...core import Edit, NewFile
from ...core.uploads import UploadTarget
from ...storage.wiring import document_service
from ...web.request import WebRequest
from .constants import COLLECTION, CONTENT_SLOT, KIND
from .mapping import content_mark, document_key
from .models import validate_writable


def prepare(request: WebRequest) -> None:
    raw_id = request.path.get("id")
    caller = request.caller
    if raw_id is None:
        return
    key = document_key(caller.tenant, raw_id)
    documents = document_service()
    documents.reserve_id(caller.tenant, KIND, int(key.id))
    if documents.find(key) is None:
        body = validate_writable({"Header": "Quarterly Sales Report Q4 2024", "Name": "q4-report.docx",
                                  "OurRef": "SO-2024-001", "CustomFields": {"CustomFields1": "suscipit"}})
        documents.create(key, body, caller, collection=COLLECTION, mark=content_mark)


def prepare_with_content(request: WebRequest) -> None:
    """A document (as :func:`prepare`) whose content is a small text file."""
    prepare(request)
    raw_id = request.path.get("id")
    if raw_id is None:
        return
    documents = document_service()
    key = document_key(request.caller.tenant, raw_id)
    if CONTENT_SLOT not in documents.get(key).files:
        content = NewFile(b"Quarterly sales, Q4 2024: EMEA up 12%.\n", "text/plain; charset=utf-8", "q4-report.txt")
        documents.update(key, Edit(lambda current: None, new_files={CONTENT_SLOT: content}, mark=content_mark),
                         request.caller)


#: The headers of the documents a sample list shows (more than its ``$top``: it has a next page).
LIST_SAMPLES = ("Quarterly Sales Report Q2 2024", "Quarterly Sales Report Q3 2024", "Quarterly Sales Report Q4 2024")


def prepare_list(request: WebRequest) -> None:
    """The tenant's list holds at least the sample documents (created once, oldest first)."""
    caller = request.caller
    documents = document_service()
    held = len(documents.list_page(caller.tenant, COLLECTION, len(LIST_SAMPLES), None).documents)
    for header in LIST_SAMPLES[held:]:
        key = document_key(caller.tenant, str(documents.next_id(caller.tenant, KIND)))
        documents.create(key, validate_writable({"Header": header, "OurRef": "SO-2024-001"}), caller,
                         collection=COLLECTION, mark=content_mark)


#: The content an upload session of a sample event holds.
SESSION_SAMPLE = NewFile(b"Quarterly sales, Q4 2024 (final): EMEA up 14%.\n", "text/plain", "q4-report-final.txt")


def upload_session(request: WebRequest) -> tuple[UploadTarget, NewFile]:
    """The session a sample event names (``.../Content/uploads/{uploadId}``), its document prepared."""
    from .uploads import scope_of

    prepare(request)
    key = document_key(request.caller.tenant, request.path["id"])
    return UploadTarget(key, CONTENT_SLOT, scope_of(request, request.path["id"])), SESSION_SAMPLE


UPLOAD_SESSIONS = {name: upload_session for name in ("CrmGetUploadFunction", "CrmAbortUploadFunction",
                                                     "CrmCompleteUploadFunction")}
PREPARERS = {"CrmGetDocumentFunction": prepare, "CrmPatchDocumentFunction": prepare,
             "CrmPutDocumentContentFunction": prepare, "CrmStartUploadFunction": prepare, "CrmGetDocumentContentFunction": prepare_with_content,
             "CrmListDocumentVersionsFunction": prepare_with_content, "CrmListDocumentsFunction": prepare_list,
             "CrmDeleteDocumentFunction": prepare_with_content}


def describe(base_url: str, token: str) -> list[str]:
    import json
    import shlex

    body = json.dumps({"Header": "Quarterly Sales Report", "CustomFields": {"Region": "EMEA"}})
    return ["Try:\n  curl -s -X POST " + shlex.quote(f"{base_url}/api/v1/Document")
            + " -H " + shlex.quote(f"Authorization: Bearer {token}")
            + " -H 'Content-Type: application/json' -d " + shlex.quote(body) + "\n"]
