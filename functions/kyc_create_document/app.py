"""kyc: POST /api/customer/{customerId}/document - create a document from front/back images (201)."""

from folio.dialects import kyc
from folio.dialects.kyc import models as kyc_models  # noqa: F401 - writes validate with pydantic: load it at init
from folio.web.resolver import http_api, lambda_entrypoint
from folio.web.request import caller_from_event, precondition_from_event
from folio.storage.wiring import document_service

app = http_api(kyc.install)


@app.post("/api/customer/<customer_id>/document")
def create_document(customer_id: str):
    event = app.current_event.raw_event
    caller = caller_from_event(event)
    domain = kyc.domain_of(event, caller)
    customer = kyc.path_id(customer_id, "customerId")
    upload = kyc.parse_upload(event)
    body = kyc.new_body(customer, upload)
    documents = document_service()
    document_id = documents.next_id(caller.tenant, kyc.KIND, maximum=kyc.INT64_MAX)
    key = kyc.document_key(caller.tenant, domain, document_id)
    doc = documents.create(key, body, caller, precondition_from_event(event), upload.files)
    return kyc.document_response(doc, event, status=201)


lambda_handler = lambda_entrypoint(app)
