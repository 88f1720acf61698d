"""kyc: GET /api/customer/{customerId}/document - the customer's documents in the domain, newest first, by cursor."""

from folio.dialects.kyc import operations, views
from folio.web.request import CurrentRequest
from folio.web.resolver import http_api, lambda_entrypoint

app = http_api(views.install)


@app.get("/api/customer/<customer_id>/document")
def list_documents(customer_id: str, request: CurrentRequest):
    return views.list_answer(*operations.list_documents(request, customer_id), request)


lambda_handler = lambda_entrypoint(app)
