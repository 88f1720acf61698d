"""crm: POST /api/v1/Document - create a DocumentEntity (201)."""

from folio.dialects import crm
from folio.dialects.crm import models as crm_models  # noqa: F401 - writes validate with pydantic: load it at init
from folio.web.resolver import http_api, lambda_entrypoint
from folio.web.request import caller_from_event, precondition_from_event
from folio.storage.wiring import document_service

app = http_api(crm.install)


@app.post("/api/v1/Document")
def create_document():
    event = app.current_event.raw_event
    caller = caller_from_event(event)
    body = crm.parse_create_body(event)
    precondition = precondition_from_event(event)
    documents = document_service()
    key = crm.document_key(caller.tenant, str(documents.next_id(caller.tenant, crm.KIND, maximum=crm.INT32_MAX)))
    doc = documents.create(key, body, caller, precondition)
    return crm.entity_response(doc, event, status=201)


lambda_handler = lambda_entrypoint(app)
