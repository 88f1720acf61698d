"""kyc: DELETE /api/customer/{customerId}/document/{documentId} - erase the document, its history and every image version (204)."""

from folio.dialects.kyc import operations, views
from folio.web.request import CurrentRequest
from folio.web.resolver import http_api, lambda_entrypoint

app = http_api(views.install)


@app.delete("/api/customer/<customer_id>/document/<document_id>")
def delete_document(customer_id: str, document_id: str, request: CurrentRequest):
    operations.delete_document(request, customer_id, document_id)
    return views.deleted_answer()


lambda_handler = lambda_entrypoint(app)
