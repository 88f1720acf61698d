"""kyc: GET .../document/{documentId}/front and /back - the image version the document points at (large: via S3)."""

from folio.dialects.kyc import operations, views
from folio.web.request import CurrentRequest
from folio.web.responses import file_download
from folio.web.resolver import http_api, lambda_entrypoint

app = http_api(views.install)


@app.get("/api/customer/<customer_id>/document/<document_id>/front")
def get_front(customer_id: str, document_id: str, request: CurrentRequest):
    return file_download(operations.get_image(request, customer_id, document_id, "front"), request)


@app.get("/api/customer/<customer_id>/document/<document_id>/back")
def get_back(customer_id: str, document_id: str, request: CurrentRequest):
    return file_download(operations.get_image(request, customer_id, document_id, "back"), request)


lambda_handler = lambda_entrypoint(app)
