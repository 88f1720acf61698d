"""kyc: POST /api/customer/{customerId}/document - create a document from front/back images (201)."""

from folio.dialects.kyc import models  # noqa: F401 - writes validate with pydantic: load it at init
from folio.dialects.kyc import operations, views
from folio.web.request import CurrentRequest
from folio.web.resolver import http_api, lambda_entrypoint

app = http_api(views.install)


@app.post("/api/customer/<customer_id>/document")
def create_document(customer_id: str, request: CurrentRequest):
    return views.created_answer(operations.create_document(request, customer_id), request)


lambda_handler = lambda_entrypoint(app)
