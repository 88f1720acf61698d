"""kyc: PUT /api/customer/{customerId}/document/{documentId} - new front (and back) images and fields."""

from folio.dialects.kyc import models  # noqa: F401 - writes validate with pydantic: load it at init
from folio.dialects.kyc import operations, views
from folio.web.request import CurrentRequest
from folio.web.resolver import http_api, lambda_entrypoint

app = http_api(views.install)


@app.put("/api/customer/<customer_id>/document/<document_id>")
def update_document(customer_id: str, document_id: str, request: CurrentRequest):
    return views.document_answer(operations.update_document(request, customer_id, document_id), request)


lambda_handler = lambda_entrypoint(app)
