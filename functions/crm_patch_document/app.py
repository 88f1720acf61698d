"""crm: PATCH /api/v1/Document/{id} - JSON Patch or JSON Merge Patch, $select, If-Unmodified-Since."""

from folio.dialects import crm
from folio.dialects.crm import models as crm_models  # noqa: F401 - writes validate with pydantic: load it at init
from folio.web.resolver import http_api, lambda_entrypoint
from folio.web.request import caller_from_event, precondition_from_event
from folio.storage.wiring import document_service

app = http_api(crm.install)


@app.patch("/api/v1/Document/<document_id>")
def patch_document(document_id: str):
    event = app.current_event.raw_event
    caller = caller_from_event(event)
    key = crm.document_key(caller.tenant, document_id)
    patch = crm.DocumentPatch.from_event(event)
    precondition = precondition_from_event(event)
    doc = document_service().update(key, patch.apply, caller, precondition)
    return crm.entity_response(doc, event)


lambda_handler = lambda_entrypoint(app)
