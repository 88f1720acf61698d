"""kyc: POST .../uploads/{uploadId}/complete - S3 completes the file; the document is created or updated."""

from folio.dialects.kyc import models  # noqa: F401 - a create's fields validate with pydantic: load it at init
from folio.dialects.kyc import uploads, views
from folio.web.request import CurrentRequest
from folio.web.resolver import http_api, lambda_entrypoint

app = http_api(views.install)


@app.post("/api/customer/<customer_id>/document/uploads/<upload_id>/complete")
def complete_create_upload(customer_id: str, upload_id: str, request: CurrentRequest):
    return uploads.complete(request, upload_id, uploads.scope_of(request, customer_id))


@app.post("/api/customer/<customer_id>/document/<document_id>/<side>/uploads/<upload_id>/complete")
def complete_image_upload(customer_id: str, document_id: str, side: str, upload_id: str, request: CurrentRequest):
    return uploads.complete(request, upload_id, uploads.scope_of(request, customer_id, document_id, side))


lambda_handler = lambda_entrypoint(app)
