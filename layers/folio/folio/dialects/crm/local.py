"""crm in folio local: the data its sample events refer to (loaded by folio local only)."""

from __future__ import annotations

from ...storage.wiring import document_service
from ...web.request import WebRequest
from .constants import KIND
from .mapping import document_key
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
        documents.create(key, body, caller)


PREPARERS = {"CrmGetDocumentFunction": prepare, "CrmPatchDocumentFunction": prepare}


def describe(base_url: str, token: str) -> list[str]:
    import json
    import shlex

    body = json.dumps({"Header": "Quarterly Sales Report", "CustomFields": {"Region": "EMEA"}})
    return ["Try:\n  curl -s -X POST " + shlex.quote(f"{base_url}/api/v1/Document")
            + " -H " + shlex.quote(f"Authorization: Bearer {token}")
            + " -H 'Content-Type: application/json' -d " + shlex.quote(body) + "\n"]
