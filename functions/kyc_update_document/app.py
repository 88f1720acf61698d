"""kyc: PUT /api/customer/{customerId}/document/{documentId} - new front (and back) images and fields."""

from folio.core import Edit
from folio.dialects import kyc
from folio.dialects.kyc import models as kyc_models  # noqa: F401 - writes validate with pydantic: load it at init
from folio.web.resolver import http_api, lambda_entrypoint
from folio.web.request import caller_from_event, precondition_from_event
from folio.storage.wiring import document_service

app = http_api(kyc.install)


@app.put("/api/customer/<customer_id>/document/<document_id>")
def update_document(customer_id: str, document_id: str):
    event = app.current_event.raw_event
    caller = caller_from_event(event)
    key, customer = kyc.addressed(event, caller, customer_id, document_id)
    upload = kyc.parse_upload(event)
    doc = document_service().update(
        key, Edit(kyc.updated_body(upload), new_files=upload.files, guard=kyc.customer_guard(customer)),
        caller, precondition_from_event(event),
    )
    return kyc.document_response(doc, event)


lambda_handler = lambda_entrypoint(app)
