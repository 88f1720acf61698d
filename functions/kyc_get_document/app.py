"""kyc: GET /api/customer/{customerId}/document/{documentId}."""

from folio.dialects.kyc import operations, views
from folio.web.request import CurrentRequest
from folio.web.resolver import http_api, lambda_entrypoint

app = http_api(views.install)


@app.get("/api/customer/<customer_id>/document/<document_id>")
def get_document(customer_id: str, document_id: str, request: CurrentRequest):
    return views.document_answer(operations.get_document(request, customer_id, document_id), request)


lambda_handler = lambda_entrypoint(app)
