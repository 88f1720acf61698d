"""The data a sample event refers to, created before `folio invoke` runs it."""

from __future__ import annotations

from typing import Any

from ..core import Caller
from ..http import caller_from_event
from ..services import document_service


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


_PREPARERS = {
    "CrmGetDocumentFunction": _prepare_crm,
    "CrmPatchDocumentFunction": _prepare_crm,
}


def prepare(function_id: str, event: dict[str, Any]) -> None:
    preparer = _PREPARERS.get(function_id)
    if preparer is not None:
        preparer(event, caller_from_event(event))
