"""kyc: GET .../uploads/{uploadId} - an upload session: the parts S3 holds, fresh URLs for the rest."""

from folio.dialects.kyc import uploads, views
from folio.web.request import CurrentRequest
from folio.web.resolver import http_api, lambda_entrypoint
from folio.web.uploads import resume_upload

app = http_api(views.install)


@app.get("/api/customer/<customer_id>/document/uploads/<upload_id>")
def get_create_upload(customer_id: str, upload_id: str, request: CurrentRequest):
    return resume_upload(request, upload_id, uploads.scope_of(request, customer_id))


@app.get("/api/customer/<customer_id>/document/<document_id>/<side>/uploads/<upload_id>")
def get_image_upload(customer_id: str, document_id: str, side: str, upload_id: str, request: CurrentRequest):
    return resume_upload(request, upload_id, uploads.scope_of(request, customer_id, document_id, side))


lambda_handler = lambda_entrypoint(app)
