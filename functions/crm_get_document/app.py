"""crm: GET /api/v1/Document/{id} - read a DocumentEntity, with $select."""

from folio.dialects import crm
from folio.web.resolver import http_api, lambda_entrypoint
from folio.web.request import caller_from_event
from folio.storage.wiring import document_service

app = http_api(crm.install)


@app.get("/api/v1/Document/<document_id>")
def get_document(document_id: str):
    event = app.current_event.raw_event
    key = crm.document_key(caller_from_event(event).tenant, document_id)
    doc = document_service().get(key)
    return crm.entity_response(doc, event)


lambda_handler = lambda_entrypoint(app)
