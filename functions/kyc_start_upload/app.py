"""kyc: POST .../document/uploads, .../{documentId}/front/uploads, .../back/uploads - start an upload session."""

from folio.dialects.kyc import models  # noqa: F401 - the document fields validate with pydantic: load it at init
from folio.dialects.kyc import uploads, views
from folio.web.request import CurrentRequest
from folio.web.resolver import http_api, lambda_entrypoint

app = http_api(views.install)


@app.post("/api/customer/<customer_id>/document/uploads")
def start_create_upload(customer_id: str, request: CurrentRequest):
    return uploads.start_create(request, customer_id)


@app.post("/api/customer/<customer_id>/document/<document_id>/<side>/uploads")
def start_image_upload(customer_id: str, document_id: str, side: str, request: CurrentRequest):
    return uploads.start_side(request, customer_id, document_id, side)


lambda_handler = lambda_entrypoint(app)
