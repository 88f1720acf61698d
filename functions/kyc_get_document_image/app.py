"""kyc: GET .../document/{documentId}/front and /back - the image version the document points at."""

from folio.dialects import kyc
from folio.web.resolver import http_api, lambda_entrypoint
from folio.web.request import caller_from_event
from folio.web.responses import file_response
from folio.storage.wiring import document_service

app = http_api(kyc.install)


@app.get("/api/customer/<customer_id>/document/<document_id>/front")
def get_front(customer_id: str, document_id: str):
    return image(customer_id, document_id, "front")


@app.get("/api/customer/<customer_id>/document/<document_id>/back")
def get_back(customer_id: str, document_id: str):
    return image(customer_id, document_id, "back")


def image(customer_id: str, document_id: str, side: str):
    event = app.current_event.raw_event
    caller = caller_from_event(event)
    documents = document_service()
    doc = kyc.customer_document(documents, event, caller, customer_id, document_id)
    ref = kyc.image_ref(doc, side)
    return file_response(documents.read_file(ref), ref.content_type, f'"{ref.sha256}"', ref.file_name)


lambda_handler = lambda_entrypoint(app)
