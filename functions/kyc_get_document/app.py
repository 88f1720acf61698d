"""kyc: GET /api/customer/{customerId}/document/{documentId}."""

from folio.dialects import kyc
from folio.web.resolver import http_api, lambda_entrypoint
from folio.web.request import caller_from_event
from folio.storage.wiring import document_service

app = http_api(kyc.install)


@app.get("/api/customer/<customer_id>/document/<document_id>")
def get_document(customer_id: str, document_id: str):
    event = app.current_event.raw_event
    caller = caller_from_event(event)
    doc = kyc.customer_document(document_service(), event, caller, customer_id, document_id)
    return kyc.document_response(doc, event)


lambda_handler = lambda_entrypoint(app)
