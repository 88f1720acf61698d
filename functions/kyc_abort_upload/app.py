"""kyc: DELETE .../uploads/{uploadId} - abort an upload session (S3 drops its parts)."""

from folio.dialects.kyc import uploads, views
from folio.web.request import CurrentRequest
from folio.web.resolver import http_api, lambda_entrypoint
from folio.web.uploads import abort_upload

app = http_api(views.install)


@app.delete("/api/customer/<customer_id>/document/uploads/<upload_id>")
def abort_create_upload(customer_id: str, upload_id: str, request: CurrentRequest):
    return abort_upload(request, upload_id, uploads.scope_of(request, customer_id))


@app.delete("/api/customer/<customer_id>/document/<document_id>/<side>/uploads/<upload_id>")
def abort_image_upload(customer_id: str, document_id: str, side: str, upload_id: str, request: CurrentRequest):
    return abort_upload(request, upload_id, uploads.scope_of(request, customer_id, document_id, side))


lambda_handler = lambda_entrypoint(app)
